"""``veil consent``: record and show a data subject's consents and restriction.

Works on the embedded data directory (``--data-dir``, the same vault directory as
``veil protect``). Every change is one append-only event written together with its
audit row (actor ``cli``); history is never edited. ``grant`` is checked against the
policy (``--policy FILE``, default: the built-in policy): the purpose must exist,
rest on consent and accept the notice version shown. ``withdraw``, ``restrict`` and
``lift`` are never refused for policy reasons. Exit codes: 0 done, 2 refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from veil.audit import Action, AuditEvent, AuditTrail
from veil.errors import VeilError
from veil.interfaces.deployment import open_data_dir
from veil.policy.consent import ConsentRegistry
from veil.policy.document import LegalBasis, Policy
from veil.policy.loader import default_policy, load_policy
from veil.storage.consents import ConsentRecord, ConsentStore

__all__ = ["consent_app"]

consent_app = typer.Typer(
    name="consent",
    help="Grant, withdraw and show consents; restrict processing (GDPR Art. 7, 18).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

SubjectOption = Annotated[str, typer.Option("--subject", help="Data subject (customer) id.")]
PurposeOption = Annotated[str, typer.Option("--purpose", help="Purpose name from the policy.")]
SourceOption = Annotated[
    str, typer.Option("--source", help="Where the decision was made, e.g. web-form, agent:42.")
]
DataDirOption = Annotated[
    Path, typer.Option("--data-dir", help="Vault directory (SQLite + key file), made on first use.")
]
TenantOption = Annotated[str, typer.Option("--tenant", help="Tenant id.")]
PolicyOption = Annotated[
    Path | None, typer.Option("--policy", help="Policy TOML file (default: the built-in policy).")
]


@contextmanager
def _opened(data_dir: Path) -> Iterator[tuple[ConsentRegistry, AuditTrail]]:
    vault = open_data_dir(data_dir)
    try:
        yield ConsentRegistry(ConsentStore(vault.store.engine)), AuditTrail.from_vault(vault)
    finally:
        vault.store.engine.dispose()
        vault.ledger.engine.dispose()


def _refuse(exc: VeilError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(2)


def _event(action: Action, tenant: str, subject: str, purpose: str, **detail: str) -> AuditEvent:
    return AuditEvent(
        action, actor="cli", tenant=tenant, subject=subject, purpose=purpose, detail=detail
    )


@consent_app.command()
def grant(
    subject: SubjectOption,
    purpose: PurposeOption,
    notice_version: Annotated[
        str, typer.Option("--notice-version", help="Version of the notice the subject saw.")
    ],
    source: SourceOption = "cli",
    data_dir: DataDirOption = Path(".veil"),
    tenant: TenantOption = "default",
    policy: PolicyOption = None,
) -> None:
    """Record that the subject consented to PURPOSE after seeing the notice."""
    try:
        rules = default_policy() if policy is None else load_policy(policy)
        event = _event(
            Action.CONSENT_GRANT, tenant, subject, purpose,
            source=source, notice_version=notice_version,
        )  # fmt: skip
        with _opened(data_dir) as (registry, trail):
            record = registry.grant(
                rules, tenant, subject, purpose, source=source,
                notice_version=notice_version, hooks=[trail.hook(event)],
            )  # fmt: skip
    except VeilError as exc:
        raise _refuse(exc) from None
    typer.echo(f"consent to '{purpose}' granted (event {record.seq})")


@consent_app.command()
def withdraw(
    subject: SubjectOption,
    purpose: PurposeOption,
    source: SourceOption = "cli",
    data_dir: DataDirOption = Path(".veil"),
    tenant: TenantOption = "default",
) -> None:
    """Record that the subject withdrew consent to PURPOSE."""
    try:
        event = _event(Action.CONSENT_WITHDRAW, tenant, subject, purpose, source=source)
        with _opened(data_dir) as (registry, trail):
            record = registry.withdraw(
                tenant, subject, purpose, source=source, hooks=[trail.hook(event)]
            )
    except VeilError as exc:
        raise _refuse(exc) from None
    typer.echo(f"consent to '{purpose}' withdrawn (event {record.seq})")


def _restriction(subject: str, source: str, data_dir: Path, tenant: str, *, on: bool) -> None:
    try:
        event = _event(
            Action.SUBJECT_RESTRICT, tenant, subject, "", source=source,
            change="restrict" if on else "lift",
        )  # fmt: skip
        with _opened(data_dir) as (registry, trail):
            change = registry.restrict if on else registry.lift
            record = change(tenant, subject, source=source, hooks=[trail.hook(event)])
    except VeilError as exc:
        raise _refuse(exc) from None
    typer.echo(f"processing {'restricted' if on else 'restriction lifted'} (event {record.seq})")


@consent_app.command()
def restrict(
    subject: SubjectOption,
    source: SourceOption = "cli",
    data_dir: DataDirOption = Path(".veil"),
    tenant: TenantOption = "default",
) -> None:
    """Restrict all processing of the subject's data (GDPR Art. 18)."""
    _restriction(subject, source, data_dir, tenant, on=True)


@consent_app.command()
def lift(
    subject: SubjectOption,
    source: SourceOption = "cli",
    data_dir: DataDirOption = Path(".veil"),
    tenant: TenantOption = "default",
) -> None:
    """Lift the subject's processing restriction."""
    _restriction(subject, source, data_dir, tenant, on=False)


def _valid(rules: Policy, event: ConsentRecord) -> bool:
    purpose = rules.purposes.get(event.purpose)
    return (
        event.granted
        and purpose is not None
        and purpose.legal_basis is LegalBasis.CONSENT
        and purpose.accepts_notice(event.notice_version or "")
    )


@consent_app.command()
def show(
    subject: SubjectOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    data_dir: DataDirOption = Path(".veil"),
    tenant: TenantOption = "default",
    policy: PolicyOption = None,
) -> None:
    """Show the subject's consent history, current consents and restriction."""
    try:
        rules = default_policy() if policy is None else load_policy(policy)
        with _opened(data_dir) as (registry, _trail):
            history, status = registry.history(tenant, subject), registry.status(tenant, subject)
    except VeilError as exc:
        raise _refuse(exc) from None
    current = {
        p: {"granted": e.granted, "valid": _valid(rules, e)} for p, e in status.consents.items()
    }
    if as_json:
        out: dict[str, Any] = {
            "tenant": tenant,
            "subject": subject,
            "restricted": status.restricted,
            "consents": current,
            "history": [
                {"seq": e.seq, "at": e.at.isoformat(), "purpose": e.purpose,
                 "event": "grant" if e.granted else "withdraw",
                 "notice_version": e.notice_version, "source": e.source}
                for e in history
            ],
        }  # fmt: skip
        typer.echo(json.dumps(out, indent=2))
        return
    table = Table("seq", "at (UTC)", "purpose", "event", "notice", "source", "now")
    for e in history:
        state = current[e.purpose]
        now = "valid" if state["valid"] else ("granted, not valid" if state["granted"] else "-")
        latest = status.consents[e.purpose].seq == e.seq
        table.add_row(
            str(e.seq), e.at.strftime("%Y-%m-%d %H:%M:%S"), e.purpose,
            "grant" if e.granted else "withdraw", e.notice_version or "", e.source,
            now if latest else "",
        )  # fmt: skip
    console = Console()
    console.print(table)
    console.print(f"processing restricted: {'yes' if status.restricted else 'no'}", markup=False)
