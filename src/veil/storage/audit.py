"""Tables and statements of the audit trail: the rows, their one-row head, and the
signed checkpoints kept in the erasure ledger.

``audit_rows`` is append-only and gapless (``seq`` 1, 2, 3 …). ``audit_head`` holds
exactly one row (``id = 1``) with the last ``seq``, its ``hash`` and a MAC over both;
every append first UPDATEs it, which serializes writers: SQLite takes its write lock
at the first DML of a transaction (waiting ``busy_timeout``), PostgreSQL a row lock
whose waiters re-read the committed row (READ COMMITTED). Only then are the next
``seq`` and ``prev_hash`` known, so two transactions can never fork the chain.

``audit_checkpoints`` lives on :class:`LedgerBase`, i.e. in the ledger database, which
is not part of the application database's backups: rolling the application database
back to an older copy leaves the ledger's newest checkpoint pointing past its head.

This module only moves rows. Hashing, MACs and signatures happen in ``veil.audit``;
the functions that take a :class:`Connection` run inside the caller's transaction and
let database errors propagate (the caller maps them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
    select,
)
from sqlalchemy.engine import Connection, Row
from sqlalchemy.orm import Mapped, mapped_column

from veil.storage.database import Repository
from veil.storage.models import Base, LedgerBase

__all__ = [
    "AUDIT_COLUMNS",
    "GENESIS_HASH",
    "AuditCheckpointRow",
    "AuditHeadRow",
    "AuditRowTable",
    "AuditSql",
    "CheckpointLedger",
    "LedgerCheckpoint",
    "select_filtered",
]

GENESIS_HASH = "0" * 64
"""``prev_hash`` of row 1 and ``hash`` of the empty trail's head."""
HEAD_ID = 1

AUDIT_COLUMNS = (
    "seq",
    "at",
    "action",
    "outcome",
    "actor",
    "role",
    "tenant",
    "subject_hash",
    "record",
    "purpose",
    "detail",
    "highlight",
    "prev_hash",
    "hash",
    "mac",
)
"""Every column of ``audit_rows``, in the order reads return them."""


