"""Rights and retention: legal holds, retention runs, data-subject requests, and the
vault-entry reads and re-seals a rectification needs. (The retention reads and the
purge of turns and pseudonym maps are in ``veil.storage.turns``.)

Tables (application database, ``core@head``, migration ``c0005``)::

    legal_holds     id, tenant, subject (NULL: the whole tenant), reason, created_at,
                    released_at (NULL while in force)
    retention_runs  id, started_at, finished_at (NULL: the run did not finish),
                    dry_run, report (JSON text, counts only)
    dsar_requests   id, tenant, subject, kind, law, status, received_at, due_at,
                    verified_at, verification_method, verifier, closed_at, note

Like the rest of storage this moves opaque bytes and plain facts; what is expired,
held or allowed is decided above (``veil.policy.retention``, ``veil.pipeline``).
Every write that records a change takes ``hooks`` run inside its transaction (the
audit rows). Times are stored and returned in UTC.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from veil.errors import StorageError
from veil.storage.database import Hook, Repository
from veil.storage.models import Base, VaultEntry
from veil.storage.repository import TokenEntry
from veil.storage.turns import as_utc

__all__ = [
    "HoldRecord",
    "LegalHoldRow",
    "RequestRecord",
    "RequestRow",
    "RequestStore",
    "RetentionRunRow",
    "RetentionStore",
    "RunRecord",
]

_ID = 255
_TS = DateTime(timezone=True)


class LegalHoldRow(Base):
    __tablename__ = "legal_holds"
    __table_args__ = (Index("ix_legal_holds_tenant", "tenant", "subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(_ID))
    subject: Mapped[str | None] = mapped_column(String(_ID))
    reason: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(_TS)
    released_at: Mapped[datetime | None] = mapped_column(_TS)


class RetentionRunRow(Base):
    __tablename__ = "retention_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(_TS)
    finished_at: Mapped[datetime | None] = mapped_column(_TS)
    dry_run: Mapped[bool] = mapped_column(Boolean)
    report: Mapped[str | None] = mapped_column(Text)


class RequestRow(Base):
    __tablename__ = "dsar_requests"
    __table_args__ = (
        Index("ix_dsar_requests_open", "status", "due_at"),
        Index("ix_dsar_requests_subject", "tenant", "subject"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(_ID))
    subject: Mapped[str] = mapped_column(String(_ID))
    kind: Mapped[str] = mapped_column(String(16))
    law: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(_TS)
    due_at: Mapped[datetime] = mapped_column(_TS)
    verified_at: Mapped[datetime | None] = mapped_column(_TS)
    verification_method: Mapped[str | None] = mapped_column(String(64))
    verifier: Mapped[str | None] = mapped_column(String(_ID))
    closed_at: Mapped[datetime | None] = mapped_column(_TS)
    note: Mapped[str | None] = mapped_column(String(255))


@dataclass(frozen=True, slots=True)
class HoldRecord:
    id: int
    tenant: str
    subject: str | None
    reason: str
    created_at: datetime
    released_at: datetime | None


@dataclass(frozen=True, slots=True)
class RunRecord:
    id: int
    started_at: datetime
    finished_at: datetime | None
    dry_run: bool
    report: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One data-subject request as stored; ``kind``, ``law`` and ``status`` are the
    string values of the pipeline's enums."""

    id: str
    tenant: str
    subject: str
    kind: str
    law: str
    status: str
    received_at: datetime
    due_at: datetime
    verified_at: datetime | None = None
    verification_method: str | None = None
    verifier: str | None = None
    closed_at: datetime | None = None
    note: str | None = None


_V = VaultEntry.__table__.c
_H, _R = LegalHoldRow.__table__.c, RequestRow.__table__.c


def _run(hooks: Sequence[Hook], conn: Connection) -> None:
    for hook in hooks:
        hook(conn)


class _Writes(Repository):
    @contextmanager
    def _write(self, operation: str) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StorageError(f"{self._label}{operation} failed: {type(exc).__name__}") from None


