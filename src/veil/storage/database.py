"""Engines and migrations: SQLite (embedded default) or PostgreSQL, chosen by URL.

The URL is passed in; reading it from the environment is the interfaces' job. SQLite
connections run with WAL, foreign keys, ``secure_delete`` (deleted rows are zeroed on
disk, which matters for erased subjects) and a busy timeout. A PostgreSQL ``schema``
isolates one deployment (or one test run) inside a shared database.
"""

from __future__ import annotations

import re
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from veil.errors import ConfigurationError, StorageError
from veil.storage import walcheckpoint
from veil.storage.hot import HotSql

__all__ = [
    "Branch",
    "Hook",
    "Repository",
    "checkpoint",
    "is_sqlite",
    "migrate",
    "open_engine",
    "utcnow",
    "write_lock",
]

Branch = Literal["core", "ledger"]
Hook = Callable[[Connection], None]
"""Work run INSIDE a repository's transaction (e.g. appending the audit row that
records the change): if it raises, the change rolls back with it."""
_SCHEMA = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_MIGRATIONS = Path(__file__).with_name("migrations")
_BUSY_TIMEOUT_MS = 10_000
_CHECKPOINT_WAIT_MS = 50


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def open_engine(url: str, *, schema: str | None = None, durable: bool = False) -> Engine:
    """Create an engine for ``url``.

    Durability: by default a commit is atomic and survives the process, but an OS
    crash or power loss may drop the last fraction of a second of commits (never
    corrupting the database): SQLite runs WAL with ``synchronous=NORMAL``, PostgreSQL
    sessions ``synchronous_commit=off``. ``durable=True`` waits for the disk on every
    commit (SQLite ``synchronous=FULL``, PostgreSQL's server setting); the erasure
    ledger always uses it, since losing its last write could lose a tombstone.
    ``schema`` applies to PostgreSQL only and is created if missing.
    """
    try:
        parsed = sa.make_url(url)
    except (SQLAlchemyError, ValueError):
        raise ConfigurationError("malformed database URL") from None
    backend = parsed.get_backend_name()
    kwargs: dict[str, Any] = {}
    if backend == "postgresql":
        options = [] if durable else ["-csynchronous_commit=off"]
        if schema is not None:
            if not _SCHEMA.fullmatch(schema):
                raise ConfigurationError("schema names are lower-case identifiers")
            options.append(f"-csearch_path={schema}")
        if options:
            kwargs["connect_args"] = {"options": " ".join(options)}
    elif schema is not None:
        raise ConfigurationError("a schema is only supported on PostgreSQL")
    if backend not in ("sqlite", "postgresql"):
        raise ConfigurationError(f"unsupported database backend {backend!r}")
    engine = sa.create_engine(parsed, **kwargs)
    if backend == "sqlite":
        # The application database folds its log in the background (walcheckpoint);
        # the ledger's few, fsynced writes keep SQLite's own in-commit checkpoints.
        path = parsed.database
        background = not durable and bool(path) and path != ":memory:"
        autocheckpoint = walcheckpoint.SAFETY_PAGES if background else 1000
        _configure_sqlite(
            engine, synchronous="FULL" if durable else "NORMAL", autocheckpoint=autocheckpoint
        )
        if background and path is not None:
            walcheckpoint.start(engine, path)
    elif schema is not None:
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot create schema: {type(exc).__name__}") from None
    return engine


def _configure_sqlite(engine: Engine, *, synchronous: str, autocheckpoint: int) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute(f"PRAGMA wal_autocheckpoint={autocheckpoint}")
        finally:
            cursor.close()