class AuditRowTable(Base):
    """One audited event. ``subject_hash`` is a keyed hash, ``detail`` canonical JSON of
    value-free extras; ``hash`` chains the row to ``prev_hash``, ``mac`` authenticates
    ``hash`` with a key that is not in the database. Hex strings throughout.

    Two indexes only (tenant, subject): every index is another page written per
    commit, and appends are the hot path. Time filters scan in ``seq`` order."""

    __tablename__ = "audit_rows"
    __table_args__ = (
        Index("ix_audit_rows_tenant", "tenant", "seq"),
        Index("ix_audit_rows_subject", "subject_hash"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(64))
    tenant: Mapped[str] = mapped_column(String(255))
    subject_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    record: Mapped[str] = mapped_column(String(255))
    purpose: Mapped[str] = mapped_column(String(255))
    detail: Mapped[str] = mapped_column(Text)
    highlight: Mapped[bool] = mapped_column(Boolean)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The single head row (``id = 1``): last ``seq``, its ``hash``, and a MAC of both,
    created by the migration with ``seq = 0`` and the genesis hash."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))


class AuditCheckpointRow(LedgerBase):
    """A signed checkpoint of the trail, in the ledger database."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))


_ROWS = AuditRowTable.__table__
_COLUMNS = ", ".join(AUDIT_COLUMNS)


class AuditSql:
    """The trail's hot statements on a raw DBAPI cursor, in the driver's parameter
    style: the append and verify paths run thousands of times a second, and going
    through the driver directly costs a fraction of SQLAlchemy's per-statement work.

    Every method runs inside whatever transaction the cursor's connection is in and
    lets the driver's errors propagate. ``at`` values are given in the form the
    backend stores: SQLite gets the canonical text (exactly what SQLAlchemy's
    ``DateTime`` writes and reads), PostgreSQL an aware datetime.
    """

    def __init__(self, dialect: str) -> None:
        self.sqlite = dialect == "sqlite"
        p = "?" if self.sqlite else "%s"
        self._lock = "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash"
        self._insert = (
            f"INSERT INTO audit_rows ({_COLUMNS}) "  # noqa: S608 - constant names
            f"VALUES ({', '.join([p] * len(AUDIT_COLUMNS))})"
        )
        self._set = f"UPDATE audit_head SET seq = {p}, hash = {p}, mac = {p} WHERE id = 1"  # noqa: S608
        # One statement, so one snapshot: the head and the highest seq agree in time.
        self._head = (
            "SELECT h.seq, h.hash, h.mac, (SELECT max(seq) FROM audit_rows), "
            "(SELECT min(seq) FROM audit_rows) FROM audit_head h WHERE h.id = 1"
        )
        self._page = (
            f"SELECT {_COLUMNS} FROM audit_rows "  # noqa: S608 - constant names
            f"WHERE seq > {p} ORDER BY seq LIMIT {p}"
        )

    def lock_head(self, cursor: Any) -> tuple[int, str] | None:
        """Take the trail's write lock; the committed head ``(seq, hash)``, or
        ``None`` if the head row is missing (damaged or unmigrated database)."""
        cursor.execute(self._lock)
        row = cursor.fetchone()
        return None if row is None else (row[0], row[1])

    def insert_rows(self, cursor: Any, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert complete rows (values in :data:`AUDIT_COLUMNS` order), one executemany."""
        cursor.executemany(self._insert, rows)

    def set_head(self, cursor: Any, seq: int, hash_: str, mac: str) -> int:
        """Move the head; the number of rows updated (1 unless the head is gone)."""
        cursor.execute(self._set, (seq, hash_, mac))
        return int(cursor.rowcount)

    def read_head(self, cursor: Any) -> tuple[Any, Any, Any, Any, Any] | None:
        """``(seq, hash, mac, highest stored seq, lowest stored seq)``, raw values: a
        tampered database may hold anything."""
        cursor.execute(self._head)
        row = cursor.fetchone()
        return None if row is None else tuple(row)

    def page(self, cursor: Any, after: int, limit: int) -> list[tuple[Any, ...]]:
        """Raw rows with ``seq > after``, in order, at most ``limit``."""
        cursor.execute(self._page, (after, limit))
        return list(cursor.fetchall())


def select_filtered(
    conn: Connection,
    *,
    tenant: str | None,
    actions: Sequence[str] | None,
    subject_hash: str | None,
    actor: str | None,
    since: datetime | None,
    until: datetime | None,
    after_seq: int,
    limit: int,
) -> Sequence[Row[Any]]:
    """Typed rows matching every given filter, in ``seq`` order (``since`` inclusive,
    ``until`` exclusive; times in UTC)."""
    stmt = select(*(_ROWS.c[name] for name in AUDIT_COLUMNS)).where(_ROWS.c.seq > after_seq)
    if tenant is not None:
        stmt = stmt.where(_ROWS.c.tenant == tenant)
    if actions is not None:
        stmt = stmt.where(_ROWS.c.action.in_(list(actions)))
    if subject_hash is not None:
        stmt = stmt.where(_ROWS.c.subject_hash == subject_hash)
    if actor is not None:
        stmt = stmt.where(_ROWS.c.actor == actor)
    if since is not None:
        stmt = stmt.where(_ROWS.c.at >= since)
    if until is not None:
        stmt = stmt.where(_ROWS.c.at < until)
    return conn.execute(stmt.order_by(_ROWS.c.seq).limit(limit)).all()


@dataclass(frozen=True, slots=True)
class LedgerCheckpoint:
    """A stored checkpoint, as the ledger holds it."""

    seq: int
    hash: str
    at: datetime
    public_key: bytes
    signature: bytes


class CheckpointLedger(Repository):
    """Checkpoints in the ledger database (migrated to ``ledger@head``)."""

    _label = "audit checkpoint "

    def add(self, checkpoint: LedgerCheckpoint) -> None:
        with self._tx("add") as s:
            s.add(
                AuditCheckpointRow(
                    seq=checkpoint.seq,
                    hash=checkpoint.hash,
                    at=checkpoint.at,
                    public_key=checkpoint.public_key,
                    signature=checkpoint.signature,
                )
            )

    def latest(self) -> LedgerCheckpoint | None:
        """The checkpoint with the highest ``seq`` (the newest among equals)."""
        with self._tx("latest") as s:
            row = s.scalars(
                select(AuditCheckpointRow)
                .order_by(AuditCheckpointRow.seq.desc(), AuditCheckpointRow.id.desc())
                .limit(1)
            ).first()
            if row is None:
                return None
            return LedgerCheckpoint(
                row.seq, row.hash, row.at, bytes(row.public_key), bytes(row.signature)
            )

    def count(self) -> int:
        with self._tx("count") as s:
            return int(s.scalar(select(func.count()).select_from(AuditCheckpointRow)) or 0)
