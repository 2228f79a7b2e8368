"""Consent history and processing restrictions (GDPR Art. 7 and 18), append-only.

Two event tables, both keyed to ``subjects`` with ``ON DELETE CASCADE``:
``consent_events`` (a grant or withdrawal per tenant, subject and purpose, with the
notice version shown and the source) and ``restriction_events`` (restrict / lift per
subject). The current state is the latest event by ``seq``. There is no UPDATE or
DELETE path: the repository has no such method and database triggers refuse both,
except a DELETE that cascades from erasing the subject's row (the trigger lets a row
go only once its subject is gone). Records carry ids, names and versions, never a
personal value; ``source`` is a short channel label such as ``"web-form"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    insert,
)
from sqlalchemy.orm import Mapped, mapped_column

from veil.storage.database import Hook, Repository
from veil.storage.models import Base
from veil.storage.repository import ensure_subject

__all__ = [
    "ConsentEventRow",
    "ConsentRecord",
    "ConsentStore",
    "RestrictionEventRow",
    "RestrictionRecord",
]

_SEQ = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER keys only


class ConsentEventRow(Base):
    """One grant (``granted``) or withdrawal of consent to one purpose."""

    __tablename__ = "consent_events"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant", "subject"],
            ["subjects.tenant", "subjects.subject"],
            ondelete="CASCADE",
            name="fk_consent_events_subject",
        ),
        Index("ix_consent_events_subject", "tenant", "subject", "seq"),
    )

    seq: Mapped[int] = mapped_column(_SEQ, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    purpose: Mapped[str] = mapped_column(String(64))
    granted: Mapped[bool] = mapped_column(Boolean)
    notice_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RestrictionEventRow(Base):
    """Processing of the subject's data restricted (``restricted``) or the restriction lifted."""

    __tablename__ = "restriction_events"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant", "subject"],
            ["subjects.tenant", "subjects.subject"],
            ondelete="CASCADE",
            name="fk_restriction_events_subject",
        ),
        Index("ix_restriction_events_subject", "tenant", "subject", "seq"),
    )

    seq: Mapped[int] = mapped_column(_SEQ, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    restricted: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """A stored consent event; ``granted`` False is a withdrawal."""

    seq: int
    tenant: str
    subject: str
    purpose: str
    granted: bool
    notice_version: str | None
    source: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RestrictionRecord:
    """A stored restriction event; ``restricted`` False lifts the restriction."""

    seq: int
    tenant: str
    subject: str
    restricted: bool
    source: str
    at: datetime


_C = ConsentEventRow.__table__.c
_R = RestrictionEventRow.__table__.c


class ConsentStore(Repository):
    """Repository of ``consent_events`` and ``restriction_events`` (``core@head``).

    Appends create the subject's row if needed and run ``hooks`` (e.g. the audit
    row) inside the same transaction: if a hook raises, the event is not recorded.
    """

    _label = "consents."

    def append_consent(
        self,
        tenant: str,
        subject: str,
        purpose: str,
        *,
        granted: bool,
        notice_version: str | None,
        source: str,
        hooks: Sequence[Hook] = (),
    ) -> ConsentRecord:
        with self._tx("append_consent") as s:
            now = self._now()
            ensure_subject(s, tenant, subject, now)
            values = {
                "tenant": tenant, "subject": subject, "purpose": purpose, "granted": granted,
                "notice_version": notice_version, "source": source, "at": now,
            }  # fmt: skip
            seq = s.execute(insert(ConsentEventRow).values(**values).returning(_C.seq)).scalar_one()
            conn = s.connection()
            for hook in hooks:
                hook(conn)
        return ConsentRecord(
            int(seq), tenant, subject, purpose, granted, notice_version, source, now
        )

    def append_restriction(
        self,
        tenant: str,
        subject: str,
        *,
        restricted: bool,
        source: str,
        hooks: Sequence[Hook] = (),
    ) -> RestrictionRecord:
        with self._tx("append_restriction") as s:
            now = self._now()
            ensure_subject(s, tenant, subject, now)
            values = {
                "tenant": tenant, "subject": subject, "restricted": restricted,
                "source": source, "at": now,
            }  # fmt: skip
            seq = s.execute(
                insert(RestrictionEventRow).values(**values).returning(_R.seq)
            ).scalar_one()
            conn = s.connection()
            for hook in hooks:
                hook(conn)
        return RestrictionRecord(int(seq), tenant, subject, restricted, source, now)

    def history(
        self, tenant: str, subject: str
    ) -> tuple[list[ConsentRecord], list[RestrictionRecord]]:
        """Every consent and restriction event of ``subject``, oldest first."""
        sql = self._hot  # the gate reads this on every message: see veil.storage.hot
        with self._raw_read("history") as cursor:
            consent_rows = sql.consents(cursor, tenant, subject)
            restriction_rows = sql.restrictions(cursor, tenant, subject)
        consents = [
            ConsentRecord(
                seq, tenant, subject, purpose, bool(granted), notice, source, sql.instant(at)
            )
            for seq, purpose, granted, notice, source, at in consent_rows
        ]
        restrictions = [
            RestrictionRecord(seq, tenant, subject, bool(restricted), source, sql.instant(at))
            for seq, restricted, source, at in restriction_rows
        ]
        return consents, restrictions
