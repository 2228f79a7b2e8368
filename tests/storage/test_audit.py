"""The audit tables: migrations match the models, the head serializes writers, and
checkpoints are kept in the ledger database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from veil.storage import migrate
from veil.storage.audit import (
    AUDIT_COLUMNS,
    GENESIS_HASH,
    AuditCheckpointRow,
    AuditHeadRow,
    AuditRowTable,
    AuditSql,
    CheckpointLedger,
    LedgerCheckpoint,
)
from veil.storage.models import Base, LedgerBase

MINE = {"audit_rows", "audit_head", "audit_checkpoints"}


def _diff(engine: Engine, branch: str, metadata: sa.MetaData) -> list[object]:
    migrate(engine, branch)  # type: ignore[arg-type]
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    return [d for d in diff if any(name in repr(d) for name in MINE)]


def test_migrations_match_the_audit_models(main_engine: Engine, ledger_engine: Engine) -> None:
    assert {"audit_rows", "audit_head"} <= set(Base.metadata.tables)
    assert "audit_checkpoints" in LedgerBase.metadata.tables
    assert _diff(main_engine, "core", Base.metadata) == []
    assert _diff(ledger_engine, "ledger", LedgerBase.metadata) == []
    inspector = sa.inspect(main_engine)
    assert [c["name"] for c in inspector.get_columns("audit_rows")] == list(AUDIT_COLUMNS)
    for table in (AuditRowTable.__table__, AuditHeadRow.__table__):
        pk = inspector.get_pk_constraint(table.name)["constrained_columns"]
        assert pk == [c.name for c in table.primary_key.columns]
    assert AuditCheckpointRow.__table__.name == "audit_checkpoints"


def test_migration_creates_the_empty_head(store: object, main_engine: Engine) -> None:
    with main_engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, seq, hash, mac FROM audit_head")).all()
    assert [tuple(r) for r in rows] == [(1, 0, GENESIS_HASH, "")]


def test_head_lock_serializes_writers(store: object, main_engine: Engine) -> None:
    sql = AuditSql(main_engine.dialect.name)
    first, second = main_engine.raw_connection(), main_engine.raw_connection()
    try:
        c1, c2 = first.cursor(), second.cursor()
        if sql.sqlite:
            c2.execute("PRAGMA busy_timeout=50")
        else:
            c2.execute("SET lock_timeout = '50ms'")
        assert sql.lock_head(c1) == (0, GENESIS_HASH)
        with pytest.raises(main_engine.dialect.loaded_dbapi.Error):
            sql.lock_head(c2)  # the head is held: the second writer must wait
        second.rollback()
        at = "2026-01-01 00:00:00.000000" if sql.sqlite else datetime(2026, 1, 1, tzinfo=UTC)
        row = (1, at, "turn.read", "ok", "a", "", "t", None, "", "", "{}", False,
               GENESIS_HASH, "1" * 64, "2" * 64)  # fmt: skip
        sql.insert_rows(c1, [row])
        assert sql.set_head(c1, 1, "1" * 64, "3" * 64) == 1
        first.commit()
        assert sql.lock_head(c2) == (1, "1" * 64)  # the waiter reads the committed head
        assert sql.read_head(c2) == (1, "1" * 64, "3" * 64, 1, 1)
        assert [r[0] for r in sql.page(c2, 0, 10)] == [1]
        second.rollback()
    finally:
        first.close()
        second.close()


def test_checkpoint_ledger_keeps_the_highest(ledger_engine: Engine) -> None:
    migrate(ledger_engine, "ledger")
    ledger = CheckpointLedger(ledger_engine)
    assert ledger.latest() is None
    at = datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)
    for seq in (5, 9, 7):
        ledger.add(LedgerCheckpoint(seq, f"{seq}" * 64, at, b"p" * 32, b"s" * 64))
    latest = ledger.latest()
    assert latest is not None
    assert (latest.seq, latest.hash, latest.public_key, latest.signature) == (
        9, "9" * 64, b"p" * 32, b"s" * 64,
    )  # fmt: skip
    assert latest.at.replace(tzinfo=UTC) == at
    assert ledger.count() == 3
