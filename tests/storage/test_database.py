"""Engines and migrations."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from veil.errors import ConfigurationError
from veil.storage import checkpoint, migrate, open_engine


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'x.db'}", durable=True)
    expected = {"journal_mode": "wal", "foreign_keys": 1, "secure_delete": 1, "synchronous": 2}
    with engine.connect() as conn:
        for name, value in expected.items():  # synchronous 2 == FULL
            assert conn.exec_driver_sql(f"PRAGMA {name}").scalar() == value, name
    checkpoint(engine)
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
