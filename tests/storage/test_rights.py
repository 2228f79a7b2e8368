"""Contract suite for the rights tables (holds, runs, requests): SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from veil.errors import StorageError
from veil.storage import Store
from veil.storage.models import Base
from veil.storage.rights import RequestRecord, RequestStore, RetentionStore

T0 = datetime(2026, 1, 31, 9, 30, tzinfo=UTC)
MINE = {"legal_holds", "retention_runs", "dsar_requests", "turns"}


class Clock:
    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def retention(store: Store) -> RetentionStore:
    return RetentionStore(store.engine, clock=Clock())


@pytest.fixture
def requests(store: Store) -> RequestStore:
    return RequestStore(store.engine)


def _touches_mine(diff: object) -> bool:
    text = repr(diff)
    return any(f"'{name}'" in text or f"<{name}>" in text for name in MINE)


def test_the_migration_matches_the_models_for_these_tables(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if _touches_mine(d)] == []
    inspector = inspect(store.engine)
    assert inspector.get_pk_constraint("dsar_requests")["constrained_columns"] == ["id"]
    indexes = {i["name"] for i in inspector.get_indexes("dsar_requests")}
    assert {"ix_dsar_requests_open", "ix_dsar_requests_subject"} <= indexes


# -- legal holds -------------------------------------------------------------------------


def test_holds_are_added_listed_and_released(retention: RetentionStore) -> None:
    calls: list[Connection] = []
    whole = retention.add_hold("t1", None, "claim 2026-04", hooks=[calls.append])
    single = retention.add_hold("t1", "s1", "regulator inquiry")
    assert len(calls) == 1
    assert single > whole
    assert [(h.tenant, h.subject, h.reason) for h in retention.holds()] == [
        ("t1", None, "claim 2026-04"),
        ("t1", "s1", "regulator inquiry"),
    ]
    assert retention.holds()[0].created_at == T0
    assert retention.is_held("t1", "anyone")
    assert retention.release_hold(whole, hooks=[calls.append])
    assert len(calls) == 2
    assert not retention.release_hold(whole)
    assert not retention.release_hold(999)
    assert not retention.is_held("t1", "anyone")
    assert retention.is_held("t1", "s1")
    assert not retention.is_held("t2", "s1")
    assert [h.id for h in retention.holds()] == [single]
    released = [h for h in retention.holds(active=False) if h.id == whole]
    assert released[0].released_at == T0


def test_a_failing_hook_rolls_the_hold_back(retention: RetentionStore) -> None:
    def refuse(conn: Connection) -> None:
        raise StorageError("audit refused")

    with pytest.raises(StorageError):
        retention.add_hold("t1", "s1", "x", hooks=[refuse])
    assert retention.holds() == []


# -- retention runs ----------------------------------------------------------------------


def test_runs_store_their_json_report(retention: RetentionStore) -> None:
    first = retention.start_run(T0, dry_run=True)
    second = retention.start_run(T0 + timedelta(hours=1), dry_run=False)
    report = {"deleted": {"turns": 3}, "shredded_subjects": 1}
    calls: list[Connection] = []
    retention.finish_run(first, T0 + timedelta(minutes=5), report, hooks=[calls.append])
    assert len(calls) == 1
    newest, oldest = retention.runs()
    assert (newest.id, newest.finished_at, newest.report) == (second, None, None)
    assert oldest.dry_run
    assert oldest.report == report
    assert oldest.finished_at == T0 + timedelta(minutes=5)


# -- requests ----------------------------------------------------------------------------


def _request(request_id: str = "r1", *, subject: str = "s1", due_days: int = 28) -> RequestRecord:
    return RequestRecord(
        request_id, "t1", subject, "access", "gdpr", "received", T0, T0 + timedelta(days=due_days)
    )


def test_requests_round_trip_in_utc(requests: RequestStore) -> None:
    local = timezone(timedelta(hours=2))
    record = replace(_request(), received_at=T0.astimezone(local))
    calls: list[Connection] = []
    requests.add(record, hooks=[calls.append])
    assert len(calls) == 1
    stored = requests.get("r1")
    assert stored == _request()
    assert stored is not None
    assert stored.received_at.tzinfo is not None
    assert requests.get("nope") is None


def test_transitions_compare_the_status_and_rename_an_erased_subject(
    requests: RequestStore, retention: RetentionStore
) -> None:
    requests.add(_request("r1"))
    requests.add(_request("r2", due_days=10))
    requests.add(_request("r3", subject="s2"))
    retention.add_hold("t1", "s1", "old claim")
    values = {"status": "verified", "verified_at": T0, "verifier": "alice"}
    assert requests.transition("r1", expected="received", values=values)
    assert not requests.transition("r1", expected="received", values=values)
    assert not requests.transition("nope", expected="received", values=values)
    done = {"status": "completed", "closed_at": T0 + timedelta(days=1)}
    assert requests.transition("r1", expected="verified", values=done, rename_subject="gone")
    assert {r.id: r.subject for r in requests.listing()} == {"r1": "gone", "r2": "gone", "r3": "s2"}
    assert [h.subject for h in retention.holds()] == ["gone"]
    finished = requests.get("r1")
    assert finished is not None
    assert (finished.status, finished.verifier) == ("completed", "alice")


def test_listing_filters_by_status_due_date_and_subject(requests: RequestStore) -> None:
    for request_id, days in (("a", 5), ("b", 1), ("c", 30)):
        requests.add(_request(request_id, due_days=days))
    requests.transition("a", expected="received", values={"status": "completed"})
    open_ = requests.listing(statuses=["received", "verified"])
    assert [r.id for r in open_] == ["b", "c"]  # soonest due first
    overdue = requests.listing(statuses=["received"], due_before=T0 + timedelta(days=6))
    assert [r.id for r in overdue] == ["b"]
    assert requests.listing(tenant="t1", subject="s9") == []
    assert len(requests.listing(tenant="t1", subject="s1")) == 3


def test_a_reseal_applies_only_to_an_unchanged_entry(store: Store, requests: RequestStore) -> None:
    store.put_token("t1", "c1", "s1", "[EMAIL_1]", "EMAIL", b"old")
    requests.add(_request("r1"))
    requests.add(_request("r2"))
    (entry,) = requests.subject_entries("t1", "s1")
    assert requests.entry("t1", "c1", "[EMAIL_1]") == entry
    assert requests.entry("t1", "c1", "[EMAIL_2]") is None
    assert requests.transition(
        "r1", expected="received", values={"status": "completed"}, reseal=[(entry, b"new")]
    )
    assert store.get_tokens("t1", "c1")[0].envelope == b"new"
    with pytest.raises(StorageError, match="changed meanwhile"):
        requests.transition(
            "r2", expected="received", values={"status": "completed"}, reseal=[(entry, b"x")]
        )
    assert store.get_tokens("t1", "c1")[0].envelope == b"new"
    still = requests.get("r2")
    assert still is not None
    assert still.status == "received"  # rolled back with the failed re-seal


def test_database_errors_are_value_free(requests: RequestStore, retention: RetentionStore) -> None:
    with requests.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE dsar_requests")
        conn.exec_driver_sql("DROP TABLE legal_holds")
    with pytest.raises(StorageError, match=r"^dsar\.add failed") as info:
        requests.add(_request(subject="Maria Gonzalez"))
    assert "Maria" not in str(info.value)
    with pytest.raises(StorageError, match=r"^retention\.add_hold failed"):
        retention.add_hold("t1", "Maria Gonzalez", "x")


def test_the_migration_downgrades_and_upgrades_again(store: Store) -> None:
    from alembic import command
    from alembic.config import Config

    from veil.storage import migrate
    from veil.storage.database import _MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "c0004")
    tables = set(inspect(store.engine).get_table_names())
    assert not tables & {"legal_holds", "retention_runs", "dsar_requests"}
    assert "purpose" not in {c["name"] for c in inspect(store.engine).get_columns("turns")}
    migrate(store.engine, "core")
    assert "purpose" in {c["name"] for c in inspect(store.engine).get_columns("turns")}
