"""Fold SQLite's write-ahead log into the database file off the request path.

By default SQLite checkpoints inside the commit that pushes the WAL past 1,000 pages:
about one commit in seventy then copies the log back into the database file and pays
several milliseconds for it, which is the tail of every write path (see BENCHMARKS.md).
For the application database, :func:`start` raises that in-commit threshold to a
safety net (``SAFETY_PAGES``) and runs a PASSIVE checkpoint every ``interval`` seconds
from a daemon thread with its own connection. PASSIVE never waits for readers or
writers, so requests never wait for it; the thread stops when the last engine on the
file is disposed or garbage collected. Without the thread (it failed, or the process
is short-lived), the safety net still bounds the log, and SQLite folds it when the last
connection closes.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import weakref
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.engine import Engine

__all__ = ["SAFETY_PAGES", "start"]

SAFETY_PAGES = 16_384  # 64 MiB of 4 KiB pages
_lock = threading.RLock()
_running: dict[str, _Checkpointer] = {}


@dataclass(eq=False)
class _Checkpointer:
    path: str
    interval: float
    engines: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, timeout=0, check_same_thread=False)
        except sqlite3.Error:
            return  # the safety net still bounds the log
        try:
            while not self.stop.wait(self.interval):
                with contextlib.suppress(sqlite3.Error):  # busy: the next tick tries again
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()


def start(engine: Engine, path: str, *, interval: float = 0.25) -> None:
    """Checkpoint ``path`` in the background while ``engine`` (or another engine on
    the same file) is alive. Call it for an SQLite engine in WAL mode."""
    # _lock is re-entrant: garbage collection may run an old engine's finalizer
    # (release, below) on this thread at any allocation inside the block; with a
    # plain lock that deadlocked. Nothing here allocates between reading and
    # counting a live worker, and a new worker is registered before its thread starts.
    with _lock:
        worker = _running.get(path)
        if worker is not None:
            worker.engines += 1
            fresh = None
        else:
            worker = fresh = _Checkpointer(path, interval, engines=1)
            _running[path] = worker
    if fresh is not None:
        thread = threading.Thread(target=fresh.run, name="veil-wal-checkpoint", daemon=True)
        thread.start()
    done = threading.Event()

    def release() -> None:
        if done.is_set():
            return
        done.set()
        with _lock:
            worker.engines -= 1
            if worker.engines == 0 and _running.get(path) is worker:
                worker.stop.set()
                del _running[path]

    event.listen(engine, "engine_disposed", lambda _engine: release())
    weakref.finalize(engine, release)
