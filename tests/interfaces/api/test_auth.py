"""The reusable auth dependency: 401 vs 403, step-up, break-glass, route table."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import pytest
from argon2 import PasswordHasher
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.testclient import TestClient
from starlette.responses import Response

from veil.audit import Action, AuditTrail, Outcome
from veil.errors import VeilError
from veil.interfaces.api.auth import (
    Principal,
    Require,
    StaffAccess,
    TrailSink,
    audit_event,
    authenticated,
    install_staff,
    require,
    route_permissions,
    session_only,
    staff_from_vault,
)
from veil.interfaces.api.errors import problem_response
from veil.policy.access import Permission, Role
from veil.policy.auth_events import AuthAction, StaffEvent
from veil.policy.passwords import Passwords
from veil.vault import Vault

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, 12, 0, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


Unmask = Annotated[Principal, Depends(require(Permission.VALUE_UNMASK))]
Anyone = Annotated[Principal, Depends(authenticated)]


def nested(principal: Anyone) -> str:
    return principal.user_id


Who = Annotated[str, Depends(nested)]


def unmask_router() -> APIRouter:
    """How another router reuses the dependency (here: a step-up permission)."""
    router = APIRouter()

    @router.get("/values/{value_id}")
    def read(value_id: str, principal: Unmask) -> dict[str, str]:
        return {"value": value_id, "by": principal.user_id}

    @router.get("/nested")
    def via_nested(who: Who) -> dict[str, str]:
        return {"who": who}

    @router.get("/open")
    def open_route() -> dict[str, str]:
        return {"ok": "yes"}

    return router


class World:
    def __init__(self, tmp_path: Path) -> None:
        self.clock = Clock()
        self.vault = Vault.embedded(tmp_path / "vault")
        self.trail = AuditTrail.from_vault(self.vault, clock=self.clock)
        self.staff = staff_from_vault(
            self.vault,
            self.trail,
            passwords=Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)),
            clock=self.clock,
        )
        app = FastAPI()
        app.include_router(unmask_router())
        install_staff(app, StaffAccess(self.staff, self.trail))

        async def veil_error(request: Request, exc: Exception) -> Response:
            return problem_response(exc)

        app.add_exception_handler(VeilError, veil_error)
        self.client = TestClient(app)

    def login(self, role: Role, name: str) -> tuple[str, str]:
        uid = self.staff.accounts.create(None, "t1", name, role, PASSWORD).id
        return uid, self.staff.logins.login("t1", name, PASSWORD).token


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    made = World(tmp_path)
    yield made
    made.client.close()
    made.vault.store.engine.dispose()
    made.vault.ledger.engine.dispose()


def test_route_permissions_reads_the_dependency_tree() -> None:
    table = route_permissions(unmask_router().routes)
    found = table[("GET", "/values/{value_id}")]
    assert isinstance(found, Require)
    assert found.permission is Permission.VALUE_UNMASK
    assert table[("GET", "/nested")] is authenticated
    assert table[("GET", "/open")] is None
    assert session_only().sessions_only
    assert not require(Permission.CHAT).sessions_only


def test_step_up_over_http(world: World) -> None:
    uid, _ = world.login(Role.SUPERVISOR, "sam")
    store, mfa = world.staff.context.store, world.staff.mfa
    user = store.get_user("t1", uid)
    assert user is not None
    secret = base64.b32decode(mfa.enroll(user).secret)
    step = mfa.spec.step(world.clock.now)
    again = store.get_user("t1", uid)
    assert again is not None
    mfa.confirm(again, mfa.spec.code(secret, step))
    world.clock.now += timedelta(seconds=30)
    pending = world.staff.logins.login("t1", "sam", PASSWORD).token
    token = world.staff.logins.complete_mfa(pending, mfa.spec.code(secret, step + 1)).token
    auth = {"authorization": f"Bearer {token}"}
    assert world.client.get("/values/v1", headers=auth).json() == {"value": "v1", "by": uid}
    world.clock.now += timedelta(minutes=6)
    stale = world.client.get("/values/v1", headers=auth)
    assert stale.status_code == 403
    assert "v1" not in stale.text
    [row] = world.trail.query(actions=[Action.ACCESS_DENIED])
    assert (row.record, row.detail["reason"]) == ("GET /values/{value_id}", "step_up")


def test_break_glass_lifts_a_role_for_a_while(world: World) -> None:
    uid, token = world.login(Role.AGENT, "ann")
    auth = {"authorization": f"Bearer {token}"}
    assert world.client.get("/nested", headers=auth).json() == {"who": uid}
    principal = world.staff.authorizer.authenticate(token)
    world.staff.break_glass.request(principal, ["value.unmask"], "fraud in progress")
    assert world.client.get("/values/v1", headers=auth).status_code == 403  # step-up


def test_401_for_missing_credentials(world: World) -> None:
    answer = world.client.get("/nested")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert world.client.get("/open").status_code == 200


def test_unconfigured_app_refuses(tmp_path: Path) -> None:
    app = FastAPI()
    app.include_router(unmask_router())

    async def veil_error(request: Request, exc: Exception) -> Response:
        return problem_response(exc)

    app.add_exception_handler(VeilError, veil_error)
    with TestClient(app) as client:
        assert client.get("/nested").status_code == 403


def test_trail_sink_maps_events(world: World) -> None:
    event = StaffEvent(
        AuthAction.BREAK_GLASS, "ok", "u_1", "agent", "t1", "grant:bg_1", {"n": 1}, True
    )
    mapped = audit_event(event)
    assert (mapped.action, mapped.outcome, mapped.subject) == (
        Action.BREAK_GLASS,
        Outcome.OK,
        None,
    )
    assert mapped.highlight
    assert dict(mapped.detail) == {"n": 1}
    TrailSink(world.trail).record(event)
    [row] = world.trail.query(actions=[Action.BREAK_GLASS])
    assert row.record == "grant:bg_1"
    assert row.highlight
