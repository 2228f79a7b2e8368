"""Login: generic refusals, lockout counted in the database, rotation, MFA step."""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from veil.audit import Action, AuditTrail, Outcome
from veil.errors import AccessDeniedError, InputError
from veil.interfaces.api.auth import staff_from_vault
from veil.policy.access import Role
from veil.policy.passwords import Passwords
from veil.policy.staff import Staff
from veil.storage import ErasureLedger, Store, migrate, open_engine
from veil.vault import LocalKeyFile, Vault

POSTGRES_URL = os.environ.get("VEIL_TEST_POSTGRES_URL")
FAST = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, 12, 0, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _vault(tmp_path: Path, backend: str, schema: str) -> Vault:
    if backend == "sqlite":
        return Vault.embedded(tmp_path / "vault")
    assert POSTGRES_URL
    main = open_engine(POSTGRES_URL, schema=schema)
    migrate(main, "core")
    ledger = open_engine(f"sqlite:///{tmp_path / 'ledger.db'}", durable=True)
    migrate(ledger, "ledger")
    return Vault(Store(main), ErasureLedger(ledger), LocalKeyFile(tmp_path / "veil.keys"))


class World:
    """Staff services per simulated process (each with its own engines), one database."""

    def __init__(self, tmp_path: Path, backend: str = "sqlite", processes: int = 1) -> None:
        self.clock = Clock()
        self.backend, self.schema = backend, f"veil_t_{uuid.uuid4().hex[:16]}"
        self.vaults = [_vault(tmp_path, backend, self.schema) for _ in range(processes)]
        self.trail = AuditTrail.from_vault(self.vaults[0], clock=self.clock)
        self.staffs = [
            staff_from_vault(
                v, AuditTrail.from_vault(v, clock=self.clock), passwords=FAST, clock=self.clock
            )
            for v in self.vaults
        ]
        self.staff: Staff = self.staffs[0]

    def close(self) -> None:
        for vault in self.vaults:
            vault.store.engine.dispose()
            vault.ledger.engine.dispose()
        if self.backend == "postgresql" and POSTGRES_URL:
            admin = sa.create_engine(POSTGRES_URL)
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            admin.dispose()

    def reasons(self) -> list[object]:
        rows = self.trail.query(actions=[Action.AUTH_LOGIN], limit=1000)
        return [r.detail.get("reason") for r in rows if r.outcome is Outcome.DENIED]


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not POSTGRES_URL:
        pytest.skip("VEIL_TEST_POSTGRES_URL is not set")
    return str(request.param)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    made = World(tmp_path)
    yield made
    made.close()


def _alice(world: World) -> str:
    return world.staff.accounts.create(None, "t1", "alice", Role.AGENT, PASSWORD).id


def test_refusals_look_the_same_and_are_audited(world: World) -> None:
    uid = _alice(world)
    robot = world.staff.accounts.create(None, "t1", "robot", Role.SERVICE, None).id
    attempts = [
        ("t1", "nobody", PASSWORD),
        ("t1", "alice", "wrong password!"),
        ("t2", "alice", PASSWORD),
        ("t1", "robot", PASSWORD),
    ]
    for tenant, name, password in attempts:
        with pytest.raises(AccessDeniedError) as caught:
            world.staff.logins.login(tenant, name, password)
        assert str(caught.value) == "invalid credentials"
    assert world.reasons() == ["unknown_user", "password", "unknown_user", "disabled"]
    rows = world.trail.query(actions=[Action.AUTH_LOGIN])
    assert [r.actor for r in rows] == ["anonymous", uid, "anonymous", robot]
    assert all(r.tenant in ("", "t1") for r in rows)  # no attacker-typed tenant stored


def test_lockout_after_ten_failures_expires_and_resets(world: World) -> None:
    uid = _alice(world)
    for _ in range(10):
        with pytest.raises(AccessDeniedError):
            world.staff.logins.login("t1", "alice", "wrong password!")
    with pytest.raises(AccessDeniedError):
        world.staff.logins.login("t1", "alice", PASSWORD)  # locked: right password too
    assert world.reasons()[-2:] == ["password", "locked"]
    assert len(world.trail.query(actions=[Action.AUTH_LOCKOUT])) == 1
    world.clock.now += world.staff.context.settings.lockout
    world.staff.logins.login("t1", "alice", PASSWORD)
    user = world.staff.context.store.get_user("t1", uid)
    assert user is not None
    assert user.failures == 0
    assert user.locked_until is None


