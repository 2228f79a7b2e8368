"""``veil keys``: rotation re-wraps every data key, retirement waits for it, all audited."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from veil.audit import Action, AuditTrail
from veil.interfaces.cli.app import app
from veil.pipeline import Analyzer, Veil
from veil.testing import canary_email
from veil.vault import Vault

runner = CliRunner()


def _keys(root: Path, *args: str) -> str:
    result = runner.invoke(app, ["keys", *args, "--data-dir", str(root)])
    assert result.exit_code == 0, result.output
    return result.output


def test_rotate_rewrap_retire(tmp_path: Path) -> None:
    email = canary_email()
    with Veil.embedded(tmp_path, analyzer=Analyzer.from_settings()) as veil:
        sent = veil.protect(f"mail {email}", conversation="c", subject="s")
    assert "v1: " in _keys(tmp_path, "status")
    rotated = _keys(tmp_path, "rotate")
    assert "v2" in rotated
    status = _keys(tmp_path, "status")
    assert "v1: 0 data keys" in status
    assert "(newest)" in status
    material = json.loads((tmp_path / "veil.keys").read_text())
    secrets = [v for v in json.dumps(material).split('"') if len(v) >= 40]
    assert all(secret not in rotated + status for secret in secrets)
    refused = runner.invoke(app, ["keys", "retire", "--version", "2", "--data-dir", str(tmp_path)])
    assert refused.exit_code == 2  # the newest KEK stays
    assert "retired" in _keys(tmp_path, "retire", "--version", "1")
    with Veil.embedded(tmp_path, analyzer=Analyzer.from_settings()) as veil:
        assert veil.restore(sent.text, conversation="c") == f"mail {email}"
    vault = Vault.embedded(tmp_path)
    try:
        trail = AuditTrail.from_vault(vault)
        records = [r.record for r in trail.query(actions=[Action.KEY_OPERATION])]
        assert records == ["rotate.start", "rotate.done", "retire"]
        assert trail.verify().ok
    finally:
        vault.store.engine.dispose()
        vault.ledger.engine.dispose()


def test_retiring_a_kek_that_still_wraps_keys_is_refused(tmp_path: Path) -> None:
    with Veil.embedded(tmp_path, analyzer=Analyzer.from_settings()) as veil:
        veil.protect(f"mail {canary_email()}", conversation="c", subject="s")
        keys = veil.vault.keys
        assert hasattr(keys, "add_kek")
        keys.add_kek()  # a new KEK, but no rewrap yet
    result = runner.invoke(app, ["keys", "retire", "--version", "1", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "rewrap" in result.output
