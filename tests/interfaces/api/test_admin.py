"""The admin API. The authorization matrix is GENERATED from the router's route table:
every role x route x object (own tenant / other tenant) gets the status the role
table predicts, and every denial leaves an audit row."""

from __future__ import annotations

import base64
import csv
import io
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient
from starlette.responses import JSONResponse, Response

from veil.audit import Action, AuditTrail, Outcome
from veil.errors import VeilError
from veil.interfaces.api.admin import admin_router
from veil.interfaces.api.auth import (
    Require,
    StaffAccess,
    install_staff,
    route_permissions,
    staff_from_vault,
)
from veil.interfaces.api.errors import problem_response
from veil.policy.access import STEP_UP, Permission, Role, allows
from veil.policy.passwords import Passwords
from veil.policy.sessions import Principal
from veil.policy.staff import Staff
from veil.storage import checkpoint
from veil.vault import Vault

PASSWORD = "correct horse battery"
OWN, OTHER = "acme", "globex"
ROUTER = admin_router()
TABLE = route_permissions(ROUTER.routes)
PUBLIC = {("POST", "/admin/login"), ("POST", "/admin/mfa")}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, 12, 0, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def make_app(staff: Staff, trail: AuditTrail) -> FastAPI:
    """An app like the gateway: the router, the error table, no echoing 422s."""
    app = FastAPI()
    app.include_router(ROUTER)
    install_staff(app, StaffAccess(staff, trail))

    async def veil_error(request: Request, exc: Exception) -> Response:
        return problem_response(exc)

    async def invalid(request: Request, exc: Exception) -> Response:
        return JSONResponse({"error": {"code": "invalid_request"}}, status_code=422)

    app.add_exception_handler(VeilError, veil_error)
    app.add_exception_handler(RequestValidationError, invalid)
    return app


class World:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.clock = Clock()
        self.vault = Vault.embedded(root / "vault")
        self.trail = AuditTrail.from_vault(self.vault, clock=self.clock)
        self.alerts: list[tuple[str, str, str]] = []
        self.staff = staff_from_vault(
            self.vault,
            self.trail,
            passwords=Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)),
            clock=self.clock,
            notifier=self,
        )
        self.client = TestClient(make_app(self.staff, self.trail))
        self.serial = 0

    def notify(self, tenant: str, kind: str, message: str) -> None:
        self.alerts.append((tenant, kind, message))

    def name(self) -> str:
        self.serial += 1
        return f"user{self.serial}"

    def account(self, tenant: str, role: Role) -> str:
        password = None if role is Role.SERVICE else PASSWORD
        return self.staff.accounts.create(None, tenant, self.name(), role, password).id

    def caller(self, role: Role) -> Caller:
        uid = self.account(OWN, role)
        if role is Role.SERVICE:
            issued = self.staff.api_keys.create(None, OWN, uid)
            assert issued is not None
            return Caller(uid, role, issued.key)
        user = self.staff.context.store.get_user(OWN, uid)
        assert user is not None
        token = self.staff.logins.login(OWN, user.username, PASSWORD).token
        return Caller(uid, role, token)

    def enroll(self, uid: str, *, confirm: bool) -> bytes:
        store, mfa = self.staff.context.store, self.staff.mfa
        user = store.get_user(OWN, uid)
        assert user is not None
        secret = base64.b32decode(mfa.enroll(user).secret)
        if confirm:
            again = store.get_user(OWN, uid)
            assert again is not None
            mfa.confirm(again, self.code(secret))
        return secret

    def code(self, secret: bytes, offset: int = 0) -> str:
        spec = self.staff.mfa.spec
        return spec.code(secret, spec.step(self.clock.now) + offset)

    def last_seq(self) -> int:
        rows = self.trail.query(after_seq=0, limit=1_000_000)
        return rows[-1].seq if rows else 0


@dataclass
class Caller:
    user_id: str
    role: Role
    credential: str
    headers: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.headers = {"authorization": f"Bearer {self.credential}"}


