"""Who is calling, and may they: server-side sessions, API keys, authorization.

A session token is ``secrets.token_urlsafe(32)`` (256 bits), handed out once and
stored only as its SHA-256 digest. Each login opens a new session and ends the user's
previous ones; a session dies after ``idle_timeout`` without use, ``absolute_timeout``
after login, at logout, and when the user's role, password or MFA changes or the
account is disabled (those changes delete the sessions in their own transaction).
A session opened by a correct password for an MFA user is *pending*: it only serves
the MFA step, which replaces it by a fresh, full session.

Authorization is :meth:`Authorizer.authorize`: the role's permissions plus active
break-glass grants, and for ``STEP_UP`` permissions an MFA verification within
``step_up`` (API keys never pass step-up). Every refusal is audited before it raises.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from veil.policy.access import PERMISSIONS, STEP_UP, Permission, Role
from veil.policy.auth_context import StaffContext, token_digest
from veil.storage.staff import SessionRecord, UserRecord

__all__ = ["API_KEY_PREFIX", "Authorizer", "Principal", "new_session_token"]

API_KEY_PREFIX = "veil_sk_"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller, read fresh on every request. ``session`` is the
    session's digest (None for API keys); ``extras`` are the permissions of active
    break-glass grants, the last of which ends at ``extras_until``."""

    user_id: str
    tenant: str
    role: Role
    is_service: bool
    mfa_at: datetime | None
    extras: frozenset[Permission] = frozenset()
    extras_until: datetime | None = None
    session: bytes | None = field(default=None, repr=False)

    @property
    def permissions(self) -> frozenset[Permission]:
        return PERMISSIONS[self.role] | self.extras


class Authorizer:
    """Turns a bearer credential into a :class:`Principal` and checks permissions."""

    def __init__(self, context: StaffContext) -> None:
        self._c = context

    def authenticate(self, credential: str, *, record: str = "") -> Principal:
        """The principal behind a session token or ``veil_sk_`` API key; raises
        AccessDeniedError (audited) for anything unknown, expired or disabled."""
        if not credential:
            raise self._c.deny("no_credential", record=record)
        if credential.startswith(API_KEY_PREFIX):
            return self._api_key(credential, record)
        return self._session(credential, record)

    def pending(self, token: str) -> tuple[SessionRecord, UserRecord]:
        """The pending (password verified, MFA outstanding) session of ``token``."""
        found = self._c.store.get_session(token_digest(token)) if token else None
        if found is None or not found.pending_mfa:
            raise self._c.deny("no_pending_login")
        user = self._c.store.get_user(found.tenant, found.user_id)
        now = self._c.now()
        if (
            user is None
            or user.disabled
            or now - found.created_at > self._c.settings.pending_timeout
        ):
            self._c.store.close_session(found.digest)
            raise self._c.deny("expired", actor=found.user_id, tenant=found.tenant)
        return found, user

    def authorize(self, principal: Principal, permission: Permission, *, record: str = "") -> None:
        """Return if ``principal`` may use ``permission`` now, else audit and raise."""
        reason = ""
        if permission not in principal.permissions:
            reason = "permission"
        elif permission in STEP_UP and not self.stepped_up(principal):
            reason = "step_up"
        if reason:
            raise self._c.deny(
                reason,
                actor=principal.user_id,
                role=principal.role.value,
                tenant=principal.tenant,
                record=record,
                permission=permission.value,
            )

    def stepped_up(self, principal: Principal) -> bool:
        """Whether MFA was verified within the step-up window (never for API keys)."""
        if principal.is_service or principal.mfa_at is None:
            return False
        return self._c.now() - principal.mfa_at <= self._c.settings.step_up

    def _session(self, token: str, record: str) -> Principal:
        found = self._c.store.get_session(token_digest(token))
        if found is None:
            raise self._c.deny("unknown_credential", record=record)
        if found.pending_mfa:
            raise self._c.deny(
                "mfa_pending", actor=found.user_id, tenant=found.tenant, record=record
            )
        now, limits = self._c.now(), self._c.settings
        user = self._c.store.get_user(found.tenant, found.user_id)
        idle = now - found.seen_at > limits.idle_timeout
        if (
            user is None
            or user.disabled
            or idle
            or now - found.created_at > limits.absolute_timeout
        ):
            self._c.store.close_session(found.digest)
            raise self._c.deny("expired", actor=found.user_id, tenant=found.tenant, record=record)
        if now - found.seen_at >= limits.touch_every:
            self._c.store.touch_session(found.digest, seen_at=now, mfa_at=None)
        return self._principal(user, found.mfa_at, found.digest, now)

    def _api_key(self, key: str, record: str) -> Principal:
        found = self._c.store.find_api_key(self._c.keyed_digest("api-key", key))
        if found is None or found.revoked_at is not None:
            raise self._c.deny("unknown_credential", record=record)
        user = self._c.store.get_user(found.tenant, found.user_id)
        if user is None or user.disabled or user.role != Role.SERVICE:
            raise self._c.deny("disabled", actor=found.user_id, tenant=found.tenant, record=record)
        return self._principal(user, None, None, self._c.now())

    def _principal(
        self, user: UserRecord, mfa_at: datetime | None, session: bytes | None, now: datetime
    ) -> Principal:
        role = Role(user.role)
        grants = self._c.store.active_grants(user.tenant, user.id, now=now)
        extras = frozenset(Permission(p) for g in grants for p in g.permissions)
        until = max((g.expires_at for g in grants), default=None)
        return Principal(
            user.id, user.tenant, role, role is Role.SERVICE, mfa_at, extras, until, session
        )
