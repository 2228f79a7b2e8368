"""The ORM models and the Alembic migrations describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from veil.storage import migrate
from veil.storage.models import Base, LedgerBase


def _diff(engine: Engine, branch: str, metadata: object) -> list[object]:
    migrate(engine, branch)  # type: ignore[arg-type]
    with engine.connect() as conn:
        context = MigrationContext.configure(conn)
        diff = compare_metadata(context, metadata)  # type: ignore[arg-type]
    return [d for d in diff if not (isinstance(d, tuple) and d[0] == "remove_table")]


def test_core_migration_matches_models(main_engine: Engine) -> None:
    assert _diff(main_engine, "core", Base.metadata) == []


def test_ledger_migration_matches_models(ledger_engine: Engine) -> None:
    assert _diff(ledger_engine, "ledger", LedgerBase.metadata) == []


def test_core_primary_keys_match_models(main_engine: Engine) -> None:
    # compare_metadata does not look at primary keys; vault_entries' key is a contract
    # (tenant, conversation, token), in that order, so check it here.
    migrate(main_engine, "core")
    inspector = inspect(main_engine)
    for table in Base.metadata.sorted_tables:
        reflected = inspector.get_pk_constraint(table.name)["constrained_columns"]
        assert reflected == [c.name for c in table.primary_key.columns], table.name
    assert [c.name for c in Base.metadata.tables["vault_entries"].primary_key.columns] == [
        "tenant",
        "conversation",
        "token",
    ]
