"""API keys: shown once, hashed at rest, tenant-scoped, revocable at once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from veil.audit import Action, AuditTrail
from veil.errors import AccessDeniedError, InputError
from veil.interfaces.api.auth import staff_from_vault
from veil.policy.access import Permission, Role
from veil.policy.passwords import Passwords
from veil.policy.staff import Staff
from veil.storage import checkpoint
from veil.vault import Vault

PASSWORD = "correct horse battery"


class World:
    def __init__(self, tmp_path: Path) -> None:
        self.now = datetime(2030, 1, 1, 12, 0, 5, tzinfo=UTC)
        self.vault = Vault.embedded(tmp_path / "vault")
        self.trail = AuditTrail.from_vault(self.vault, clock=lambda: self.now)
        passwords = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        self.staff: Staff = staff_from_vault(
            self.vault, self.trail, passwords=passwords, clock=lambda: self.now
        )


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    made = World(tmp_path)
    yield made
    made.vault.store.engine.dispose()
    made.vault.ledger.engine.dispose()


def test_keys_are_hashed_at_rest(world: World, tmp_path: Path) -> None:
    robot = world.staff.accounts.create(None, "t1", "robot", Role.SERVICE, None)
    issued = world.staff.api_keys.create(None, "t1", robot.id)
    assert issued is not None
    key = issued.key
    assert key.startswith("veil_sk_")
    assert len(key) >= len("veil_sk_") + 43
    assert key not in repr(issued)
    assert issued.info.hint == key[:12]
    principal = world.staff.authorizer.authenticate(key)
    assert (principal.user_id, principal.role, principal.is_service) == (
        robot.id,
        Role.SERVICE,
        True,
    )
    checkpoint(world.vault.store.engine)
    secret_part = key[len("veil_sk_") :].encode()
    for path in (tmp_path / "vault").iterdir():
        blob = path.read_bytes()
        assert key.encode() not in blob, path.name
        assert secret_part not in blob, path.name
        assert secret_part[8:] not in blob, path.name


def test_keys_belong_to_enabled_service_accounts(world: World) -> None:
    accounts = world.staff.accounts
    human = accounts.create(None, "t1", "alice", Role.AGENT, PASSWORD)
    with pytest.raises(InputError):
        world.staff.api_keys.create(None, "t1", human.id)
    robot = accounts.create(None, "t1", "robot", Role.SERVICE, None)
    issued = world.staff.api_keys.create(None, "t1", robot.id)
    assert issued is not None
    assert accounts.disable(None, "t1", robot.id)
    with pytest.raises(AccessDeniedError):
        world.staff.authorizer.authenticate(issued.key)
    with pytest.raises(InputError):
        world.staff.api_keys.create(None, "t1", robot.id)


def test_revoke_is_immediate_and_scoped(world: World) -> None:
    robot = world.staff.accounts.create(None, "t1", "robot", Role.SERVICE, None)
    issued = world.staff.api_keys.create(None, "t1", robot.id)
    assert issued is not None
    principal = world.staff.authorizer.authenticate(issued.key)
    world.staff.authorizer.authorize(principal, Permission.CHAT)
    assert world.staff.api_keys.list("t2") == []
    assert not world.staff.api_keys.revoke(None, "t2", issued.info.id)
    assert world.staff.api_keys.revoke(None, "t1", issued.info.id)
    with pytest.raises(AccessDeniedError):
        world.staff.authorizer.authenticate(issued.key)
    [listed] = world.staff.api_keys.list("t1")
    assert listed.revoked_at == world.now
    rows = world.trail.query(actions=[Action.APIKEY_CHANGE])
    assert [r.detail["change"] for r in rows] == ["create", "revoke"]
    assert all(r.record == f"apikey:{issued.info.id}" for r in rows)
    assert issued.key not in repr([r.as_dict() for r in world.trail.query(limit=100)])


def test_a_forged_key_is_refused(world: World) -> None:
    robot = world.staff.accounts.create(None, "t1", "robot", Role.SERVICE, None)
    issued = world.staff.api_keys.create(None, "t1", robot.id)
    assert issued is not None
    with pytest.raises(AccessDeniedError):
        world.staff.authorizer.authenticate(
            issued.key[:-1] + ("A" if issued.key[-1] != "A" else "B")
        )