@dataclass
class Call:
    """How to exercise one route: the concrete path, JSON body, success status and
    a check of the answer (listings must hold own objects and never the other's)."""

    path: str
    body: dict[str, Any] | None = None
    status: int = 200
    check: Callable[[str], bool] | None = None


# What "object" means per route: "self" routes act on the caller only; "object"
# routes name an object by id (another tenant's answers 404); "listing" routes
# answer the caller's tenant only (another tenant's object must not appear).
Prepare = Callable[[World, Caller, str], Call]


def _listing(make: Callable[[World, str], str], path: str) -> Prepare:
    def prepare(world: World, caller: Caller, tenant: str) -> Call:
        made = make(world, tenant)
        return Call(path, check=lambda text: (made in text) == (tenant == OWN))

    return prepare


def _service_key(world: World, tenant: str) -> str:
    issued = world.staff.api_keys.create(None, tenant, world.account(tenant, Role.SERVICE))
    assert issued is not None
    return issued.info.id


def _grant(world: World, tenant: str) -> str:
    uid = world.account(tenant, Role.AGENT)
    agent = Principal(uid, tenant, Role.AGENT, False, None)
    return world.staff.break_glass.request(agent, ["subject.export"], "matrix").id


def _step_up(world: World, caller: Caller, tenant: str) -> Call:
    code = "123456"
    if caller.role is not Role.SERVICE:
        secret = world.enroll(caller.user_id, confirm=True)
        code = world.code(secret, offset=1)  # the confirmation used the current step
    return Call("/admin/mfa/step-up", {"code": code})


def _confirm(world: World, caller: Caller, tenant: str) -> Call:
    code = "123456"
    if caller.role is not Role.SERVICE:
        code = world.code(world.enroll(caller.user_id, confirm=False))
    return Call("/admin/mfa/confirm", {"code": code})


def _audit(path: str) -> Prepare:
    """The trail is read per tenant: the other tenant's fresh row never shows."""

    def prepare(world: World, caller: Caller, tenant: str) -> Call:
        world.account(tenant, Role.AGENT)  # writes an audit row in ``tenant``
        return Call(path, check=lambda text: OTHER not in text and OWN in text)

    return prepare


SELF: dict[tuple[str, str], Prepare] = {
    ("POST", "/admin/mfa/step-up"): _step_up,
    ("POST", "/admin/mfa/enroll"): lambda w, c, t: Call("/admin/mfa/enroll"),
    ("POST", "/admin/mfa/confirm"): _confirm,
    ("POST", "/admin/logout"): lambda w, c, t: Call("/admin/logout", status=204),
    ("POST", "/admin/password"): lambda w, c, t: Call(
        "/admin/password", {"current": PASSWORD, "new": "a brand new password"}, 204
    ),
    ("GET", "/admin/me"): lambda w, c, t: Call("/admin/me", check=lambda s: c.user_id in s),
    ("POST", "/admin/users"): lambda w, c, t: Call(
        "/admin/users", {"username": w.name(), "role": "agent", "password": PASSWORD}, 201
    ),
    ("POST", "/admin/break-glass"): lambda w, c, t: Call(
        "/admin/break-glass", {"permissions": ["subject.export"], "reason": "matrix"}, 201
    ),
}
OBJECT: dict[tuple[str, str], Prepare] = {
    ("GET", "/admin/users/{user_id}"): lambda w, c, t: Call(
        f"/admin/users/{w.account(t, Role.AGENT)}"
    ),
    ("PUT", "/admin/users/{user_id}/role"): lambda w, c, t: Call(
        f"/admin/users/{w.account(t, Role.AGENT)}/role", {"role": "analyst"}
    ),
    ("POST", "/admin/users/{user_id}/disable"): lambda w, c, t: Call(
        f"/admin/users/{w.account(t, Role.AGENT)}/disable", status=204
    ),
    ("POST", "/admin/users/{user_id}/mfa-reset"): lambda w, c, t: Call(
        f"/admin/users/{w.account(t, Role.AGENT)}/mfa-reset", status=204
    ),
    ("POST", "/admin/api-keys"): lambda w, c, t: Call(
        "/admin/api-keys", {"user_id": w.account(t, Role.SERVICE)}, 201
    ),
    ("DELETE", "/admin/api-keys/{key_id}"): lambda w, c, t: Call(
        f"/admin/api-keys/{_service_key(w, t)}", status=204
    ),
}
LISTING: dict[tuple[str, str], Prepare] = {
    ("GET", "/admin/users"): _listing(lambda w, t: w.account(t, Role.AGENT), "/admin/users"),
    ("GET", "/admin/api-keys"): _listing(_service_key, "/admin/api-keys"),
    ("GET", "/admin/break-glass"): _listing(_grant, "/admin/break-glass"),
    ("GET", "/admin/audit"): _audit("/admin/audit?limit=1000"),
    ("GET", "/admin/audit/export"): _audit("/admin/audit/export?format=csv"),
}


