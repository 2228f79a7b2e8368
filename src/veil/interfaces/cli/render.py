"""Rich renderings for the terminal. Values are never printed, only their places."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from veil.core import Finding
from veil.evaluation import Report

__all__ = ["eval_table", "findings_table", "masked"]


def findings_table(findings: Sequence[Finding]) -> Table:
    table = Table(title=f"{len(findings)} finding(s)")
    for column in ("label", "start", "end", "score", "detector", "why"):
        table.add_column(column, justify="right" if column in {"start", "end", "score"} else "left")
    for f in findings:
        table.add_row(f.label, str(f.start), str(f.end), f"{f.score:.2f}", f.detector, f.reason)
    return table


def masked(text: str, findings: Sequence[Finding]) -> str:
    """``text`` with every finding replaced by ``[LABEL]``."""
    out: list[str] = []
    pos = 0
    for f in sorted(findings, key=lambda f: f.start):
        out.append(text[pos : f.start])
        out.append(f"[{f.label}]")
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


def eval_table(report: Report) -> Table:
    table = Table(
        title=(
            f"{len(report.latencies_ms)} texts · {report.texts_per_second:,.0f} texts/s · "
            f"p50 {report.percentile_ms(50):.2f} ms · p99 {report.percentile_ms(99):.2f} ms · "
            f"checksum-id leak {report.checksum_leak:.2%}"
        )
    )
    for column in ("type", "gold", "pred", "precision", "recall", "F1", "F2", "leak"):
        table.add_column(column, justify="left" if column == "type" else "right")
    rows = [*sorted(report.types.values(), key=lambda s: -s.gold), report.overall]
    for s in rows:
        table.add_row(
            s.label, str(s.gold), str(s.predicted), f"{s.precision:.3f}", f"{s.recall:.3f}",
            f"{s.f(1):.3f}", f"{s.f(2):.3f}", f"{s.leak:.2%}",
            end_section=s is rows[-2] if len(rows) > 1 else False,
        )  # fmt: skip
    for label, s in sorted(report.excluded.items()):
        table.add_row(f"({label})", str(s.gold), "", "", f"{s.found / s.gold:.3f}", "", "", "")
    return table
