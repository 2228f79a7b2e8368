"""Break-glass: bounded reason, self-expiring grant, alert and highlighted audit."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from veil.audit import Action, AuditTrail
from veil.errors import AccessDeniedError, InputError
from veil.interfaces.api.auth import staff_from_vault
from veil.policy.access import Permission, Role
from veil.policy.auth_events import LoggingNotifier
from veil.policy.passwords import Passwords
from veil.policy.sessions import Principal
from veil.policy.staff import Staff
from veil.storage import checkpoint
from veil.testing import canary_person
from veil.vault import Vault

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, 12, 0, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class BrokenNotifier:
    def notify(self, tenant: str, kind: str, message: str) -> None:
        raise ConnectionError("pager unreachable")


class World:
    def __init__(self, tmp_path: Path, notifier: object = None) -> None:
        self.clock = Clock()
        self.vault = Vault.embedded(tmp_path / "vault")
        self.trail = AuditTrail.from_vault(self.vault, clock=self.clock)
        passwords = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        self.staff: Staff = staff_from_vault(
            self.vault,
            self.trail,
            passwords=passwords,
            clock=self.clock,
            notifier=notifier or LoggingNotifier(),  # type: ignore[arg-type]
        )

    def principal(self, role: Role = Role.AGENT, name: str = "alice") -> Principal:
        self.staff.accounts.create(None, "t1", name, role, PASSWORD)
        token = self.staff.logins.login("t1", name, PASSWORD).token
        return self.staff.authorizer.authenticate(token)

    def close(self) -> None:
        self.vault.store.engine.dispose()
        self.vault.ledger.engine.dispose()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    made = World(tmp_path)
    yield made
    made.close()


def test_grant_alert_audit_and_expiry(world: World, caplog: pytest.LogCaptureFixture) -> None:
    agent = world.principal()
    authorizer = world.staff.authorizer
    with pytest.raises(AccessDeniedError):
        authorizer.authorize(agent, Permission.SUBJECT_EXPORT)
    reason = f"customer {canary_person()} locked out, ticket 4711"
    with caplog.at_level(logging.WARNING, logger="veil.alerts"):
        grant = world.staff.break_glass.request(agent, ["subject.export"], reason)
    assert grant.expires_at == world.clock.now + timedelta(minutes=60)
    [alert] = caplog.records
    body = json.loads(alert.getMessage())
    assert (body["alert"], body["tenant"]) == ("break_glass", "t1")
    assert json.loads(body["message"])["grant"] == grant.id
    assert reason not in alert.getMessage()
    assert "customer" not in alert.getMessage()
    [row] = world.trail.query(actions=[Action.BREAK_GLASS])
    assert row.highlight
    assert row.actor == agent.user_id
    assert row.record == f"grant:{grant.id}"
    assert row.detail == {
        "permissions": "subject.export",
        "minutes": 60,
        "reason_chars": len(reason),
    }

    elevated = authorizer.authenticate(world.staff.logins.login("t1", "alice", PASSWORD).token)
    assert Permission.SUBJECT_EXPORT in elevated.extras
    authorizer.authorize(elevated, Permission.SUBJECT_EXPORT)
    world.clock.now += timedelta(minutes=59)
    authorizer.authorize(
        authorizer.authenticate(world.staff.logins.login("t1", "alice", PASSWORD).token),
        Permission.SUBJECT_EXPORT,
    )
    world.clock.now += timedelta(minutes=1)
    expired = authorizer.authenticate(world.staff.logins.login("t1", "alice", PASSWORD).token)
    assert expired.extras == frozenset()
    with pytest.raises(AccessDeniedError):
        authorizer.authorize(expired, Permission.SUBJECT_EXPORT)


def test_reason_is_sealed_and_readable_by_reviewers(world: World, tmp_path: Path) -> None:
    agent = world.principal()
    reason = f"escalation for {canary_person()}"
    world.staff.break_glass.request(agent, ["transcript.read_masked"], reason, minutes=5)
    [grant] = world.staff.break_glass.list("t1")
    assert grant.reason == reason
    assert grant.expires_at - grant.created_at == timedelta(minutes=5)
    assert world.staff.break_glass.list("t2") == []
    checkpoint(world.vault.store.engine)
    for path in (tmp_path / "vault").iterdir():
        assert reason.encode() not in path.read_bytes(), path.name


def test_step_up_still_applies(world: World) -> None:
    agent = world.principal()
    world.staff.break_glass.request(agent, ["value.unmask"], "fraud call in progress")
    elevated = world.staff.authorizer.authenticate(
        world.staff.logins.login("t1", "alice", PASSWORD).token
    )
    with pytest.raises(AccessDeniedError):  # no MFA on this session
        world.staff.authorizer.authorize(elevated, Permission.VALUE_UNMASK)


@pytest.mark.parametrize(
    ("permissions", "reason", "minutes"),
    [
        (["subject.export"], "   ", None),
        (["subject.export"], "x" * 501, None),
        ([], "fine reason", None),
        (["user.manage"], "fine reason", None),
        (["access.break_glass"], "fine reason", None),
        (["no.such"], "fine reason", None),
        (["subject.export"], "fine reason", 61),
        (["subject.export"], "fine reason", 0),
    ],
)
def test_bounds(world: World, permissions: list[str], reason: str, minutes: int | None) -> None:
    agent = world.principal()
    with pytest.raises(InputError):
        world.staff.break_glass.request(agent, permissions, reason, minutes=minutes)
    assert world.staff.break_glass.list("t1") == []


def test_only_roles_with_break_glass(world: World) -> None:
    analyst = world.principal(Role.ANALYST)
    with pytest.raises(AccessDeniedError):
        world.staff.break_glass.request(analyst, ["subject.export"], "want more")
    [row] = world.trail.query(actions=[Action.ACCESS_DENIED])
    assert row.detail == {"reason": "permission", "permission": "access.break_glass"}


def test_no_alert_no_grant(tmp_path: Path) -> None:
    world = World(tmp_path, BrokenNotifier())
    try:
        agent = world.principal()
        with pytest.raises(ConnectionError):
            world.staff.break_glass.request(agent, ["subject.export"], "fraud call")
        assert world.staff.break_glass.list("t1") == []
        assert world.trail.query(actions=[Action.BREAK_GLASS]) == []
    finally:
        world.close()