def _cases() -> list[tuple[str, str, Role, str]]:
    cases = []
    for method, path in sorted(TABLE):
        if (method, path) in PUBLIC:
            continue
        objects = ["own"] if (method, path) in SELF else ["own", "other"]
        cases += [(method, path, role, obj) for role in Role for obj in objects]
    return cases


def _expected(requirement: Require, role: Role, obj: str, key: tuple[str, str], ok: int) -> int:
    if requirement.sessions_only and role is Role.SERVICE:
        return 403
    permission = requirement.permission
    if permission is not None and (not allows(role, permission) or permission in STEP_UP):
        return 403  # the matrix callers have no fresh MFA
    if obj == "other" and key in OBJECT:
        return 404
    return ok


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    made = World(tmp_path_factory.mktemp("admin"))
    yield made
    made.client.close()
    made.vault.store.engine.dispose()
    made.vault.ledger.engine.dispose()


def test_every_route_is_in_the_matrix() -> None:
    protected = {k for k, v in TABLE.items() if v is not None}
    assert set(TABLE) - protected == PUBLIC  # only login and the MFA step are open
    assert protected == set(SELF) | set(OBJECT) | set(LISTING)
    assert not set(SELF) & set(OBJECT)
    assert not set(OBJECT) & set(LISTING)


def test_the_declared_permissions() -> None:
    """Pinned, so that loosening a route's permission is a visible change."""
    users, audit = Permission.USER_MANAGE, Permission.AUDIT_READ
    declared = {k: v.permission for k, v in TABLE.items() if v is not None and v.permission}
    assert declared == {
        ("GET", "/admin/users"): users,
        ("POST", "/admin/users"): users,
        ("GET", "/admin/users/{user_id}"): users,
        ("PUT", "/admin/users/{user_id}/role"): users,
        ("POST", "/admin/users/{user_id}/disable"): users,
        ("POST", "/admin/users/{user_id}/mfa-reset"): users,
        ("GET", "/admin/api-keys"): users,
        ("POST", "/admin/api-keys"): users,
        ("DELETE", "/admin/api-keys/{key_id}"): users,
        ("POST", "/admin/break-glass"): Permission.BREAK_GLASS,
        ("GET", "/admin/break-glass"): audit,
        ("GET", "/admin/audit"): audit,
        ("GET", "/admin/audit/export"): audit,
    }
    sessions = {k for k, v in TABLE.items() if v is not None and v.sessions_only}
    assert sessions == {
        ("POST", "/admin/mfa/step-up"),
        ("POST", "/admin/mfa/enroll"),
        ("POST", "/admin/mfa/confirm"),
        ("POST", "/admin/logout"),
        ("POST", "/admin/password"),
    }


