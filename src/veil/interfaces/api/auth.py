"""Staff authentication for FastAPI routes: who is calling, and may they.

Every protected route declares ONE permission with ``Depends(require(permission))``
(or :data:`authenticated` / :func:`session_only` for routes any signed-in caller may
use). The dependency object keeps that permission on ``.permission``, so
:func:`route_permissions` reads each route's requirement straight from the route
table; the authorization matrix test is generated from it. The dependency reads
``Authorization: Bearer <session token or veil_sk_ API key>``, answers 401 (with
``WWW-Authenticate: Bearer``) for a missing, unknown or expired credential and
raises :class:`~veil.errors.AccessDeniedError` (403 in the error table) for a
missing permission or step-up. Every refusal is audited before the answer.

The staff services live on ``app.state`` (:func:`install_staff`), built by
:func:`staff_from_vault` from the vault and the audit trail; :class:`TrailSink`
turns staff events into audit rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from veil.audit import Action, AuditEvent, AuditTrail, Outcome
from veil.errors import AccessDeniedError
from veil.policy.access import Permission
from veil.policy.auth_context import StaffContext
from veil.policy.auth_events import LoggingNotifier, Notifier, StaffEvent, StaffSettings
from veil.policy.mfa import VaultSealer
from veil.policy.passwords import Passwords
from veil.policy.sessions import Principal
from veil.policy.staff import Staff
from veil.storage.database import Hook, utcnow
from veil.storage.staff import StaffStore
from veil.vault import Vault

__all__ = [
    "DIGEST_PURPOSE",
    "STAFF_TENANT",
    "Principal",
    "Require",
    "StaffAccess",
    "TrailSink",
    "authenticated",
    "bearer_token",
    "install_staff",
    "require",
    "route_permissions",
    "session_only",
    "staff_access",
    "staff_from_vault",
]

STAFF_TENANT = "veil:staff"
DIGEST_PURPOSE = "staff-digest/v1"


def audit_event(event: StaffEvent) -> AuditEvent:
    """The audit trail's form of a staff event (same action and outcome values)."""
    return AuditEvent(
        Action(event.action.value),
        Outcome(event.outcome),
        actor=event.actor,
        role=event.role,
        tenant=event.tenant,
        record=event.record,
        detail=dict(event.detail),
        highlight=event.highlight,
    )


class TrailSink:
    """Staff access's :class:`~veil.policy.auth_events.AuditSink` over an AuditTrail."""

    def __init__(self, trail: AuditTrail) -> None:
        self.trail = trail

    def hook(self, *events: StaffEvent) -> Hook:
        return self.trail.hook(*(audit_event(e) for e in events))

    def record(self, *events: StaffEvent) -> None:
        self.trail.record_many([audit_event(e) for e in events])


def staff_from_vault(
    vault: Vault,
    trail: AuditTrail,
    *,
    notifier: Notifier | None = None,
    settings: StaffSettings | None = None,
    passwords: Passwords | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Staff:
    """The staff services on the vault's database: TOTP secrets and break-glass
    reasons sealed by the vault, API keys and recovery codes digested under a key
    the vault derives, events into ``trail``, alerts to ``notifier`` (default: the
    logging notifier)."""
    context = StaffContext(
        store=StaffStore(vault.store.engine, clock=clock),
        sealer=VaultSealer(vault),
        digest_key=vault.derive_key(STAFF_TENANT, DIGEST_PURPOSE),
        audit=TrailSink(trail),
        notifier=notifier or LoggingNotifier(),
        passwords=passwords or Passwords(),
        settings=settings or StaffSettings(),
        clock=clock,
    )
    return Staff(context)


@dataclass(frozen=True, slots=True)
class StaffAccess:
    """What the admin routes need: the staff services and the trail they read."""

    staff: Staff
    trail: AuditTrail


def install_staff(app: FastAPI, access: StaffAccess) -> None:
    """Make ``access`` available to :func:`require` dependencies of ``app``."""
    app.state.staff_access = access


def staff_access(request: Request) -> StaffAccess:
    access = getattr(request.app.state, "staff_access", None)
    if not isinstance(access, StaffAccess):
        raise AccessDeniedError("access denied: staff access is not configured")
    return access


def bearer_token(request: Request) -> str:
    """The credential of ``Authorization: Bearer <x>``, or "" if there is none."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def route_name(request: Request) -> str:
    """``METHOD /path/{template}``: what denials record (never the concrete ids)."""
    route = request.scope.get("route")
    path = route.path if isinstance(route, APIRoute) else "?"
    return f"{request.method} {path}"


def unauthenticated() -> HTTPException:
    return HTTPException(401, "authentication required", headers={"WWW-Authenticate": "Bearer"})


class Require:
    """A FastAPI dependency returning the caller's :class:`Principal`.

    ``permission`` None means any authenticated caller; ``sessions_only`` refuses
    API keys (routes about a person's own login: logout, MFA, password).
    """

    def __init__(self, permission: Permission | None, *, sessions_only: bool = False) -> None:
        self.permission = permission
        self.sessions_only = sessions_only

    def __call__(self, request: Request) -> Principal:
        staff = staff_access(request).staff
        record = route_name(request)
        try:
            principal = staff.authorizer.authenticate(bearer_token(request), record=record)
        except AccessDeniedError:
            raise unauthenticated() from None
        if self.sessions_only and principal.session is None:
            raise staff.context.deny(
                "session_required",
                actor=principal.user_id,
                role=principal.role.value,
                tenant=principal.tenant,
                record=record,
            )
        if self.permission is not None:
            staff.authorizer.authorize(principal, self.permission, record=record)
        return principal

    def __repr__(self) -> str:
        return f"Require({self.permission!r}, sessions_only={self.sessions_only})"


def require(permission: Permission) -> Require:
    """The dependency of a route that needs ``permission`` (reuse it on any router)."""
    return Require(permission)


authenticated = Require(None)
"""Any signed-in caller, session or API key."""


def session_only() -> Require:
    """Any caller signed in with a session (not an API key)."""
    return Require(None, sessions_only=True)


def route_permissions(routes: Iterable[object]) -> dict[tuple[str, str], Require | None]:
    """``(method, path) -> Require`` of every API route (None: public route), read
    from the dependency tree, so the table can never disagree with the routes."""
    table: dict[tuple[str, str], Require | None] = {}
    for route in routes:
        if not isinstance(route, APIRoute):
            continue
        found = _requirement(route.dependant.dependencies)
        for method in sorted(route.methods or ()):
            table[(method, route.path)] = found
    return table


def _requirement(dependencies: Sequence[object]) -> Require | None:
    for dependant in dependencies:
        call = getattr(dependant, "call", None)
        if isinstance(call, Require):
            return call
        nested = _requirement(getattr(dependant, "dependencies", ()))
        if nested is not None:
            return nested
    return None


def describe(principal: Principal, now: datetime) -> dict[str, object]:
    """The ``/me`` view of a principal."""
    return {
        "user_id": principal.user_id,
        "tenant": principal.tenant,
        "role": principal.role.value,
        "is_service": principal.is_service,
        "mfa_at": principal.mfa_at,
        "permissions": sorted(p.value for p in principal.permissions),
        "break_glass": sorted(p.value for p in principal.extras),
        "break_glass_until": principal.extras_until,
        "now": now,
    }
