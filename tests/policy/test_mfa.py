"""TOTP MFA: RFC 6238 vectors, enrollment, single use under races, recovery codes."""

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
from veil.errors import AccessDeniedError, InputError, IntegrityError
from veil.interfaces.api.auth import staff_from_vault
from veil.policy.access import Role
from veil.policy.mfa import TotpSpec, recovery_codes
from veil.policy.passwords import Passwords
from veil.policy.staff import Staff
from veil.storage import ErasureLedger, Store, checkpoint, migrate, open_engine
from veil.storage.staff import UserRecord
from veil.vault import LocalKeyFile, Vault

POSTGRES_URL = os.environ.get("VEIL_TEST_POSTGRES_URL")
FAST = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
PASSWORD = "correct horse battery"

# RFC 6238 Appendix B: seeds per hash, 8 digits, T0 = 0, X = 30.
SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, 12, 0, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.mark.parametrize(("at", "sha1", "sha256", "sha512"), VECTORS)
def test_rfc6238_vectors(at: int, sha1: str, sha256: str, sha512: str) -> None:
    for digest, expected in (("sha1", sha1), ("sha256", sha256), ("sha512", sha512)):
        spec = TotpSpec(digits=8, digest=digest)
        step = spec.step(datetime.fromtimestamp(at, UTC))
        assert step == at // 30
        assert spec.code(SEEDS[digest], step) == expected
        assert spec.matching_step(SEEDS[digest], expected, datetime.fromtimestamp(at, UTC)) == step


def test_matching_window() -> None:
    spec, secret = TotpSpec(), b"k" * 20
    at = datetime(2030, 1, 1, tzinfo=UTC)
    step = spec.step(at)
    assert spec.matching_step(secret, spec.code(secret, step - 1), at) == step - 1
    assert spec.matching_step(secret, spec.code(secret, step + 1), at) == step + 1
    assert spec.matching_step(secret, spec.code(secret, step - 2), at) is None
    assert spec.matching_step(secret, "12345", at) is None  # wrong length
    assert spec.matching_step(secret, "abcdef", at) is None


def test_recovery_codes_are_distinct_and_strong() -> None:
    codes = recovery_codes()
    assert len(codes) == 10 == len(set(codes))
    assert all(len(c.replace("-", "")) == 16 for c in codes)  # 16 base32 chars = 80 bits


def _vault(tmp_path: Path, backend: str, schema: str) -> Vault:
    if backend == "sqlite":
        return Vault.embedded(tmp_path / "vault")
    assert POSTGRES_URL
    main = open_engine(POSTGRES_URL, schema=schema)
    migrate(main, "core")
    ledger = open_engine(f"sqlite:///{tmp_path / 'ledger.db'}", durable=True)
    migrate(ledger, "ledger")
    return Vault(Store(main), ErasureLedger(ledger), LocalKeyFile(tmp_path / "veil.keys"))


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "postgresql" and not POSTGRES_URL:
        pytest.skip("VEIL_TEST_POSTGRES_URL is not set")
    return str(request.param)


class World:
    """Staff services per simulated process (each its own engines), one database."""

    def __init__(self, tmp_path: Path, backend: str) -> None:
        self.clock = Clock()
        self.schema = f"veil_t_{uuid.uuid4().hex[:16]}"
        self.backend = backend
        self.vaults = [_vault(tmp_path, backend, self.schema) for _ in range(4)]
        self.trails = [AuditTrail.from_vault(v, clock=self.clock) for v in self.vaults]
        self.staffs = [
            staff_from_vault(v, t, passwords=FAST, clock=self.clock)
            for v, t in zip(self.vaults, self.trails, strict=True)
        ]
        self.staff: Staff = self.staffs[0]
        self.trail = self.trails[0]

    def close(self) -> None:
        for vault in self.vaults:
            vault.store.engine.dispose()
            vault.ledger.engine.dispose()
        if self.backend == "postgresql":
            assert POSTGRES_URL
            admin = sa.create_engine(POSTGRES_URL)
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            admin.dispose()

    def user(self) -> UserRecord:
        account = self.staff.accounts.create(None, "t1", "alice", Role.AGENT, PASSWORD)
        found = self.staff.context.store.get_user("t1", account.id)
        assert found is not None
        return found

    def fresh(self, user: UserRecord) -> UserRecord:
        found = self.staff.context.store.get_user(user.tenant, user.id)
        assert found is not None
        return found

    def code(self, secret: bytes, offset: int = 0) -> str:
        spec = self.staff.mfa.spec
        return spec.code(secret, spec.step(self.clock.now) + offset)

    def enrolled(self) -> tuple[UserRecord, bytes, list[str]]:
        user = self.user()
        enrollment = self.staff.mfa.enroll(user)
        secret = base64.b32decode(enrollment.secret)
        codes = self.staff.mfa.confirm(self.fresh(user), self.code(secret))
        self.clock.now += timedelta(seconds=30)
        return self.fresh(user), secret, codes


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    made = World(tmp_path, "sqlite")
    yield made
    made.close()