class RetentionStore(_Writes):
    """Legal holds and retention runs."""

    _label = "retention."

    # -- legal holds -------------------------------------------------------------

    def add_hold(
        self, tenant: str, subject: str | None, reason: str, *, hooks: Sequence[Hook] = ()
    ) -> int:
        with self._write("add_hold") as conn:
            values = {"tenant": tenant, "subject": subject, "reason": reason}
            stmt = insert(LegalHoldRow).values(created_at=as_utc(self._now()), **values)
            hold_id = int(conn.execute(stmt.returning(_H.id)).scalar_one())
            _run(hooks, conn)
            return hold_id

    def release_hold(self, hold_id: int, *, hooks: Sequence[Hook] = ()) -> bool:
        """End a hold; False if there is no such hold in force."""
        with self._write("release_hold") as conn:
            result = conn.execute(
                update(LegalHoldRow)
                .where(_H.id == hold_id, _H.released_at.is_(None))
                .values(released_at=as_utc(self._now()))
            )
            if not result.rowcount:
                return False
            _run(hooks, conn)
            return True

    def holds(self, *, active: bool = True) -> list[HoldRecord]:
        query = select(LegalHoldRow.__table__).order_by(_H.id)
        if active:
            query = query.where(_H.released_at.is_(None))
        with self._read("holds") as conn:
            return [
                HoldRecord(
                    r.id,
                    r.tenant,
                    r.subject,
                    r.reason,
                    as_utc(r.created_at),
                    None if r.released_at is None else as_utc(r.released_at),
                )
                for r in conn.execute(query)
            ]

    def is_held(self, tenant: str, subject: str) -> bool:
        """Whether a hold in force covers ``subject`` (or its whole tenant)."""
        query = select(func.count()).where(
            _H.tenant == tenant,
            _H.released_at.is_(None),
            or_(_H.subject.is_(None), _H.subject == subject),
        )
        with self._read("is_held") as conn:
            return bool(conn.execute(query).scalar())

    # -- runs --------------------------------------------------------------------

    def start_run(self, started_at: datetime, *, dry_run: bool) -> int:
        with self._write("start_run") as conn:
            row = {"started_at": as_utc(started_at), "dry_run": dry_run}
            stmt = insert(RetentionRunRow).values(row).returning(RetentionRunRow.__table__.c.id)
            return int(conn.execute(stmt).scalar_one())

    def finish_run(
        self,
        run_id: int,
        finished_at: datetime,
        report: Mapping[str, Any],
        *,
        hooks: Sequence[Hook] = (),
    ) -> None:
        text = json.dumps(report, sort_keys=True, separators=(",", ":"))
        with self._write("finish_run") as conn:
            conn.execute(
                update(RetentionRunRow)
                .where(RetentionRunRow.__table__.c.id == run_id)
                .values(finished_at=as_utc(finished_at), report=text)
            )
            _run(hooks, conn)

    def runs(self, *, limit: int = 20) -> list[RunRecord]:
        """The newest runs first."""
        c = RetentionRunRow.__table__.c
        query = select(RetentionRunRow.__table__).order_by(c.id.desc()).limit(limit)
        with self._read("runs") as conn:
            return [
                RunRecord(
                    r.id,
                    as_utc(r.started_at),
                    None if r.finished_at is None else as_utc(r.finished_at),
                    bool(r.dry_run),
                    None if r.report is None else json.loads(r.report),
                )
                for r in conn.execute(query)
            ]


def _request(row: Any) -> RequestRecord:
    def ts(value: datetime | None) -> datetime | None:
        return None if value is None else as_utc(value)

    return RequestRecord(
        row.id,
        row.tenant,
        row.subject,
        row.kind,
        row.law,
        row.status,
        as_utc(row.received_at),
        as_utc(row.due_at),
        ts(row.verified_at),
        row.verification_method,
        row.verifier,
        ts(row.closed_at),
        row.note,
    )


_TIMES = ("received_at", "due_at", "verified_at", "closed_at")


