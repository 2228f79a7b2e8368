"""Stored audit rows as frozen records, and the filtered read behind ``query``/export.

Rows come back exactly as stored: the subject only as its keyed hash, ``detail`` as
the mapping it was recorded with, and the chain columns (hex) for independent checks.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

from veil.audit.events import Action, Outcome
from veil.errors import AuditError
from veil.storage.audit import select_filtered

__all__ = ["AuditRow", "as_utc", "select_rows"]


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One stored audit row (times in UTC; hashes and MAC as hex)."""

    seq: int
    at: datetime
    action: Action
    outcome: Outcome
    actor: str
    role: str
    tenant: str
    subject_hash: str | None
    record: str
    purpose: str
    detail: dict[str, str | int | bool]
    highlight: bool
    prev_hash: str
    hash: str
    mac: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: enums as their values, ``at`` as ISO 8601."""
        return {
            "seq": self.seq,
            "at": self.at.isoformat(timespec="microseconds"),
            "action": self.action.value,
            "outcome": self.outcome.value,
            "actor": self.actor,
            "role": self.role,
            "tenant": self.tenant,
            "subject_hash": self.subject_hash,
            "record": self.record,
            "purpose": self.purpose,
            "detail": dict(self.detail),
            "highlight": self.highlight,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
            "mac": self.mac,
        }


def as_utc(at: datetime) -> datetime:
    """Aware UTC; a naive value (as SQLite returns) is taken to be UTC already."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _bound(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    if at.tzinfo is None:
        raise AuditError("since/until must be timezone-aware")
    return at.astimezone(UTC)


def select_rows(
    conn: Connection,
    *,
    tenant: str | None = None,
    actions: Sequence[str] | None = None,
    subject_hash: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after_seq: int = 0,
    limit: int = 1000,
) -> list[AuditRow]:
    """Up to ``limit`` rows after ``after_seq`` matching every filter given."""
    if limit < 1:
        raise AuditError("limit must be positive")
    raw = select_filtered(
        conn,
        tenant=tenant,
        actions=actions,
        subject_hash=subject_hash,
        actor=actor,
        since=_bound(since),
        until=_bound(until),
        after_seq=after_seq,
        limit=limit,
    )
    out = []
    for r in raw:
        try:
            detail = json.loads(r.detail)
            out.append(
                AuditRow(
                    seq=r.seq,
                    at=as_utc(r.at),
                    action=Action(r.action),
                    outcome=Outcome(r.outcome),
                    actor=r.actor,
                    role=r.role,
                    tenant=r.tenant,
                    subject_hash=r.subject_hash,
                    record=r.record,
                    purpose=r.purpose,
                    detail=detail if isinstance(detail, dict) else {},
                    highlight=bool(r.highlight),
                    prev_hash=r.prev_hash,
                    hash=r.hash,
                    mac=r.mac,
                )
            )
        except (ValueError, TypeError):
            raise AuditError(f"audit row {r.seq} is malformed; run verify") from None
    return out
