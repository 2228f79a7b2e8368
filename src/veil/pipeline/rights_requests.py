"""The data-subject request as a value: kinds, laws, statuses and due dates.

GDPR Art. 12(3): one calendar month from receipt (31 January → the last day of
February; extensions are a separate, explicit decision). CCPA §1798.130: 45 days.
Times are kept as given (UTC from the workflow's clock).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from veil.storage.rights import RequestRecord

__all__ = ["OPEN", "Correction", "Law", "Request", "RequestKind", "RequestStatus", "due_date"]


class Law(StrEnum):
    GDPR = "gdpr"
    CCPA = "ccpa"


class RequestKind(StrEnum):
    ACCESS = "access"
    ERASURE = "erasure"
    RECTIFICATION = "rectification"
    RESTRICTION = "restriction"


class RequestStatus(StrEnum):
    RECEIVED = "received"
    VERIFIED = "verified"
    COMPLETED = "completed"
    REJECTED = "rejected"


OPEN = (RequestStatus.RECEIVED, RequestStatus.VERIFIED)


def due_date(law: Law, received_at: datetime) -> datetime:
    """When the answer is due: GDPR Art. 12(3) one calendar month (clamped to the
    month's last day), CCPA §1798.130 45 days."""
    if Law(law) is Law.CCPA:
        return received_at + timedelta(days=45)
    year, month = divmod(received_at.month, 12)  # month 12 → next year's January
    year, month = received_at.year + year, month + 1
    day = min(received_at.day, calendar.monthrange(year, month)[1])
    return received_at.replace(year=year, month=month, day=day)


@dataclass(frozen=True, slots=True)
class Request:
    """One data-subject request and its history."""

    id: str
    tenant: str
    subject: str
    kind: RequestKind
    law: Law
    status: RequestStatus
    received_at: datetime
    due_at: datetime
    verified_at: datetime | None = None
    verification_method: str | None = None
    verifier: str | None = None
    closed_at: datetime | None = None
    note: str | None = None

    @classmethod
    def of(cls, r: RequestRecord) -> Request:
        return cls(r.id, r.tenant, r.subject, RequestKind(r.kind), Law(r.law),
                   RequestStatus(r.status), r.received_at, r.due_at, r.verified_at,
                   r.verification_method, r.verifier, r.closed_at, r.note)  # fmt: skip

    def as_dict(self) -> dict[str, str | None]:
        return {k: None if v is None else v.isoformat() if isinstance(v, datetime) else str(v)
                for k, v in ((f, getattr(self, f)) for f in self.__slots__)}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Correction:
    """The right value for the pseudonym ``token`` of ``conversation``."""

    conversation: str
    token: str
    value: str = field(repr=False)
