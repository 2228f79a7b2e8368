"""``veil retention``, ``veil dsar`` and ``veil export --anonymized`` end to end."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from veil.errors import ConfigurationError
from veil.interfaces.cli.rights import dsar_app, export, parse_keep, retention_app
from veil.pipeline import Analyzer, Veil
from veil.pipeline.anonymized_export import export_analyzer
from veil.pipeline.turns import TurnLog
from veil.storage import TurnStore
from veil.testing import canary_email, canary_person
from veil.vault import Vault

app = typer.Typer()
app.add_typer(retention_app, name="retention")
app.add_typer(dsar_app, name="dsar")
app.command(name="export")(export)
runner = CliRunner()


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return export_analyzer()


def call(*args: str, input: str | None = None) -> Any:
    result = runner.invoke(app, list(args), input=input)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def seed(data: Path, analyzer: Analyzer, subject: str = "alice") -> list[str]:
    name, email = canary_person(), canary_email()
    with Veil.embedded(data, analyzer=analyzer) as veil:
        text = f"Hi, my name is {name}, mail {email}."
        veil.protect(text, conversation=f"c-{subject}", subject=subject)
        veil.record_turn(conversation=f"c-{subject}", subject=subject, role="user", text=text)
    return [name, email]


def test_retention_run_dry_run_holds_and_release(tmp_path: Path) -> None:
    data = tmp_path / "data"
    vault = Vault.embedded(data)
    old = TurnStore(vault.store.engine, clock=lambda: datetime.now(UTC) - timedelta(days=40))
    TurnLog(vault, old).record("default", "c1", "s1", "user", "an old message")
    TurnLog(vault, TurnStore(vault.store.engine)).record("default", "c2", "s2", "user", "new")
    vault.store.engine.dispose()
    vault.ledger.engine.dispose()
    base = ["retention", "run", "--keep", "ai_assistance=30d", "--data-dir", str(data)]
    dry = call(*base, "--dry-run")
    assert dry["dry_run"] is True
    assert dry["deleted"]["turns"] == 1
    hold = runner.invoke(app, ["retention", "hold", "--tenant", "default", "--reason", "claim-1",
                               "--data-dir", str(data)])  # fmt: skip
    assert hold.exit_code == 0, hold.output
    held = call(*base)
    assert (held["deleted"]["turns"], held["held"]["turns"]) == (0, 1)
    released = runner.invoke(app, ["retention", "release", hold.stdout.strip(), "--data-dir",
                                   str(data)])  # fmt: skip
    assert released.exit_code == 0, released.output
    report = call(*base)
    assert report["deleted"]["turns"] == 1
    assert report["shredded_subjects"] == 1
    again = runner.invoke(app, ["retention", "release", "1", "--data-dir", str(data)])
    assert again.exit_code == 2
    bad = runner.invoke(
        app, ["retention", "run", "--keep", "ai_assistance", "--data-dir", str(data)]
    )
    assert bad.exit_code == 2
    assert "PURPOSE=PERIOD" in bad.stderr


def test_a_dsar_from_open_to_export_and_erasure(tmp_path: Path, analyzer: Analyzer) -> None:
    data = tmp_path / "data"
    canaries = seed(data, analyzer)
    where = ["--data-dir", str(data)]
    opened = call(
        "dsar", "open", "--subject", "alice", "--kind", "access", "--actor", "dpo", *where
    )
    rid = opened["id"]
    assert opened["status"] == "received"
    refused = runner.invoke(app, ["dsar", "export", rid, "--actor", "dpo", "--out",
                                  str(tmp_path / "x.json"), *where])  # fmt: skip
    assert refused.exit_code == 2
    assert "not verified" in refused.stderr
    assert not (tmp_path / "x.json").exists()
    call("dsar", "verify", rid, "--method", "id_document", "--verifier", "agent-7", *where)
    out, html = tmp_path / "alice.json", tmp_path / "alice.html"
    counts = call("dsar", "export", rid, "--actor", "dpo", "--out", str(out), "--html", str(html),
                  *where)  # fmt: skip
    assert counts["turns"] == 1
    for path in (out, html):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert all(value in path.read_text() for value in canaries)
    assert call("dsar", "status", rid, *where)["status"] == "completed"
    assert call("dsar", "list", *where) == []

    erasure = call("dsar", "open", "--subject", "alice", "--kind", "erasure", "--law", "ccpa",
                   "--actor", "dpo", *where)["id"]  # fmt: skip
    assert [r["id"] for r in call("dsar", "list", *where)] == [erasure]
    assert call("dsar", "list", "--overdue", *where) == []
    call("dsar", "verify", erasure, "--method", "account_login", "--verifier", "agent-7", *where)
    done = call("dsar", "erase", erasure, "--actor", "dpo", *where)
    assert done["subject"].startswith("veil:erased:")
    vault = Vault.embedded(data)
    assert vault.is_forgotten("default", "alice")


def test_rectify_reads_the_value_from_stdin_and_restrict(
    tmp_path: Path, analyzer: Analyzer
) -> None:
    data = tmp_path / "data"
    seed(data, analyzer)
    where = ["--data-dir", str(data)]
    rid = call("dsar", "open", "--subject", "alice", "--kind", "rectification", "--actor", "dpo",
               *where)["id"]  # fmt: skip
    call("dsar", "verify", rid, "--method", "id_document", "--verifier", "agent-7", *where)
    fixed = canary_email()
    done = call("dsar", "rectify", rid, "--conversation", "c-alice", "--token", "[EMAIL_1]",
                "--actor", "dpo", *where, input=fixed + "\n")  # fmt: skip
    assert done["status"] == "completed"
    with Veil.embedded(data) as veil:
        assert veil.restore("[EMAIL_1]", conversation="c-alice") == fixed
    rid = call("dsar", "open", "--subject", "alice", "--kind", "restriction", "--actor", "dpo",
               *where)["id"]  # fmt: skip
    rejected = call("dsar", "reject", rid, "--reason", "duplicate", "--actor", "dpo", *where)
    assert (rejected["status"], rejected["note"]) == ("rejected", "duplicate")
    bad = runner.invoke(app, ["dsar", "open", "--subject", "a", "--kind", "forget", "--actor",
                              "dpo", *where])  # fmt: skip
    assert bad.exit_code == 2


def test_export_anonymized_writes_no_canary(tmp_path: Path, analyzer: Analyzer) -> None:
    data = tmp_path / "data"
    # Subject ids no surrogate can contain by chance (surrogate e-mails are made of
    # common first names, so "alice" may legitimately appear in one).
    first, second = "cust-qz7x41", "cust-qz7x42"
    canaries = seed(data, analyzer, first) + seed(data, analyzer, second)
    target = tmp_path / "out.jsonl"
    refused = runner.invoke(app, ["export", str(target), "--data-dir", str(data)])
    assert refused.exit_code == 2
    assert not target.exists()
    summary = call("export", str(target), "--anonymized", "--data-dir", str(data))
    assert summary["turns"] == 2
    text = target.read_text()
    assert len(text.splitlines()) == 2
    assert not [value for value in [*canaries, first, second] if value in text]
    assert not list(tmp_path.glob(".*.partial"))


def test_periods_are_parsed_strictly() -> None:
    assert parse_keep("30d") == timedelta(days=30)
    assert parse_keep("12h") == timedelta(hours=12)
    assert parse_keep(" 2w ") == timedelta(weeks=2)
    for bad in ("0d", "30", "1y", "d", "30 d"):
        with pytest.raises(ConfigurationError):
            parse_keep(bad)
