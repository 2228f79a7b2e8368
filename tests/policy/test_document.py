"""The policy model: the duration grammar, legal bases, retention lookup, holds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from veil.policy.document import Duration, LegalBasis, LegalHold
from veil.policy.loader import default_policy


@pytest.mark.parametrize(
    ("text", "parsed", "plain"),
    [
        ("30d", Duration(days=30), "30 days"),
        ("6m", Duration(months=6), "6 months"),
        ("7y", Duration(years=7), "7 years"),
        ("1y6m", Duration(years=1, months=6), "1 year and 6 months"),
        ("2w1d12h", Duration(weeks=2, days=1, hours=12), "2 weeks, 1 day and 12 hours"),
        ("1h", Duration(hours=1), "1 hour"),
    ],
)
def test_durations_parse_print_and_read(text: str, parsed: Duration, plain: str) -> None:
    assert Duration.parse(text) == parsed
    assert str(parsed) == text
    assert parsed.plain == plain


@pytest.mark.parametrize(
    "text", ["", "30", "d", "30 d", "30D", "P30D", "6m1y", "0d", "1y0m", "-1d", "1.5y", "123456d"]
)
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        Duration.parse(text)


def test_months_and_years_move_on_the_calendar() -> None:
    start = datetime(2024, 1, 31, 9, 30, tzinfo=UTC)
    assert Duration.parse("1m").after(start) == datetime(2024, 2, 29, 9, 30, tzinfo=UTC)
    assert Duration.parse("13m").after(start) == datetime(2025, 2, 28, 9, 30, tzinfo=UTC)
    assert Duration.parse("1y").after(datetime(2024, 2, 29, tzinfo=UTC)) == datetime(
        2025, 2, 28, tzinfo=UTC
    )
    assert Duration.parse("11m").after(start) == datetime(2024, 12, 31, 9, 30, tzinfo=UTC)
    assert Duration.parse("1w2d3h").after(start) == datetime(2024, 2, 9, 12, 30, tzinfo=UTC)


def test_legal_bases_name_their_article() -> None:
    assert LegalBasis.CONSENT.article == "GDPR Art. 6(1)(a)"
    assert LegalBasis.CONTRACT.article == "GDPR Art. 6(1)(b)"
    assert LegalBasis.LEGITIMATE_INTERESTS.article == "GDPR Art. 6(1)(f)"


def test_retention_prefers_the_purpose_rule_over_the_category_rule() -> None:
    policy = default_policy()
    assert policy.retention_for("transcripts", "quality_review") == Duration(days=90)
    assert policy.retention_for("identity", "quality_review") == Duration(days=30)
    assert policy.retention_for("transcripts", "unknown") is None


def test_legal_holds_cover_their_scope_only() -> None:
    whole = LegalHold("audit-1", "t1")
    narrow = LegalHold("claim-2", "t1", frozenset({"s1"}), frozenset({"transcripts"}))
    assert whole.covers("t1", "anyone", "contact")
    assert not whole.covers("t2", "anyone", "contact")
    assert narrow.covers("t1", "s1", "transcripts")
    assert not narrow.covers("t1", "s2", "transcripts")
    assert not narrow.covers("t1", "s1", "contact")
