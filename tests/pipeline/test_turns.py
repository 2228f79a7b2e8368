"""Conversation turns through ``Veil.record_turn`` / ``Veil.turns`` on a real embedded vault."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from veil.errors import InputError, IntegrityError, StorageError, SubjectForgottenError
from veil.pipeline import Analyzer, Veil
from veil.storage import StoredTurn, TurnStore
from veil.storage.database import Hook
from veil.testing import canary_email
from veil.vault import Binding


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.from_settings()


@pytest.fixture
def veil(tmp_path: Path, analyzer: Analyzer) -> Iterator[Veil]:
    with Veil.embedded(tmp_path / "data", analyzer=analyzer) as front:
        yield front


def store_of(veil: Veil) -> TurnStore:
    return veil._turns.store


def raw_files_contain(directory: Path, needle: str) -> list[str]:
    return [
        p.name for p in directory.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()
    ]


def test_turns_round_trip_in_order(veil: Veil) -> None:
    email = canary_email()
    assert veil.record_turn(conversation="c1", subject="s1", role="user", text=f"mail {email}") == 1
    assert veil.record_turn(conversation="c1", subject="s1", role="assistant", text="noted") == 2
    assert veil.record_turn(conversation="c2", subject="s1", role="user", text="other") == 1
    assert veil.turns(conversation="c1") == [("user", f"mail {email}"), ("assistant", "noted")]
    assert veil.turns(conversation="c2") == [("user", "other")]
    assert veil.turns(conversation="c1", tenant="t2") == []
    assert veil.turns(conversation="empty") == []


def test_the_original_text_is_stored_sealed(tmp_path: Path, analyzer: Analyzer) -> None:
    directory = tmp_path / "data"
    email = canary_email()
    with Veil.embedded(directory, analyzer=analyzer) as veil:
        veil.record_turn(conversation="c1", subject="s1", role="user", text=f"mail {email}")
        (row,) = store_of(veil).of_conversation("default", "c1")
        assert email.encode() not in row.envelope
    assert raw_files_contain(directory, email) == []
    with Veil.embedded(directory, analyzer=analyzer) as again:  # another process reads it
        assert again.turns(conversation="c1") == [("user", f"mail {email}")]


def test_forget_deletes_the_turns(veil: Veil) -> None:
    veil.record_turn(conversation="c1", subject="s1", role="user", text="I am Maria")
    veil.record_turn(conversation="c1", subject="s2", role="user", text="and I am Olu")
    veil.forget("s1")
    assert store_of(veil).of_subject("default", "s1") == []
    assert veil.turns(conversation="c1") == [("user", "and I am Olu")]
    with pytest.raises(SubjectForgottenError):
        veil.record_turn(conversation="c1", subject="s1", role="user", text="back again")


def test_a_pre_erasure_backup_of_the_turns_stays_unreadable(
    tmp_path: Path, analyzer: Analyzer
) -> None:
    directory = tmp_path / "data"
    with Veil.embedded(directory, analyzer=analyzer) as veil:
        veil.record_turn(conversation="c1", subject="s1", role="user", text="I am Maria")
        veil.record_turn(conversation="c1", subject="s2", role="user", text="I am Olu")
        with store_of(veil).engine.connect() as conn:
            conn.exec_driver_sql(f"VACUUM INTO '{tmp_path / 'backup.db'}'")
        veil.forget("s1")
    (directory / "veil.db").unlink()
    for suffix in ("-wal", "-shm"):
        (directory / f"veil.db{suffix}").unlink(missing_ok=True)
    (tmp_path / "backup.db").rename(directory / "veil.db")
    with Veil.embedded(directory, analyzer=analyzer) as veil:
        rows = store_of(veil).of_subject("default", "s1")
        assert len(rows) == 1  # the backup still holds the envelope...
        binding = Binding("default", "s1", "turn:c1:1", "content")
        with pytest.raises(SubjectForgottenError):  # ...but nothing can open it
            veil._vault.open(rows[0].envelope, binding)
        # Like restore, listing leaves the erased subject's turns out.
        assert veil.turns(conversation="c1") == [("user", "I am Olu")]


@pytest.mark.parametrize(("conversation", "seq"), [("c2", 1), ("c1", 3)])
def test_an_envelope_moved_elsewhere_fails_to_open(veil: Veil, conversation: str, seq: int) -> None:
    veil.record_turn(conversation="c1", subject="s1", role="user", text="I am Maria")
    veil.record_turn(conversation="c1", subject="s1", role="assistant", text="hello")
    row = store_of(veil).of_conversation("default", "c1")[0]
    moved = StoredTurn("default", conversation, seq, "s1", "user", row.envelope)
    assert store_of(veil).add(moved)
    with pytest.raises(IntegrityError):
        veil.turns(conversation=conversation)


def test_an_envelope_moved_to_another_subject_fails_to_open(veil: Veil) -> None:
    veil.record_turn(conversation="c1", subject="s1", role="user", text="I am Maria")
    veil.record_turn(conversation="c0", subject="s2", role="user", text="warm s2's key")
    row = store_of(veil).of_conversation("default", "c1")[0]
    with store_of(veil).engine.begin() as conn:
        conn.exec_driver_sql("UPDATE turns SET subject = 's2' WHERE conversation = 'c1'")
    with pytest.raises(IntegrityError):
        veil.turns(conversation="c1")
    assert row.envelope  # unchanged bytes, only the row moved


def test_a_racing_writer_gets_the_number_and_we_take_the_next(veil: Veil) -> None:
    store = store_of(veil)
    real_add = store.add
    raced: list[int] = []

    def racing_add(turn: StoredTurn, *, hooks: Sequence[Hook] = ()) -> bool:
        if not raced:  # another writer claims our number between read and write
            raced.append(turn.seq)
            veil.record_turn(conversation="c1", subject="s2", role="user", text="theirs")
        return real_add(turn, hooks=hooks)

    store.add = racing_add  # type: ignore[method-assign]
    assert veil.record_turn(conversation="c1", subject="s1", role="user", text="mine") == 2
    assert raced == [1]
    assert veil.turns(conversation="c1") == [("user", "theirs"), ("user", "mine")]


def test_bad_roles_and_ids_are_refused(veil: Veil) -> None:
    with pytest.raises(InputError):
        veil.record_turn(conversation="c1", subject="s1", role="narrator", text="x")
    with pytest.raises(InputError):
        veil.record_turn(conversation="veil:x", subject="s1", role="user", text="x")
    with pytest.raises(InputError):
        veil.record_turn(conversation="c1", subject="", role="user", text="x")
    with pytest.raises(InputError):
        veil.record_turn(conversation="c1", subject="s1", role="user", text=b"x")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        veil.turns(conversation="")


def test_storage_failure_fails_closed_without_the_text(veil: Veil) -> None:
    veil.record_turn(conversation="c0", subject="s1", role="user", text="warm the key")
    with store_of(veil).engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE turns")
    with pytest.raises(StorageError) as info:
        veil.record_turn(conversation="c1", subject="s1", role="user", text="I am Maria")
    assert "Maria" not in str(info.value)


def test_turns_carry_their_purpose(veil: Veil) -> None:
    from veil.pipeline.turns import DEFAULT_PURPOSE
    from veil.storage.turns import DEFAULT_PURPOSE as STORED_DEFAULT

    assert DEFAULT_PURPOSE == STORED_DEFAULT == "ai_assistance"
    log = veil._turns
    log.record("default", "c1", "s1", "user", "first")
    log.record("default", "c1", "s1", "assistant", "second", purpose="quality_review")
    assert [t.purpose for t in store_of(veil).of_conversation("default", "c1")] == [
        "ai_assistance",
        "quality_review",
    ]
    for bad in ("", "Quality Review", "x" * 65, "9lives"):
        with pytest.raises(InputError, match="purpose"):
            log.record("default", "c1", "s1", "user", "x", purpose=bad)
    assert len(store_of(veil).of_conversation("default", "c1")) == 2


def test_of_subject_opens_every_turn_of_the_subject(veil: Veil) -> None:
    email = canary_email()
    veil.record_turn(conversation="b", subject="s1", role="user", text=f"mail {email}")
    veil.record_turn(conversation="a", subject="s1", role="user", text="hello")
    veil.record_turn(conversation="a", subject="s2", role="user", text="not mine")
    veil.record_turn(conversation="a", subject="s1", role="assistant", text="hi")
    turns = veil._turns.of_subject("default", "s1")
    assert [(t.conversation, t.seq, t.role, t.text) for t in turns] == [
        ("a", 1, "user", "hello"),
        ("a", 3, "assistant", "hi"),
        ("b", 1, "user", f"mail {email}"),
    ]
    assert all(t.created_at is not None and t.purpose == "ai_assistance" for t in turns)
    assert email not in repr(turns)
    assert veil._turns.of_subject("default", "nobody") == []
