"""Engines and migrations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from veil.errors import ConfigurationError
from veil.storage import checkpoint, migrate, open_engine

POSTGRES_URL = os.environ.get("VEIL_TEST_POSTGRES_URL")


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'x.db'}", durable=True)
    expected = {"journal_mode": "wal", "foreign_keys": 1, "secure_delete": 1, "synchronous": 2}
    with engine.connect() as conn:
        for name, value in expected.items():  # synchronous 2 == FULL
            assert conn.exec_driver_sql(f"PRAGMA {name}").scalar() == value, name
    checkpoint(engine)
    engine.dispose()


def test_durability_follows_the_flag(backend: str, tmp_path: Path) -> None:
    """Default: atomic commits that survive veil's crash (SQLite NORMAL, PostgreSQL
    asynchronous commit); durable: every commit waits for the disk."""
    for durable in (False, True):
        if backend == "sqlite":
            engine = open_engine(f"sqlite:///{tmp_path / f'd{durable}.db'}", durable=durable)
            query, expected = "PRAGMA synchronous", (2 if durable else 1)
        else:
            if not POSTGRES_URL:
                pytest.skip("VEIL_TEST_POSTGRES_URL is not set")
            engine = open_engine(POSTGRES_URL, durable=durable)
            query, expected = "SHOW synchronous_commit", ("on" if durable else "off")
        with engine.connect() as conn:
            assert conn.exec_driver_sql(query).scalar() == expected
        engine.dispose()


def test_migrations_are_idempotent_and_separate(main_engine: Engine) -> None:
    migrate(main_engine, "core")
    migrate(main_engine, "core")
    names = set(main_engine.dialect.get_table_names(main_engine.connect()))
    assert {"subjects", "subject_keys", "tombstones", "vault_entries"} <= names
    assert "ledger_secrets" not in names


@pytest.mark.parametrize(
    ("url", "schema"),
    [("not a url", None), ("mysql://x/y", None), ("sqlite:///x.db", "abc")],
)
def test_bad_configuration_is_refused(url: str, schema: str | None) -> None:
    with pytest.raises(ConfigurationError):
        open_engine(url, schema=schema)


def test_postgres_schema_name_is_validated() -> None:
    with pytest.raises(ConfigurationError):
        open_engine("postgresql+psycopg://u@127.0.0.1/x", schema='x"; drop table y; --')
