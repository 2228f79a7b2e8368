"""What staff access reports outward: audit events, alerts, and its tunables.

Policy may not import the audit package (siblings), so staff access describes each
audited step as a :class:`StaffEvent` whose ``action`` and ``outcome`` carry the
stable values of ``veil.audit.events.Action`` / ``Outcome``; an :class:`AuditSink`
passed in by the interfaces turns them into audit rows. ``hook`` appends INSIDE the
transaction of the change it records (a failure rolls the change back), ``record``
in its own transaction (logins, denials). Events name ids, roles and reasons, never
a username, password, code or token.

Alerts go to a :class:`Notifier`; :class:`LoggingNotifier` writes one value-free JSON
line per alert until the monitor's alerting takes over.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Protocol

from veil.storage.database import Hook

__all__ = [
    "AuditSink",
    "AuthAction",
    "LoggingNotifier",
    "Notifier",
    "StaffEvent",
    "StaffSettings",
]


class AuthAction(StrEnum):
    """The audit actions staff access emits (values equal ``veil.audit.Action``'s)."""

    LOGIN = "auth.login"
    LOGOUT = "auth.logout"
    MFA = "auth.mfa"
    LOCKOUT = "auth.lockout"
    DENIED = "access.denied"
    BREAK_GLASS = "access.break_glass"
    USER_CHANGE = "user.change"
    APIKEY_CHANGE = "apikey.change"
    AUDIT_READ = "audit.read"


OK, DENIED = "ok", "denied"


@dataclass(frozen=True, slots=True)
class StaffEvent:
    """One audited staff-access step; ``outcome`` is ``"ok"`` or ``"denied"``."""

    action: AuthAction
    outcome: str = OK
    actor: str = "anonymous"
    role: str = ""
    tenant: str = ""
    record: str = ""
    detail: Mapping[str, str | int | bool] = field(default_factory=dict)
    highlight: bool = False


class AuditSink(Protocol):
    """Where staff events go (the interfaces adapt ``veil.audit.AuditTrail``)."""

    def hook(self, *events: StaffEvent) -> Hook:
        """A hook appending ``events`` inside the caller's transaction."""
        ...

    def record(self, *events: StaffEvent) -> None:
        """Append ``events`` in their own transaction; raises AuditError on failure."""
        ...


class Notifier(Protocol):
    """Immediate alerts (e.g. break-glass) to the tenant's privacy officer."""

    def notify(self, tenant: str, kind: str, message: str) -> None: ...


class LoggingNotifier:
    """Logs each alert as one JSON object on ``veil.alerts`` at WARNING.

    Callers pass value-free messages (ids, permission names, times); nothing else is
    added.
    """

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._log = logger or logging.getLogger("veil.alerts")

    def notify(self, tenant: str, kind: str, message: str) -> None:
        line = json.dumps({"alert": kind, "tenant": tenant, "message": message}, sort_keys=True)
        self._log.warning(line)


@dataclass(frozen=True, slots=True)
class StaffSettings:
    """Time limits and bounds of staff access; defaults follow common guidance
    (OWASP ASVS session and authentication chapters)."""

    idle_timeout: timedelta = timedelta(minutes=30)
    absolute_timeout: timedelta = timedelta(hours=12)
    pending_timeout: timedelta = timedelta(minutes=5)  # password ok, MFA outstanding
    step_up: timedelta = timedelta(minutes=5)
    max_failures: int = 10
    lockout: timedelta = timedelta(minutes=15)
    break_glass: timedelta = timedelta(minutes=60)
    reason_max: int = 500
    touch_every: timedelta = timedelta(seconds=30)  # coarser idle writes, fewer commits

    def __post_init__(self) -> None:
        if self.max_failures < 1 or self.reason_max < 1:
            raise ValueError("max_failures and reason_max must be positive")
        spans = (self.idle_timeout, self.absolute_timeout, self.pending_timeout, self.step_up)
        if min(spans) <= timedelta(0) or self.lockout <= timedelta(0):
            raise ValueError("timeouts must be positive")
        if self.break_glass <= timedelta(0) or self.touch_every >= self.idle_timeout:
            raise ValueError("break_glass must be positive and touch_every below idle_timeout")
