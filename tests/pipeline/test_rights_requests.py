"""Due dates of data-subject requests, including month ends and leap years."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from veil.pipeline.rights_requests import (
    Correction,
    Law,
    Request,
    RequestKind,
    RequestStatus,
    due_date,
)


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 30) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (at(2026, 1, 15), at(2026, 2, 15)),
        (at(2026, 1, 31), at(2026, 2, 28)),  # no 31 February: the month's last day
        (at(2028, 1, 31), at(2028, 2, 29)),  # leap year
        (at(2028, 1, 30), at(2028, 2, 29)),
        (at(2026, 3, 31), at(2026, 4, 30)),
        (at(2026, 2, 28), at(2026, 3, 28)),  # not "the end of March"
        (at(2028, 2, 29), at(2028, 3, 29)),
        (at(2026, 11, 30), at(2026, 12, 30)),
        (at(2026, 12, 31, 23, 59), at(2027, 1, 31, 23, 59)),  # over the year, time kept
        (at(2026, 8, 31), at(2026, 9, 30)),
    ],
)
def test_gdpr_allows_one_calendar_month(received: datetime, due: datetime) -> None:
    assert due_date(Law.GDPR, received) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (at(2026, 1, 31), at(2026, 3, 17)),
        (at(2028, 1, 31), at(2028, 3, 16)),  # 29 February counts
        (at(2026, 12, 1, 0, 0), at(2027, 1, 15, 0, 0)),
    ],
)
def test_ccpa_allows_45_days(received: datetime, due: datetime) -> None:
    assert due_date(Law.CCPA, received) == due


def test_laws_are_checked() -> None:
    with pytest.raises(ValueError, match="hipaa"):
        due_date("hipaa", at(2026, 1, 1))  # type: ignore[arg-type]


def test_requests_serialize_without_surprises() -> None:
    request = Request(
        "r1", "t1", "s1", RequestKind.ERASURE, Law.GDPR, RequestStatus.RECEIVED,
        at(2026, 1, 31), at(2026, 2, 28),
    )  # fmt: skip
    doc = request.as_dict()
    assert doc["kind"] == "erasure"
    assert doc["due_at"] == "2026-02-28T09:30:00+00:00"
    assert doc["verified_at"] is None
    assert "secret value" not in repr(Correction("c1", "[EMAIL_1]", "secret value"))
