"""Fixtures of the mode tests."""

from __future__ import annotations

import pytest

from .certificates import Pki, make_pki


@pytest.fixture(scope="session")
def pki() -> Pki:
    return make_pki()
