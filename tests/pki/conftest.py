"""Fixtures for the PKI store tests: a store on SQLite and the same on a real PostgreSQL
(a cluster per test session and worker, a schema per test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .postgres import PostgresCluster


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database, SQLite then PostgreSQL: each store test runs on
    both. A PostgreSQL that cannot be started fails the test, never skips it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'pki.sqlite3'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    schema = cluster.create_schema()
    try:
        yield cluster.url(schema)
    finally:
        cluster.drop_schema(schema)
