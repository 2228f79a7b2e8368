"""Staff access, assembled: accounts and roles, plus the :class:`Staff` facade that
wires accounts, logins, MFA, sessions, API keys and break-glass to one context.

Accounts belong to exactly one tenant and every lookup names it, so no role crosses
a tenant: an id from another tenant is simply not found. Role ``service`` is for
API-key accounts only (no password, no MFA) and no human account can take it.
Changes are audited in the transaction that makes them; a role change, disabling
and an MFA reset end the user's sessions in that same transaction. ``actor`` is the
acting :class:`Principal`, or ``None`` for the operator's command line (audited as
``cli``). Nobody changes their own role, disables themselves or resets their own MFA
through this API, so a tenant always keeps the admin who is acting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from veil.errors import AccessDeniedError, InputError
from veil.policy.access import Role
from veil.policy.auth_context import StaffContext, actor_of, checked_tenant, new_id
from veil.policy.auth_events import OK, AuthAction, StaffEvent
from veil.policy.mfa import Mfa, TotpSpec
from veil.policy.sessions import Authorizer, Principal
from veil.policy.staff_breakglass import BreakGlass
from veil.policy.staff_keys import ApiKeys
from veil.policy.staff_login import Logins
from veil.storage.staff import UserRecord

__all__ = ["Account", "Accounts", "Staff"]

_MAX_NAME = 255


@dataclass(frozen=True, slots=True)
class Account:
    """What may be shown about an account (no hash, no secret)."""

    id: str
    tenant: str
    username: str
    role: Role
    mfa_enrolled: bool
    disabled: bool
    locked_until: datetime | None
    created_at: datetime

    @property
    def is_service(self) -> bool:
        return self.role is Role.SERVICE

    @classmethod
    def of(cls, user: UserRecord) -> Account:
        return cls(
            user.id,
            user.tenant,
            user.username,
            Role(user.role),
            user.mfa_enrolled_at is not None,
            user.disabled,
            user.locked_until,
            user.created_at,
        )


class Accounts:
    """Create, list and change the accounts of a tenant."""

    def __init__(self, context: StaffContext) -> None:
        self._c = context

    def create(
        self, actor: Principal | None, tenant: str, username: str, role: Role, password: str | None
    ) -> Account:
        """A new account; humans need a password meeting the policy, service
        accounts must have none. A taken username raises InputError."""
        checked_tenant(tenant)
        name = username.strip()
        if not name or len(name) > _MAX_NAME:
            raise InputError(f"a username has 1-{_MAX_NAME} characters")
        if (role is Role.SERVICE) != (password is None):
            raise InputError("service accounts have no password; every other account needs one")
        password_hash = None if password is None else self._c.passwords.hash(password)
        now = self._c.now()
        user = UserRecord(
            new_id("u"), tenant, name, role.value, password_hash, None, None, 0, None, False, now
        )
        event = self._event(actor, tenant, user.id, {"change": "create", "new_role": role.value})
        if not self._c.store.add_user(user, hooks=[self._c.audit.hook(event)]):
            raise InputError("that username is taken in this tenant")
        return Account.of(user)

    def bootstrap_admin(
        self, tenant: str, username: str, password: str, *, force: bool = False
    ) -> Account:
        """The first admin of ``tenant`` (command line only); refused if the tenant
        has an enabled admin already, unless ``force``."""
        if not force and self._c.store.count_role(checked_tenant(tenant), Role.ADMIN.value):
            raise AccessDeniedError("the tenant already has an admin (use --force to add one)")
        return self.create(None, tenant, username, Role.ADMIN, password)

    def list(self, tenant: str) -> list[Account]:
        return [Account.of(u) for u in self._c.store.list_users(tenant)]

    def get(self, tenant: str, user_id: str) -> Account | None:
        user = self._c.store.get_user(tenant, user_id)
        return Account.of(user) if user else None

    def change_role(
        self, actor: Principal | None, tenant: str, user_id: str, role: Role
    ) -> Account | None:
        """Give ``user_id`` a new role (their sessions end); None if not found."""
        user = self._target(actor, tenant, user_id, "change_role")
        if user is None:
            return None
        if (role is Role.SERVICE) != (user.role == Role.SERVICE):
            raise InputError("an account cannot move between service and staff roles")
        detail = {"change": "role", "old_role": user.role, "new_role": role.value}
        changed = self._change(actor, user, {"role": role.value}, detail)
        return self.get(tenant, user_id) if changed else None

    def disable(self, actor: Principal | None, tenant: str, user_id: str) -> bool:
        """Disable an account for good (sessions end, API keys stop working)."""
        user = self._target(actor, tenant, user_id, "disable")
        return user is not None and self._change(
            actor, user, {"disabled": True}, {"change": "disable"}
        )

    def reset_mfa(self, actor: Principal | None, tenant: str, user_id: str) -> bool:
        """Remove the user's TOTP secret and recovery codes; their sessions end and
        they enroll again after their next (password-only) login."""
        user = self._target(actor, tenant, user_id, "reset_mfa")
        if user is None:
            return False
        values: dict[str, object] = {"totp_secret": None, "mfa_enrolled_at": None}
        return self._change(actor, user, values, {"change": "mfa_reset"}, forget_mfa=True)

    def _target(
        self, actor: Principal | None, tenant: str, user_id: str, operation: str
    ) -> UserRecord | None:
        if actor is not None and actor.user_id == user_id:
            raise self._c.deny(
                "self_change",
                actor=actor.user_id,
                role=actor.role.value,
                tenant=actor.tenant,
                record=f"user:{user_id}:{operation}",
            )
        return self._c.store.get_user(tenant, user_id)

    def _change(
        self,
        actor: Principal | None,
        user: UserRecord,
        values: dict[str, object],
        detail: Mapping[str, str | int | bool],
        *,
        forget_mfa: bool = False,
    ) -> bool:
        event = self._event(actor, user.tenant, user.id, detail)
        return self._c.store.update_user(
            user.tenant,
            user.id,
            values,
            kill_sessions=True,
            forget_mfa=forget_mfa,
            hooks=[self._c.audit.hook(event)],
        )

    @staticmethod
    def _event(
        actor: Principal | None, tenant: str, user_id: str, detail: Mapping[str, str | int | bool]
    ) -> StaffEvent:
        who, role = actor_of(actor)
        return StaffEvent(AuthAction.USER_CHANGE, OK, who, role, tenant, f"user:{user_id}", detail)


class Staff:
    """Every staff-access service over one :class:`StaffContext`."""

    def __init__(self, context: StaffContext, *, totp: TotpSpec | None = None) -> None:
        self.context = context
        self.authorizer = Authorizer(context)
        self.mfa = Mfa(context, totp)
        self.accounts = Accounts(context)
        self.logins = Logins(context, self.mfa, self.authorizer)
        self.api_keys = ApiKeys(context)
        self.break_glass = BreakGlass(context)
