"""``veil admin``: staff accounts from the operator's shell.

``create`` bootstraps the first admin of a tenant (refused once the tenant has an
admin, unless ``--force``); ``users`` lists accounts; ``role`` changes one; ``apikey
create|revoke`` manages service keys (a new key is printed once, on stdout, and
nowhere else); ``mfa-reset`` removes a user's MFA. Passwords are read from a hidden
prompt or, with ``--password-stdin``, from the first line of stdin: never from argv,
where other users of the machine could read them.

Whoever runs this holds the data directory and its key file, i.e. everything; the
commands are audited with the actor ``cli``. Exit codes: 0 done, 1 not found,
2 refused (bad input, a policy refusal, storage or audit failure).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from veil.audit import AuditTrail
from veil.errors import VeilError
from veil.interfaces.api.auth import staff_from_vault
from veil.interfaces.deployment import open_data_dir
from veil.policy.access import Role
from veil.policy.staff import Account, Staff
from veil.vault import Vault

__all__ = ["admin_app"]

admin_app = typer.Typer(
    name="admin",
    help="Staff accounts: bootstrap an admin, roles, API keys, MFA resets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
apikey_app = typer.Typer(help="Create or revoke service-account API keys.", no_args_is_help=True)
admin_app.add_typer(apikey_app, name="apikey")
err = Console(stderr=True)

DataDir = Annotated[
    Path, typer.Option("--data-dir", help="Vault directory (SQLite + key file), made on first use.")
]
Tenant = Annotated[str, typer.Option("--tenant", help="Tenant id.")]
UserId = Annotated[str, typer.Argument(help="The account's id (see `veil admin users`).")]


@contextmanager
def _staff(data_dir: Path) -> Iterator[Staff]:
    """The staff services on the embedded vault; any veil error exits with code 2."""
    vault: Vault | None = None
    try:
        vault = open_data_dir(data_dir)
        yield staff_from_vault(vault, AuditTrail.from_vault(vault))
    except VeilError as exc:
        err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(2) from None
    finally:
        if vault is not None:
            vault.store.engine.dispose()
            vault.ledger.engine.dispose()


def _missing(what: str) -> typer.Exit:
    err.print(f"error: no such {what} in this tenant", markup=False, highlight=False)
    return typer.Exit(1)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _row(a: Account) -> dict[str, object]:
    return {
        "id": a.id,
        "username": a.username,
        "role": a.role.value,
        "mfa_enrolled": a.mfa_enrolled,
        "disabled": a.disabled,
    }


@admin_app.command()
def create(
    username: Annotated[str, typer.Option("--username", help="Login name of the new admin.")],
    data_dir: DataDir = Path(".veil"),
    tenant: Tenant = "default",
    force: Annotated[
        bool, typer.Option("--force", help="Add an admin although the tenant has one.")
    ] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin's first line.")
    ] = False,
) -> None:
    """Create an admin account for TENANT (the first one, unless --force)."""
    password = _password(password_stdin)
    with _staff(data_dir) as staff:
        made = staff.accounts.bootstrap_admin(tenant, username, password, force=force)
    typer.echo(made.id)


@admin_app.command()
def users(
    data_dir: DataDir = Path(".veil"),
    tenant: Tenant = "default",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List the tenant's accounts."""
    with _staff(data_dir) as staff:
        accounts = staff.accounts.list(tenant)
    if as_json:
        for account in accounts:
            typer.echo(json.dumps(_row(account)))
        return
    table = Table("id", "username", "role", "mfa", "disabled")
    for a in accounts:
        table.add_row(a.id, a.username, a.role.value, str(a.mfa_enrolled), str(a.disabled))
    Console().print(table)


@admin_app.command()
def role(
    user_id: UserId,
    new_role: Annotated[Role, typer.Argument(help="The new role.")],
    data_dir: DataDir = Path(".veil"),
    tenant: Tenant = "default",
) -> None:
    """Give an account a new role (its sessions end)."""
    with _staff(data_dir) as staff:
        changed = staff.accounts.change_role(None, tenant, user_id, new_role)
    if changed is None:
        raise _missing("user")
    err.print(f"{changed.id} is now {changed.role.value}", markup=False, highlight=False)


@admin_app.command("mfa-reset")
def mfa_reset(
    user_id: UserId, data_dir: DataDir = Path(".veil"), tenant: Tenant = "default"
) -> None:
    """Remove an account's MFA (it enrolls again after its next login)."""
    with _staff(data_dir) as staff:
        done = staff.accounts.reset_mfa(None, tenant, user_id)
    if not done:
        raise _missing("user")
    err.print("MFA reset; the user's sessions have ended", markup=False, highlight=False)


@apikey_app.command("create")
def apikey_create(
    user_id: Annotated[str, typer.Argument(help="The service account's id.")],
    data_dir: DataDir = Path(".veil"),
    tenant: Tenant = "default",
) -> None:
    """Print a new API key for a service account (shown this once)."""
    with _staff(data_dir) as staff:
        issued = staff.api_keys.create(None, tenant, user_id)
    if issued is None:
        raise _missing("user")
    err.print(f"key id {issued.info.id}; store the key now", markup=False, highlight=False)
    typer.echo(issued.key)


@apikey_app.command("revoke")
def apikey_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (not the key).")],
    data_dir: DataDir = Path(".veil"),
    tenant: Tenant = "default",
) -> None:
    """Revoke an API key at once."""
    with _staff(data_dir) as staff:
        done = staff.api_keys.revoke(None, tenant, key_id)
    if not done:
        raise _missing("unrevoked key")
    err.print("key revoked", markup=False, highlight=False)
