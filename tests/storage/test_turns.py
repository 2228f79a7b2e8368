"""Contract suite for TurnStore: identical behaviour on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, text

from veil.errors import StorageError
from veil.storage import Store, StoredTurn, TurnStore
from veil.storage.turns import DEFAULT_PURPOSE


def _turn(
    seq: int, *, conversation: str = "c1", subject: str = "s1", tenant: str = "t1"
) -> StoredTurn:
    role = "user" if seq % 2 else "assistant"
    return StoredTurn(tenant, conversation, seq, subject, role, f"sealed-{seq}".encode())


@pytest.fixture
def turns(store: Store) -> TurnStore:
    return TurnStore(store.engine)


def test_numbers_start_at_one_and_follow_the_last_turn(turns: TurnStore) -> None:
    assert turns.next_seq("t1", "c1") == 1
    assert turns.add(_turn(1))
    assert turns.add(_turn(2))
    assert turns.next_seq("t1", "c1") == 3
    assert turns.next_seq("t1", "c2") == 1
    assert turns.next_seq("t2", "c1") == 1


def test_a_taken_number_is_refused_not_replaced(turns: TurnStore) -> None:
    assert turns.add(_turn(1))
    assert not turns.add(StoredTurn("t1", "c1", 1, "s2", "user", b"other"))
    assert turns.of_conversation("t1", "c1") == [_turn(1)]


def test_a_conversation_reads_in_order_and_per_tenant(turns: TurnStore) -> None:
    for seq in (2, 1, 3):
        assert turns.add(_turn(seq))
    assert turns.add(_turn(1, tenant="t2"))
    assert [t.seq for t in turns.of_conversation("t1", "c1")] == [1, 2, 3]
    assert turns.of_conversation("t2", "c1") == [_turn(1, tenant="t2")]
    assert turns.of_conversation("t1", "nope") == []


def test_a_subjects_turns_are_listed_across_conversations(turns: TurnStore) -> None:
    assert turns.add(_turn(1, conversation="b"))
    assert turns.add(_turn(1, conversation="a"))
    assert turns.add(_turn(2, conversation="a", subject="s2"))
    listed = turns.of_subject("t1", "s1")
    assert [(t.conversation, t.seq) for t in listed] == [("a", 1), ("b", 1)]


def test_erasing_the_subject_deletes_its_turns_only(store: Store, turns: TurnStore) -> None:
    assert turns.add(_turn(1))
    assert turns.add(_turn(2, subject="s2"))
    store.erase_subject("t1", "s1", b"d" * 32)
    assert [t.subject for t in turns.of_conversation("t1", "c1")] == ["s2"]
    assert turns.of_subject("t1", "s1") == []


def test_the_table_has_no_plaintext_column_and_a_subject_index(turns: TurnStore) -> None:
    inspector = inspect(turns.engine)
    columns = {c["name"] for c in inspector.get_columns("turns")}
    assert columns == {
        "tenant", "conversation", "seq", "subject", "role", "envelope", "created_at", "purpose",
    }  # fmt: skip
    indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes("turns")}
    assert indexes["ix_turns_subject"] == ["tenant", "subject"]
    pk = inspector.get_pk_constraint("turns")["constrained_columns"]
    assert pk == ["tenant", "conversation", "seq"]


def test_database_errors_are_value_free_storage_errors(turns: TurnStore) -> None:
    with turns.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE turns")
    secret = b"Maria Gonzalez"
    for call in (
        lambda: turns.add(StoredTurn("t1", "c1", 1, "s1", "user", secret)),
        lambda: turns.of_conversation("t1", "c1"),
        lambda: turns.of_subject("t1", "s1"),
        lambda: turns.next_seq("t1", "c1"),
    ):
        with pytest.raises(StorageError) as info:
            call()
        assert "Maria" not in str(info.value)
        assert str(info.value).startswith("turns.")


# -- purposes, times, paging ------------------------------------------------------------

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def test_purpose_and_time_round_trip_in_utc(store: Store) -> None:
    clock = Clock(datetime(2026, 1, 1, 13, 0, tzinfo=timezone(timedelta(hours=1))))
    turns = TurnStore(store.engine, clock=clock)
    assert turns.add(_turn(1))
    assert turns.add(StoredTurn("t1", "c1", 2, "s1", "user", b"x", "quality_review"))
    first, second = turns.of_conversation("t1", "c1")
    assert (first.purpose, second.purpose) == (DEFAULT_PURPOSE, "quality_review")
    assert first.created_at == T0
    assert first.created_at is not None
    assert first.created_at.tzinfo is not None
    assert turns.of_subject("t1", "s1")[1].purpose == "quality_review"


def test_rows_written_before_the_purpose_column_default_to_ai_assistance(store: Store) -> None:
    turns = TurnStore(store.engine)
    with store.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO subjects (tenant, subject, created_at) VALUES ('t1', 's1', :at)"),
            {"at": T0},
        )
        conn.execute(
            text(
                "INSERT INTO turns (tenant, conversation, seq, subject, role, envelope, "
                "created_at) VALUES ('t1', 'c1', 1, 's1', 'user', :e, :at)"
            ),
            {"e": b"x", "at": T0},
        )
    assert turns.of_conversation("t1", "c1")[0].purpose == "ai_assistance"


def test_page_walks_every_turn_in_key_order(turns: TurnStore) -> None:
    keys = [("t1", "a", 1), ("t1", "a", 2), ("t1", "b", 1), ("t2", "a", 1), ("t2", "a", 10)]
    for tenant, conversation, seq in reversed(keys):
        assert turns.add(_turn(seq, conversation=conversation, tenant=tenant))
    seen: list[tuple[str, str, int]] = []
    after = None
    while page := turns.page(after=after, limit=2):
        seen += [(t.tenant, t.conversation, t.seq) for t in page]
        after = seen[-1]
    assert seen == keys
    with pytest.raises(ValueError, match="positive"):
        turns.page(limit=0)


# -- retention reads and purge -----------------------------------------------------------


def _seed(store: Store, clock: Clock) -> TurnStore:
    turns = TurnStore(store.engine, clock=clock)
    dated = Store(store.engine, clock=clock)
    for day, (conversation, seq, subject, purpose) in enumerate(
        [
            ("a", 1, "s1", "ai_assistance"),
            ("a", 2, "s2", "ai_assistance"),
            ("b", 1, "s1", "analytics"),
            ("b", 2, "s1", "other"),
        ]
    ):
        clock.at = T0 + timedelta(days=day)
        turn = StoredTurn("t1", conversation, seq, subject, "user", b"x", purpose)
        assert turns.add(turn)
        dated.put_token("t1", conversation, subject, f"[E_{seq}]", "EMAIL", b"sealed")
    return turns


def test_retention_inventory_reports_expired_turns_and_maps(store: Store) -> None:
    turns = _seed(store, Clock())
    cutoffs = {"ai_assistance": T0, "analytics": T0 + timedelta(days=5)}
    inventory = turns.retention_inventory("t1", "s1", cutoffs=cutoffs, other=None)
    assert inventory.expired_turns == (("a", 1), ("b", 1))
    assert inventory.turn_count == 3
    assert {(m.conversation, m.entries, m.newest) for m in inventory.maps} == {
        ("a", 1, T0 + timedelta(days=1)),
        ("b", 2, T0 + timedelta(days=3)),
    }
    groups = {(g.conversation, g.subject, g.purpose): g.newest for g in inventory.turn_groups}
    assert groups[("a", "s2", "ai_assistance")] == T0 + timedelta(days=1)
    assert len(groups) == 4
    with_other = turns.retention_inventory(
        "t1", "s1", cutoffs=cutoffs, other=T0 + timedelta(days=9)
    )
    assert with_other.expired_turns == (("a", 1), ("b", 1), ("b", 2))


def test_retention_candidates_skip_reserved_ids_and_page(store: Store) -> None:
    turns = _seed(store, Clock())
    reserved = TurnStore(store.engine, clock=Clock())
    assert reserved.add(StoredTurn("t1", "z", 1, "veil:derive", "user", b"x"))
    assert reserved.add(StoredTurn("veil:audit", "z", 1, "s1", "user", b"x"))
    everything = T0 + timedelta(days=99)
    found = turns.retention_candidates(
        cutoffs={}, other=everything, map_cutoff=None, idle_cutoff=None
    )
    assert found == [("t1", "s1"), ("t1", "s2")]
    assert turns.retention_candidates(
        cutoffs={}, other=everything, map_cutoff=None, idle_cutoff=None, after=("t1", "s1")
    ) == [("t1", "s2")]
    assert (
        turns.retention_candidates(cutoffs={}, other=None, map_cutoff=None, idle_cutoff=None) == []
    )
    by_map = turns.retention_candidates(
        cutoffs={}, other=None, map_cutoff=T0 + timedelta(days=1), idle_cutoff=None
    )
    assert by_map == [("t1", "s1"), ("t1", "s2")]


def test_an_empty_old_subject_is_a_candidate(store: Store) -> None:
    clock = Clock()
    Store(store.engine, clock=clock).put_token("t1", "c", "s9", "[E_1]", "EMAIL", b"x")
    turns = TurnStore(store.engine, clock=clock)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM vault_entries"))
    args: dict[str, object] = {"cutoffs": {}, "other": None, "map_cutoff": None}
    assert turns.retention_candidates(idle_cutoff=T0 - timedelta(days=1), **args) == []  # type: ignore[arg-type]
    assert turns.retention_candidates(idle_cutoff=T0, **args) == [("t1", "s9")]  # type: ignore[arg-type]


def test_purge_deletes_planned_rows_and_runs_hooks_in_its_transaction(store: Store) -> None:
    turns = _seed(store, Clock())
    seen: list[int] = []

    def hook(conn: object) -> None:
        seen.append(1)

    done = turns.purge(
        "t1", "s1", turns=[("a", 1), ("b", 1)], conversations=["b"],
        map_cutoff=T0 + timedelta(days=3), expect_entries=2, hooks=[hook],
    )  # fmt: skip
    assert done == (2, 2)
    assert seen == [1]
    assert [(t.conversation, t.seq) for t in turns.of_subject("t1", "s1")] == [("b", 2)]
    assert [e.token for e in store.get_tokens("t1", "b")] == []
    assert [e.token for e in store.get_tokens("t1", "a")] == ["[E_1]", "[E_2]"]
    assert turns.remaining("t1", "s1") == 2


@pytest.mark.parametrize(
    "change",
    [
        lambda turns: turns.purge("t1", "s1", turns=[("a", 1), ("a", 9)], conversations=[],
                                  map_cutoff=None, expect_entries=0),
        lambda turns: turns.purge("t1", "s1", turns=[("a", 1)], conversations=["b"],
                                  map_cutoff=T0 + timedelta(days=2), expect_entries=2),
    ],
)  # fmt: skip
def test_purge_rolls_back_when_rows_changed(
    store: Store, change: Callable[[TurnStore], object]
) -> None:
    turns = _seed(store, Clock())
    with pytest.raises(StorageError, match="changed meanwhile"):
        change(turns)
    assert len(turns.of_subject("t1", "s1")) == 3
    assert len(store.get_tokens("t1", "b")) == 2


def test_a_failing_hook_rolls_the_purge_back(store: Store) -> None:
    turns = _seed(store, Clock())

    def hook(conn: object) -> None:
        raise StorageError("audit refused")

    with pytest.raises(StorageError):
        turns.purge("t1", "s1", turns=[("a", 1)], conversations=[], map_cutoff=None,
                    expect_entries=0, hooks=[hook])  # fmt: skip
    assert len(turns.of_subject("t1", "s1")) == 3


def test_rows_of_other_tables_keyed_by_the_subject_keep_it_non_empty(store: Store) -> None:
    clock = Clock()
    Store(store.engine, clock=clock).put_token("t1", "c", "s9", "[E_1]", "EMAIL", b"x")
    turns = TurnStore(store.engine, clock=clock)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM vault_entries"))
        conn.execute(
            text(
                "INSERT INTO consent_events (tenant, subject, purpose, granted, source, at) "
                "VALUES ('t1', 's9', 'analytics', :yes, 'web-form', :at)"
            ),
            {"yes": True, "at": T0},
        )
    names = {str(t.table.name) for t, _ in turns.dependents()}  # type: ignore[attr-defined]
    assert {"consent_events", "restriction_events"} <= names
    assert not names & {"subject_keys", "turns", "vault_entries"}
    assert turns.remaining("t1", "s9") == 1
    assert turns.retention_inventory("t1", "s9", cutoffs={}, other=None).other_rows == 1
    found = turns.retention_candidates(
        cutoffs={}, other=None, map_cutoff=None, idle_cutoff=T0 + timedelta(days=1)
    )
    assert found == []
