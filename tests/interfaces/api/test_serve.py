"""``veil serve`` is registered (its module lives in interfaces/cli/serve.py)."""

from typer.testing import CliRunner

from veil.interfaces.cli.app import app


def test_serve_is_registered() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--data-dir" in result.stdout
