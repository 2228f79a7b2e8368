"""Data-key wrapping and KEK rotation, including a rotation killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine

from veil.errors import IntegrityError, SubjectForgottenError, VaultError
from veil.storage import ErasureLedger, KeyRecord, Store, migrate
from veil.storage.models import SubjectKey
from veil.testing import scratch_engine
from veil.vault import Binding, LocalKeyFile, Vault

ROTATE = textwrap.dedent(
    """
    import sys, time
    from veil.vault import Vault
    vault = Vault.embedded(sys.argv[1])
    def progress(total):
        print(total, flush=True)
        time.sleep(0.05)
    vault.rewrap(batch_size=4, progress=progress)
    print("done", flush=True)
    """
)


def _populate(vault: Vault, subjects: int) -> dict[Binding, bytes]:
    sealed = {}
    for i in range(subjects):
        binding = Binding("t", f"subject-{i}", "conv", f"<TOKEN_{i}>")
        sealed[binding] = vault.seal(f"value {i}", binding)
        vault.store.put_token(
            "t", "conv", binding.subject, binding.field, "PERSON", sealed[binding]
        )
    return sealed


def test_rewrap_killed_midway_resumes_and_retires_old_kek(tmp_path: Path) -> None:
    vault = Vault.embedded(tmp_path)
    sealed = _populate(vault, 80)
    assert isinstance(vault.keys, LocalKeyFile)
    old = vault.keys.keks()[0]
    new = vault.keys.add_kek()

    script = tmp_path / "rotate.py"
    script.write_text(ROTATE)
    child = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    progressed = 0
    for line in child.stdout:
        progressed = int(line)
        if progressed >= 20:
            os.kill(child.pid, signal.SIGKILL)
            break
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    left = vault.store.count_keys_under(old.id, old.version)
    assert 0 < left < 80  # really interrupted half-way

    assert vault.rewrap() == left  # resume: only what was left
    assert vault.rewrap() == 0  # idempotent
    assert vault.store.count_keys_under(old.id, old.version) == 0
    assert vault.store.count_keys_under(new.id, new.version) == 80

    vault.keys.retire(old)
    fresh = Vault.embedded(tmp_path)
    assert fresh.keys.keks() == (new,)
    for binding, envelope in sealed.items():
        assert fresh.open(envelope, binding) == f"value {binding.subject.split('-')[1]}"
    for entry in fresh.store.get_tokens("t", "conv"):
        binding = Binding("t", entry.subject, "conv", entry.token)
        assert fresh.open(entry.envelope, binding) == f"value {entry.subject.split('-')[1]}"


def test_rewrap_finishes_an_interrupted_forget(tmp_path: Path) -> None:
    vault = Vault.embedded(tmp_path)
    sealed = _populate(vault, 3)
    gone = next(iter(sealed))
    # Simulate a crash between the ledger erasure and the database cleanup.
    from veil.vault.datakeys import subject_digest

    vault.ledger.erase(gone.tenant, gone.subject, subject_digest(gone.tenant, gone.subject))
    assert isinstance(vault.keys, LocalKeyFile)
    vault.keys.add_kek()
    assert vault.rewrap() == 2
    assert vault.store.latest_key(gone.tenant, gone.subject) is None
    assert vault.store.is_tombstoned(subject_digest(gone.tenant, gone.subject))


def test_wrapped_keys_cannot_be_swapped_between_subjects(tmp_path: Path) -> None:
    vault = Vault.embedded(tmp_path)
    a, b = Binding("t", "a", "r", "f"), Binding("t", "b", "r", "f")
    env_a = vault.seal("A", a)
    vault.seal("B", b)
    rec_b = vault.store.latest_key("t", "b")
    assert rec_b is not None
    with vault.store.engine.begin() as conn:
        conn.execute(
            update(SubjectKey).where(SubjectKey.subject == "a").values(wrapped=rec_b.wrapped)
        )
    with pytest.raises(IntegrityError):
        Vault(vault.store, vault.ledger, vault.keys).open(env_a, a)


def test_lost_ledger_secret_is_a_vault_error(tmp_path: Path) -> None:
    vault = Vault.embedded(tmp_path)
    envelope = vault.seal("x", Binding("t", "s", "r", "f"))
    with vault.ledger.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM ledger_secrets")
    cold = Vault(vault.store, vault.ledger, vault.keys)
    with pytest.raises(VaultError):
        cold.open(envelope, Binding("t", "s", "r", "f"))


# -- a subject's first seal ----------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def any_vault(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Vault]:
    url = os.environ.get("VEIL_TEST_POSTGRES_URL") if request.param == "postgresql" else None
    if request.param == "postgresql" and not url:
        pytest.skip("VEIL_TEST_POSTGRES_URL is not set")
    with (
        scratch_engine(tmp_path, "main", postgres_url=url) as main,
        scratch_engine(tmp_path, "ledger", postgres_url=url, durable=True) as ledger,
    ):
        migrate(main, "core")
        migrate(ledger, "ledger")
        yield Vault(Store(main), ErasureLedger(ledger), LocalKeyFile(tmp_path / "keys"))


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())


def test_a_subject_forgotten_before_its_first_seal_gets_no_key(any_vault: Vault) -> None:
    any_vault.forget("t", "gone")
    with pytest.raises(SubjectForgottenError):
        any_vault.seal("value", Binding("t", "gone", "c", "f"))
    assert _count(any_vault.ledger.engine, "ledger_secrets") == 0
    assert _count(any_vault.store.engine, "subject_keys") == 0


def test_the_ledger_secret_is_stored_before_the_key_that_needs_it(
    any_vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Crash-safety order: when the data key row is written, the ledger secret it is
    wrapped under is already committed (read here over another connection)."""
    seen: list[int] = []
    real = Store.add_key

    def add_key(store: Store, record: KeyRecord) -> bool:
        seen.append(_count(any_vault.ledger.engine, "ledger_secrets"))
        return real(store, record)

    monkeypatch.setattr(Store, "add_key", add_key)
    binding = Binding("t", "new", "c", "f")
    envelope = any_vault.seal("value", binding)
    assert seen == [1]
    assert any_vault.open(envelope, binding) == "value"


def test_a_first_seal_makes_one_ledger_call(
    any_vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    for name in ("secret", "is_erased"):
        real = getattr(ErasureLedger, name)

        def spy(*args: object, _real: Any = real, _name: str = name, **kw: object) -> object:
            calls.append(_name)
            return _real(*args, **kw)

        monkeypatch.setattr(ErasureLedger, name, spy)
    any_vault.seal("value", Binding("t", "new", "c", "f"))
    assert calls == ["secret"]  # the create, which also refuses a tombstone


def test_racing_first_seals_from_two_processes_share_one_secret(any_vault: Vault) -> None:
    """Two vaults with separate caches (as two processes) seal for one new subject at
    once: one ledger secret, and every envelope opens in either vault."""
    vaults = [any_vault, Vault(any_vault.store, any_vault.ledger, any_vault.keys)]
    barrier = threading.Barrier(4)
    binding = Binding("t", "raced", "c", "f")

    def seal(i: int) -> bytes:
        barrier.wait()
        return vaults[i % 2].seal(f"value {i}", binding)

    with ThreadPoolExecutor(4) as pool:
        envelopes = list(pool.map(seal, range(4)))
    assert _count(any_vault.ledger.engine, "ledger_secrets") == 1
    for i, envelope in enumerate(envelopes):
        assert vaults[0].open(envelope, binding) == f"value {i}"
        assert vaults[1].open(envelope, binding) == f"value {i}"