class RequestStore(_Writes):
    """Data-subject requests, and the vault-entry reads and re-seals they need."""

    _label = "dsar."

    def add(self, record: RequestRecord, *, hooks: Sequence[Hook] = ()) -> None:
        values = {f: getattr(record, f) for f in RequestRecord.__slots__}
        with self._write("add") as conn:
            conn.execute(insert(RequestRow).values(_utc_times(values)))
            _run(hooks, conn)

    def get(self, request_id: str) -> RequestRecord | None:
        with self._read("get") as conn:
            row = conn.execute(select(RequestRow.__table__).where(_R.id == request_id)).first()
            return None if row is None else _request(row)

    def listing(
        self,
        *,
        statuses: Collection[str] | None = None,
        due_before: datetime | None = None,
        tenant: str | None = None,
        subject: str | None = None,
        limit: int = 1000,
    ) -> list[RequestRecord]:
        """Requests matching every filter given, soonest due first."""
        query = select(RequestRow.__table__).order_by(_R.due_at, _R.id).limit(limit)
        if statuses is not None:
            query = query.where(_R.status.in_(list(statuses)))
        if due_before is not None:
            query = query.where(_R.due_at < as_utc(due_before))
        if tenant is not None:
            query = query.where(_R.tenant == tenant)
        if subject is not None:
            query = query.where(_R.subject == subject)
        with self._read("listing") as conn:
            return [_request(row) for row in conn.execute(query)]

    def transition(
        self,
        request_id: str,
        *,
        expected: str,
        values: Mapping[str, Any],
        rename_subject: str | None = None,
        reseal: Sequence[tuple[TokenEntry, bytes]] = (),
        hooks: Sequence[Hook] = (),
    ) -> bool:
        """Update the request if its status is still ``expected``, in ONE transaction
        with: re-sealed vault entries (each only if its envelope is unchanged, else
        StorageError), every request and legal hold of the same subject renamed to
        ``rename_subject`` (an erased id must not outlive the erasure), and ``hooks``.
        False if the request is missing or no longer in ``expected``."""
        with self._write("transition") as conn:
            row = conn.execute(
                select(_R.tenant, _R.subject).where(_R.id == request_id, _R.status == expected)
            ).first()
            if row is None:
                return False
            result = conn.execute(
                update(RequestRow)
                .where(_R.id == request_id, _R.status == expected)
                .values(_utc_times(dict(values)))
            )
            if not result.rowcount:
                return False
            for old, envelope in reseal:
                changed = conn.execute(
                    update(VaultEntry)
                    .where(
                        _V.tenant == old.tenant,
                        _V.conversation == old.conversation,
                        _V.token == old.token,
                        _V.subject == old.subject,
                        _V.envelope == old.envelope,
                    )
                    .values(envelope=envelope)
                )
                if changed.rowcount != 1:
                    raise StorageError("dsar.transition failed: a vault entry changed meanwhile")
            if rename_subject is not None:
                for table, c in ((RequestRow, _R), (LegalHoldRow, _H)):
                    conn.execute(
                        update(table)
                        .where(c.tenant == row.tenant, c.subject == row.subject)
                        .values(subject=rename_subject)
                    )
            _run(hooks, conn)
        return True

    def subject_entries(self, tenant: str, subject: str) -> list[TokenEntry]:
        """Every vault entry of ``subject``, by conversation and token."""
        query = (
            select(_V.conversation, _V.token, _V.entity, _V.envelope)
            .where(_V.tenant == tenant, _V.subject == subject)
            .order_by(_V.conversation, _V.token)
        )
        with self._read("subject_entries") as conn:
            return [
                TokenEntry(tenant, c, subject, t, e, bytes(env))
                for c, t, e, env in conn.execute(query)
            ]

    def entry(self, tenant: str, conversation: str, token: str) -> TokenEntry | None:
        query = select(_V.subject, _V.entity, _V.envelope).where(
            _V.tenant == tenant, _V.conversation == conversation, _V.token == token
        )
        with self._read("entry") as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return TokenEntry(tenant, conversation, row.subject, token, row.entity, bytes(row.envelope))


def _utc_times(values: dict[str, Any]) -> dict[str, Any]:
    for name in _TIMES:
        if values.get(name) is not None:
            values[name] = as_utc(values[name])
    return values
