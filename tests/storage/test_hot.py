"""The hot statements on a raw cursor, and the SQLite write queue."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from veil.errors import StorageError
from veil.storage import Store, TokenEntry
from veil.storage.database import write_lock
from veil.storage.hot import HotSql


def test_placeholders_follow_the_driver() -> None:
    lite, pg = HotSql("sqlite"), HotSql("postgresql")
    assert "%s" not in lite._turn
    assert "?" not in pg._turn
    assert lite._turn.count("?") == pg._turn.count("%s") == 8
    assert lite._new_secret.count("?") == pg._new_secret.count("%s") == 5
    assert "?" not in pg._new_secret + pg._secret + pg._reserve + pg._insert_key


def test_sqlite_stamps_are_the_text_sqlalchemy_writes_in_utc() -> None:
    at = datetime(2026, 3, 1, 12, 30, 5, 7, tzinfo=timezone(timedelta(hours=2)))
    assert HotSql("sqlite").stamp(at) == "2026-03-01 10:30:05.000007"
    assert HotSql("postgresql").stamp(at) is at
    with pytest.raises(ValueError, match="timezone-aware"):
        HotSql("sqlite").stamp(datetime(2026, 3, 1))


def _entry(token: str, subject: str = "s1", conversation: str = "c1") -> TokenEntry:
    return TokenEntry("t1", conversation, subject, token, "PERSON", b"sealed-" + token.encode())


def test_tokens_and_subjects_are_written_together(store: Store) -> None:
    store.put_tokens([_entry("[PERSON_1]"), _entry("[PERSON_2]", subject="s2")])
    assert [e.token for e in store.get_tokens("t1", "c1")] == ["[PERSON_1]", "[PERSON_2]"]
    with store.engine.connect() as conn:
        subjects = conn.execute(text("SELECT subject FROM subjects ORDER BY subject")).all()
        stamp = conn.execute(text("SELECT created_at FROM vault_entries LIMIT 1")).scalar_one()
    assert [row[0] for row in subjects] == ["s1", "s2"]
    assert stamp is not None


def test_a_duplicate_in_a_batch_writes_nothing(store: Store) -> None:
    with pytest.raises(StorageError, match="put_tokens failed: IntegrityError") as caught:
        store.put_tokens([_entry("[PERSON_1]"), _entry("[PERSON_1]")])
    assert "PERSON_1" not in str(caught.value)
    assert store.get_tokens("t1", "c1") == []


def test_a_failed_batch_leaves_no_subject_row_and_a_clean_connection(store: Store) -> None:
    """Without hooks the batch runs on a bare DBAPI transaction: the subject row its
    first statement wrote goes with the failed insert, and the pooled connection it
    goes back in is usable."""
    store.put_tokens([_entry("[PERSON_1]")])
    with pytest.raises(StorageError):
        store.put_tokens([_entry("[PERSON_2]", subject="s-new"), _entry("[PERSON_1]")])
    with store.engine.connect() as conn:
        subjects = conn.exec_driver_sql("SELECT subject FROM subjects").scalars().all()
    assert subjects == ["s1"]
    store.put_tokens([_entry("[PERSON_3]", subject="s-new")])
    assert [e.token for e in store.get_tokens("t1", "c1")] == ["[PERSON_1]", "[PERSON_3]"]


def test_a_failing_hook_rolls_the_tokens_back(store: Store) -> None:
    def hook(_conn: object) -> None:
        raise StorageError("audit failed")

    with pytest.raises(StorageError, match="audit failed"):
        store.put_tokens([_entry("[PERSON_1]")], hooks=[hook])
    assert store.get_tokens("t1", "c1") == []


def test_concurrent_writers_in_one_process_all_land(store: Store) -> None:
    errors: list[BaseException] = []

    def write(k: int) -> None:
        try:
            for i in range(20):
                store.put_tokens([_entry(f"[PERSON_{i}]", conversation=f"c{k}")])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(len(store.get_tokens("t1", f"c{k}")) == 20 for k in range(6))


def test_the_write_lock_is_per_sqlite_engine_and_reentrant(main_engine: Engine) -> None:
    lock = write_lock(main_engine)
    with lock, write_lock(main_engine):  # re-entrant: a hook may write again
        pass
    if main_engine.dialect.name == "sqlite":
        assert write_lock(main_engine) is lock
    else:
        assert write_lock(main_engine) is not lock  # nothing to queue on PostgreSQL


def test_stamps_sort_with_sqlalchemys_own(store: Store) -> None:
    store.put_tokens([_entry("[PERSON_1]")])
    later = datetime.now(UTC) + timedelta(seconds=1)
    with store.engine.connect() as conn:
        found = conn.execute(
            text("SELECT count(*) FROM vault_entries WHERE created_at < :at"), {"at": later}
        ).scalar_one()
    assert found == 1


def test_large_batches_span_several_statements(store: Store) -> None:
    store.put_tokens([_entry(f"[PERSON_{i:03d}]") for i in range(150)])
    assert len(store.get_tokens("t1", "c1")) == 150


def test_stored_instants_come_back_aware_utc() -> None:
    sql = HotSql("sqlite")
    assert sql.instant("2026-03-01 10:30:05.000007") == datetime(
        2026, 3, 1, 10, 30, 5, 7, tzinfo=UTC
    )
    plus_two = datetime(2026, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=2)))
    assert sql.instant(plus_two) == plus_two
    assert sql.instant(plus_two).tzinfo is UTC
    with pytest.raises(TypeError):
        sql.instant(17)
