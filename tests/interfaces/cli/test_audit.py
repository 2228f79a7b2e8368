"""``veil audit``: verify, checkpoint, export on an embedded data directory."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from veil.audit import Action, AuditEvent, AuditTrail
from veil.interfaces.cli.audit import SIGNING_KEY_FILE, audit_app
from veil.testing import canary_email
from veil.vault import Vault

runner = CliRunner()


def _seed(data_dir: Path, subject: str) -> None:
    vault = Vault.embedded(data_dir)
    try:
        trail = AuditTrail.from_vault(vault)
        trail.record_many(
            [
                AuditEvent(Action.TOKEN_ISSUE, actor="ana", tenant="acme", subject=subject),
                AuditEvent(Action.TURN_READ, actor="bo", tenant="acme", subject=subject),
                AuditEvent(Action.AUTH_LOGIN, actor="bo", tenant="globex"),
            ]
        )
    finally:
        vault.store.engine.dispose()
        vault.ledger.engine.dispose()


def _tamper(data_dir: Path, sql: str) -> None:
    engine = sa.create_engine(f"sqlite:///{data_dir / 'veil.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text(sql))
    engine.dispose()


def test_verify_checkpoint_and_tamper(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _seed(data, canary_email())
    ok = runner.invoke(audit_app, ["verify", "--data-dir", str(data), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["rows"] == 3

    out = tmp_path / "cp.json"
    made = runner.invoke(audit_app, ["checkpoint", "--data-dir", str(data), "--out", str(out)])
    assert made.exit_code == 0, made.output
    assert json.loads(out.read_text())["seq"] == 3
    assert (data / SIGNING_KEY_FILE).stat().st_mode & 0o077 == 0

    with_file = runner.invoke(
        audit_app, ["verify", "--data-dir", str(data), "--checkpoint", str(out)]
    )
    assert with_file.exit_code == 0, with_file.output
    assert "2 checkpoints" in with_file.stdout  # the file and the ledger's

    _tamper(data, "UPDATE audit_rows SET actor = 'eve' WHERE seq = 2")
    bad = runner.invoke(audit_app, ["verify", "--data-dir", str(data)])
    assert bad.exit_code == 1
    assert "hash at seq 2" in bad.stdout
    refused = runner.invoke(audit_app, ["checkpoint", "--data-dir", str(data), "--out", str(out)])
    assert refused.exit_code == 1  # a tampered trail is never checkpointed


def test_rollback_of_the_data_dir_database_is_detected(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _seed(data, "s")
    shutil.copy(data / "veil.db", tmp_path / "backup.db")
    _seed(data, "s")
    cp = tmp_path / "cp.json"
    assert (
        runner.invoke(
            audit_app, ["checkpoint", "--data-dir", str(data), "--out", str(cp)]
        ).exit_code
        == 0
    )
    shutil.copy(tmp_path / "backup.db", data / "veil.db")
    result = runner.invoke(audit_app, ["verify", "--data-dir", str(data), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["problem"] == "checkpoint_beyond_head"


def test_export_filters_and_formats(tmp_path: Path) -> None:
    data = tmp_path / "data"
    subject = canary_email()
    _seed(data, subject)
    jsonl = runner.invoke(audit_app, ["export", "--data-dir", str(data), "--tenant", "acme"])
    assert jsonl.exit_code == 0, jsonl.output
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [r["seq"] for r in rows] == [1, 2]
    assert subject not in jsonl.stdout
    assert rows[0]["subject_hash"]

    out = tmp_path / "x.csv"
    args = ["export", "--data-dir", str(data), "--format", "csv", "--out", str(out),
            "--action", "turn.read", "--action", "auth.login", "--actor", "bo",
            "--since", "2000-01-01T00:00:00"]  # fmt: skip
    result = runner.invoke(audit_app, args)
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["action"] for r in table] == ["turn.read", "auth.login"]
    # the exports themselves were audited
    again = runner.invoke(audit_app, ["export", "--data-dir", str(data), "--action", "audit.read"])
    assert len(again.stdout.splitlines()) == 2


def test_refusals_exit_2(tmp_path: Path) -> None:
    missing = runner.invoke(audit_app, ["verify", "--data-dir", str(tmp_path / "none")])
    assert missing.exit_code == 2
    assert not (tmp_path / "none").exists()  # verify creates nothing
    data = tmp_path / "data"
    _seed(data, "s")
    bad_action = runner.invoke(audit_app, ["export", "--data-dir", str(data), "--action", "nope"])
    assert bad_action.exit_code == 2
    bad_time = runner.invoke(audit_app, ["export", "--data-dir", str(data), "--since", "yesterday"])
    assert bad_time.exit_code == 2
    junk = tmp_path / "junk.json"
    junk.write_text("{}")
    bad_cp = runner.invoke(
        audit_app, ["verify", "--data-dir", str(data), "--checkpoint", str(junk)]
    )
    assert bad_cp.exit_code == 2
