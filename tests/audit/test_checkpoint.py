"""Signed checkpoints: JSON files, the ledger copy, and rollback detection."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from veil.audit import Action, AuditEvent, AuditTrail, Checkpoint, Problem
from veil.audit.checkpoint import read_checkpoint, sign_checkpoint, write_checkpoint
from veil.errors import AuditError
from veil.storage import migrate, open_engine
from veil.storage.database import utcnow
from veil.vault import CheckpointSigner


def _events(n: int) -> list[AuditEvent]:
    return [AuditEvent(Action.TURN_READ, record=f"r{i}") for i in range(n)]


def test_checkpoint_file_round_trip_and_signature(trail: AuditTrail, tmp_path: Path) -> None:
    trail.record_many(_events(5))
    signer = CheckpointSigner.generate()
    cp = trail.checkpoint(signer, actor="ops")
    assert (cp.seq, cp.hash) == (5, trail.query()[4].hash)
    path = tmp_path / "cp.json"
    write_checkpoint(cp, path)
    again = read_checkpoint(path)
    assert again == cp
    assert again.signature_valid(signer.public_key_bytes())
    assert not again.signature_valid(CheckpointSigner.generate().public_key_bytes())
    doc = json.loads(path.read_text())
    doc["seq"] = 4
    forged = Checkpoint.from_json(json.dumps(doc))
    assert not forged.signature_valid(signer.public_key_bytes())
    last = trail.query()[-1]  # taking a checkpoint is itself audited
    assert (last.seq, last.action, last.actor, last.record) == (
        6,
        Action.AUDIT_CHECKPOINT,
        "ops",
        "audit:5",
    )


@pytest.mark.parametrize("text", ["", "{}", '{"format": 1, "seq": "5"}', "[1]", '{"format": 9}'])
def test_malformed_checkpoint_files_are_refused(text: str) -> None:
    with pytest.raises(AuditError):
        Checkpoint.from_json(text)


def test_ledger_keeps_the_latest_checkpoint(trail: AuditTrail) -> None:
    signer = CheckpointSigner.generate()
    assert trail.latest_checkpoint() is None
    trail.record_many(_events(3))
    trail.checkpoint(signer)
    trail.record_many(_events(3))
    second = trail.checkpoint(signer)
    assert trail.latest_checkpoint() == second
    report = trail.verify(public_key=signer.public_key_bytes())
    assert report.ok
    assert report.checkpoints == 1
    assert report.rows == 8


def test_checkpoint_refuses_an_unauthentic_head(trail: AuditTrail, engine: Engine) -> None:
    trail.record_many(_events(3))
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_rows WHERE seq = 3"))
    with pytest.raises(AuditError, match="last row"):
        trail.checkpoint(CheckpointSigner.generate())
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_head SET seq = 2"))
    with pytest.raises(AuditError, match="not authentic"):
        trail.checkpoint(CheckpointSigner.generate())


def test_a_checkpoint_of_the_empty_trail(trail: AuditTrail) -> None:
    cp = sign_checkpoint(CheckpointSigner.generate(), 0, "0" * 64, utcnow())
    assert trail.verify(checkpoints=[cp], use_ledger=False).ok
    bad = sign_checkpoint(CheckpointSigner.generate(), 0, "1" * 64, utcnow())
    assert trail.verify(checkpoints=[bad]).problem is Problem.CHECKPOINT_MISMATCH


@pytest.mark.parametrize("backend", ["sqlite"])
def test_restoring_an_old_copy_of_the_database_file_is_detected(
    tmp_path: Path, backend: str, make_trail: Callable[..., AuditTrail], ledger_engine: Engine
) -> None:
    path = tmp_path / "app.db"
    engine = open_engine(f"sqlite:///{path}")
    migrate(engine, "core")
    trail = AuditTrail(engine, mac_key=b"m" * 32, subject_key=lambda _t: b"s" * 32,
                       ledger=ledger_engine)  # fmt: skip
    signer = CheckpointSigner.generate()
    trail.record_many(_events(10))
    engine.dispose()  # folds the WAL into the file: the backup is complete
    shutil.copy(path, tmp_path / "backup.db")
    trail.record_many(_events(10))
    trail.checkpoint(signer)
    assert trail.verify(public_key=signer.public_key_bytes()).ok
    engine.dispose()
    shutil.copy(tmp_path / "backup.db", path)  # the rollback
    report = trail.verify(public_key=signer.public_key_bytes())
    assert (report.problem, report.seq) == (Problem.CHECKPOINT_BEYOND_HEAD, 11)
    assert trail.verify(use_ledger=False).ok  # internally consistent: only the ledger knows
    trail.record_many(_events(15))  # writing on past the checkpoint does not hide it
    report = trail.verify(public_key=signer.public_key_bytes())
    assert (report.problem, report.seq) == (Problem.CHECKPOINT_MISMATCH, 20)
    engine.dispose()
