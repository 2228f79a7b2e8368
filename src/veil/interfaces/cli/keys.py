"""``veil keys``: see, rotate and retire the key-encryption keys (KEKs).

KEKs belong to the deployment, not to a tenant, so their management is a command for the
operator of the machine, not an API route. Every step is audited (``key.operation``);
no command ever prints key material.

* ``status``: the provider, its KEKs (id and version) and how many data keys each wraps.
* ``rotate``: a new KEK in the local key file, then every data key re-wrapped under it
  (resumable: run it again after a crash). For ``VEIL_KEK`` or an HSM, add the new KEK
  there and run ``rewrap``.
* ``rewrap``: re-wrap every data key under the newest KEK.
* ``retire``: delete an old KEK from the local key file once no data key needs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from veil.audit import Action, AuditEvent, AuditTrail
from veil.errors import VaultError, VeilError
from veil.interfaces.deployment import open_data_dir
from veil.vault import KekRef, LocalKeyFile, Vault

__all__ = ["keys_app"]

keys_app = typer.Typer(
    help="Key-encryption keys: status, rotate, rewrap, retire.", no_args_is_help=True
)
_err = Console(stderr=True)

DataDir = Annotated[Path, typer.Option("--data-dir", help="Vault directory (SQLite + key file).")]


@contextmanager
def _opened(data_dir: Path) -> Iterator[tuple[Vault, AuditTrail]]:
    try:
        vault = open_data_dir(data_dir)
    except VeilError as exc:
        _err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    try:
        yield vault, AuditTrail.from_vault(vault)
    except VeilError as exc:
        _err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    finally:
        vault.store.engine.dispose()
        vault.ledger.engine.dispose()


def _audit(trail: AuditTrail, operation: str, **detail: str | int) -> None:
    trail.record(
        AuditEvent(Action.KEY_OPERATION, actor="cli", record=operation, detail=dict(detail))
    )


@keys_app.command("status")
def status(data_dir: DataDir = Path(".veil")) -> None:
    """The provider, its KEKs and the data keys each one wraps."""
    with _opened(data_dir) as (vault, _):
        typer.echo(f"provider: {type(vault.keys).__name__}")
        for index, kek in enumerate(vault.keys.keks()):
            count = vault.store.count_keys_under(kek.id, kek.version)
            newest = "  (newest)" if index == 0 else ""
            typer.echo(f"  {kek.id} v{kek.version}: {count} data keys{newest}")


@keys_app.command("rewrap")
def rewrap(data_dir: DataDir = Path(".veil")) -> None:
    """Re-wrap every data key under the newest KEK (resumable, idempotent)."""
    with _opened(data_dir) as (vault, trail):
        newest = vault.keys.keks()[0]
        _audit(trail, "rewrap.start", kek=f"{newest.id} v{newest.version}")
        moved = vault.rewrap()
        _audit(trail, "rewrap.done", kek=f"{newest.id} v{newest.version}", keys=moved)
        typer.echo(f"{moved} data keys re-wrapped under {newest.id} v{newest.version}")


@keys_app.command("rotate")
def rotate(data_dir: DataDir = Path(".veil")) -> None:
    """A new KEK in the local key file, then every data key re-wrapped under it."""
    with _opened(data_dir) as (vault, trail):
        if not isinstance(vault.keys, LocalKeyFile):
            _err.print(
                "the KEKs come from VEIL_KEK or an HSM: add the new key there, then run "
                "'veil keys rewrap'", markup=False, highlight=False,
            )  # fmt: skip
            raise typer.Exit(2)
        _audit(trail, "rotate.start")
        added = vault.keys.add_kek()
        moved = vault.rewrap()
        _audit(trail, "rotate.done", kek=f"{added.id} v{added.version}", keys=moved)
        typer.echo(f"new KEK {added.id} v{added.version}; {moved} data keys re-wrapped")


@keys_app.command("retire")
def retire(
    version: Annotated[int, typer.Option("--version", help="KEK version to delete.")],
    data_dir: DataDir = Path(".veil"),
) -> None:
    """Delete an old KEK from the local key file; refused while a data key needs it."""
    with _opened(data_dir) as (vault, trail):
        if not isinstance(vault.keys, LocalKeyFile):
            _err.print("only KEKs of the local key file can be retired here", markup=False)
            raise typer.Exit(2)
        found = [k for k in vault.keys.keks() if k.version == version]
        if not found:
            raise VaultError(f"no KEK with version {version}")
        kek: KekRef = found[0]
        if vault.store.count_keys_under(kek.id, kek.version):
            raise VaultError(f"KEK v{version} still wraps data keys: run 'veil keys rewrap'")
        _audit(trail, "retire", kek=f"{kek.id} v{kek.version}")
        vault.keys.retire(kek)
        typer.echo(f"KEK {kek.id} v{kek.version} retired")
