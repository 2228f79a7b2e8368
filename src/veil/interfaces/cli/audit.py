"""``veil audit``: verify the trail, take signed checkpoints, export rows.

Operates on the embedded vault in ``--data-dir`` (``veil.db``, ``veil-ledger.db``,
``veil.keys``). The checkpoint signing key is ``audit-signing.key`` in the same
directory (Ed25519, mode 0600, created on first use); its public key is the one
checkpoints are trusted under. Exit codes: 0 ok, 1 the trail failed verification,
2 refused (bad usage, configuration, or the trail cannot be read).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from veil.audit import (
    Action,
    AuditEvent,
    AuditTrail,
    Checkpoint,
    ExportFilter,
    VerifyReport,
    export_rows,
)
from veil.audit.checkpoint import read_checkpoint, write_checkpoint
from veil.errors import ConfigurationError, VeilError
from veil.interfaces.deployment import open_data_dir
from veil.vault import CheckpointSigner

__all__ = ["SIGNING_KEY_FILE", "audit_app"]

SIGNING_KEY_FILE = "audit-signing.key"

audit_app = typer.Typer(
    name="audit",
    help="Verify, checkpoint and export the tamper-evident audit trail.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)

DataDir = Annotated[Path, typer.Option("--data-dir", help="Vault directory (SQLite + key files).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]


def _fail(exc: VeilError) -> typer.Exit:
    err.print(f"error: {exc}", highlight=False, markup=False)
    return typer.Exit(2)


@contextmanager
def _open(data_dir: Path) -> Iterator[tuple[AuditTrail, CheckpointSigner]]:
    """The trail and signer of the vault in ``data_dir``; refuses a missing vault."""
    if not (data_dir / "veil.db").is_file():
        raise ConfigurationError(f"no vault in {data_dir}")
    vault = open_data_dir(data_dir)
    try:
        trail = AuditTrail.from_vault(vault)
        yield trail, CheckpointSigner.load_or_create(data_dir / SIGNING_KEY_FILE)
    finally:
        vault.store.engine.dispose()
        vault.ledger.engine.dispose()


def _report(report: VerifyReport, as_json: bool) -> None:
    typer.echo(json.dumps(report.as_dict()) if as_json else str(report))


@audit_app.command()
def verify(
    data_dir: DataDir = Path(".veil"),
    checkpoint: Annotated[
        list[Path] | None,
        typer.Option("--checkpoint", help="Checkpoint JSON file(s) to verify against."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Check sequence, chain, MACs, head and checkpoints (the given files and the
    ledger's latest); name the first bad row. Exit 1 if anything is wrong."""
    try:
        files: list[Checkpoint] = [read_checkpoint(p) for p in checkpoint or ()]
        with _open(data_dir) as (trail, signer):
            report = trail.verify(checkpoints=files, public_key=signer.public_key_bytes())
    except VeilError as exc:
        raise _fail(exc) from None
    _report(report, as_json)
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command(name="checkpoint")
def checkpoint_(
    out: Annotated[Path, typer.Option("--out", help="Where to write the checkpoint JSON.")],
    data_dir: DataDir = Path(".veil"),
) -> None:
    """Verify the whole trail, then sign its head: written to --out and stored in the
    erasure ledger. A trail that fails verification is not checkpointed (exit 1)."""
    try:
        with _open(data_dir) as (trail, signer):
            report = trail.verify(public_key=signer.public_key_bytes())
            if not report.ok:
                _report(report, False)
                raise typer.Exit(1)
            cp = trail.checkpoint(signer, actor="cli")
        write_checkpoint(cp, out)
    except VeilError as exc:
        raise _fail(exc) from None
    err.print(f"checkpoint at seq {cp.seq} written to {out}", highlight=False, markup=False)


def _when(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be an ISO 8601 time") from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def _actions(values: list[str] | None) -> list[Action] | None:
    if not values:
        return None
    known = {a.value for a in Action}
    for value in values:
        if value not in known:
            raise ConfigurationError(f"unknown action {value!r}")
    return [Action(v) for v in values]


@audit_app.command()
def export(
    fmt: Annotated[
        Literal["jsonl", "csv"], typer.Option("--format", help="jsonl or csv.")
    ] = "jsonl",
    data_dir: DataDir = Path(".veil"),
    tenant: Annotated[str | None, typer.Option("--tenant", help="Only this tenant.")] = None,
    action: Annotated[
        list[str] | None, typer.Option("--action", help="Only these actions (repeatable).")
    ] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Only this actor.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="From this time (ISO 8601; UTC if no zone).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Before this time (ISO 8601; UTC if no zone).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Output file (default stdout).")] = None,
) -> None:
    """Write audit rows as JSON Lines or CSV; the export itself is audited."""
    try:
        where = ExportFilter(
            tenant=tenant,
            actions=_actions(action),
            actor=actor,
            since=_when(since, "--since"),
            until=_when(until, "--until"),
        )
        with _open(data_dir) as (trail, _signer):
            if out is None:
                count = export_rows(trail, sys.stdout, fmt, where)
            else:
                with out.open("w", encoding="utf-8", newline="") as handle:
                    count = export_rows(trail, handle, fmt, where)
            trail.record(
                AuditEvent(
                    Action.AUDIT_READ,
                    actor="cli",
                    tenant=tenant or "",
                    detail={"rows": count, "format": fmt},
                )
            )
    except OSError as exc:
        raise _fail(ConfigurationError(f"cannot write {out}: {exc.strerror}")) from None
    except VeilError as exc:
        raise _fail(exc) from None
    err.print(f"{count} rows exported", highlight=False, markup=False)
