"""Contract suite for TurnStore: identical behaviour on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from veil.errors import StorageError
from veil.storage import Store, StoredTurn, TurnStore


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
    assert columns == {"tenant", "conversation", "seq", "subject", "role", "envelope", "created_at"}
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
