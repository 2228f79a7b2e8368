"""Contract suite for Store.put_tokens: one transaction per batch, on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from veil.errors import StorageError
from veil.storage import Store, TokenEntry


def _entry(token: str, *, conversation: str = "conv-1", subject: str = "s1") -> TokenEntry:
    return TokenEntry("t1", conversation, subject, token, "EMAIL", b"env-" + token.encode())


def test_batch_round_trips(store: Store) -> None:
    batch = [_entry(f"<EMAIL_{i}>") for i in range(1, 4)]
    batch.append(_entry("<PERSON_1>", subject="s2"))
    store.put_tokens(batch)
    assert sorted(store.get_tokens("t1", "conv-1"), key=lambda t: t.token) == sorted(
        batch, key=lambda t: t.token
    )


def test_batch_spanning_conversations_and_subjects(store: Store) -> None:
    store.put_tokens(
        [_entry("<A>", conversation="c1"), _entry("<A>", conversation="c2", subject="s2")]
    )
    assert [t.subject for t in store.get_tokens("t1", "c1")] == ["s1"]
    assert [t.subject for t in store.get_tokens("t1", "c2")] == ["s2"]


def test_empty_batch_is_a_no_op(store: Store) -> None:
    store.put_tokens([])
    assert store.get_tokens("t1", "conv-1") == []


def test_a_conflict_rolls_back_the_whole_batch(store: Store) -> None:
    store.put_token("t1", "conv-1", "s1", "<EMAIL_2>", "EMAIL", b"first")
    with pytest.raises(StorageError) as info:
        store.put_tokens([_entry("<EMAIL_1>"), _entry("<EMAIL_2>"), _entry("<EMAIL_3>")])
    assert "put_tokens" in str(info.value)
    assert "env-" not in str(info.value)
    assert [(t.token, t.envelope) for t in store.get_tokens("t1", "conv-1")] == [
        ("<EMAIL_2>", b"first")
    ]


def test_a_duplicate_inside_the_batch_is_refused(store: Store) -> None:
    with pytest.raises(StorageError):
        store.put_tokens([_entry("<EMAIL_1>"), _entry("<EMAIL_1>")])
    assert store.get_tokens("t1", "conv-1") == []


def test_large_batch(store: Store) -> None:
    store.put_tokens([_entry(f"<T_{i:04d}>") for i in range(1000)])
    tokens = store.get_tokens("t1", "conv-1")
    assert len(tokens) == 1000
    assert tokens[0].token == "<T_0000>"


def test_erase_subject_removes_batched_tokens(store: Store) -> None:
    store.put_tokens([_entry("<A>"), _entry("<B>", subject="kept")])
    store.erase_subject("t1", "s1", b"\x01" * 32)
    assert [t.token for t in store.get_tokens("t1", "conv-1")] == ["<B>"]


class _HookFailed(Exception):
    pass


def test_hooks_run_inside_the_transaction(store: Store) -> None:
    seen: list[int] = []

    def count_in_tx(conn: Connection) -> None:
        # Inside the transaction the batch is already visible.
        seen.append(conn.execute(text("SELECT count(*) FROM vault_entries")).scalar_one())

    store.put_tokens([_entry("<A>"), _entry("<B>")], hooks=[count_in_tx])
    assert seen == [2]


def test_a_failing_hook_rolls_the_batch_back(store: Store) -> None:
    def fail(_conn: Connection) -> None:
        raise _HookFailed

    with pytest.raises(_HookFailed):
        store.put_tokens([_entry("<A>")], hooks=[fail])
    assert store.get_tokens("t1", "conv-1") == []


def test_a_failing_hook_keeps_the_subject_when_erasing(store: Store) -> None:
    store.put_tokens([_entry("<A>")])

    def fail(_conn: Connection) -> None:
        raise _HookFailed

    with pytest.raises(_HookFailed):
        store.erase_subject("t1", "s1", b"d" * 32, hooks=[fail])
    assert [t.token for t in store.get_tokens("t1", "conv-1")] == ["<A>"]
    assert not store.is_tombstoned(b"d" * 32)