def migrate(engine: Engine, branch: Branch) -> None:
    """Bring ``branch`` ("core" = application tables, "ledger" = erasure ledger) to head."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, f"{branch}@head")
    except SQLAlchemyError as exc:
        raise StorageError(f"migration failed: {type(exc).__name__}") from None


def checkpoint(engine: Engine, *, attempts: int = 400, pause: float = 0.005) -> None:
    """Fold SQLite's WAL into the main file and truncate it, so deleted secrets that
    linger in old WAL frames are gone from disk. A no-op elsewhere.

    A checkpoint another connection is running at that instant (the background
    checkpointer, another process) makes SQLite answer "busy" at once, without
    waiting, and a writer makes it wait up to 50 ms: the call tries ``attempts``
    times, ``pause`` seconds apart, then raises
    StorageError rather than report a log it could not empty as emptied.
    """
    if not is_sqlite(engine):
        return
    for _ in range(attempts):
        try:
            with engine.connect() as conn:
                # Waiting for a writer counts against the attempts, not busy_timeout.
                conn.exec_driver_sql(f"PRAGMA busy_timeout={_CHECKPOINT_WAIT_MS}")
                try:
                    busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").scalar()
                finally:
                    conn.exec_driver_sql(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        except SQLAlchemyError:
            busy = 1
        if busy == 0:
            return
        time.sleep(pause)
    raise StorageError("checkpoint failed: the log stayed busy")


def utcnow() -> datetime:
    return datetime.now(UTC)


_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def write_lock(engine: Engine) -> AbstractContextManager[object]:
    """Held around the hot write transactions on a SQLite engine.

    SQLite admits one writer at a time; a thread that finds the database locked
    sleeps in SQLite's busy handler (1, 2, 5, 10 ms ...) and polls again, so under
    concurrent requests most of the time went to sleeping while the writer had long
    finished. Queuing the process's writers on a lock hands over at once; other
    processes still meet the busy handler. Re-entrant; a no-op on PostgreSQL.
    """
    if not is_sqlite(engine):
        return nullcontext()
    with _LOCKS_GUARD:
        lock = _WRITE_LOCKS.get(engine)
        if lock is None:
            lock = _WRITE_LOCKS[engine] = threading.RLock()
    return lock


class Repository:
    """Base of the repositories: one session factory, an injected clock, and
    transactions whose database errors become one :class:`StorageError` naming the
    operation (never the driver's message, which can quote parameters)."""

    _label = ""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._now = clock
        self._dbapi: Any = engine.dialect.loaded_dbapi
        self._hot = HotSql(engine.dialect.name)

    @contextmanager
    def _read(self, operation: str) -> Iterator[Connection]:
        """A plain connection for Core reads, with the same error mapping as ``_tx``."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StorageError(f"{self._label}{operation} failed: {type(exc).__name__}") from None

    @contextmanager
    def _tx(self, operation: str) -> Iterator[Session]:
        try:
            with self._sessions.begin() as session:
                yield session
        except SQLAlchemyError as exc:
            raise StorageError(f"{self._label}{operation} failed: {type(exc).__name__}") from None

    @contextmanager
    def _raw_read(self, operation: str) -> Iterator[Any]:
        """A DBAPI cursor for the hot reads (see :mod:`veil.storage.hot`)."""
        try:
            raw = self.engine.raw_connection()
        except SQLAlchemyError as exc:
            raise StorageError(f"{self._label}{operation} failed: {type(exc).__name__}") from None
        try:
            with _cursor(raw) as cursor:
                yield cursor
        except self._dbapi.Error as exc:
            raise StorageError(f"{self._label}{operation} failed: {type(exc).__name__}") from None
        finally:
            raw.close()  # back to the pool, which rolls the read transaction back

    @contextmanager
    def _raw_tx(self, operation: str) -> Iterator[Any]:
        """One write transaction on a bare DBAPI cursor, for writes that run no hooks:
        without a SQLAlchemy Connection and Transaction around it, it costs half as
        many instructions. Committed when the block ends; on an error the pool's
        reset-on-return rolls it back. Errors map as in :meth:`_raw_write`.
        """
        try:
            with write_lock(self.engine):
                raw = self.engine.raw_connection()
                try:
                    with _cursor(raw) as cursor:
                        yield cursor
                    raw.commit()
                finally:
                    raw.close()  # back to the pool, which rolls back what is uncommitted
        except self._dbapi.IntegrityError:
            raise
        except (SQLAlchemyError, self._dbapi.Error) as exc:
            raise StorageError(f"{self._label}{operation} failed: {type(exc).__name__}") from None

    @contextmanager
    def _raw_write(self, operation: str) -> Iterator[tuple[Connection, Any]]:
        """One write transaction: the Connection (for hooks) and a DBAPI cursor on it.

        The driver's IntegrityError propagates as is (callers decide what a conflict
        means); every other database error becomes StorageError.
        """
        try:
            with (
                write_lock(self.engine),
                self.engine.begin() as conn,
                _cursor(conn.connection) as cursor,
            ):
                yield conn, cursor
        except self._dbapi.IntegrityError:
            raise
        except (SQLAlchemyError, self._dbapi.Error) as exc:
            raise StorageError(f"{self._label}{operation} failed: {type(exc).__name__}") from None


@contextmanager
def _cursor(connection: Any) -> Iterator[Any]:
    """A DBAPI cursor on ``connection``, closed when the block ends."""
    cursor = connection.cursor()
    try:
        yield cursor
    finally:
        cursor.close()
