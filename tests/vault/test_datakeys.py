"""Data-key wrapping and KEK rotation, including a rotation killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import update

from veil.errors import IntegrityError, VaultError
from veil.storage.models import SubjectKey
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
