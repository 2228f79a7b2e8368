"""Logging in and out: password, MFA step, step-up, password change.

:meth:`Logins.login` answers one generic refusal for an unknown user, a disabled or
locked account and a wrong password alike (the audit row says which), and costs one
argon2 verification in every case. A wrong password counts towards the lockout in
the database; the tenth failure locks the account for ``lockout``; a completed login
resets the count. With MFA enrolled the password only buys a *pending* session,
good for :meth:`Logins.complete_mfa` within ``pending_timeout``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from veil.errors import AccessDeniedError, InputError
from veil.policy.access import Role
from veil.policy.auth_context import StaffContext, token_digest
from veil.policy.auth_events import DENIED, OK, AuthAction, StaffEvent
from veil.policy.mfa import Mfa, lockout_event
from veil.policy.sessions import Authorizer, Principal, new_session_token
from veil.storage.staff import SessionRecord, UserRecord

__all__ = ["LoginResult", "Logins"]


@dataclass(frozen=True, slots=True)
class LoginResult:
    """A new session token (shown once). ``mfa_required``: the token is pending and
    only serves the MFA step."""

    token: str
    mfa_required: bool
    user_id: str


class Logins:
    """The login, MFA, step-up, logout and password-change flows."""

    def __init__(self, context: StaffContext, mfa: Mfa, authorizer: Authorizer) -> None:
        self._c, self._mfa, self._auth = context, mfa, authorizer

    def login(self, tenant: str, username: str, password: str) -> LoginResult:
        """Check the password; open a full session, or a pending one if MFA is on."""
        user = self._c.store.find_user(tenant, username) if tenant and username else None
        usable = user is not None and not user.disabled and user.role != Role.SERVICE
        stored = user.password_hash if user is not None and usable else None
        matches = self._c.passwords.verify(stored, password)  # a dummy verify if None
        now = self._c.now()
        if user is None or stored is None:
            reason = "unknown_user" if user is None else "disabled"
            raise self._refuse(user, reason)
        if user.locked_until is not None and user.locked_until > now:
            raise self._refuse(user, "locked")
        if not matches:
            failure = self._c.store.count_failure(
                tenant,
                user.id,
                now=now,
                limit=self._c.settings.max_failures,
                lock_for=self._c.settings.lockout,
            )
            locked_now = failure.counted and failure.locked_until is not None
            extra = [lockout_event(user, failure.failures)] if locked_now else []
            raise self._refuse(user, "password" if failure.counted else "locked", extra)
        if self._c.passwords.needs_rehash(stored):
            self._c.store.update_user(
                tenant, user.id, {"password_hash": self._c.passwords.rehash(password)}
            )
        pending = user.mfa_enrolled_at is not None
        return self._open(user, now, pending=pending, stage="password")

    def complete_mfa(self, pending_token: str, code: str) -> LoginResult:
        """Verify the MFA code of a pending login; the pending token dies and a new
        full session's token is returned."""
        pending, user = self._auth.pending(pending_token)
        self._mfa.verify(user, code, purpose="login")
        return self._open(user, self._c.now(), pending=False, stage="mfa", replaces=pending)

    def step_up(self, principal: Principal, code: str) -> datetime:
        """Verify a fresh MFA code for an open session; returns the new ``mfa_at``."""
        user = self._session_user(principal)
        self._mfa.verify(user, code, purpose="step_up")
        now = self._c.now()
        assert principal.session is not None
        self._c.store.touch_session(principal.session, seen_at=now, mfa_at=now)
        return now

    def logout(self, principal: Principal) -> None:
        """End the caller's session (API keys have none: revoke them instead)."""
        if principal.session is None:
            raise InputError("API keys have no session; revoke the key instead")
        event = StaffEvent(
            AuthAction.LOGOUT, OK, principal.user_id, principal.role.value, principal.tenant
        )
        self._c.store.close_session(principal.session, hooks=[self._c.audit.hook(event)])

    def change_password(self, principal: Principal, current: str, new: str) -> None:
        """Replace the caller's password; every session of theirs dies with it."""
        user = self._session_user(principal)
        self._c.passwords.check_policy(new)
        if not self._c.passwords.verify(user.password_hash, current):
            self._c.store.count_failure(
                user.tenant,
                user.id,
                now=self._c.now(),
                limit=self._c.settings.max_failures,
                lock_for=self._c.settings.lockout,
            )
            raise self._c.deny("password", actor=user.id, role=user.role, tenant=user.tenant)
        event = StaffEvent(
            AuthAction.USER_CHANGE,
            OK,
            user.id,
            user.role,
            user.tenant,
            f"user:{user.id}",
            {"change": "password"},
        )
        self._c.store.update_user(
            user.tenant,
            user.id,
            {"password_hash": self._c.passwords.hash(new)},
            kill_sessions=True,
            hooks=[self._c.audit.hook(event)],
        )

    def _session_user(self, principal: Principal) -> UserRecord:
        user = self._c.store.get_user(principal.tenant, principal.user_id)
        if principal.session is None or user is None:
            raise self._c.deny(
                "session_required",
                actor=principal.user_id,
                role=principal.role.value,
                tenant=principal.tenant,
            )
        return user

    def _open(
        self,
        user: UserRecord,
        now: datetime,
        *,
        pending: bool,
        stage: str,
        replaces: SessionRecord | None = None,
    ) -> LoginResult:
        token = new_session_token()
        mfa_at = now if stage == "mfa" else None
        session = SessionRecord(
            token_digest(token), user.id, user.tenant, pending, now, now, mfa_at
        )
        detail: dict[str, str | int | bool] = {"stage": stage, "mfa_pending": pending}
        event = StaffEvent(AuthAction.LOGIN, OK, user.id, user.role, user.tenant, detail=detail)
        opened = self._c.store.open_session(
            session,
            replaces=None if replaces is None else replaces.digest,
            hooks=[self._c.audit.hook(event)],
        )
        if not opened:
            raise self._c.deny(
                "no_pending_login", actor=user.id, role=user.role, tenant=user.tenant
            )
        return LoginResult(token, pending, user.id)

    def _refuse(
        self, user: UserRecord | None, reason: str, extra: list[StaffEvent] | None = None
    ) -> AccessDeniedError:
        # The tenant typed at login is only recorded once it proved to hold the user:
        # audit rows get no attacker-chosen strings.
        event = StaffEvent(
            AuthAction.LOGIN,
            DENIED,
            user.id if user else "anonymous",
            user.role if user else "",
            user.tenant if user else "",
            detail={"reason": reason},
        )
        self._c.audit.record(event, *(extra or []))
        return AccessDeniedError("invalid credentials")
