"""A throwaway PostgreSQL cluster for the store tests: ``initdb`` into a temporary
directory, ``pg_ctl start`` listening on a Unix socket in that directory only (no TCP
port, no system service, nothing to collide with), one schema per test, and
``pg_ctl stop`` at the end. Each pytest-xdist worker starts its own: about half a
second, and no cross-process locking to get wrong.

PostgreSQL refuses to run as root. When the tests run as root (as CI does here), the
server runs as the ``postgres`` user that Debian's package creates, and owns the
directory; root still reaches the socket. The server binaries come from Debian's
``postgresql`` package (scripts/ensure-debian-packages installs it)."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import URL

PORT = 5432  # only names the socket file: the socket directory is private
SERVER_USER = "postgres"
SUPERUSER = "mikey"
DATABASE = "postgres"


def server_binaries() -> Path:
    """The directory of ``initdb`` and ``pg_ctl``: Debian keeps them off the PATH, in
    /usr/lib/postgresql/<major>/bin (the newest major wins)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    pytest.fail(
        "PostgreSQL's server (initdb, pg_ctl) is not installed: the store tests run against"
        " a real PostgreSQL. Install the Debian package postgresql"
        " (bash scripts/ensure-debian-packages, which make test runs).",
        pytrace=False,
    )


class PostgresCluster:
    """A running cluster; ``stop`` removes it."""

    def __init__(self) -> None:
        self.bin = server_binaries()
        self.user: str | None = None
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam(SERVER_USER)
            except KeyError:
                pytest.fail(
                    f"the tests run as root, which PostgreSQL refuses, and there is no"
                    f" {SERVER_USER!r} user to run it as (Debian's postgresql package"
                    " creates one)",
                    pytrace=False,
                )
            self.user = SERVER_USER
        # Short and under /tmp: a Unix socket path must fit in 107 bytes, and the
        # server user must be able to reach the directory (pytest's tmp_path is 0700
        # under root's own directory).
        self.root = Path(tempfile.mkdtemp(prefix="mikey-pg-", dir="/tmp"))
        if self.user is not None:
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        try:
            self._start()
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise

    def _start(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",  # only this directory's socket reaches it
            "--no-sync",
            "--encoding=UTF8",
            "--locale=C",
        )
        options = (
            f"-k {self.root} -c listen_addresses='' -p {PORT}"
            # A test database need not survive a crash: skip every fsync.
            " -F -c full_page_writes=off -c synchronous_commit=off"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run(
            [str(self.bin / program), *args],
            # As the server user with its own group only, none of root's.
            user=self.user,
            group=self.user,
            extra_groups=None if self.user is None else [],
            cwd=self.root,  # the server user may not be allowed into the current directory
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            pytest.fail(
                f"PostgreSQL's {program} failed ({result.returncode}):\n{result.stdout}"
                f"{result.stderr}{log}",
                pytrace=False,
            )

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=str(self.root), port=PORT, user=SUPERUSER, dbname=DATABASE, autocommit=True
        )

    def create_schema(self) -> str:
        """A new empty schema (a namespace of tables, far cheaper than a database); its
        name."""
        name = f"test_{uuid.uuid4().hex}"
        with self._admin() as admin:
            admin.execute(f'CREATE SCHEMA "{name}"')
        return name

    def drop_schema(self, name: str) -> None:
        with self._admin() as admin:
            admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')

    def url(self, schema: str) -> str:
        """The SQLAlchemy URL that reaches ``schema`` through the socket: every
        connection's search_path is that schema alone, so tables, the audit trigger and
        its function are created and found there."""
        return URL.create(
            "postgresql+psycopg",
            username=SUPERUSER,
            database=DATABASE,
            query={"host": str(self.root), "port": str(PORT), "options": f"-csearch_path={schema}"},
        ).render_as_string(hide_password=False)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
