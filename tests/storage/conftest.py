"""Engines for the storage contract suite: every test runs on SQLite and PostgreSQL.

PostgreSQL runs only when VEIL_TEST_POSTGRES_URL is set; each test gets its own schema,
dropped afterwards, so parallel runs never collide.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from veil.storage import ErasureLedger, Store, migrate
from veil.testing import scratch_engine

POSTGRES_URL = os.environ.get("VEIL_TEST_POSTGRES_URL")


def _engine(backend: str, tmp_path: Path, name: str, *, durable: bool = False) -> Iterator[Engine]:
    if backend == "postgresql" and not POSTGRES_URL:
        pytest.skip("VEIL_TEST_POSTGRES_URL is not set")
    url = POSTGRES_URL if backend == "postgresql" else None
    with scratch_engine(tmp_path, name, postgres_url=url, durable=durable) as engine:
        yield engine


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def main_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    yield from _engine(backend, tmp_path, "main")


@pytest.fixture
def ledger_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    yield from _engine(backend, tmp_path, "ledger", durable=True)


@pytest.fixture
def store(main_engine: Engine) -> Store:
    migrate(main_engine, "core")
    return Store(main_engine)


@pytest.fixture
def ledger(ledger_engine: Engine) -> ErasureLedger:
    migrate(ledger_engine, "ledger")
    return ErasureLedger(ledger_engine)
