"""Engines and trails for the audit tests: SQLite files in tmp_path and, when
VEIL_TEST_POSTGRES_URL is set, a per-test PostgreSQL schema dropped afterwards."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from veil.audit import AuditTrail
from veil.storage import migrate
from veil.testing import scratch_engine

POSTGRES_URL = os.environ.get("VEIL_TEST_POSTGRES_URL")
MAC_KEY = b"m" * 32


def subject_key(tenant: str) -> bytes:
    return (tenant.encode() + b"/subject-key/" + b"x" * 32)[:32]


def make_engine(backend: str, tmp_path: Path, name: str) -> Iterator[Engine]:
    if backend == "postgresql" and not POSTGRES_URL:
        pytest.skip("VEIL_TEST_POSTGRES_URL is not set")
    url = POSTGRES_URL if backend == "postgresql" else None
    with scratch_engine(tmp_path, name, postgres_url=url) as engine:
        yield engine


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
