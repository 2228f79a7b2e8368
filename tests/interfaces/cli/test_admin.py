"""``veil admin``: bootstrap, users, roles, API keys, MFA reset, on a real data dir."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from veil.audit import Action, AuditTrail
from veil.interfaces.api.auth import staff_from_vault
from veil.interfaces.cli.admin import admin_app
from veil.policy.access import Role
from veil.storage import checkpoint
from veil.vault import Vault

PASSWORD = "correct horse battery"
runner = CliRunner()


def _run(data: Path, *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(admin_app, [*args, "--data-dir", str(data)], input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"crashed: {result.exception!r}")  # not a clean exit
    return result.exit_code, result.stdout, result.stderr


def _create(data: Path, name: str, *extra: str) -> tuple[int, str, str]:
    return _run(data, "create", "--username", name, "--password-stdin", *extra, input=PASSWORD)


def _users(data: Path) -> list[dict[str, object]]:
    code, out, _ = _run(data, "users", "--json")
    assert code == 0
    return [json.loads(line) for line in out.splitlines()]


def test_bootstrap_once_unless_forced(tmp_path: Path) -> None:
    code, out, _ = _create(tmp_path, "root")
    assert code == 0
    assert out.strip().startswith("u_")
    code, _, err = _create(tmp_path, "root2")
    assert code == 2
    assert "already has an admin" in err
    assert _create(tmp_path, "root2", "--force")[0] == 0
    assert (
        _run(
            tmp_path,
            "create",
            "--username",
            "x",
            "--tenant",
            "t2",
            "--password-stdin",
            input=PASSWORD,
        )[0]
        == 0
    )
    assert [u["username"] for u in _users(tmp_path)] == ["root", "root2"]


def test_password_comes_from_a_prompt_never_argv(tmp_path: Path) -> None:
    code, _, _ = _run(tmp_path, "create", "--username", "root", "--password", PASSWORD)
    assert code != 0  # there is no such option
    code, out, _ = _run(tmp_path, "create", "--username", "root", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert code == 0
    assert PASSWORD not in out
    code, _, err = _run(
        tmp_path, "create", "--username", "w", "--tenant", "t3", "--password-stdin", input="short"
    )
    assert code == 2
    assert "at least 12" in err
    assert "short" not in err


def test_roles_keys_and_mfa_reset(tmp_path: Path) -> None:
    _create(tmp_path, "root")
    vault = Vault.embedded(tmp_path)
    try:
        staff = staff_from_vault(vault, AuditTrail.from_vault(vault))
        agent = staff.accounts.create(None, "default", "agent", Role.AGENT, PASSWORD).id
        robot = staff.accounts.create(None, "default", "robot", Role.SERVICE, None).id
    finally:
        vault.store.engine.dispose()
        vault.ledger.engine.dispose()
    assert _run(tmp_path, "role", agent, "supervisor")[0] == 0
    assert {u["id"]: u["role"] for u in _users(tmp_path)}[agent] == "supervisor"
    assert _run(tmp_path, "role", "u_nobody", "analyst")[0] == 1
    assert _run(tmp_path, "role", agent, "emperor")[0] == 2  # not a role
    assert _run(tmp_path, "role", agent, "analyst", "--tenant", "other")[0] == 1
    code, key, err = _run(tmp_path, "apikey", "create", robot)
    key = key.strip()
    assert code == 0
    assert key.startswith("veil_sk_")
    assert key not in err
    assert _run(tmp_path, "apikey", "create", agent)[0] == 2  # humans get no keys
    key_id = err.split("key id ")[1].split(";")[0]
    assert _run(tmp_path, "apikey", "revoke", key_id)[0] == 0
    assert _run(tmp_path, "apikey", "revoke", key_id)[0] == 1
    assert _run(tmp_path, "mfa-reset", agent)[0] == 0
    assert _run(tmp_path, "mfa-reset", "u_nobody")[0] == 1
    vault = Vault.embedded(tmp_path)
    try:
        checkpoint(vault.store.engine)
        for path in tmp_path.iterdir():
            if path.is_file():
                assert key.encode() not in path.read_bytes(), path.name
        rows = AuditTrail.from_vault(vault).query(
            actions=[Action.USER_CHANGE, Action.APIKEY_CHANGE], actor="cli"
        )
        changes = [r.detail["change"] for r in rows]
        assert changes == ["create", "create", "create", "role", "create", "revoke", "mfa_reset"]
    finally:
        vault.store.engine.dispose()
        vault.ledger.engine.dispose()


def test_users_table_output(tmp_path: Path) -> None:
    _create(tmp_path, "root")
    code, out, _ = _run(tmp_path, "users")
    assert code == 0
    assert "root" in out
    assert "admin" in out
