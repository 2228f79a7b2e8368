"""The staff admin API: login and MFA, accounts, API keys, break-glass, audit reads.

:func:`admin_router` returns an ``APIRouter`` (prefix ``/admin``) to include in an
application that has :func:`~veil.interfaces.api.auth.install_staff`-ed its
:class:`~veil.interfaces.api.auth.StaffAccess`. Every route but ``/login`` and
``/mfa`` (which take a password or a pending token) depends on ONE
:class:`~veil.interfaces.api.auth.Require`, so ``route_permissions(router.routes)``
is the authorization table. Objects are looked up within the caller's tenant only:
another tenant's id answers 404, exactly like an id that does not exist.

Answers never hold a secret except where a secret is being issued (a session token,
a new API key, MFA enrollment, recovery codes), and then only once.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Literal, TextIO, cast

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.responses import Response, StreamingResponse

from veil.audit import Action, ExportFilter, export_rows
from veil.errors import AccessDeniedError
from veil.interfaces.api.auth import (
    Principal,
    authenticated,
    bearer_token,
    describe,
    require,
    session_only,
    staff_access,
    unauthenticated,
)
from veil.policy.access import Permission, Role
from veil.policy.auth_events import OK, AuthAction, StaffEvent
from veil.policy.staff import Account
from veil.policy.staff_keys import ApiKey

__all__ = ["admin_router"]

_P = Permission


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginBody(_Body):
    tenant: str = Field(min_length=1, max_length=255)
    username: str = Field(min_length=1, max_length=255)
    password: str = Field(min_length=1, max_length=1024)


class CodeBody(_Body):
    code: str = Field(min_length=1, max_length=64)


class PasswordBody(_Body):
    current: str = Field(min_length=1, max_length=1024)
    new: str = Field(min_length=1, max_length=1024)


class NewUserBody(_Body):
    username: str = Field(min_length=1, max_length=255)
    role: Role
    password: str | None = Field(default=None, min_length=1, max_length=1024)


class RoleBody(_Body):
    role: Role


class NewKeyBody(_Body):
    user_id: str = Field(min_length=1, max_length=64)


class BreakGlassBody(_Body):
    permissions: list[str] = Field(min_length=1, max_length=len(Permission))
    reason: str = Field(min_length=1, max_length=4000)
    minutes: int | None = Field(default=None, ge=1)


def _account(a: Account) -> dict[str, object]:
    return {
        "id": a.id,
        "username": a.username,
        "role": a.role.value,
        "is_service": a.is_service,
        "mfa_enrolled": a.mfa_enrolled,
        "disabled": a.disabled,
        "locked_until": a.locked_until,
        "created_at": a.created_at,
    }


def _key(k: ApiKey) -> dict[str, object]:
    return {
        "id": k.id,
        "user_id": k.user_id,
        "hint": k.hint,
        "created_at": k.created_at,
        "revoked_at": k.revoked_at,
    }


def _not_found() -> HTTPException:
    return HTTPException(404, "not found")


Users = Annotated[Principal, Depends(require(_P.USER_MANAGE))]
Auditor = Annotated[Principal, Depends(require(_P.AUDIT_READ))]
Own = Annotated[Principal, Depends(session_only())]
Anyone = Annotated[Principal, Depends(authenticated)]


def admin_router() -> APIRouter:
    """The ``/admin`` routes; see the module docstring."""
    router = APIRouter(prefix="/admin", tags=["admin"])
    _session_routes(router)
    _user_routes(router)
    _key_routes(router)
    _audit_routes(router)
    return router


def _session_routes(router: APIRouter) -> None:
    @router.post("/login")
    def login(body: LoginBody, request: Request) -> dict[str, object]:
        """Password login. With MFA enrolled the token is pending: send it to /mfa."""
        try:
            done = staff_access(request).staff.logins.login(
                body.tenant, body.username, body.password
            )
        except AccessDeniedError:
            raise unauthenticated() from None
        return {"token": done.token, "mfa_required": done.mfa_required, "user_id": done.user_id}

    @router.post("/mfa")
    def mfa(body: CodeBody, request: Request) -> dict[str, object]:
        """Complete a pending login (Bearer: the pending token) with a TOTP or
        recovery code; answers a new session token, the pending one is dead."""
        try:
            done = staff_access(request).staff.logins.complete_mfa(bearer_token(request), body.code)
        except AccessDeniedError:
            raise unauthenticated() from None
        return {"token": done.token, "mfa_required": False, "user_id": done.user_id}

    @router.post("/mfa/step-up")
    def step_up(body: CodeBody, principal: Own, request: Request) -> dict[str, object]:
        at = staff_access(request).staff.logins.step_up(principal, body.code)
        return {"mfa_at": at}

    @router.post("/mfa/enroll")
    def enroll(principal: Own, request: Request) -> dict[str, object]:
        staff = staff_access(request).staff
        user = staff.context.store.get_user(principal.tenant, principal.user_id)
        if user is None:
            raise _not_found()
        done = staff.mfa.enroll(user)
        return {"secret": done.secret, "uri": done.uri, "qr_svg": done.qr_svg}

    @router.post("/mfa/confirm")
    def confirm(body: CodeBody, principal: Own, request: Request) -> dict[str, object]:
        staff = staff_access(request).staff
        user = staff.context.store.get_user(principal.tenant, principal.user_id)
        if user is None:
            raise _not_found()
        return {"recovery_codes": staff.mfa.confirm(user, body.code)}

    @router.post("/logout", status_code=204)
    def logout(principal: Own, request: Request) -> Response:
        staff_access(request).staff.logins.logout(principal)
        return Response(status_code=204)

    @router.post("/password", status_code=204)
    def password(body: PasswordBody, principal: Own, request: Request) -> Response:
        """Change the caller's password; every session of theirs ends."""
        staff_access(request).staff.logins.change_password(principal, body.current, body.new)
        return Response(status_code=204)

    @router.get("/me")
    def me(principal: Anyone, request: Request) -> dict[str, object]:
        return describe(principal, staff_access(request).staff.context.now())


