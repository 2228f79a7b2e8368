"""The staff tables: migration, tenant scoping, and the races the database decides.

Runs on SQLite and (with VEIL_TEST_POSTGRES_URL) PostgreSQL. Concurrency tests use
several engines on one database, so the guarantees hold across processes' separate
connections, not because of a lock inside one pool.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from veil.storage import migrate, open_engine
from veil.storage.models import Base
from veil.storage.staff import ApiKeyRecord, GrantRecord, SessionRecord, StaffStore, UserRecord

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
_MINE = {t for t in Base.metadata.tables if t.startswith("staff_")}


def _user(tenant: str = "t1", name: str = "alice", uid: str = "u_1") -> UserRecord:
    return UserRecord(uid, tenant, name, "agent", "$argon2id$x", None, None, 0, None, False, NOW)


@pytest.fixture
def store(main_engine: Engine) -> StaffStore:
    migrate(main_engine, "core")
    return StaffStore(main_engine)


@pytest.fixture
def engines(main_engine: Engine, store: StaffStore) -> Iterator[list[Engine]]:
    """Four more engines on the same database (separate pools, like processes)."""
    url = main_engine.url.render_as_string(hide_password=False)
    schema = None
    if main_engine.dialect.name == "postgresql":
        with main_engine.connect() as conn:
            schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
    made = [open_engine(url, schema=schema) for _ in range(4)]
    yield made
    for engine in made:
        engine.dispose()


def _race(workers: int, work: Callable[[int], object]) -> list[object]:
    barrier = threading.Barrier(workers)
    results: list[object] = [None] * workers

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_migration_matches_models(main_engine: Engine) -> None:
    migrate(main_engine, "core")
    with main_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    mine = [d for d in diff if any(t in repr(d) for t in _MINE)]
    assert mine == []
    assert {"staff_users", "staff_sessions", "staff_totp_steps"} <= _MINE


def test_users_are_scoped_by_tenant(store: StaffStore) -> None:
    assert store.add_user(_user())
    assert not store.add_user(_user(uid="u_2"))  # same tenant, same name
    assert store.add_user(_user(tenant="t2", uid="u_3"))  # another tenant may reuse it
    assert store.get_user("t1", "u_1") is not None
    assert store.get_user("t2", "u_1") is None
    assert store.find_user("t2", "alice").id == "u_3"  # type: ignore[union-attr]
    assert [u.id for u in store.list_users("t1")] == ["u_1"]
    assert not store.update_user("t2", "u_1", {"role": "admin"})
    assert store.get_user("t1", "u_1").role == "agent"  # type: ignore[union-attr]
    assert store.count_role("t1", "agent") == 1
    assert store.count_role("t2", "admin") == 0


def test_failures_lock_and_expire(store: StaffStore) -> None:
    store.add_user(_user())
    lock = timedelta(minutes=15)
    results = [store.count_failure("t1", "u_1", now=NOW, limit=3, lock_for=lock) for _ in range(4)]
    assert [(r.counted, r.failures) for r in results] == [(1, 1), (1, 2), (1, 3), (0, 3)]
    assert results[2].locked_until == NOW + lock
    later = NOW + lock
    again = store.count_failure("t1", "u_1", now=later, limit=3, lock_for=lock)
    assert (again.counted, again.failures, again.locked_until) == (True, 1, None)
    assert not store.count_failure("t2", "u_1", now=NOW, limit=3, lock_for=lock).counted


def test_failure_count_is_exact_under_concurrency(store: StaffStore, engines: list[Engine]) -> None:
    store.add_user(_user())
    stores = [StaffStore(e) for e in engines]
    lock = timedelta(minutes=15)

    def fail(i: int) -> object:
        return stores[i % len(stores)].count_failure("t1", "u_1", now=NOW, limit=10, lock_for=lock)

    results = _race(50, fail)
    assert not [r for r in results if isinstance(r, Exception)]
    assert sum(1 for r in results if r.counted) == 10  # type: ignore[attr-defined]
    user = store.get_user("t1", "u_1")
    assert user is not None
    assert user.failures == 10
    assert user.locked_until == NOW + lock


def test_a_totp_step_is_claimed_once_under_concurrency(
    store: StaffStore, engines: list[Engine]
) -> None:
    store.add_user(_user())
    stores = [StaffStore(e) for e in engines]
    results = _race(20, lambda i: stores[i % len(stores)].claim_step("u_1", 1000, now=NOW))
    assert results.count(True) == 1
    assert results.count(False) == 19
    assert not store.claim_step("u_1", 999, now=NOW)  # an older step after a newer one
    assert store.claim_step("u_1", 1001, now=NOW)


def test_sessions_replace_each_other_and_promote_once(
    store: StaffStore, engines: list[Engine]
) -> None:
    store.add_user(_user())

    def session(digest: bytes, pending: bool) -> SessionRecord:
        return SessionRecord(digest, "u_1", "t1", pending, NOW, NOW, None)

    assert store.open_session(session(b"a" * 32, False))
    store.count_failure("t1", "u_1", now=NOW, limit=10, lock_for=timedelta(minutes=1))
    assert store.open_session(session(b"p" * 32, True))  # pending: keeps the full one
    assert store.get_session(b"a" * 32) is not None
    assert store.get_user("t1", "u_1").failures == 1  # type: ignore[union-attr]
    stores = [StaffStore(e) for e in engines]
    results = _race(
        8,
        lambda i: stores[i % 4].open_session(session(bytes([i]) * 32, False), replaces=b"p" * 32),
    )
    assert results.count(True) == 1
    winner = results.index(True)
    assert store.get_session(bytes([winner]) * 32) is not None
    assert store.get_session(b"a" * 32) is None
    assert store.get_session(b"p" * 32) is None
    assert store.get_user("t1", "u_1").failures == 0  # type: ignore[union-attr]
    assert store.close_session(bytes([winner]) * 32)
    assert not store.close_session(bytes([winner]) * 32)


def test_recovery_codes_are_single_use(store: StaffStore, engines: list[Engine]) -> None:
    store.add_user(_user())
    assert store.set_pending_totp("t1", "u_1", b"sealed")
    codes = [bytes([i]) * 32 for i in range(10)]
    assert store.activate_mfa("t1", "u_1", now=NOW, recovery=codes)
    assert not store.activate_mfa("t1", "u_1", now=NOW, recovery=codes)  # already active
    assert not store.set_pending_totp("t1", "u_1", b"other")  # active: no silent replace
    stores = [StaffStore(e) for e in engines]
    results = _race(10, lambda i: stores[i % 4].use_recovery_code("u_1", codes[3]))
    assert results.count(True) == 1
    assert store.count_recovery_codes("u_1") == 9
    assert store.update_user("t1", "u_1", {"totp_secret": None}, forget_mfa=True)
    assert store.count_recovery_codes("u_1") == 0


def test_api_keys_and_grants(store: StaffStore) -> None:
    store.add_user(_user())
    key = ApiKeyRecord("k_1", "t1", "u_1", "veil_sk_abcd", NOW, None)
    store.add_api_key(key, b"d" * 32)
    assert store.find_api_key(b"d" * 32) == key
    assert store.list_api_keys("t2") == []
    assert not store.revoke_api_key("t2", "k_1", now=NOW)
    assert store.revoke_api_key("t1", "k_1", now=NOW)
    assert not store.revoke_api_key("t1", "k_1", now=NOW)
    assert store.find_api_key(b"d" * 32).revoked_at == NOW  # type: ignore[union-attr]
    grant = GrantRecord("bg_1", "t1", "u_1", ("value.unmask",), b"sealed", NOW, NOW + timedelta(1))
    store.add_grant(grant)
    assert store.active_grants("t1", "u_1", now=NOW) == [grant]
    assert store.active_grants("t1", "u_1", now=NOW + timedelta(1)) == []
    assert store.active_grants("t2", "u_1", now=NOW) == []
    assert store.list_grants("t1") == [grant]


def test_hooks_run_inside_the_change(store: StaffStore, tmp_path: Path) -> None:
    seen: list[int] = []

    def hook(conn: sa.Connection) -> None:
        seen.append(conn.execute(sa.text("SELECT count(*) FROM staff_users")).scalar_one())

    def failing(conn: sa.Connection) -> None:
        raise RuntimeError("audit down")

    assert store.add_user(_user(), hooks=[hook])
    assert seen == [1]  # the hook saw the new row, uncommitted
    with pytest.raises(RuntimeError):
        store.update_user("t1", "u_1", {"role": "admin"}, kill_sessions=True, hooks=[failing])
    assert store.get_user("t1", "u_1").role == "agent"  # type: ignore[union-attr]
