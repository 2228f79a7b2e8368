"""``veil policy``: check the policy file and generate documents from it.

``check`` validates a policy (exit 0, or 2 with every problem listed by line on
stderr); ``records`` prints the GDPR Art. 30 records of processing; ``notice`` prints
the customer-facing transparency notice. Without FILE each command uses the policy
built into veil (what ``veil serve`` uses with no configuration).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from veil.errors import VeilError
from veil.policy.document import Policy
from veil.policy.loader import default_policy, load_policy
from veil.policy.notice import render_notice_html, transparency
from veil.policy.records import (
    records_of_processing,
    render_records_html,
    render_records_markdown,
)

__all__ = ["policy_app"]

policy_app = typer.Typer(
    name="policy",
    help="Check the policy file; print its records of processing and transparency notice.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

FileArgument = Annotated[
    Path | None, typer.Argument(help="Policy TOML file (default: the built-in policy).")
]


class RecordsFormat(StrEnum):
    JSON = "json"
    MD = "md"
    HTML = "html"


class NoticeFormat(StrEnum):
    JSON = "json"
    HTML = "html"


def _load(file: Path | None) -> Policy:
    return default_policy() if file is None else load_policy(file)


def _refuse(exc: VeilError) -> typer.Exit:
    for line in str(exc).splitlines():
        typer.echo(f"error: {line}", err=True)
    return typer.Exit(2)


@policy_app.command()
def check(file: FileArgument = None) -> None:
    """Validate a policy file: every problem is reported with its line."""
    try:
        policy = _load(file)
    except VeilError as exc:
        raise _refuse(exc) from None
    typer.echo(
        f"{policy.origin}: ok (version {policy.version}; {len(policy.categories)} categories, "
        f"{len(policy.purposes)} purposes, {len(policy.recipients)} recipients, "
        f"{len(policy.retention)} retention rules, {len(policy.holds)} legal holds)"
    )


@policy_app.command()
def records(
    file: FileArgument = None,
    format: Annotated[
        RecordsFormat, typer.Option("--format", "-f", help="Output format.")
    ] = RecordsFormat.JSON,
) -> None:
    """Print the records of processing activities (GDPR Art. 30) derived from the policy."""
    try:
        ropa = records_of_processing(_load(file))
    except VeilError as exc:
        raise _refuse(exc) from None
    if format is RecordsFormat.JSON:
        typer.echo(json.dumps(ropa.as_dict(), indent=2, ensure_ascii=False))
    elif format is RecordsFormat.MD:
        typer.echo(render_records_markdown(ropa), nl=False)
    else:
        typer.echo(render_records_html(ropa))


@policy_app.command()
def notice(
    file: FileArgument = None,
    format: Annotated[
        NoticeFormat, typer.Option("--format", "-f", help="Output format.")
    ] = NoticeFormat.HTML,
) -> None:
    """Print the customer-facing transparency notice derived from the policy."""
    try:
        text = transparency(_load(file))
    except VeilError as exc:
        raise _refuse(exc) from None
    if format is NoticeFormat.JSON:
        typer.echo(json.dumps(text.as_dict(), indent=2, ensure_ascii=False))
    else:
        typer.echo(render_notice_html(text))
