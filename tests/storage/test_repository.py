"""Contract suite for Store: identical behaviour on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from veil.errors import StorageError
from veil.storage import KeyRecord, Rewrapped, Store, TokenEntry


def _key(subject: str = "s1", version: int = 1, **kw: object) -> KeyRecord:
    fields: dict[str, object] = {
        "tenant": "t1",
        "subject": subject,
        "version": version,
        "key_id": f"{subject}-{version}".encode().ljust(8, b"_")[:8],
        "wrapped": b"\x01wrapped-" + subject.encode(),
        "kek_id": "k",
        "kek_version": 1,
        "seal_count": 0,
    }
    fields.update(kw)
    return KeyRecord(**fields)  # type: ignore[arg-type]


def test_add_and_read_keys(store: Store) -> None:
    assert store.latest_key("t1", "s1") is None
    assert store.add_key(_key(version=1))
    assert store.add_key(_key(version=2, key_id=b"other-id"))
    latest = store.latest_key("t1", "s1")
    assert latest is not None
    assert latest.version == 2
    assert latest.key_id == b"other-id"
    assert store.get_key("t1", "s1", 1) == _key(version=1)
    assert store.get_key("t1", "s1", 3) is None
    assert store.get_key("t2", "s1", 1) is None


def test_add_key_refuses_existing_version(store: Store) -> None:
    assert store.add_key(_key())
    assert not store.add_key(_key(key_id=b"new-id-1"))
    assert store.get_key("t1", "s1", 1) == _key()


def test_reserve_seals_respects_limit(store: Store) -> None:
    store.add_key(_key())
    assert store.reserve_seals("t1", "s1", 1, 3, 5)
    assert store.reserve_seals("t1", "s1", 1, 2, 5)
    assert not store.reserve_seals("t1", "s1", 1, 1, 5)
    assert not store.reserve_seals("t1", "s1", 9, 1, 5)
    record = store.get_key("t1", "s1", 1)
    assert record is not None
    assert record.seal_count == 5


def test_add_key_refuses_a_taken_key_id_and_writes_its_subject(store: Store) -> None:
    assert store.add_key(_key("s1", key_id=b"same-id!"))
    assert not store.add_key(_key("s2", key_id=b"same-id!"))
    assert store.latest_key("t1", "s2") is None
    with store.engine.connect() as conn:
        subjects = conn.exec_driver_sql("SELECT tenant, subject FROM subjects").all()
    assert [tuple(row) for row in subjects] == [("t1", "s1")]  # s2 rolled back whole


def test_keys_round_trip_counters_past_32_bits(store: Store) -> None:
    big = 2**32 - 7
    assert store.add_key(_key(seal_count=big))
    assert store.reserve_seals("t1", "s1", 1, 7, 2**32)
    assert not store.reserve_seals("t1", "s1", 1, 1, 2**32)
    record = store.latest_key("t1", "s1")
    assert record is not None
    assert record.seal_count == 2**32
    assert type(record.key_id) is bytes
    assert type(record.wrapped) is bytes


def test_rewrap_is_compare_and_swap(store: Store) -> None:
    for subject in ("a", "b", "c"):
        store.add_key(_key(subject))
    pending = store.keys_not_under("k", 2, limit=10)
    assert [r.subject for r in pending] == ["a", "b", "c"]
    assert store.keys_not_under("k", 2, limit=2) == pending[:2]
    changes = [Rewrapped(r, "k", 2, b"new-" + r.subject.encode()) for r in pending[:2]]
    assert store.apply_rewraps(changes) == 2
    assert store.apply_rewraps(changes) == 0  # stale: rows already moved
    assert [r.subject for r in store.keys_not_under("k", 2, limit=10)] == ["c"]
    assert store.count_keys_under("k", 1) == 1
    assert store.count_keys_under("k", 2) == 2
    moved = store.get_key("t1", "a", 1)
    assert moved is not None
    assert moved.wrapped == b"new-a"
    assert moved.kek_version == 2


def test_tokens_round_trip_per_conversation(store: Store) -> None:
    store.put_token("t1", "conv-1", "s1", "<EMAIL_1>", "EMAIL", b"env-1")
    store.put_token("t1", "conv-1", "s1", "<PERSON_1>", "PERSON", b"env-2")
    store.put_token("t1", "conv-2", "s2", "<PERSON_1>", "PERSON", b"env-3")
    tokens = store.get_tokens("t1", "conv-1")
    assert [(t.token, t.entity, t.envelope) for t in tokens] == [
        ("<EMAIL_1>", "EMAIL", b"env-1"),
        ("<PERSON_1>", "PERSON", b"env-2"),
    ]
    assert all(t.tenant == "t1" and t.subject == "s1" for t in tokens)
    assert [t.envelope for t in store.get_tokens("t1", "conv-2")] == [b"env-3"]
    assert store.get_tokens("t1", "conv-unknown") == []


def test_tenants_sharing_a_conversation_id_never_see_each_other(store: Store) -> None:
    store.put_token("t1", "conv-1", "s1", "<EMAIL_1>", "EMAIL", b"env-t1")
    # The same conversation id and token in another tenant is another row, not a clash.
    store.put_tokens([TokenEntry("t2", "conv-1", "s1", "<EMAIL_1>", "EMAIL", b"env-t2")])
    store.put_token("t2", "conv-1", "s9", "<PERSON_1>", "PERSON", b"env-t2-p")
    assert store.get_tokens("t1", "conv-1") == [
        TokenEntry("t1", "conv-1", "s1", "<EMAIL_1>", "EMAIL", b"env-t1")
    ]
    assert store.get_tokens("t2", "conv-1") == [
        TokenEntry("t2", "conv-1", "s1", "<EMAIL_1>", "EMAIL", b"env-t2"),
        TokenEntry("t2", "conv-1", "s9", "<PERSON_1>", "PERSON", b"env-t2-p"),
    ]
    assert store.get_tokens("t3", "conv-1") == []
    with pytest.raises(StorageError):  # still once per (tenant, conversation)
        store.put_token("t2", "conv-1", "s1", "<EMAIL_1>", "EMAIL", b"again")
    store.erase_subject("t2", "s1", b"\x02" * 32)  # erasing t2's s1 leaves t1's s1
    assert [t.envelope for t in store.get_tokens("t1", "conv-1")] == [b"env-t1"]
    assert [t.token for t in store.get_tokens("t2", "conv-1")] == ["<PERSON_1>"]


def test_token_cannot_be_reissued(store: Store) -> None:
    store.put_token("t1", "conv-1", "s1", "<EMAIL_1>", "EMAIL", b"first")
    with pytest.raises(StorageError) as info:
        store.put_token("t1", "conv-1", "s1", "<EMAIL_1>", "EMAIL", b"second-secret-value")
    assert "second-secret-value" not in str(info.value)
    assert "put_token" in str(info.value)
    assert [t.envelope for t in store.get_tokens("t1", "conv-1")] == [b"first"]


def test_erase_subject_cascades_and_tombstones(store: Store) -> None:
    store.add_key(_key("gone"))
    store.add_key(_key("kept"))
    store.put_token("t1", "conv-1", "gone", "<A>", "EMAIL", b"x")
    store.put_token("t1", "conv-1", "kept", "<B>", "EMAIL", b"y")
    digest = b"\x07" * 32
    assert not store.is_tombstoned(digest)
    store.erase_subject("t1", "gone", digest)
    store.erase_subject("t1", "gone", digest)  # idempotent
    assert store.is_tombstoned(digest)
    assert store.latest_key("t1", "gone") is None
    assert store.latest_key("t1", "kept") is not None
    assert [t.token for t in store.get_tokens("t1", "conv-1")] == ["<B>"]