@pytest.mark.parametrize(
    ("method", "path", "role", "obj"),
    _cases(),
    ids=[f"{r.value}-{m}-{p}-{o}" for m, p, r, o in _cases()],
)
def test_authorization_matrix(world: World, method: str, path: str, role: Role, obj: str) -> None:
    key = (method, path)
    requirement = TABLE[key]
    assert requirement is not None
    caller = world.caller(role)
    tenant = OWN if obj == "own" else OTHER
    call = (SELF | OBJECT | LISTING)[key](world, caller, tenant)
    expected = _expected(requirement, role, obj, key, call.status)
    before = world.last_seq()
    answer = world.client.request(method, call.path, json=call.body, headers=caller.headers)
    assert answer.status_code == expected, answer.text[:300]
    denials = [
        r
        for r in world.trail.query(actions=[Action.ACCESS_DENIED], after_seq=before)
        if r.actor == caller.user_id
    ]
    if expected == 403:
        assert len(denials) == 1
        assert denials[0].record == f"{method} {path}"
        assert denials[0].tenant == OWN
        assert denials[0].outcome is Outcome.DENIED
    else:
        assert denials == []
    if expected < 300 and call.check is not None:
        assert call.check(answer.text), answer.text[:300]


def _stepped_up(world: World, caller: Caller) -> Caller:
    """``caller`` after MFA enrollment and a fresh step-up (user management needs it)."""
    secret = world.enroll(caller.user_id, confirm=True)
    principal = world.staff.authorizer.authenticate(caller.credential, record="test")
    world.staff.logins.step_up(principal, world.code(secret, offset=1))
    return caller


def test_user_management_needs_a_fresh_mfa_step_up(world: World) -> None:
    admin = world.caller(Role.ADMIN)
    listed = world.client.get("/admin/users", headers=admin.headers)
    assert listed.status_code == 403
    _stepped_up(world, admin)
    assert world.client.get("/admin/users", headers=admin.headers).status_code == 200


def test_other_tenant_objects_are_unchanged(world: World) -> None:
    victim = world.account(OTHER, Role.AGENT)
    admin = _stepped_up(world, world.caller(Role.ADMIN))
    for method, path, body in [
        ("PUT", f"/admin/users/{victim}/role", {"role": "admin"}),
        ("POST", f"/admin/users/{victim}/disable", None),
    ]:
        assert (
            world.client.request(method, path, json=body, headers=admin.headers).status_code == 404
        )
    account = world.staff.accounts.get(OTHER, victim)
    assert account is not None
    assert account.role is Role.AGENT
    assert not account.disabled


