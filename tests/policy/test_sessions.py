"""Sessions and authorization: timeouts on an injected clock, kills, step-up."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from veil.audit import Action
from veil.errors import AccessDeniedError, InputError
from veil.policy.access import Permission, Role
from veil.policy.sessions import Principal

from .conftest import PASSWORD, StaffWorld  # noqa: TID252


class World(StaffWorld):
    def account(self, role: Role = Role.AGENT, name: str = "alice", tenant: str = "t1") -> str:
        password = None if role is Role.SERVICE else PASSWORD
        return self.staff.accounts.create(None, tenant, name, role, password).id

    def login(self, name: str = "alice", tenant: str = "t1") -> str:
        return self.staff.logins.login(tenant, name, PASSWORD).token

    def enroll(self, uid: str, tenant: str = "t1") -> bytes:
        store, mfa = self.staff.context.store, self.staff.mfa
        user = store.get_user(tenant, uid)
        assert user is not None
        secret = base64.b32decode(mfa.enroll(user).secret)
        confirmed = store.get_user(tenant, uid)
        assert confirmed is not None
        mfa.confirm(confirmed, self.code(secret))
        self.clock.now += timedelta(seconds=30)
        return secret

    def code(self, secret: bytes) -> str:
        spec = self.staff.mfa.spec
        return spec.code(secret, spec.step(self.clock.now))

    def denials(self) -> list[tuple[str, object]]:
        rows = self.trail.query(actions=[Action.ACCESS_DENIED])
        return [(r.actor, r.detail.get("reason")) for r in rows]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    made = World(tmp_path)
    yield made
    made.vault.store.engine.dispose()
    made.vault.ledger.engine.dispose()


def test_idle_timeout(world: World) -> None:
    world.account()
    token = world.login()
    idle = world.staff.context.settings.idle_timeout
    for _ in range(4):  # activity keeps the session alive well past one idle period
        world.clock.now += idle - timedelta(seconds=1)
        world.staff.authorizer.authenticate(token)
    world.clock.now += idle + timedelta(seconds=1)
    with pytest.raises(AccessDeniedError):
        world.staff.authorizer.authenticate(token)
    assert world.denials()[-1][1] == "expired"
    with pytest.raises(AccessDeniedError):  # and it is gone, not just refused once
        world.staff.authorizer.authenticate(token)
    assert world.denials()[-1] == ("anonymous", "unknown_credential")


def test_absolute_timeout(world: World) -> None:
    world.account()
    token = world.login()
    settings = world.staff.context.settings
    elapsed = timedelta(0)
    while elapsed + timedelta(minutes=20) < settings.absolute_timeout:
        world.clock.now += timedelta(minutes=20)
        elapsed += timedelta(minutes=20)
        world.staff.authorizer.authenticate(token)
    world.clock.now += settings.absolute_timeout - elapsed  # exactly the limit: still valid
    world.staff.authorizer.authenticate(token)
    world.clock.now += timedelta(seconds=1)
    with pytest.raises(AccessDeniedError):
        world.staff.authorizer.authenticate(token)


@pytest.mark.parametrize("change", ["logout", "role", "mfa_reset", "disable", "password"])
def test_changes_kill_sessions(world: World, change: str) -> None:
    uid = world.account()
    token = world.login()
    principal = world.staff.authorizer.authenticate(token)
    accounts = world.staff.accounts
    if change == "logout":
        world.staff.logins.logout(principal)
    elif change == "role":
        assert accounts.change_role(None, "t1", uid, Role.SUPERVISOR) is not None
    elif change == "mfa_reset":
        world.enroll(uid)
        assert accounts.reset_mfa(None, "t1", uid)
        user = world.staff.context.store.get_user("t1", uid)
        assert user is not None
        assert user.totp_secret is None
        assert user.mfa_enrolled_at is None
    elif change == "disable":
        assert accounts.disable(None, "t1", uid)
    else:
        world.staff.logins.change_password(principal, PASSWORD, "another long password")
    with pytest.raises(AccessDeniedError):
        world.staff.authorizer.authenticate(token)


def test_logout_is_audited_and_api_keys_cannot_log_out(world: World) -> None:
    uid = world.account()
    world.staff.logins.logout(world.staff.authorizer.authenticate(world.login()))
    [row] = world.trail.query(actions=[Action.AUTH_LOGOUT])
    assert row.actor == uid
    assert row.tenant == "t1"
    robot = world.account(Role.SERVICE, "robot")
    issued = world.staff.api_keys.create(None, "t1", robot)
    assert issued is not None
    with pytest.raises(InputError):
        world.staff.logins.logout(world.staff.authorizer.authenticate(issued.key))


def test_authorize_uses_the_role_table_and_audits_denials(world: World) -> None:
    uid = world.account(Role.ANALYST)
    principal = world.staff.authorizer.authenticate(world.login())
    world.staff.authorizer.authorize(principal, Permission.ANALYTICS_RUN)
    with pytest.raises(AccessDeniedError):
        world.staff.authorizer.authorize(principal, Permission.USER_MANAGE, record="GET /x")
    [row] = world.trail.query(actions=[Action.ACCESS_DENIED])
    assert (row.actor, row.role, row.tenant, row.record) == (uid, "analyst", "t1", "GET /x")
    assert row.detail == {"reason": "permission", "permission": "user.manage"}


def test_step_up_needs_a_recent_code(world: World) -> None:
    uid = world.account(Role.SUPERVISOR)
    secret = world.enroll(uid)
    pending = world.staff.logins.login("t1", "alice", PASSWORD)
    token = world.staff.logins.complete_mfa(pending.token, world.code(secret)).token
    authorizer = world.staff.authorizer
    authorizer.authorize(authorizer.authenticate(token), Permission.VALUE_UNMASK)
    world.clock.now += world.staff.context.settings.step_up + timedelta(seconds=1)
    stale = authorizer.authenticate(token)
    with pytest.raises(AccessDeniedError):
        authorizer.authorize(stale, Permission.VALUE_UNMASK)
    authorizer.authorize(stale, Permission.TRANSCRIPT_READ_MASKED)  # no step-up needed
    assert world.denials()[-1] == (uid, "step_up")
    at = world.staff.logins.step_up(stale, world.code(secret))
    assert at == world.clock.now
    authorizer.authorize(authorizer.authenticate(token), Permission.VALUE_UNMASK)


def test_api_keys_never_pass_step_up(world: World) -> None:
    principal = Principal("u_x", "t1", Role.SERVICE, True, datetime.now(UTC))
    assert not world.staff.authorizer.stepped_up(principal)


def test_pending_and_missing_credentials_are_refused(world: World) -> None:
    with pytest.raises(AccessDeniedError):
        world.staff.authorizer.authenticate("")
    with pytest.raises(AccessDeniedError):
        world.staff.authorizer.authenticate("veil_sk_not-a-key")
    with pytest.raises(AccessDeniedError):
        world.staff.authorizer.pending("nothing")
    assert [r for _, r in world.denials()] == [
        "no_credential",
        "unknown_credential",
        "no_pending_login",
    ]


def test_principals_carry_their_tenant(world: World) -> None:
    world.account(Role.ADMIN, "alice", "t1")
    world.account(Role.ADMIN, "alice", "t2")
    one = world.staff.authorizer.authenticate(world.login("alice", "t1"))
    two = world.staff.authorizer.authenticate(world.login("alice", "t2"))
    assert (one.tenant, two.tenant) == ("t1", "t2")
    assert one.user_id != two.user_id
    assert world.staff.accounts.get("t2", one.user_id) is None