def test_enrollment_gives_uri_qr_and_needs_a_first_code(world: World) -> None:
    user = world.user()
    enrollment = world.staff.mfa.enroll(user)
    assert enrollment.uri.startswith("otpauth://totp/")
    assert f"secret={enrollment.secret}" in enrollment.uri
    assert "issuer=veil" in enrollment.uri
    assert enrollment.qr_svg.startswith("<svg")
    assert enrollment.qr_svg.rstrip().endswith("</svg>")
    secret = base64.b32decode(enrollment.secret)
    with pytest.raises(AccessDeniedError):
        world.staff.mfa.confirm(world.fresh(user), world.code(secret, offset=5))
    assert not world.fresh(user).mfa_enrolled_at
    codes = world.staff.mfa.confirm(world.fresh(user), world.code(secret))
    assert len(codes) == 10
    assert world.fresh(user).mfa_enrolled_at == world.clock.now
    with pytest.raises(InputError, match="reset first"):
        world.staff.mfa.enroll(world.fresh(user))


def test_secret_and_codes_are_not_stored_in_clear(world: World, tmp_path: Path) -> None:
    user, secret, codes = world.enrolled()
    sealed = world.fresh(user).totp_secret
    assert sealed is not None
    assert secret not in sealed
    checkpoint(world.vaults[0].store.engine)
    blob = b"".join(p.read_bytes() for p in (tmp_path / "vault").iterdir() if p.is_file())
    assert secret not in blob
    assert base64.b32encode(secret) not in blob
    for code in codes:
        assert code.encode() not in blob
        assert code.replace("-", "").encode() not in blob


def test_a_code_is_accepted_once(world: World) -> None:
    user, secret, _ = world.enrolled()
    code = world.code(secret)
    world.staff.mfa.verify(user, code)
    with pytest.raises(AccessDeniedError):
        world.staff.mfa.verify(user, code)
    with pytest.raises(AccessDeniedError):  # an older step after a newer one was used
        world.staff.mfa.verify(user, world.code(secret, offset=-1))
    world.clock.now += timedelta(seconds=30)
    world.staff.mfa.verify(user, world.code(secret))
    rows = world.trail.query(actions=[Action.AUTH_MFA])
    assert [r.outcome for r in rows] == [Outcome.OK, Outcome.DENIED, Outcome.DENIED, Outcome.OK]
    assert rows[1].detail["failures"] == 1
    assert rows[2].detail["failures"] == 2


def test_parallel_replay_of_one_code_succeeds_exactly_once(tmp_path: Path, backend: str) -> None:
    world = World(tmp_path, backend)
    try:
        user, secret, _ = world.enrolled()
        code = world.code(secret)
        barrier = threading.Barrier(20)
        outcomes: list[str] = []

        def submit(i: int) -> None:
            barrier.wait()
            try:
                world.staffs[i % 4].mfa.verify(user, code, purpose="step_up")
                outcomes.append("ok")
            except AccessDeniedError:
                outcomes.append("denied")

        threads = [threading.Thread(target=submit, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["denied"] * 19 + ["ok"]
        ok = world.trail.query(actions=[Action.AUTH_MFA])
        assert sum(1 for r in ok if r.outcome is Outcome.OK) == 1
    finally:
        world.close()


def test_recovery_codes_work_once(world: World) -> None:
    user, _, codes = world.enrolled()
    world.staff.mfa.verify(user, codes[0].upper())  # case and dashes do not matter
    with pytest.raises(AccessDeniedError):
        world.staff.mfa.verify(user, codes[0])
    world.staff.mfa.verify(user, codes[1].replace("-", " "))
    [*_, last] = world.trail.query(actions=[Action.AUTH_MFA], limit=10)
    assert last.detail == {"purpose": "login", "method": "recovery", "recovery_left": 8}


def test_wrong_codes_lock_the_account(world: World) -> None:
    user, secret, _ = world.enrolled()
    wrong = "000000" if world.code(secret) != "000000" else "111111"
    for _ in range(10):
        with pytest.raises(AccessDeniedError):
            world.staff.mfa.verify(user, wrong)
    assert world.fresh(user).locked_until is not None
    with pytest.raises(AccessDeniedError, match="locked"):
        world.staff.mfa.verify(user, world.code(secret))  # even a good code
    assert len(world.trail.query(actions=[Action.AUTH_LOCKOUT])) == 1


def test_service_accounts_do_not_enroll(world: World) -> None:
    account = world.staff.accounts.create(None, "t1", "robot", Role.SERVICE, None)
    user = world.staff.context.store.get_user("t1", account.id)
    assert user is not None
    with pytest.raises(InputError):
        world.staff.mfa.enroll(user)
    with pytest.raises(AccessDeniedError):
        world.staff.mfa.verify(user, "123456")


def test_a_sealed_secret_opens_only_for_its_user(world: World) -> None:
    user, secret, _ = world.enrolled()
    sealed = world.fresh(user).totp_secret
    assert sealed is not None
    sealer = world.staff.context.sealer
    assert sealer.open("t1", f"user:{user.id}", "totp", sealed) == secret
    with pytest.raises(IntegrityError):
        sealer.open("t1", "user:u_someone_else", "totp", sealed)
    assert hashlib.sha256(secret).digest() != sealed
