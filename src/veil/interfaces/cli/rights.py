"""``veil retention``, ``veil dsar`` and ``veil export --anonymized``.

Typer sub-apps for the lead to mount on the main app::

    app.add_typer(retention_app, name="retention")
    app.add_typer(dsar_app, name="dsar")
    app.command(name="export")(export)

Every command opens the embedded vault in ``--data-dir`` and its audit trail. Personal
data never goes through argv: a rectified value is read from stdin, exports go to
files created 0600. Errors print one line and exit 2, like the rest of the CLI.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from veil.errors import ConfigurationError, VeilError
from veil.interfaces.deployment import open_data_dir

if TYPE_CHECKING:
    from veil.audit import AuditTrail
    from veil.pipeline.rights import DataSubjectRequests
    from veil.policy.consent import ConsentRegistry
    from veil.vault import Vault

__all__ = ["dsar_app", "export", "parse_keep", "retention_app"]

retention_app = typer.Typer(help="Delete what policy no longer allows keeping.",
                            no_args_is_help=True)  # fmt: skip
dsar_app = typer.Typer(help="Data-subject requests: access, erasure, rectification, "
                       "restriction.", no_args_is_help=True)  # fmt: skip
_err = Console(stderr=True)
_DURATION = re.compile(r"(\d{1,5})([hdw])")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}

DataDir = Annotated[Path, typer.Option("--data-dir", help="Vault directory (SQLite + key file).")]
Actor = Annotated[str, typer.Option("--actor", help="Who does this (staff id), for the audit.")]
RequestId = Annotated[str, typer.Argument(help="Request id (from 'veil dsar open').")]


def parse_keep(text: str) -> timedelta:
    """``"30d"``, ``"12h"``, ``"2w"`` → a positive timedelta."""
    match = _DURATION.fullmatch(text.strip())
    if match is None or int(match.group(1)) == 0:
        raise ConfigurationError(f"bad retention period {text!r}: use e.g. 30d, 12h or 2w")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _fail(exc: VeilError) -> typer.Exit:
    _err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
    return typer.Exit(2)


@contextmanager
def _opened(data_dir: Path) -> Iterator[tuple[Vault, AuditTrail]]:
    from veil.audit import AuditTrail

    vault = open_data_dir(data_dir)
    try:
        yield vault, AuditTrail.from_vault(vault)
    finally:
        vault.store.engine.dispose()
        vault.ledger.engine.dispose()


def _registry(vault: Vault) -> ConsentRegistry:
    from veil.policy.consent import ConsentRegistry
    from veil.storage.consents import ConsentStore

    return ConsentRegistry(ConsentStore(vault.store.engine))


@contextmanager
def _rights(data_dir: Path) -> Iterator[DataSubjectRequests]:
    from veil.pipeline.rights import DataSubjectRequests
    from veil.pipeline.rights_export import SubjectExporter, TrailAccesses

    with _opened(data_dir) as (vault, trail):
        registry = _registry(vault)
        exporter = SubjectExporter(vault, consents=registry, accesses=TrailAccesses(trail))
        yield DataSubjectRequests(vault, audit=trail, exporter=exporter, restrictor=registry)


def _echo(doc: object) -> None:
    typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))


def _private_file(path: Path, text: str) -> None:
    """Write ``text`` to a new 0600 file, whole or not at all."""
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


@contextmanager
def _guard() -> Iterator[None]:
    """One-line errors and exit code 2 for every failure the user can act on."""
    try:
        yield
    except VeilError as exc:
        raise _fail(exc) from None
    except OSError as exc:
        raise _fail(ConfigurationError(f"cannot write output: {exc.strerror}")) from None


# -- retention ------------------------------------------------------------------------


@retention_app.command("run")
def retention_run(
    keep: Annotated[list[str] | None, typer.Option("--keep", help="PURPOSE=PERIOD, e.g. "
                    "ai_assistance=30d ('*' = any purpose); replaces the policy's rules.")] = None,
    map_keep: Annotated[str | None, typer.Option("--map-keep", help="How long pseudonym "
                        "maps are kept (default: the longest --keep).")] = None,
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy TOML file "
                      "(default: the built-in policy).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count only.")] = False,
    data_dir: DataDir = Path(".veil"),
) -> None:  # fmt: skip
    """Delete expired turns and maps, crypto-shred emptied subjects; print the report.

    The rules and legal holds come from the policy unless --keep is given."""
    from veil.pipeline.retention import RetentionSweeper
    from veil.policy import default_policy, load_policy
    from veil.policy.retention import (
        CONVERSATION,
        LegalHold,
        RecordKind,
        RetentionRule,
        rules_from_policy,
    )
    from veil.storage.database import utcnow

    with _guard():
        rules: list[RetentionRule] = []
        holds: list[LegalHold] = []
        for item in keep or []:
            purpose, sep, period = item.partition("=")
            if not sep or not purpose:
                raise ConfigurationError(f"bad --keep {item!r}: use PURPOSE=PERIOD")
            rules.append(RetentionRule(RecordKind.TURN, CONVERSATION, purpose, parse_keep(period)))
        if map_keep is not None:
            kind = RecordKind.PSEUDONYM_MAP
            rules.append(RetentionRule(kind, CONVERSATION, "*", parse_keep(map_keep)))
        if not keep:
            chosen = load_policy(policy) if policy is not None else default_policy()
            rules, holds = rules_from_policy(chosen, utcnow())
        with _opened(data_dir) as (vault, trail):
            sweeper = RetentionSweeper(vault, rules, audit=trail, holds=holds)
            report = sweeper.run(dry_run=dry_run)
        _echo(report.as_dict())


@retention_app.command("hold")
def retention_hold(
    tenant: Annotated[str, typer.Option("--tenant")],
    reason: Annotated[str, typer.Option("--reason", help="Case reference, not personal data.")],
    subject: Annotated[str | None, typer.Option("--subject", help="Omit: whole tenant.")] = None,
    data_dir: DataDir = Path(".veil"),
) -> None:  # fmt: skip
    """Place a legal hold: nothing it covers is deleted until it is released."""
    from veil.storage.rights import RetentionStore

    with _guard(), _opened(data_dir) as (vault, _):
        typer.echo(RetentionStore(vault.store.engine).add_hold(tenant, subject, reason))


@retention_app.command("release")
def retention_release(
    hold: Annotated[int, typer.Argument(help="Hold id.")], data_dir: DataDir = Path(".veil")
) -> None:
    """Release a legal hold."""
    from veil.storage.rights import RetentionStore

    with _guard(), _opened(data_dir) as (vault, _):
        if not RetentionStore(vault.store.engine).release_hold(hold):
            raise ConfigurationError(f"no hold {hold} in force")


# -- data-subject requests --------------------------------------------------------------


@dsar_app.command("open")
def dsar_open(
    subject: Annotated[str, typer.Option("--subject")],
    kind: Annotated[str, typer.Option("--kind", help="access, erasure, rectification, "
                                      "restriction")],
    actor: Actor,
    law: Annotated[str, typer.Option("--law", help="gdpr or ccpa")] = "gdpr",
    tenant: Annotated[str, typer.Option("--tenant")] = "default",
    data_dir: DataDir = Path(".veil"),
) -> None:  # fmt: skip
    """Record a request; it must be verified before anything is done."""
    from veil.pipeline.rights_requests import Law, RequestKind

    with _guard():
        try:
            kind_, law_ = RequestKind(kind), Law(law)
        except ValueError:
            raise ConfigurationError("unknown --kind or --law") from None
        with _rights(data_dir) as rights:
            _echo(rights.open(tenant, subject, kind_, law_, actor=actor).as_dict())


@dsar_app.command("verify")
def dsar_verify(
    request: RequestId,
    method: Annotated[str, typer.Option("--method", help="e.g. id_document, account_login")],
    verifier: Annotated[str, typer.Option("--verifier", help="Staff id who verified.")],
    data_dir: DataDir = Path(".veil"),
) -> None:
    """Record the identity verification of the requester."""

    with _guard(), _rights(data_dir) as rights:
        _echo(rights.verify(request, method=method, verifier=verifier).as_dict())


@dsar_app.command("reject")
def dsar_reject(
    request: RequestId,
    reason: Annotated[str, typer.Option("--reason", help="A code, e.g. identity_unverified")],
    actor: Actor,
    data_dir: DataDir = Path(".veil"),
) -> None:
    """Close a request without acting on it."""

    with _guard(), _rights(data_dir) as rights:
        _echo(rights.reject(request, reason=reason, actor=actor).as_dict())


@dsar_app.command("status")
def dsar_status(request: RequestId, data_dir: DataDir = Path(".veil")) -> None:
    """Print a request."""

    with _guard(), _rights(data_dir) as rights:
        _echo(rights.get(request).as_dict())


@dsar_app.command("list")
def dsar_list(
    overdue: Annotated[bool, typer.Option("--overdue", help="Only those past due.")] = False,
    data_dir: DataDir = Path(".veil"),
) -> None:
    """Open requests, soonest due first."""

    with _guard(), _rights(data_dir) as rights:
        found = rights.overdue() if overdue else rights.pending()
        _echo([r.as_dict() for r in found])


@dsar_app.command("export")
def dsar_export(
    request: RequestId,
    actor: Actor,
    out: Annotated[Path, typer.Option("--out", help="JSON file to write.")],
    html: Annotated[Path | None, typer.Option("--html", help="HTML report to write.")] = None,
    data_dir: DataDir = Path(".veil"),
) -> None:
    """Answer an access request: write everything held about the subject."""

    with _guard():
        with _rights(data_dir) as rights:
            done = rights.export(request, actor=actor)
        _private_file(out, done.to_json())
        if html is not None:
            _private_file(html, done.to_html())
        _echo(done.counts())


@dsar_app.command("erase")
def dsar_erase(request: RequestId, actor: Actor, data_dir: DataDir = Path(".veil")) -> None:
    """Answer an erasure request: crypto-shred and delete the subject."""

    with _guard(), _rights(data_dir) as rights:
        _echo(rights.erase(request, actor=actor).as_dict())


@dsar_app.command("rectify")
def dsar_rectify(
    request: RequestId,
    conversation: Annotated[str, typer.Option("--conversation")],
    token: Annotated[str, typer.Option("--token", help="The pseudonym, e.g. [EMAIL_1].")],
    actor: Actor,
    data_dir: DataDir = Path(".veil"),
) -> None:
    """Answer a rectification request; the corrected value is read from stdin."""
    from veil.pipeline.rights_requests import Correction

    with _guard():
        value = sys.stdin.read().rstrip("\n")
        with _rights(data_dir) as rights:
            fix = [Correction(conversation, token, value)]
            _echo(rights.rectify(request, fix, actor=actor).as_dict())


@dsar_app.command("restrict")
def dsar_restrict(request: RequestId, actor: Actor, data_dir: DataDir = Path(".veil")) -> None:
    """Answer a restriction request: mark the subject's processing restricted."""

    with _guard(), _rights(data_dir) as rights:
        _echo(rights.restrict(request, actor=actor).as_dict())


