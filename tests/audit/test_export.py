"""JSON Lines and CSV export with filters."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from veil.audit import Action, AuditEvent, AuditTrail, ExportFilter, export_rows
from veil.audit.export import FIELDS, iter_rows
from veil.errors import AuditError


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 5, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def filled(make_trail: Callable[..., AuditTrail]) -> AuditTrail:
    trail = make_trail(clock=Clock())
    for i in range(6):
        trail.record(
            AuditEvent(
                Action.TURN_READ if i % 2 else Action.AUTH_LOGIN,
                actor=f"u{i % 3}",
                tenant="a" if i < 3 else "b",
                subject=f"s{i}" if i % 2 else None,
                detail={"n": i, "why": 'x,"y"'},
                highlight=i == 5,
            )
        )
    return trail


def test_jsonl_holds_every_row_and_field(filled: AuditTrail) -> None:
    out = io.StringIO()
    assert export_rows(filled, out, "jsonl") == 6
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert set(rows[0]) == set(FIELDS)
    assert rows[1]["detail"] == {"n": 1, "why": 'x,"y"'}
    assert rows[1]["subject_hash"] == filled.subject_hash("a", "s1")
    assert rows[5]["highlight"] is True
    assert rows[1]["prev_hash"] == rows[0]["hash"]


def test_csv_round_trips(filled: AuditTrail) -> None:
    out = io.StringIO()
    assert export_rows(filled, out, "csv", ExportFilter(tenant="b")) == 3
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["seq"] for r in rows] == ["4", "5", "6"]
    assert json.loads(rows[0]["detail"]) == {"n": 3, "why": 'x,"y"'}
    assert [r["highlight"] for r in rows] == ["false", "false", "true"]
    assert rows[1]["subject_hash"] == ""
    assert rows[0]["subject_hash"]


def test_filters_combine(filled: AuditTrail) -> None:
    seqs = lambda f: [r.seq for r in iter_rows(filled, f, page=2)]  # noqa: E731
    assert seqs(ExportFilter()) == [1, 2, 3, 4, 5, 6]  # paging crosses page borders
    assert seqs(ExportFilter(actions={Action.TURN_READ})) == [2, 4, 6]
    assert seqs(ExportFilter(actor="u1")) == [2, 5]
    start = datetime(2026, 5, 1, tzinfo=UTC)
    assert seqs(ExportFilter(since=start + timedelta(minutes=3))) == [3, 4, 5, 6]
    assert seqs(ExportFilter(until=start + timedelta(minutes=3))) == [1, 2]
    assert seqs(ExportFilter(tenant="a", actions={Action.TURN_READ})) == [2]


def test_unknown_format_is_refused(filled: AuditTrail) -> None:
    with pytest.raises(AuditError):
        export_rows(filled, io.StringIO(), "xml")  # type: ignore[arg-type]
