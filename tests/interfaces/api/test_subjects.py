"""Staff routes about data subjects: the authorization matrix from the route table,
masked and unmasked transcripts, consents, and a DSAR from opening to erasure."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient
from starlette.responses import JSONResponse, Response

from veil.audit import Action, AuditTrail
from veil.errors import VeilError
from veil.interfaces.api.auth import StaffAccess, install_staff, route_permissions, staff_from_vault
from veil.interfaces.api.errors import problem_response
from veil.interfaces.api.services import build_gate
from veil.interfaces.api.subjects import SubjectServices, subjects_router
from veil.pipeline import Analyzer, Veil
from veil.pipeline.rights import DataSubjectRequests
from veil.pipeline.rights_export import SubjectExporter, TrailAccesses
from veil.pipeline.transcripts import Transcripts
from veil.policy import Role
from veil.policy.access import PERMISSIONS, STEP_UP
from veil.policy.passwords import Passwords
from veil.testing import canary_email

PASSWORD = "correct horse battery"
ROUTER = subjects_router()
TABLE = route_permissions(ROUTER.routes)


class Clock:
    now = datetime(2030, 1, 1, 12, 0, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class World:
    def __init__(self, root: Path) -> None:
        self.clock = Clock()
        self.veil = Veil.embedded(root, analyzer=Analyzer.from_settings())
        trail = self.veil.audit
        assert trail is not None
        self.trail: AuditTrail = trail
        self.staff = staff_from_vault(
            self.veil.vault, trail, clock=self.clock,
            passwords=Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)),
        )  # fmt: skip
        gate = build_gate(None, self.veil)
        exporter = SubjectExporter(
            self.veil.vault, consents=gate.consents, accesses=TrailAccesses(trail)
        )
        requests = DataSubjectRequests(
            self.veil.vault, audit=trail, exporter=exporter, restrictor=gate.consents
        )
        app = FastAPI()
        app.include_router(ROUTER)
        install_staff(app, StaffAccess(self.staff, trail))
        app.state.subjects = SubjectServices(
            self.veil, Transcripts(self.veil), gate.consents, gate.policy, requests
        )

        async def veil_error(request: Request, exc: Exception) -> Response:
            return problem_response(exc)

        async def invalid(request: Request, exc: Exception) -> Response:
            return JSONResponse({"error": "invalid"}, status_code=422)

        app.add_exception_handler(VeilError, veil_error)
        app.add_exception_handler(RequestValidationError, invalid)
        self.client = TestClient(app)
        self.serial = 0

    def login(self, tenant: str, role: Role, *, mfa: bool = False) -> dict[str, str]:
        self.serial += 1
        name = f"user{self.serial}"
        if role is Role.SERVICE:
            uid = self.staff.accounts.create(None, tenant, name, role, None).id
            issued = self.staff.api_keys.create(None, tenant, uid)
            assert issued is not None
            return {"authorization": f"Bearer {issued.key}"}
        uid = self.staff.accounts.create(None, tenant, name, role, PASSWORD).id
        token = self.staff.logins.login(tenant, name, PASSWORD).token
        headers = {"authorization": f"Bearer {token}"}
        if mfa:
            store, codes = self.staff.context.store, self.staff.mfa
            user = store.get_user(tenant, uid)
            assert user is not None
            secret = base64.b32decode(codes.enroll(user).secret)
            spec = codes.spec
            user = store.get_user(tenant, uid)
            assert user is not None
            codes.confirm(user, spec.code(secret, spec.step(self.clock.now)))
            step = spec.code(secret, spec.step(self.clock.now) + 1)
            principal = self.staff.authorizer.authenticate(token, record="test")
            self.staff.logins.step_up(principal, step)
        return headers


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    found = World(tmp_path)
    yield found
    found.veil.close()


def _path(path: str) -> str:
    return (
        path.replace("{conversation}", "c-1")
        .replace("{subject}", "s-1")
        .replace("{request_id}", "0" * 32)
    )


_BODIES = {
    "/v1/conversations/{conversation}/transcript/unmask": {"purpose": "complaint"},
    "/v1/subjects/{subject}/consents": {"purpose": "analytics", "granted": False},
    "/v1/subjects/{subject}/restriction": {"restricted": False},
    "/v1/dsar": {"subject": "s-1", "kind": "access"},
    "/v1/dsar/{request_id}/verify": {"method": "id_document"},
    "/v1/dsar/{request_id}/reject": {"reason": "duplicate"},
    "/v1/dsar/{request_id}/rectify": {
        "corrections": [{"conversation": "c-1", "token": "[EMAIL_1]", "value": "x@example.org"}]
    },
}


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_authorization_matrix_from_the_route_table(world: World, role: Role) -> None:
    assert len(TABLE) == 14
    headers = world.login("acme", role)
    for (method, path), requirement in TABLE.items():
        assert requirement is not None, path
        assert requirement.permission is not None, path
        before = len(world.trail.query(actions=[Action.ACCESS_DENIED], limit=100_000))
        reply = world.client.request(method, _path(path), headers=headers, json=_BODIES.get(path))
        allowed = requirement.permission in PERMISSIONS[role]
        denied = not allowed or requirement.permission in STEP_UP  # no step-up yet
        assert (reply.status_code == 403) == denied, (role, method, path, reply.status_code)
        after = len(world.trail.query(actions=[Action.ACCESS_DENIED], limit=100_000))
        assert after == before + (1 if denied else 0), (role, path)
    no_key = world.client.get(_path("/v1/subjects/{subject}/consents"))
    assert no_key.status_code == 401


def test_transcripts_masked_for_agents_unmasked_with_step_up(world: World) -> None:
    email = canary_email()
    world.veil.record_turn(
        conversation="c-1", subject="s-1", role="user", text=f"mail {email}", tenant="acme"
    )
    agent = world.login("acme", Role.AGENT)
    masked = world.client.get("/v1/conversations/c-1/transcript", headers=agent)
    assert masked.status_code == 200
    assert email not in masked.text
    assert "[EMAIL]" in masked.text
    officer = world.login("acme", Role.PRIVACY_OFFICER, mfa=True)
    path = "/v1/conversations/c-1/transcript/unmask"
    assert world.client.post(path, headers=officer, json={"purpose": "x y"}).status_code == 400
    clear = world.client.post(path, headers=officer, json={"purpose": "complaint"})
    assert clear.status_code == 200
    assert email in clear.text
    other = world.login("globex", Role.AGENT)  # another tenant sees nothing of acme's
    assert world.client.get("/v1/conversations/c-1/transcript", headers=other).json() == {
        "turns": []
    }
    (row,) = world.trail.query(actions=[Action.VALUE_UNMASK])
    assert row.purpose == "complaint"
    assert email not in str(row)


def test_dsar_access_then_erasure_then_410(world: World) -> None:
    mine, theirs = canary_email(), canary_email()
    world.veil.protect(f"mail {mine}", conversation="c-1", subject="s-1", tenant="acme")
    world.veil.record_turn(
        conversation="c-1", subject="s-1", role="user", text=f"mail {mine}", tenant="acme"
    )
    world.veil.record_turn(
        conversation="c-2", subject="s-2", role="user", text=f"mail {theirs}", tenant="acme"
    )
    officer = world.login("acme", Role.PRIVACY_OFFICER, mfa=True)
    opened = world.client.post(
        "/v1/dsar", headers=officer, json={"subject": "s-1", "kind": "access"}
    ).json()
    rid = opened["id"]
    early = world.client.post(f"/v1/dsar/{rid}/export", headers=officer)
    assert early.status_code == 403  # nothing runs before identity verification
    world.client.post(f"/v1/dsar/{rid}/verify", headers=officer, json={"method": "id_document"})
    export = world.client.post(f"/v1/dsar/{rid}/export", headers=officer)
    assert export.status_code == 200
    assert mine in export.text
    assert theirs not in export.text
    html = world.client.post(f"/v1/dsar/{rid}/export?format=html", headers=officer)
    assert html.status_code in (200, 403)  # a completed request may refuse a second export
    assert theirs not in html.text

    globex = world.login("globex", Role.PRIVACY_OFFICER)
    assert world.client.get(f"/v1/dsar/{rid}", headers=globex).status_code == 404

    erase = world.client.post(
        "/v1/dsar", headers=officer, json={"subject": "s-1", "kind": "erasure"}
    ).json()["id"]
    world.client.post(f"/v1/dsar/{erase}/verify", headers=officer, json={"method": "id_document"})
    done = world.client.post(f"/v1/dsar/{erase}/erase", headers=officer)
    assert done.status_code == 200
    assert done.json()["status"] == "completed"
    gone = world.client.get("/v1/subjects/s-1/consents", headers=officer)
    assert gone.status_code == 410
    assert world.veil.turns(conversation="c-1", tenant="acme") == []
    assert world.veil.turns(conversation="c-2", tenant="acme") == [("user", f"mail {theirs}")]


def test_rectification_replaces_the_value_behind_a_pseudonym(world: World) -> None:
    wrong, right = canary_email(), canary_email()
    sent = world.veil.protect(f"mail {wrong}", conversation="c-1", subject="s-1", tenant="acme")
    (token,) = [e.pseudonym for e in sent.token_map]
    officer = world.login("acme", Role.PRIVACY_OFFICER)
    rid = world.client.post(
        "/v1/dsar", headers=officer, json={"subject": "s-1", "kind": "rectification"}
    ).json()["id"]
    world.client.post(f"/v1/dsar/{rid}/verify", headers=officer, json={"method": "id_document"})
    fix = {"corrections": [{"conversation": "c-1", "token": token, "value": right}]}
    done = world.client.post(f"/v1/dsar/{rid}/rectify", headers=officer, json=fix)
    assert done.status_code == 200
    assert done.json()["status"] == "completed"
    assert world.veil.restore(sent.text, conversation="c-1", tenant="acme") == f"mail {right}"
    rows = world.trail.query(actions=[Action.SUBJECT_RECTIFY])
    assert rows
    assert right not in str([r.as_dict() for r in rows])
    assert wrong not in str([r.as_dict() for r in rows])


def test_overlong_or_malformed_ids_are_422_without_echo(world: World) -> None:
    officer = world.login("acme", Role.PRIVACY_OFFICER)
    long = "q" * 300
    for method, path in [
        ("GET", f"/v1/subjects/{long}/consents"),
        ("GET", f"/v1/conversations/{long}/transcript"),
        ("GET", "/v1/dsar/not-a-request-id"),
    ]:
        reply = world.client.request(method, path, headers=officer)
        assert reply.status_code == 422, path
        assert long not in reply.text
        assert "not-a-request-id" not in reply.text
