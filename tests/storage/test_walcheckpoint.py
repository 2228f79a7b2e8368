"""The application database's WAL is folded by a background thread, not in commits."""

from __future__ import annotations

import contextlib
import gc
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from veil.errors import StorageError
from veil.storage import checkpoint, open_engine, walcheckpoint


def _running(path: Path) -> bool:
    """Whether a checkpointer runs for ``path`` (other tests' threads are ignored)."""
    return str(path) in walcheckpoint._running


def _wait_stopped(path: Path) -> bool:
    deadline = time.monotonic() + 5
    while _running(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _running(path)


def test_one_thread_per_file_until_the_last_engine_goes(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    url = f"sqlite:///{path}"
    first, second = open_engine(url), open_engine(url)
    with first.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    assert pages == walcheckpoint.SAFETY_PAGES
    worker = walcheckpoint._running[str(path)]
    assert worker.engines == 2
    assert any(t.name == "veil-wal-checkpoint" and t.is_alive() for t in threading.enumerate())
    first.dispose()
    assert _running(path)  # the second engine still needs it
    assert not worker.stop.is_set()
    del second
    gc.collect()  # an engine dropped without dispose() releases it too
    assert _wait_stopped(path)
    assert worker.stop.is_set()


def test_the_ledger_keeps_sqlites_own_checkpoints(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    ledger = open_engine(f"sqlite:///{path}", durable=True)
    with ledger.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    assert not _running(path)
    ledger.dispose()


def test_the_thread_folds_the_log(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'b.db'}")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x BLOB)")
        for _ in range(200):
            with engine.begin() as conn:
                conn.exec_driver_sql("INSERT INTO t VALUES (zeroblob(4000))")
        time.sleep(1.0)  # a few ticks of the checkpointer
        # Writes restart at the beginning of a fully checkpointed log, so the log
        # holds only what came after: a RESTART checkpoint finds no frame to copy.
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (zeroblob(4000))")
        for _ in range(100):  # busy = the background thread is checkpointing this instant
            with engine.connect() as conn:
                busy, log, _done = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
            if busy == 0:
                break
            time.sleep(0.01)
        assert busy == 0
        assert log < 50  # 200 commits of ~2 pages each would be ~400 frames
    finally:
        engine.dispose()


def test_truncating_checkpoints_retry_while_another_checkpoint_runs(tmp_path: Path) -> None:
    """An erasure empties the log with a TRUNCATE checkpoint; a PASSIVE one running at
    that instant (the background thread) makes SQLite answer busy at once. The
    truncate must try again, not report a log it left full as emptied."""
    path = tmp_path / "e.db"
    engine = open_engine(f"sqlite:///{path}")
    stop = threading.Event()

    def hammer() -> None:
        conn = sqlite3.connect(path, timeout=0, check_same_thread=False)
        while not stop.is_set():
            with contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        conn.close()

    thread = threading.Thread(target=hammer)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x BLOB)")
        thread.start()
        for _ in range(30):
            with engine.begin() as conn:
                conn.exec_driver_sql("INSERT INTO t VALUES (zeroblob(4000))")
            checkpoint(engine)
            assert Path(f"{path}-wal").stat().st_size == 0
    finally:
        stop.set()
        if thread.is_alive():
            thread.join()
        engine.dispose()


def test_a_log_that_stays_busy_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "f.db"
    engine = open_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x BLOB)")
            conn.exec_driver_sql("INSERT INTO t VALUES (zeroblob(4000))")
        blocker = sqlite3.connect(path, timeout=0)
        blocker.execute("PRAGMA wal_checkpoint(PASSIVE)")  # nothing left for it to do
        blocker.execute("BEGIN IMMEDIATE")  # a writer: TRUNCATE cannot finish
        try:
            with pytest.raises(StorageError, match="checkpoint failed"):
                checkpoint(engine, attempts=2, pause=0.0)
        finally:
            blocker.rollback()
            blocker.close()
        checkpoint(engine)
    finally:
        engine.dispose()
