"""Engines for the storage contract suite: every test runs on SQLite and PostgreSQL.

PostgreSQL runs only when VEIL_TEST_POSTGRES_URL is set; each test gets its own schema,
dropped afterwards, so parallel runs never collide.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from veil.storage import ErasureLedger, Store, migrate, open_engine

POSTGRES_URL = os.environ.get("VEIL_TEST_POSTGRES_URL")


def _engine(backend: str, tmp_path: Path, name: str, *, durable: bool = False) -> Iterator[Engine]:
    if backend == "sqlite":
        engine = open_engine(f"sqlite:///{tmp_path / name}.db", durable=durable)
        yield engine
        engine.dispose()
        return
    if not POSTGRES_URL:
        pytest.skip("VEIL_TEST_POSTGRES_URL is not set")
    schema = f"veil_t_{uuid.uuid4().hex[:16]}"
    engine = open_engine(POSTGRES_URL, schema=schema)
    try:
        yield engine
    finally:
        engine.dispose()
        admin = sa.create_engine(POSTGRES_URL)
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


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
