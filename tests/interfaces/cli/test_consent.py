"""``veil consent``: append-only events in the data directory, each with its audit row."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from veil.audit import Action, AuditTrail
from veil.interfaces.cli.consent import consent_app
from veil.vault import Vault

runner = CliRunner()
SUBJECT = "cust-7f3a9"


def _run(data_dir: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(consent_app, [*args, "--data-dir", str(data_dir)])
    return result.exit_code, result.stdout, result.stderr


def test_grant_withdraw_show(tmp_path: Path) -> None:
    code, out, _ = _run(
        tmp_path, "grant", "--subject", SUBJECT, "--purpose", "analytics",
        "--notice-version", "2026-01", "--source", "web-form",
    )  # fmt: skip
    assert code == 0, out
    assert out == "consent to 'analytics' granted (event 1)\n"
    code, out, _ = _run(tmp_path, "show", "--subject", SUBJECT, "--json")
    state = json.loads(out)
    assert state["consents"] == {"analytics": {"granted": True, "valid": True}}
    assert _run(tmp_path, "withdraw", "--subject", SUBJECT, "--purpose", "analytics")[0] == 0
    assert _run(tmp_path, "restrict", "--subject", SUBJECT, "--source", "agent:42")[0] == 0
    code, out, _ = _run(tmp_path, "show", "--subject", SUBJECT, "--json")
    state = json.loads(out)
    assert state["restricted"] is True
    assert state["consents"] == {"analytics": {"granted": False, "valid": False}}
    assert [(e["event"], e["source"]) for e in state["history"]] == [
        ("grant", "web-form"),
        ("withdraw", "cli"),
    ]
    code, out, _ = _run(tmp_path, "show", "--subject", SUBJECT)
    assert code == 0
    assert "withdraw" in out
    assert "processing restricted: yes" in out
    assert _run(tmp_path, "lift", "--subject", SUBJECT)[0] == 0
    assert (
        json.loads(_run(tmp_path, "show", "--subject", SUBJECT, "--json")[1])["restricted"] is False
    )


def test_every_change_is_audited_without_the_subject_id(tmp_path: Path) -> None:
    _run(tmp_path, "grant", "--subject", SUBJECT, "--purpose", "analytics",
         "--notice-version", "2026-01")  # fmt: skip
    _run(tmp_path, "withdraw", "--subject", SUBJECT, "--purpose", "analytics")
    _run(tmp_path, "restrict", "--subject", SUBJECT)
    vault = Vault.embedded(tmp_path)
    try:
        trail = AuditTrail.from_vault(vault)
        rows = trail.query(subject=("default", SUBJECT))
        assert [r.action for r in rows] == [
            Action.CONSENT_GRANT, Action.CONSENT_WITHDRAW, Action.SUBJECT_RESTRICT,
        ]  # fmt: skip
        assert rows[0].purpose == "analytics"
        assert rows[0].detail == {"source": "cli", "notice_version": "2026-01"}
        with vault.store.engine.connect() as conn:
            dumped = conn.execute(sa.text("SELECT * FROM audit_rows")).all()
        assert SUBJECT not in repr(dumped)
    finally:
        vault.store.engine.dispose()
        vault.ledger.engine.dispose()


def test_refusals_exit_2_and_record_nothing(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path, "grant", "--subject", SUBJECT, "--purpose", "ai_assistance",
                        "--notice-version", "2026-01")  # fmt: skip
    assert code == 2
    assert "purpose 'ai_assistance' does not rest on consent" in err
    code, _, err = _run(tmp_path, "grant", "--subject", SUBJECT, "--purpose", "analytics",
                        "--notice-version", "1999")  # fmt: skip
    assert code == 2
    assert "notice version shown is not accepted" in err
    code, _, err = _run(tmp_path, "withdraw", "--subject", SUBJECT, "--purpose", "analytics",
                        "--source", "Jane Doe <jane@example.org>")  # fmt: skip
    assert code == 2
    assert "jane" not in err.lower()
    state = json.loads(_run(tmp_path, "show", "--subject", SUBJECT, "--json")[1])
    assert state["history"] == []


def test_grant_follows_a_policy_file(tmp_path: Path) -> None:
    default = Path(__file__).parents[3] / "src" / "veil" / "policy" / "default_policy.toml"
    policy = tmp_path / "policy.toml"
    policy.write_text(
        default.read_text().replace('notice_version = "2026-01"', 'notice_version = "v9"')
    )
    code, _, _ = _run(tmp_path / "data", "grant", "--subject", SUBJECT, "--purpose", "analytics",
                      "--notice-version", "v9", "--policy", str(policy))  # fmt: skip
    assert code == 0
    shown = json.loads(
        _run(tmp_path / "data", "show", "--subject", SUBJECT, "--json", "--policy", str(policy))[1]
    )
    assert shown["consents"]["analytics"]["valid"] is True
    builtin = json.loads(_run(tmp_path / "data", "show", "--subject", SUBJECT, "--json")[1])
    assert builtin["consents"]["analytics"]["valid"] is False  # the built-in notice is 2026-01
