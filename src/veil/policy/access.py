"""Who may do what: staff roles, permissions and the table joining them.

The table is data, not code spread over routes: every route names ONE permission and
the authorization matrix test is generated from the route table and this mapping.
Roles never cross tenants; ``admin`` administers its own tenant only. Unmasking values
additionally needs a stated purpose and a fresh MFA step-up (checked where the
permission is used), and break-glass grants add permissions for a limited time.

>>> allows(Role.AGENT, Permission.TRANSCRIPT_READ_MASKED)
True
>>> allows(Role.ANALYST, Permission.VALUE_UNMASK)
False
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["PERMISSIONS", "STEP_UP", "Permission", "Role", "allows"]


class Role(StrEnum):
    ADMIN = "admin"
    PRIVACY_OFFICER = "privacy_officer"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    ANALYST = "analyst"
    SERVICE = "service"  # API keys of the systems that call the gateway


class Permission(StrEnum):
    CHAT = "chat"  # send customer traffic through the gateway / protect API
    TRANSCRIPT_READ_MASKED = "transcript.read_masked"
    VALUE_UNMASK = "value.unmask"  # needs a purpose and MFA step-up; time-limited
    SUBJECT_EXPORT = "subject.export"
    SUBJECT_ERASE = "subject.erase"
    CONSENT_MANAGE = "consent.manage"
    DSAR_MANAGE = "dsar.manage"
    KEY_MANAGE = "key.manage"
    POLICY_MANAGE = "policy.manage"
    USER_MANAGE = "user.manage"
    AUDIT_READ = "audit.read"
    ANALYTICS_RUN = "analytics.run"
    BREAK_GLASS = "access.break_glass"  # may request temporary elevation


STEP_UP: frozenset[Permission] = frozenset(
    {
        Permission.VALUE_UNMASK,
        Permission.SUBJECT_ERASE,
        Permission.KEY_MANAGE,
        Permission.USER_MANAGE,
    }
)
"""Permissions that need an MFA code verified within the last few minutes."""

_P = Permission
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        {_P.USER_MANAGE, _P.KEY_MANAGE, _P.POLICY_MANAGE, _P.AUDIT_READ, _P.TRANSCRIPT_READ_MASKED}
    ),
    Role.PRIVACY_OFFICER: frozenset(
        {
            _P.TRANSCRIPT_READ_MASKED,
            _P.VALUE_UNMASK,
            _P.SUBJECT_EXPORT,
            _P.SUBJECT_ERASE,
            _P.CONSENT_MANAGE,
            _P.DSAR_MANAGE,
            _P.POLICY_MANAGE,
            _P.AUDIT_READ,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {_P.TRANSCRIPT_READ_MASKED, _P.VALUE_UNMASK, _P.CONSENT_MANAGE, _P.BREAK_GLASS}
    ),
    Role.AGENT: frozenset({_P.TRANSCRIPT_READ_MASKED, _P.CONSENT_MANAGE, _P.BREAK_GLASS}),
    Role.ANALYST: frozenset({_P.ANALYTICS_RUN}),
    Role.SERVICE: frozenset({_P.CHAT, _P.CONSENT_MANAGE}),
}


def allows(role: Role, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission`` (without break-glass elevation)."""
    return permission in PERMISSIONS[role]