# -- anonymized export --------------------------------------------------------------------


def export(
    out: Annotated[Path, typer.Argument(help="JSON Lines file to write.")],
    anonymized: Annotated[bool, typer.Option("--anonymized", help="Required: surrogates, "
                          "generalized dates/postcodes/ages, random ids.")] = False,
    tenant: Annotated[str | None, typer.Option("--tenant", help="Only this tenant.")] = None,
    data_dir: DataDir = Path(".veil"),
    config: Annotated[Path | None, typer.Option("--config", "-c", help="TOML settings.")] = None,
) -> None:  # fmt: skip
    """Export every stored turn, anonymized, for analytics or model training.
    Restricted subjects are left out."""
    from veil.config import load_settings
    from veil.pipeline.anonymized_export import AnonymizedExport, export_analyzer

    with _guard():
        if not anonymized:
            raise ConfigurationError("only --anonymized exports exist (per subject: veil dsar)")
        analyzer = export_analyzer(load_settings(os.environ, config).detection)
        with _opened(data_dir) as (vault, trail):
            registry, restricted = _registry(vault), {}

            def include(t: str, s: str) -> bool:
                if (t, s) not in restricted:
                    restricted[t, s] = registry.status(t, s).restricted
                return not restricted[t, s]

            job = AnonymizedExport(vault, analyzer, include=include, audit=trail, tenant=tenant)
            partial = out.with_name(f".{out.name}.partial")
            try:
                with partial.open("w", encoding="utf-8") as stream:
                    summary = job.write(stream)
                partial.replace(out)
            finally:
                partial.unlink(missing_ok=True)
        _echo(summary.as_dict())
