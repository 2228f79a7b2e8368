"""``veil`` command line: detect, evaluate, and protect / restore / forget with a vault.

This is the edge: it reads argv, files and the environment, builds settings once and
translates every :class:`~veil.errors.VeilError` into a one-line message and an exit
code (0 ok, 1 some input lines were rejected, 2 refused: bad usage or configuration).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.console import Console
from rich.table import Table

from veil.audit import AuditTrail
from veil.config import Settings, load_settings
from veil.core import Finding
from veil.errors import ConfigurationError, MalformedInputError, VeilError
from veil.evaluation import LabeledText, LabelMap, evaluate
from veil.interfaces.cli.render import eval_table, findings_table, masked
from veil.interfaces.deployment import deployment, open_vault
from veil.interfaces.jsonl import Row, labeled, read_rows
from veil.pipeline import Analyzer, Veil

__all__ = ["app"]

app = typer.Typer(
    name="veil",
    help="Privacy layer for AI customer conversations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)

ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", help="TOML settings file (default: $VEIL_CONFIG).")
]


def _settings(config: Path | None, threshold: float | None) -> Settings:
    settings = load_settings(os.environ, config)
    if threshold is None:
        return settings
    if not 0.0 <= threshold <= 1.0:
        raise ConfigurationError("--threshold must be within [0, 1]")
    return replace(settings, detection=replace(settings.detection, threshold=threshold))


def _open(path: Path) -> BinaryIO:
    if str(path) == "-":
        return sys.stdin.buffer
    try:
        return path.open("rb")
    except OSError as exc:
        raise ConfigurationError(f"cannot open {path}: {exc.strerror}") from None


def _fail(exc: VeilError) -> typer.Exit:
    err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
    return typer.Exit(2)


@app.command()
def detect(
    text: Annotated[str | None, typer.Argument(help="Text to analyze.")] = None,
    input: Annotated[
        Path | None, typer.Option("--input", "-i", help="File to analyze ('-' for stdin).")
    ] = None,
    jsonl: Annotated[
        bool | None,
        typer.Option("--jsonl/--lines", help="Input is JSON Lines (default: by file suffix)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for a single text.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Refuse the run at the first malformed line.")
    ] = False,
    threshold: Annotated[float | None, typer.Option(help="Minimum score to report.")] = None,
    config: ConfigOption = None,
) -> None:
    """Find personal data. One text: a table. A file: JSON Lines, one row per input row.

    Output rows are {"id", "spans": [{"start", "end", "label", "score"}]}; offsets are
    code points into the input text. Malformed lines are reported on stderr by line
    number (never quoted) and skipped, and the exit code is 1; with --strict the run
    stops at the first one with exit code 2.
    """
    try:
        analyzer = Analyzer.from_settings(_settings(config, threshold).detection)
        if input is None:
            if text is None:
                raise ConfigurationError("give a TEXT argument or --input FILE")
            if _names_a_file(text):
                err.print(
                    "hint: the text names a file; to analyze its contents use --input",
                    highlight=False,
                    markup=False,
                )
            findings = analyzer.analyze(text)
            if as_json:
                typer.echo(json.dumps(_spans(findings, reasons=True)))
                return
            console = Console()
            console.print(findings_table(findings))
            console.print(masked(text, findings), highlight=False, markup=False)
            return
        is_jsonl = jsonl if jsonl is not None else input.suffix in {".jsonl", ".ndjson", ".json"}
        rejected = 0
        with _open(input) as stream:
            for row in read_rows(stream, jsonl=is_jsonl):
                if isinstance(row, MalformedInputError):
                    if strict:
                        raise row
                    rejected += 1
                    err.print(f"skipped: {row}", highlight=False, markup=False)
                    continue
                out = {"id": row.id, "spans": _spans(analyzer.analyze(row.text))}
                sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        if rejected:
            raise typer.Exit(1)
    except VeilError as exc:
        raise _fail(exc) from None


def _names_a_file(text: str) -> bool:
    """Whether ``text`` looks like a data file's path that exists (``veil detect
    data.jsonl`` analyzes the ten characters, not the file)."""
    if len(text) > 4096 or any(c.isspace() for c in text):
        return False
    path = Path(text)
    try:
        return path.suffix.lower() in {".jsonl", ".ndjson", ".json", ".txt"} and path.is_file()
    except (OSError, ValueError):
        return False


def _spans(findings: Sequence[Finding], *, reasons: bool = False) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for f in findings:
        item: dict[str, object] = {
            "start": f.start, "end": f.end, "label": f.label, "score": round(f.score, 4),
        }  # fmt: skip
        if reasons:
            item.update(detector=f.detector, reason=f.reason)
        out.append(item)
    return out


@app.command(name="eval")
def eval_(
    path: Annotated[Path, typer.Argument(help="Labeled JSON Lines ('-' for stdin).")],
    label_map: Annotated[
        Path | None,
        typer.Option("--label-map", help="JSON object: gold label -> veil type or null."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    threshold: Annotated[float | None, typer.Option(help="Minimum score to report.")] = None,
    config: ConfigOption = None,
) -> None:
    """Score detection on labeled data: per-type precision, recall, F1, F2, leak rate, speed.

    Every line must be valid; unknown gold labels are refused with the line and the
    label named (map them with --label-map).
    """
    try:
        mapping = LabelMap(_label_map(label_map) if label_map else None)
        rows = []
        with _open(path) as stream:
            for row in read_rows(stream, labeled=True):
                if isinstance(row, MalformedInputError):
                    raise row
                rows.append(_checked(labeled(row), row, mapping))
        # No result cache: the speed reported is detection's, whatever the rows repeat.
        detection = _settings(config, threshold).detection
        analyzer = Analyzer.from_settings(detection, cache_entries=0)
        analyzer.warm_up()
        report = evaluate(
            rows, lambda t: [(f.start, f.end, f.label) for f in analyzer.analyze(t)], mapping
        )
    except VeilError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
        return
    table: Table = eval_table(report)
    Console().print(table)


def _checked(row_labeled: LabeledText, row: Row, mapping: LabelMap) -> LabeledText:
    for span in row_labeled.spans:
        try:
            mapping(span.label)
        except ConfigurationError as exc:
            raise MalformedInputError(str(exc), line=row.line) from None
    return row_labeled


def _label_map(path: Path) -> dict[str, str | None]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigurationError(f"cannot read label map {path}: {exc}") from None
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in raw.items()
    ):
        raise ConfigurationError("label map must be a JSON object of label -> type or null")
    return raw


DataDirOption = Annotated[
    Path, typer.Option("--data-dir", help="Vault directory (SQLite + key file), made on first use.")
]
TenantOption = Annotated[str, typer.Option("--tenant", help="Tenant id.")]
TextArgument = Annotated[
    str, typer.Argument(help="The text; '-' reads stdin (keeps personal data out of argv).")
]


def _text(text: str) -> str:
    return sys.stdin.read() if text == "-" else text


def _veil(data_dir: Path, tenant: str, config: Path | None) -> Veil:
    analyzer = Analyzer.from_settings(_settings(config, None).detection)
    vault = open_vault(deployment(os.environ, data_dir))
    audit = AuditTrail.from_vault(vault)
    return Veil(analyzer, vault, tenant=tenant, owns_vault=True, audit=audit)


@app.command()
def protect(
    text: TextArgument,
    conversation: Annotated[str, typer.Option("--conversation", help="Conversation id.")],
    subject: Annotated[str, typer.Option("--subject", help="Data subject (customer) id.")],
    data_dir: DataDirOption = Path(".veil"),
    tenant: TenantOption = "default",
    config: ConfigOption = None,
) -> None:
    """Print TEXT with its personal data replaced by pseudonyms; the values go to the vault."""
    try:
        with _veil(data_dir, tenant, config) as veil:
            protected = veil.protect(_text(text), conversation=conversation, subject=subject)
    except VeilError as exc:
        raise _fail(exc) from None
    typer.echo(protected.text)


@app.command()
def restore(
    text: TextArgument,
    conversation: Annotated[str, typer.Option("--conversation", help="Conversation id.")],
    data_dir: DataDirOption = Path(".veil"),
    tenant: TenantOption = "default",
) -> None:
    """Print TEXT with the pseudonyms issued in the conversation put back."""
    try:
        with _veil(data_dir, tenant, None) as veil:
            restored = veil.restore(_text(text), conversation=conversation)
    except VeilError as exc:
        raise _fail(exc) from None
    typer.echo(restored)


@app.command()
def forget(
    subject: Annotated[str, typer.Option("--subject", help="Data subject (customer) id.")],
    data_dir: DataDirOption = Path(".veil"),
    tenant: TenantOption = "default",
) -> None:
    """Crypto-shred a data subject: every value stored for them becomes unreadable."""
    try:
        with _veil(data_dir, tenant, None) as veil:
            veil.forget(subject)
    except VeilError as exc:
        raise _fail(exc) from None
    err.print("subject forgotten", highlight=False, markup=False)


from veil.interfaces.cli import serve as _serve  # noqa: E402, F401  (registers ``veil serve``)
from veil.interfaces.cli.admin import admin_app  # noqa: E402
from veil.interfaces.cli.audit import audit_app  # noqa: E402
from veil.interfaces.cli.consent import consent_app  # noqa: E402
from veil.interfaces.cli.keys import keys_app  # noqa: E402
from veil.interfaces.cli.policy import policy_app  # noqa: E402
from veil.interfaces.cli.rights import dsar_app, export, retention_app  # noqa: E402

app.add_typer(policy_app, name="policy")
app.add_typer(consent_app, name="consent")
app.add_typer(audit_app, name="audit")
app.add_typer(admin_app, name="admin")
app.add_typer(keys_app, name="keys")
app.add_typer(retention_app, name="retention")
app.add_typer(dsar_app, name="dsar")
app.command(name="export")(export)
