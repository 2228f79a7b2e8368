"""Typed audit events: who did what to which record, for which purpose, with which outcome.

An event carries identifiers, counts and reasons, never a personal value. The subject
travels as its raw id only as far as the trail, which stores a keyed hash of it
(``HMAC(tenant key, subject)``) so that "who accessed this subject's data" can be
answered without the audit table ever holding the id itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Action", "AuditEvent", "Detail", "Outcome"]

Detail = Mapping[str, str | int | bool]


class Action(StrEnum):
    """Every kind of audited step. Values are stable: they are stored and exported."""

    # personal data
    TOKEN_ISSUE = "token.issue"  # noqa: S105 - an action name, not a secret
    TOKEN_RESTORE = "token.restore"  # noqa: S105
    TURN_WRITE = "turn.write"
    TURN_READ = "turn.read"
    VALUE_UNMASK = "value.unmask"
    SUBJECT_EXPORT = "subject.export"
    SUBJECT_ERASE = "subject.erase"
    SUBJECT_RECTIFY = "subject.rectify"
    SUBJECT_RESTRICT = "subject.restrict"
    # consent, purpose, policy, rights
    CONSENT_GRANT = "consent.grant"
    CONSENT_WITHDRAW = "consent.withdraw"
    PURPOSE_REFUSE = "purpose.refuse"
    POLICY_LOAD = "policy.load"
    DSAR_OPEN = "dsar.open"
    DSAR_UPDATE = "dsar.update"
    RETENTION_RUN = "retention.run"
    RETENTION_DELETE = "retention.delete"
    # staff access
    AUTH_LOGIN = "auth.login"
    AUTH_LOGOUT = "auth.logout"
    AUTH_MFA = "auth.mfa"
    AUTH_LOCKOUT = "auth.lockout"
    ACCESS_DENIED = "access.denied"
    BREAK_GLASS = "access.break_glass"
    USER_CHANGE = "user.change"
    APIKEY_CHANGE = "apikey.change"
    # keys and the trail itself
    KEY_OPERATION = "key.operation"
    AUDIT_READ = "audit.read"
    AUDIT_CHECKPOINT = "audit.checkpoint"
    # gateway traffic
    CHAT_REQUEST = "chat.request"


class Outcome(StrEnum):
    OK = "ok"
    DENIED = "denied"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One audited step. ``subject`` is hashed by the trail before it is stored;
    ``record`` names the object touched (conversation, user, request id); ``detail``
    holds value-free extras (counts, entity types, reasons). ``highlight`` marks
    break-glass access so reviewers see it first."""

    action: Action
    outcome: Outcome = Outcome.OK
    actor: str = "system"
    role: str = ""
    tenant: str = ""
    subject: str | None = None
    record: str = ""
    purpose: str = ""
    detail: Detail = field(default_factory=dict)
    highlight: bool = False
