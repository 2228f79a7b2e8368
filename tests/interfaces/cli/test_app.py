import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from veil.interfaces.cli.app import app
from veil.testing import canary_card, canary_email

runner = CliRunner()


def test_detect_single_text_json() -> None:
    email, card = canary_email(), canary_card()
    result = runner.invoke(app, ["detect", "--json", f"Write to {email}, card {card}."])
    assert result.exit_code == 0, result.output
    spans = json.loads(result.stdout)
    labels = {s["label"] for s in spans}
    assert {"EMAIL", "CREDIT_CARD"} <= labels
    text = f"Write to {email}, card {card}."
    assert any(text[s["start"] : s["end"]] == email for s in spans)
    assert all(s["reason"] and email not in s["reason"] for s in spans)


def test_detect_table_masks_values() -> None:
    email = canary_email()
    result = runner.invoke(app, ["detect", f"mail {email} please"])
    assert result.exit_code == 0
    assert "[EMAIL]" in result.stdout
    assert email not in result.stdout


def test_detect_jsonl_keeps_stable_format_and_survives_bad_lines(tmp_path: Path) -> None:
    email = canary_email()
    path = tmp_path / "in.jsonl"
    path.write_bytes(
        b'{"id": "a", "text": "mail ' + email.encode() + b'"}\n'
        b'{"id": "b", "text": "\xff ' + email.encode() + b'"}\n'
        b'{"id": "c", "text": "nothing here"}\n'
    )
    result = runner.invoke(app, ["detect", "--input", str(path)])
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", "c"]
    assert set(rows[0]) == {"id", "spans"}
    assert set(rows[0]["spans"][0]) == {"start", "end", "label", "score"}
    assert rows[1]["spans"] == []
    assert "line 2" in result.stderr
    assert email not in result.stderr


def test_detect_strict_refuses(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"id": "a", "text": "ok"}\n{"id": "b", "text": \n')
    result = runner.invoke(app, ["detect", "--strict", "--input", str(path)])
    assert result.exit_code == 2
    assert "line 2" in result.stderr


def test_detect_plain_lines(tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_text(f"first {canary_email()}\nsecond line\n", encoding="utf-8")
    result = runner.invoke(app, ["detect", "--input", str(path)])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["1", "2"]
    assert rows[0]["spans"][0]["label"] == "EMAIL"


def _write_gold(path: Path, label: str = "EMAIL_ADDRESS") -> None:
    text = "mail jane.doe@example.org now"
    row = {"id": "1", "text": text, "spans": [{"start": 5, "end": 25, "label": label}]}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")


def test_eval_json_report(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    _write_gold(path)
    result = runner.invoke(app, ["eval", "--json", str(path)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["types"]["EMAIL"]["recall"] == 1.0
    assert report["overall"]["leak"] == 0.0
    assert report["texts"] == 1


def test_eval_table(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    _write_gold(path)
    result = runner.invoke(app, ["eval", str(path)])
    assert result.exit_code == 0
    assert "EMAIL" in result.stdout
    assert "texts/s" in result.stdout


def test_eval_unknown_label_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    _write_gold(path, label="WIDGET")
    result = runner.invoke(app, ["eval", str(path)])
    assert result.exit_code == 2
    assert "line 1" in result.stderr
    assert "WIDGET" in result.stderr


def test_eval_label_map(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    _write_gold(path, label="CONTACT")
    mapping = tmp_path / "map.json"
    mapping.write_text('{"CONTACT": "EMAIL"}', encoding="utf-8")
    result = runner.invoke(app, ["eval", "--json", "--label-map", str(mapping), str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["types"]["EMAIL"]["recall"] == 1.0


@pytest.mark.parametrize("args", [["detect"], ["detect", "--input", "/nonexistent/x.jsonl"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2


def test_detect_hints_when_the_text_is_a_data_file(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"id": "1", "text": "hi"}\n', encoding="utf-8")
    result = runner.invoke(app, ["detect", "--json", str(path)])
    assert result.exit_code == 0
    assert "use --input" in result.stderr
    plain = runner.invoke(app, ["detect", "--json", "rows.jsonl is not here"])
    assert "hint" not in plain.stderr
