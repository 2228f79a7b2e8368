"""Accounts and roles: tenant isolation, bootstrap, role rules, audited changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from veil.audit import Action, Outcome
from veil.errors import AccessDeniedError, AuditError, InputError
from veil.policy.access import Role
from veil.policy.sessions import Principal
from veil.testing import canary_email

from .conftest import PASSWORD, StaffWorld  # noqa: TID252


class World(StaffWorld):
    def principal(self, role: Role, tenant: str = "t1", name: str = "boss") -> Principal:
        self.staff.accounts.create(None, tenant, name, role, PASSWORD)
        token = self.staff.logins.login(tenant, name, PASSWORD).token
        return self.staff.authorizer.authenticate(token)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    made = World(tmp_path)
    yield made
    made.vault.store.engine.dispose()
    made.vault.ledger.engine.dispose()


def test_create_and_list_within_a_tenant(world: World) -> None:
    accounts = world.staff.accounts
    alice = accounts.create(None, "t1", "alice", Role.AGENT, PASSWORD)
    robot = accounts.create(None, "t1", "robot", Role.SERVICE, None)
    accounts.create(None, "t2", "alice", Role.ADMIN, PASSWORD)
    assert [a.username for a in accounts.list("t1")] == ["alice", "robot"]
    assert robot.is_service
    assert not alice.is_service
    assert not alice.mfa_enrolled
    assert accounts.get("t1", alice.id) == alice
    assert accounts.get("t2", alice.id) is None
    with pytest.raises(InputError, match="taken"):
        accounts.create(None, "t1", "alice", Role.ANALYST, PASSWORD)
    with pytest.raises(InputError):
        accounts.create(None, "t1", "robot2", Role.SERVICE, PASSWORD)
    with pytest.raises(InputError):
        accounts.create(None, "t1", "bob", Role.AGENT, None)
    with pytest.raises(InputError):
        accounts.create(None, "veil:staff", "bob", Role.AGENT, PASSWORD)
    with pytest.raises(InputError):
        accounts.create(None, "t1", "   ", Role.AGENT, PASSWORD)


def test_no_change_crosses_a_tenant(world: World) -> None:
    accounts = world.staff.accounts
    victim = accounts.create(None, "t2", "victim", Role.AGENT, PASSWORD)
    admin = world.principal(Role.ADMIN)
    assert accounts.change_role(admin, "t1", victim.id, Role.ADMIN) is None
    assert not accounts.disable(admin, "t1", victim.id)
    assert not accounts.reset_mfa(admin, "t1", victim.id)
    assert world.staff.api_keys.create(admin, "t1", victim.id) is None
    after = accounts.get("t2", victim.id)
    assert after is not None
    assert after.role is Role.AGENT
    assert not after.disabled


def test_bootstrap_refuses_a_second_admin_unless_forced(world: World) -> None:
    accounts = world.staff.accounts
    first = accounts.bootstrap_admin("t1", "root", PASSWORD)
    assert first.role is Role.ADMIN
    with pytest.raises(AccessDeniedError, match="already has an admin"):
        accounts.bootstrap_admin("t1", "root2", PASSWORD)
    accounts.bootstrap_admin("t2", "root", PASSWORD)  # another tenant is separate
    assert accounts.bootstrap_admin("t1", "root2", PASSWORD, force=True).role is Role.ADMIN
    [row, *_] = world.trail.query(actions=[Action.USER_CHANGE])
    assert (row.actor, row.role, row.record) == ("cli", "operator", f"user:{first.id}")


def test_role_rules(world: World) -> None:
    accounts = world.staff.accounts
    admin = world.principal(Role.ADMIN)
    agent = accounts.create(None, "t1", "agent", Role.AGENT, PASSWORD)
    robot = accounts.create(None, "t1", "robot", Role.SERVICE, None)
    changed = accounts.change_role(admin, "t1", agent.id, Role.SUPERVISOR)
    assert changed is not None
    assert changed.role is Role.SUPERVISOR
    with pytest.raises(InputError):
        accounts.change_role(admin, "t1", agent.id, Role.SERVICE)
    with pytest.raises(InputError):
        accounts.change_role(admin, "t1", robot.id, Role.ADMIN)
    rows = world.trail.query(actions=[Action.USER_CHANGE], actor=admin.user_id)
    assert rows[-1].detail == {"change": "role", "old_role": "agent", "new_role": "supervisor"}


@pytest.mark.parametrize("operation", ["change_role", "disable", "reset_mfa"])
def test_nobody_changes_their_own_account(world: World, operation: str) -> None:
    admin = world.principal(Role.ADMIN)
    accounts = world.staff.accounts
    if operation == "change_role":
        with pytest.raises(AccessDeniedError):
            accounts.change_role(admin, "t1", admin.user_id, Role.AGENT)
    else:
        with pytest.raises(AccessDeniedError):
            getattr(accounts, operation)(admin, "t1", admin.user_id)
    [row] = world.trail.query(actions=[Action.ACCESS_DENIED])
    assert row.outcome is Outcome.DENIED
    assert row.detail["reason"] == "self_change"
    me = accounts.get("t1", admin.user_id)
    assert me is not None
    assert me.role is Role.ADMIN
    assert not me.disabled


def test_a_failing_audit_rolls_the_change_back(world: World, tmp_path: Path) -> None:
    accounts = world.staff.accounts
    alice = accounts.create(None, "t1", "alice", Role.AGENT, PASSWORD)
    with world.vault.store.engine.begin() as conn:  # break the trail's head
        conn.exec_driver_sql("DELETE FROM audit_head")
    with pytest.raises(AuditError):
        accounts.change_role(None, "t1", alice.id, Role.ADMIN)
    after = accounts.get("t1", alice.id)
    assert after is not None
    assert after.role is Role.AGENT


def test_usernames_stay_out_of_the_audit(world: World) -> None:
    name = canary_email()
    accounts = world.staff.accounts
    accounts.create(None, "t1", name, Role.AGENT, PASSWORD)
    world.staff.logins.login("t1", name, PASSWORD)
    with pytest.raises(AccessDeniedError):
        world.staff.logins.login("t1", name, "wrong password!!")
    with pytest.raises(AccessDeniedError):
        world.staff.logins.login("t1", canary_email(), PASSWORD)
    dump = repr([r.as_dict() for r in world.trail.query(limit=1000)])
    assert name not in dump
    assert "@example.org" not in dump
    assert PASSWORD not in dump
