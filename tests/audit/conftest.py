"""Engines and trails for the audit tests: SQLite files in tmp_path and, when
VEIL_TEST_POSTGRES_URL is set, a per-test PostgreSQL schema dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from veil.audit import AuditTrail
from veil.storage import migrate, open_engine

POSTGRES_URL = os.environ.get("VEIL_TEST_POSTGRES_URL")
MAC_KEY = b"m" * 32


def subject_key(tenant: str) -> bytes:
    return (tenant.encode() + b"/subject-key/" + b"x" * 32)[:32]


def make_engine(backend: str, tmp_path: Path, name: str) -> Iterator[Engine]:
    if backend == "sqlite":
        engine = open_engine(f"sqlite:///{tmp_path / name}.db")
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
def engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    for e in make_engine(backend, tmp_path, "main"):
        migrate(e, "core")
        yield e


@pytest.fixture
def ledger_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    for e in make_engine(backend, tmp_path, "ledger"):
        migrate(e, "ledger")
        yield e


@pytest.fixture
def make_trail(engine: Engine, ledger_engine: Engine) -> Callable[..., AuditTrail]:
    def make(**kwargs: object) -> AuditTrail:
        options: dict[str, object] = {
            "mac_key": MAC_KEY,
            "subject_key": subject_key,
            "ledger": ledger_engine,
        }
        options.update(kwargs)
        return AuditTrail(engine, **options)  # type: ignore[arg-type]

    return make


@pytest.fixture
def trail(make_trail: Callable[..., AuditTrail]) -> AuditTrail:
    return make_trail()
