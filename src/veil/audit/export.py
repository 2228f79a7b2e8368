"""Export audit rows as JSON Lines or CSV, filtered by tenant, action, time and actor.

Rows are streamed page by page in ``seq`` order, so an export of millions of rows
runs in constant memory. The output is exactly what the trail stores: subjects as
keyed hashes, the chain columns included so an auditor can recompute the hashes.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, TextIO

from veil.audit.events import Action
from veil.audit.rows import AuditRow
from veil.audit.trail import AuditTrail
from veil.errors import AuditError
from veil.storage.audit import AUDIT_COLUMNS

__all__ = ["FIELDS", "ExportFilter", "export_rows", "iter_rows"]

Format = Literal["jsonl", "csv"]
FIELDS = AUDIT_COLUMNS  # the export has exactly the stored columns, in order
_PAGE = 2000


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """Rows must match every field that is set; ``since`` inclusive, ``until`` exclusive."""

    tenant: str | None = None
    actions: Collection[Action] | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def iter_rows(
    trail: AuditTrail, where: ExportFilter = ExportFilter(), *, page: int = _PAGE
) -> Iterator[AuditRow]:
    """Every matching row in ``seq`` order, read ``page`` rows at a time."""
    after = 0
    while True:
        rows = trail.query(
            tenant=where.tenant,
            actions=where.actions,
            actor=where.actor,
            since=where.since,
            until=where.until,
            after_seq=after,
            limit=page,
        )
        yield from rows
        if len(rows) < page:
            return
        after = rows[-1].seq


def export_rows(
    trail: AuditTrail, out: TextIO, fmt: Format, where: ExportFilter = ExportFilter()
) -> int:
    """Write the matching rows to ``out`` in ``fmt``; returns how many were written.

    JSON Lines: one object per row, ``detail`` as an object. CSV: a header row, then
    one row per event, ``detail`` as compact JSON and ``highlight`` as ``true``/``false``.
    """
    if fmt not in ("jsonl", "csv"):
        raise AuditError(f"unknown export format {fmt!r}")
    count = 0
    if fmt == "jsonl":
        for row in iter_rows(trail, where):
            out.write(json.dumps(row.as_dict(), ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
        return count
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in iter_rows(trail, where):
        item = row.as_dict()
        item["detail"] = json.dumps(item["detail"], sort_keys=True, separators=(",", ":"))
        item["highlight"] = "true" if row.highlight else "false"
        item["subject_hash"] = item["subject_hash"] or ""
        writer.writerow([item[name] for name in FIELDS])
        count += 1
    return count
