"""``veil protect`` / ``restore`` / ``forget``: one vault directory across invocations."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from veil.interfaces.cli.app import app
from veil.testing import canary_email

runner = CliRunner()


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_protect_restore_forget(tmp_path: Path) -> None:
    data = str(tmp_path / "vault")
    email = canary_email()
    text = f"I am Maria Gonzalez, mail {email}"
    code, protected, err = invoke(
        "protect", text, "--conversation", "c1", "--subject", "s1", "--data-dir", data
    )
    assert code == 0, err
    assert protected == "I am [PERSON_1], mail [EMAIL_1]\n"
    assert (tmp_path / "vault" / "veil.keys").exists()

    reply = "Thanks [PERSON_1], we wrote to [EMAIL_1]."
    code, restored, _ = invoke("restore", reply, "--conversation", "c1", "--data-dir", data)
    assert code == 0
    assert restored == f"Thanks Maria Gonzalez, we wrote to {email}.\n"
    code, other, _ = invoke("restore", reply, "--conversation", "c2", "--data-dir", data)
    assert other == reply + "\n"

    code, out, err = invoke("forget", "--subject", "s1", "--data-dir", data)
    assert code == 0
    assert out == ""
    code, restored, _ = invoke("restore", reply, "--conversation", "c1", "--data-dir", data)
    assert restored == reply + "\n"
    code, out, err = invoke(
        "protect", text, "--conversation", "c1", "--subject", "s1", "--data-dir", data
    )
    assert code == 2
    assert out == ""
    assert "erased" in err
    assert email not in err
    assert "Maria" not in err


def test_text_from_stdin_and_default_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    email = canary_email()
    code, protected, err = invoke(
        "protect", "-", "--conversation", "c1", "--subject", "s1", stdin=f"mail {email}"
    )
    assert code == 0, err
    assert protected == "mail [EMAIL_1]\n"
    assert (tmp_path / ".veil" / "veil.db").exists()
    code, restored, _ = invoke("restore", "-", "--conversation", "c1", stdin="to [EMAIL_1]")
    assert restored == f"to {email}\n"


def test_refusals_exit_2_without_values(tmp_path: Path) -> None:
    data = str(tmp_path / "vault")
    code, out, err = invoke(
        "protect", "I am Maria Gonzalez", "--conversation", "veil:x", "--subject", "s1",
        "--data-dir", data,
    )  # fmt: skip
    assert code == 2
    assert out == ""
    assert "reserved" in err
    assert "Maria" not in err
    code, _, err = invoke("protect", "hello", "--subject", "s1", "--data-dir", data)
    assert code == 2  # --conversation is required