def _user_routes(router: APIRouter) -> None:
    @router.get("/users")
    def list_users(principal: Users, request: Request) -> dict[str, object]:
        accounts = staff_access(request).staff.accounts.list(principal.tenant)
        return {"users": [_account(a) for a in accounts]}

    @router.post("/users", status_code=201)
    def create_user(body: NewUserBody, principal: Users, request: Request) -> dict[str, object]:
        accounts = staff_access(request).staff.accounts
        made = accounts.create(principal, principal.tenant, body.username, body.role, body.password)
        return _account(made)

    @router.get("/users/{user_id}")
    def get_user(user_id: str, principal: Users, request: Request) -> dict[str, object]:
        found = staff_access(request).staff.accounts.get(principal.tenant, user_id)
        if found is None:
            raise _not_found()
        return _account(found)

    @router.put("/users/{user_id}/role")
    def change_role(
        user_id: str, body: RoleBody, principal: Users, request: Request
    ) -> dict[str, object]:
        accounts = staff_access(request).staff.accounts
        changed = accounts.change_role(principal, principal.tenant, user_id, body.role)
        if changed is None:
            raise _not_found()
        return _account(changed)

    @router.post("/users/{user_id}/disable", status_code=204)
    def disable(user_id: str, principal: Users, request: Request) -> Response:
        if not staff_access(request).staff.accounts.disable(principal, principal.tenant, user_id):
            raise _not_found()
        return Response(status_code=204)

    @router.post("/users/{user_id}/mfa-reset", status_code=204)
    def reset_mfa(user_id: str, principal: Users, request: Request) -> Response:
        accounts = staff_access(request).staff.accounts
        if not accounts.reset_mfa(principal, principal.tenant, user_id):
            raise _not_found()
        return Response(status_code=204)


