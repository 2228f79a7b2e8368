"""The canonical encoding, hash chain and MACs of audit rows.

A row's ``hash`` is SHA-256 over ``prev_hash`` and every other column, joined by the
ASCII unit separator; no value may contain it or the record separator that stands
for a missing subject (appends refuse such text, verify reports it as malformed),
so no two different rows share an encoding. The ``mac`` is HMAC-SHA256 of
the raw hash under a key that is never stored in the database, so an attacker who
edits rows and recomputes the hashes still cannot produce valid MACs. The head row
carries its own MAC over ``(seq, hash)``, which makes a truncated tail visible even
without a checkpoint.

Timestamps enter the hash in one backend-neutral text form, UTC with microseconds:
``YYYY-MM-DD HH:MM:SS.ffffff`` — also exactly what SQLite stores, so the verifier
hashes SQLite's raw value without parsing it.

This module is the hot path of both append and verify: plain functions on strings,
one ``hashlib``/``hmac.digest`` call each.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime

from veil.audit.events import Action, AuditEvent, Outcome
from veil.errors import AuditError

__all__ = [
    "ROW_TAG",
    "Columns",
    "at_text",
    "canonical_detail",
    "event_columns",
    "field",
    "head_mac",
    "row_digest",
    "row_mac",
]

Columns = tuple[str, str, str, str, str, str | None, str, str, str, bool]
"""action, outcome, actor, role, tenant, subject_hash, record, purpose, detail, highlight"""
ROW_TAG = "veil.audit.row.v1"
_LIMITS = {"actor": 255, "role": 64, "tenant": 255, "record": 255, "purpose": 255}
_MAX_DETAIL = 8192
_SEP, _NONE = "\x1f", "\x1e"
_SEPARATORS = 13
_HEAD_TAG = b"veil.audit.head.v1\x00"
_sha256 = hashlib.sha256
_digest = hmac.digest


def field(value: str | None) -> str:
    """One column in the canonical encoding."""
    return "~" if value is None else f"{len(value)}:{value}"


def at_text(at: datetime) -> str:
    """The canonical text of a timestamp (aware datetimes are converted to UTC; a
    naive one is refused, since its zone is unknown)."""
    if at.tzinfo is None:
        raise AuditError("audit timestamps must be timezone-aware")
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def canonical_detail(detail: Mapping[str, str | int | bool]) -> str:
    """Sorted, compact JSON of the detail mapping; only str/int/bool values."""
    for key, value in detail.items():
        if not isinstance(key, str) or not isinstance(value, str | int | bool):
            raise AuditError("audit detail holds only str, int or bool values under str keys")
    return json.dumps(dict(detail), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_digest(
    prev_hash: str,
    seq: int,
    at: str,
    action: str,
    outcome: str,
    actor: str,
    role: str,
    tenant: str,
    subject_hash: str | None,
    record: str,
    purpose: str,
    detail: str,
    highlight: bool,
) -> bytes:
    """Raw SHA-256 of a row: the version tag, ``prev_hash`` and every column joined by
    US (``\\x1f``), a missing subject written as RS (``\\x1e``), ``highlight`` as
    ``1``/``0``. Raises ValueError if a value holds US or RS, which is what keeps the
    encoding unambiguous (checked by counting them in the joined text: one C call).

    A join rather than length prefixes because this runs once per row on append and
    on verify (measured ~1.15 µs against ~1.7 µs per row).
    """
    material = _SEP.join(
        (
            ROW_TAG, prev_hash, str(seq), at, action, outcome, actor, role, tenant,
            _NONE if subject_hash is None else subject_hash,
            record, purpose, detail, "1" if highlight else "0",
        )
    )  # fmt: skip
    if material.count(_SEP) != _SEPARATORS or material.count(_NONE) != (subject_hash is None):
        raise ValueError("a value holds a separator of the audit encoding")
    return _sha256(material.encode()).digest()


def event_columns(event: AuditEvent, subject_hash: str | None) -> Columns:
    """The stored columns of ``event`` (after ``seq``/``at``), checked: known action and
    outcome, bounded strings, a value-free detail, text the encoding accepts."""
    try:
        action, outcome = Action(event.action), Outcome(event.outcome)
    except ValueError:
        raise AuditError("unknown action or outcome") from None
    for name, limit in _LIMITS.items():
        value = getattr(event, name)
        if not isinstance(value, str) or len(value) > limit:
            raise AuditError(f"{name} must be a string of at most {limit} characters")
    detail = canonical_detail(event.detail)
    if len(detail) > _MAX_DETAIL:
        raise AuditError(f"detail is longer than {_MAX_DETAIL} characters")
    columns = (
        action.value, outcome.value, event.actor, event.role, event.tenant, subject_hash,
        event.record, event.purpose, detail, bool(event.highlight),
    )  # fmt: skip
    try:
        row_digest("", 0, "", *columns)
    except UnicodeEncodeError:
        raise AuditError("event text is not valid Unicode") from None
    except ValueError:
        raise AuditError("event text holds a control character (US/RS)") from None
    return columns


def row_mac(key: bytes, digest: bytes) -> str:
    """Hex HMAC-SHA256 of a row's raw hash."""
    return _digest(key, digest, "sha256").hex()


def head_mac(key: bytes, seq: int, hash_: str) -> str:
    """Hex HMAC-SHA256 of the head ``(seq, hash)``; domain-separated from row MACs."""
    return _digest(key, _HEAD_TAG + f"{seq}:{hash_}".encode(), "sha256").hex()