def test_lockout_is_exact_under_50_concurrent_attempts(tmp_path: Path, backend: str) -> None:
    world = World(tmp_path, backend, processes=4)
    try:
        uid = _alice(world)
        barrier = threading.Barrier(50)
        errors: list[Exception] = []

        def attempt(i: int) -> None:
            barrier.wait()
            try:
                world.staffs[i % 4].logins.login("t1", "alice", "wrong password!")
            except AccessDeniedError:
                return
            except Exception as exc:  # anything else is a bug
                errors.append(exc)

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        reasons = world.reasons()
        assert reasons.count("password") == 10
        assert reasons.count("locked") == 40
        user = world.staff.context.store.get_user("t1", uid)
        assert user is not None
        assert user.failures == 10
        assert user.locked_until == world.clock.now + world.staff.context.settings.lockout
        assert len(world.trail.query(actions=[Action.AUTH_LOCKOUT])) == 1
        with pytest.raises(AccessDeniedError):
            world.staff.logins.login("t1", "alice", PASSWORD)
    finally:
        world.close()


def test_each_login_rotates_the_session(world: World) -> None:
    _alice(world)
    first = world.staff.logins.login("t1", "alice", PASSWORD)
    world.staff.authorizer.authenticate(first.token)
    second = world.staff.logins.login("t1", "alice", PASSWORD)
    assert second.token != first.token
    assert not second.mfa_required
    with pytest.raises(AccessDeniedError):
        world.staff.authorizer.authenticate(first.token)
    assert world.staff.authorizer.authenticate(second.token).session is not None
    stored = world.staff.context.store.get_session(hashlib.sha256(second.token.encode()).digest())
    assert stored is not None  # found by digest: the token itself is not stored


def test_mfa_login_is_pending_until_the_code(world: World) -> None:
    uid = _alice(world)
    user = world.staff.context.store.get_user("t1", uid)
    assert user is not None
    secret = base64.b32decode(world.staff.mfa.enroll(user).secret)
    spec = world.staff.mfa.spec
    fresh = world.staff.context.store.get_user("t1", uid)
    assert fresh is not None
    world.staff.mfa.confirm(fresh, spec.code(secret, spec.step(world.clock.now)))
    world.clock.now += timedelta(seconds=30)
    before = world.staff.logins.login("t1", "alice", PASSWORD)
    world.staff.logins.complete_mfa(before.token, spec.code(secret, spec.step(world.clock.now)))
    world.clock.now += timedelta(seconds=30)
    pending = world.staff.logins.login("t1", "alice", PASSWORD)
    assert pending.mfa_required
    with pytest.raises(AccessDeniedError):
        world.staff.authorizer.authenticate(pending.token)  # not a session yet
    with pytest.raises(AccessDeniedError):
        world.staff.logins.complete_mfa(pending.token, "000000")
    done = world.staff.logins.complete_mfa(
        pending.token, spec.code(secret, spec.step(world.clock.now))
    )
    principal = world.staff.authorizer.authenticate(done.token)
    assert principal.mfa_at == world.clock.now
    with pytest.raises(AccessDeniedError):  # the pending token died with the promotion
        world.staff.logins.complete_mfa(pending.token, "123456")
    user = world.staff.context.store.get_user("t1", uid)
    assert user is not None
    assert user.failures == 0


def test_a_pending_login_expires(world: World) -> None:
    uid = _alice(world)
    store = world.staff.context.store
    store.set_pending_totp("t1", uid, b"x")
    store.activate_mfa("t1", uid, now=world.clock.now, recovery=[])
    pending = world.staff.logins.login("t1", "alice", PASSWORD)
    world.clock.now += world.staff.context.settings.pending_timeout + timedelta(seconds=1)
    with pytest.raises(AccessDeniedError):
        world.staff.logins.complete_mfa(pending.token, "123456")
    rows = world.trail.query(actions=[Action.ACCESS_DENIED])
    assert rows[-1].detail["reason"] == "expired"


def test_login_rehashes_old_parameters(world: World) -> None:
    uid = _alice(world)
    stronger = Passwords(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    staff = staff_from_vault(world.vaults[0], world.trail, passwords=stronger, clock=world.clock)
    staff.logins.login("t1", "alice", PASSWORD)
    user = world.staff.context.store.get_user("t1", uid)
    assert user is not None
    assert user.password_hash is not None
    assert "t=2" in user.password_hash
    assert not stronger.needs_rehash(user.password_hash)


def test_password_change_kills_sessions(world: World) -> None:
    uid = _alice(world)
    token = world.staff.logins.login("t1", "alice", PASSWORD).token
    principal = world.staff.authorizer.authenticate(token)
    with pytest.raises(InputError):
        world.staff.logins.change_password(principal, PASSWORD, "short")
    with pytest.raises(AccessDeniedError):
        world.staff.logins.change_password(principal, "not my password", "a new long password")
    world.staff.logins.change_password(principal, PASSWORD, "a new long password")
    with pytest.raises(AccessDeniedError):
        world.staff.authorizer.authenticate(token)
    with pytest.raises(AccessDeniedError):
        world.staff.logins.login("t1", "alice", PASSWORD)
    world.staff.logins.login("t1", "alice", "a new long password")
    changes = world.trail.query(actions=[Action.USER_CHANGE], actor=uid)
    assert [r.detail["change"] for r in changes] == ["password"]