def _key_routes(router: APIRouter) -> None:
    @router.get("/api-keys")
    def list_keys(principal: Users, request: Request) -> dict[str, object]:
        keys = staff_access(request).staff.api_keys.list(principal.tenant)
        return {"api_keys": [_key(k) for k in keys]}

    @router.post("/api-keys", status_code=201)
    def create_key(body: NewKeyBody, principal: Users, request: Request) -> dict[str, object]:
        issued = staff_access(request).staff.api_keys.create(
            principal, principal.tenant, body.user_id
        )
        if issued is None:
            raise _not_found()
        return _key(issued.info) | {"key": issued.key}

    @router.delete("/api-keys/{key_id}", status_code=204)
    def revoke_key(key_id: str, principal: Users, request: Request) -> Response:
        keys = staff_access(request).staff.api_keys
        if not keys.revoke(principal, principal.tenant, key_id):
            raise _not_found()
        return Response(status_code=204)

    @router.post("/break-glass", status_code=201)
    def break_glass(
        body: BreakGlassBody,
        principal: Annotated[Principal, Depends(require(_P.BREAK_GLASS))],
        request: Request,
    ) -> dict[str, object]:
        """Temporary extra permissions with a stated reason; alerts the privacy officer."""
        grant = staff_access(request).staff.break_glass.request(
            principal, body.permissions, body.reason, minutes=body.minutes
        )
        return {
            "id": grant.id,
            "permissions": sorted(p.value for p in grant.permissions),
            "expires_at": grant.expires_at,
        }

    @router.get("/break-glass")
    def list_grants(principal: Auditor, request: Request) -> dict[str, object]:
        """Recent break-glass grants with their reasons, for review."""
        staff = staff_access(request).staff
        grants = staff.break_glass.list(principal.tenant)
        _audited_read(request, principal, "break_glass", len(grants))
        return {
            "grants": [
                {
                    "id": g.id,
                    "user_id": g.user_id,
                    "permissions": sorted(p.value for p in g.permissions),
                    "created_at": g.created_at,
                    "expires_at": g.expires_at,
                    "reason": g.reason,
                }
                for g in grants
            ]
        }


def _audited_read(request: Request, principal: Principal, what: str, rows: int) -> None:
    event = StaffEvent(
        AuthAction.AUDIT_READ,
        OK,
        principal.user_id,
        principal.role.value,
        principal.tenant,
        what,
        {"rows": rows},
    )
    staff_access(request).staff.context.audit.record(event)


def _audit_routes(router: APIRouter) -> None:
    @router.get("/audit")
    def read_audit(
        principal: Auditor,
        request: Request,
        action: Annotated[list[Action] | None, Query()] = None,
        actor: Annotated[str | None, Query(max_length=255)] = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after_seq: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, object]:
        """The caller's tenant's audit rows in ``seq`` order (page with ``after_seq``)."""
        rows = staff_access(request).trail.query(
            tenant=principal.tenant,
            actions=action,
            actor=actor,
            since=since,
            until=until,
            after_seq=after_seq,
            limit=limit,
        )
        _audited_read(request, principal, "audit", len(rows))
        return {"rows": [r.as_dict() for r in rows]}

    @router.get("/audit/export")
    def export_audit(
        principal: Auditor,
        request: Request,
        format: Literal["jsonl", "csv"] = "jsonl",
        action: Annotated[list[Action] | None, Query()] = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Response:
        """Every matching row of the caller's tenant as JSON Lines or CSV."""
        where = ExportFilter(tenant=principal.tenant, actions=action, since=since, until=until)
        # A temporary file, not memory: exports can be long. _drain closes it.
        spool = cast(TextIO, tempfile.TemporaryFile("w+", encoding="utf-8"))  # noqa: SIM115
        try:
            count = export_rows(staff_access(request).trail, spool, format, where)
            _audited_read(request, principal, f"audit_export:{format}", count)
            spool.seek(0)
        except BaseException:
            spool.close()
            raise
        media = "application/x-ndjson" if format == "jsonl" else "text/csv"
        headers = {"content-disposition": f'attachment; filename="audit.{format}"'}
        return StreamingResponse(_drain(spool), media_type=media, headers=headers)


def _drain(spool: TextIO) -> Iterator[str]:
    try:
        while chunk := spool.read(64 << 10):
            yield chunk
    finally:
        spool.close()
