"""``veil policy check | records | notice``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from veil.interfaces.cli.policy import policy_app

runner = CliRunner()
DEFAULT = Path(__file__).parents[3] / "src" / "veil" / "policy" / "default_policy.toml"


def test_check_accepts_the_default_policy() -> None:
    result = runner.invoke(policy_app, ["check", str(DEFAULT)])
    assert result.exit_code == 0, result.output
    assert "ok (version 2026.1; 7 categories, 3 purposes" in result.stdout
    builtin = runner.invoke(policy_app, ["check"])
    assert builtin.exit_code == 0
    assert builtin.stdout.startswith("default_policy.toml: ok")


def test_check_refuses_with_every_problem_by_line(tmp_path: Path) -> None:
    text = DEFAULT.read_text()
    text = text.replace('categories = ["transcripts"]\ndata_subjects', 'categories = ["helth"]\n'
                        "data_subjects")  # fmt: skip
    text = text.replace('keep = "90d"', 'keep = "90 days"')
    path = tmp_path / "policy.toml"
    path.write_text(text)
    result = runner.invoke(policy_app, ["check", str(path)])
    assert result.exit_code == 2
    lines = text.splitlines()
    helth = next(i for i, line in enumerate(lines, 1) if '"helth"' in line)
    days = next(i for i, line in enumerate(lines, 1) if '"90 days"' in line)
    assert (
        f"{path} line {helth}: purpose 'analytics' names unknown category 'helth'" in result.stderr
    )
    assert f"{path} line {days}: retention rule 2 has bad duration '90 days'" in result.stderr
    assert result.stdout == ""


def test_check_reports_a_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(policy_app, ["check", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2
    assert "cannot read policy file" in result.stderr


def test_records_in_each_format() -> None:
    as_json = runner.invoke(policy_app, ["records", str(DEFAULT), "--format", "json"])
    assert as_json.exit_code == 0
    data = json.loads(as_json.stdout)
    assert [r["purpose"] for r in data["records"]] == [
        "ai_assistance",
        "quality_review",
        "analytics",
    ]
    markdown = runner.invoke(policy_app, ["records", "--format", "md"])
    assert markdown.stdout.startswith("# Records of processing activities (GDPR Art. 30)")
    assert "## Purpose: ai\\_assistance" in markdown.stdout
    html = runner.invoke(policy_app, ["records", "-f", "html"])
    assert html.stdout.startswith("<!doctype html>")
    bad = runner.invoke(policy_app, ["records", "--format", "pdf"])
    assert bad.exit_code == 2


def test_notice_as_html_and_json() -> None:
    html = runner.invoke(policy_app, ["notice", str(DEFAULT)])
    assert html.exit_code == 0
    assert "<h1>How our assistant handles your information</h1>" in html.stdout
    as_json = runner.invoke(policy_app, ["notice", "--format", "json"])
    assert json.loads(as_json.stdout)["title"] == "How our assistant handles your information"
