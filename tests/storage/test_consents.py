"""The consent store on SQLite and PostgreSQL: append-only, hooks in the transaction,
erasure cascades, and the migration matches the models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection, Engine

from veil.errors import StorageError
from veil.storage import Store, migrate
from veil.storage.consents import ConsentEventRow, ConsentStore, RestrictionEventRow
from veil.storage.models import Base


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def consents(main_engine: Engine) -> ConsentStore:
    migrate(main_engine, "core")
    return ConsentStore(main_engine, clock=Clock())


def test_migration_matches_the_models(consents: ConsentStore) -> None:
    ours = {ConsentEventRow.__tablename__, RestrictionEventRow.__tablename__}
    with consents.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if any(t in str(d) for t in ours)] == []
    inspector = sa.inspect(consents.engine)
    for table in ours:
        assert inspector.get_pk_constraint(table)["constrained_columns"] == ["seq"]


def test_events_append_in_order_with_the_clock(consents: ConsentStore) -> None:
    first = consents.append_consent(
        "t", "s", "analytics", granted=True, notice_version="n1", source="web-form"
    )
    second = consents.append_consent(
        "t", "s", "analytics", granted=False, notice_version=None, source="api"
    )
    other = consents.append_consent(
        "t", "s2", "analytics", granted=True, notice_version="n1", source="api"
    )
    lock = consents.append_restriction("t", "s", restricted=True, source="agent:42")
    history, restrictions = consents.history("t", "s")
    assert history == [first, second]
    assert first.seq < second.seq < other.seq
    assert first.at < second.at
    assert first.at.tzinfo is not None
    assert history[0].at == datetime(2026, 3, 1, 12, 1, tzinfo=UTC)
    assert restrictions == [lock]
    assert consents.history("other-tenant", "s") == ([], [])


def test_a_failing_hook_rolls_the_event_back(consents: ConsentStore) -> None:
    seen: list[int] = []

    def count(conn: Connection) -> None:
        seen.append(
            conn.execute(sa.select(sa.func.count()).select_from(ConsentEventRow)).scalar_one()
        )

    def fail(conn: Connection) -> None:
        raise RuntimeError("audit down")

    consents.append_consent(
        "t", "s", "p", granted=True, notice_version="n", source="api", hooks=[count]
    )
    assert seen == [1]  # the hook ran inside the transaction, after the insert
    with pytest.raises(RuntimeError, match="audit down"):
        consents.append_consent(
            "t", "s", "p", granted=False, notice_version=None, source="api", hooks=[fail]
        )
    with pytest.raises(RuntimeError):
        consents.append_restriction("t", "s", restricted=True, source="api", hooks=[fail])
    assert [e.granted for e in consents.history("t", "s")[0]] == [True]
    assert consents.history("t", "s")[1] == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE consent_events SET granted = NOT granted",
        "UPDATE restriction_events SET source = 'x'",
        "DELETE FROM consent_events",
        "DELETE FROM restriction_events",
    ],
)
def test_history_cannot_be_edited(consents: ConsentStore, statement: str) -> None:
    consents.append_consent("t", "s", "p", granted=True, notice_version="n", source="api")
    consents.append_restriction("t", "s", restricted=True, source="api")
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), consents.engine.begin() as conn:
        conn.execute(sa.text(statement))
    assert len(consents.history("t", "s")[0]) == 1
    assert len(consents.history("t", "s")[1]) == 1


def test_erasing_the_subject_deletes_its_events(consents: ConsentStore) -> None:
    for subject in ("gone", "kept"):
        consents.append_consent("t", subject, "p", granted=True, notice_version="n", source="api")
        consents.append_consent("t", subject, "p", granted=False, notice_version=None, source="api")
        consents.append_restriction("t", subject, restricted=True, source="api")
    Store(consents.engine).erase_subject("t", "gone", b"\x01" * 32)
    assert consents.history("t", "gone") == ([], [])
    with consents.engine.connect() as conn:
        for table in ("consent_events", "restriction_events"):
            rows = conn.execute(sa.text(f"SELECT subject FROM {table}")).scalars().all()
            assert set(rows) == {"kept"}


def test_database_failures_name_the_operation(consents: ConsentStore) -> None:
    with consents.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE restriction_events"))
    with pytest.raises(StorageError, match=r"^consents\.append_restriction failed"):
        consents.append_restriction("t", "s", restricted=True, source="api")
    with pytest.raises(StorageError, match=r"^consents\.history failed"):
        consents.history("t", "s")