def test_unauthenticated_requests_get_401_and_are_audited(world: World) -> None:
    before = world.last_seq()
    for headers in ({}, {"authorization": "Bearer nonsense"}, {"authorization": "Basic xyz"}):
        answer = world.client.get("/admin/me", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"
    rows = world.trail.query(actions=[Action.ACCESS_DENIED], after_seq=before)
    assert [r.detail["reason"] for r in rows] == [
        "no_credential",
        "unknown_credential",
        "no_credential",
    ]
    assert all(r.record == "GET /admin/me" for r in rows)


def test_login_mfa_me_logout(world: World) -> None:
    uid = world.account(OWN, Role.SUPERVISOR)
    name = world.staff.accounts.get(OWN, uid).username  # type: ignore[union-attr]
    secret = world.enroll(uid, confirm=True)
    world.clock.now += timedelta(seconds=30)
    body = {"tenant": OWN, "username": name, "password": PASSWORD}
    assert world.client.post("/admin/login", json=body | {"password": "nope"}).status_code == 401
    pending = world.client.post("/admin/login", json=body).json()
    assert pending["mfa_required"] is True
    pending_auth = {"authorization": f"Bearer {pending['token']}"}
    assert world.client.get("/admin/me", headers=pending_auth).status_code == 401
    wrong = world.client.post("/admin/mfa", json={"code": "000000"}, headers=pending_auth)
    assert wrong.status_code == 401
    done = world.client.post("/admin/mfa", json={"code": world.code(secret)}, headers=pending_auth)
    assert done.status_code == 200
    assert done.json()["token"] != pending["token"]
    auth = {"authorization": f"Bearer {done.json()['token']}"}
    me = world.client.get("/admin/me", headers=auth).json()
    assert me["user_id"] == uid
    assert me["role"] == "supervisor"
    assert me["mfa_at"] is not None
    assert "value.unmask" in me["permissions"]
    assert world.client.post("/admin/logout", headers=auth).status_code == 204
    assert world.client.get("/admin/me", headers=auth).status_code == 401
    world.clock.now += timedelta(seconds=30)


def test_api_key_is_shown_once_and_hashed(world: World) -> None:
    admin = _stepped_up(world, world.caller(Role.ADMIN))
    robot = world.account(OWN, Role.SERVICE)
    made = world.client.post("/admin/api-keys", json={"user_id": robot}, headers=admin.headers)
    key = made.json()["key"]
    assert key.startswith("veil_sk_")
    listed = world.client.get("/admin/api-keys", headers=admin.headers).text
    assert key not in listed
    assert made.json()["id"] in listed
    me = world.client.get("/admin/me", headers={"authorization": f"Bearer {key}"}).json()
    assert me["is_service"] is True
    assert me["user_id"] == robot
    checkpoint(world.vault.store.engine)
    for path in (world.root / "vault").iterdir():
        assert key.encode() not in path.read_bytes()
        assert key[8:].encode() not in path.read_bytes()


def test_break_glass_alerts_and_is_highlighted(world: World) -> None:
    agent = world.caller(Role.AGENT)
    body = {"permissions": ["subject.export"], "reason": "urgent ticket", "minutes": 10}
    made = world.client.post("/admin/break-glass", json=body, headers=agent.headers)
    assert made.status_code == 201
    tenant, kind, message = world.alerts[-1]
    assert (tenant, kind, json.loads(message)["grant"]) == (OWN, "break_glass", made.json()["id"])
    me = world.client.get("/admin/me", headers=agent.headers).json()
    assert me["break_glass"] == ["subject.export"]
    [row] = [
        r
        for r in world.trail.query(actions=[Action.BREAK_GLASS], limit=10_000)
        if r.actor == agent.user_id
    ]
    assert row.highlight
    refused = world.client.post(
        "/admin/break-glass", json=body | {"reason": " "}, headers=agent.headers
    )
    assert refused.status_code == 400


def test_audit_read_and_export(world: World) -> None:
    auditor = world.caller(Role.PRIVACY_OFFICER)
    rows = world.client.get("/admin/audit?action=auth.login", headers=auditor.headers).json()
    assert rows["rows"]
    assert {r["action"] for r in rows["rows"]} == {"auth.login"}
    assert {r["tenant"] for r in rows["rows"]} == {OWN}
    lines = world.client.get("/admin/audit/export", headers=auditor.headers)
    assert lines.headers["content-type"].startswith("application/x-ndjson")
    parsed = [json.loads(line) for line in lines.text.splitlines()]
    assert parsed
    assert {p["tenant"] for p in parsed} == {OWN}
    table = world.client.get("/admin/audit/export?format=csv", headers=auditor.headers)
    reader = list(csv.DictReader(io.StringIO(table.text)))
    assert reader
    assert reader[0]["seq"]
    assert {r["tenant"] for r in reader} == {OWN}
    reads = world.trail.query(actions=[Action.AUDIT_READ], actor=auditor.user_id)
    assert [r.record for r in reads] == ["audit", "audit_export:jsonl", "audit_export:csv"]
    assert (
        world.client.get("/admin/audit/export?format=xml", headers=auditor.headers).status_code
        == 422
    )


def test_validation_errors_do_not_echo_secrets(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "my very secret password"
    with caplog.at_level(logging.DEBUG):
        answer = world.client.post(
            "/admin/login", json={"tenant": OWN, "username": "x", "password": secret, "extra": 1}
        )
    assert answer.status_code == 422
    assert secret not in answer.text
    assert secret not in caplog.text
