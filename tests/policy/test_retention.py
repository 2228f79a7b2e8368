"""Pure retention decisions: rule choice, expiry boundaries, map rules, holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from veil.errors import ConfigurationError
from veil.policy.retention import (
    ANY_PURPOSE,
    CONVERSATION,
    Holds,
    LegalHold,
    RecordKind,
    RetentionRule,
    RetentionRules,
    expired,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
TURN = RecordKind.TURN


def rule(purpose: str, days: int, kind: RecordKind = TURN) -> RetentionRule:
    return RetentionRule(kind, CONVERSATION, purpose, timedelta(days=days))


def test_a_record_expires_exactly_when_its_period_is_over() -> None:
    thirty = rule("ai_assistance", 30)
    assert expired(NOW - 30 * DAY, thirty, NOW)
    assert not expired(NOW - 30 * DAY + timedelta(microseconds=1), thirty, NOW)
    assert expired(NOW - 400 * DAY, thirty, NOW)
    assert not expired(NOW, thirty, NOW)


def test_naive_times_are_utc_and_zones_are_respected() -> None:
    thirty = rule("ai_assistance", 30)
    naive = (NOW - 30 * DAY).replace(tzinfo=None)
    assert expired(naive, thirty, NOW)
    plus_two = timezone(timedelta(hours=2))
    # 13:00 at UTC+2 is 11:00 UTC: one hour short of thirty days.
    assert not expired((NOW - 30 * DAY + timedelta(hours=1)).astimezone(plus_two), thirty, NOW)


def test_the_purposes_own_rule_wins_over_the_wildcard() -> None:
    rules = RetentionRules([rule("ai_assistance", 30), rule(ANY_PURPOSE, 90)])
    assert rules.rule_for(TURN, CONVERSATION, "ai_assistance") == rule("ai_assistance", 30)
    assert rules.rule_for(TURN, CONVERSATION, "analytics") == rule(ANY_PURPOSE, 90)
    assert rules.rule_for(TURN, "billing", "analytics") is None
    assert rules.turn_expired(CONVERSATION, "analytics", NOW - 90 * DAY, NOW)
    assert not rules.turn_expired(CONVERSATION, "analytics", NOW - 89 * DAY, NOW)


def test_without_a_rule_nothing_expires() -> None:
    rules = RetentionRules([rule("ai_assistance", 30)])
    assert not rules.turn_expired(CONVERSATION, "analytics", NOW - 9999 * DAY, NOW)
    assert rules.turn_cutoffs(CONVERSATION, NOW) == ({"ai_assistance": NOW - 30 * DAY}, None)
    assert RetentionRules([]).map_rule(CONVERSATION) is None
    assert RetentionRules([]).shortest() is None


def test_cutoffs_cover_named_purposes_and_the_rest() -> None:
    rules = RetentionRules([rule("a", 30), rule("b", 7), rule(ANY_PURPOSE, 90)])
    named, other = rules.turn_cutoffs(CONVERSATION, NOW)
    assert named == {"a": NOW - 30 * DAY, "b": NOW - 7 * DAY}
    assert other == NOW - 90 * DAY
    assert rules.shortest() == 7 * DAY


def test_maps_follow_their_own_rule_else_the_longest_turn_rule() -> None:
    turns_only = RetentionRules([rule("a", 30), rule("b", 365)])
    derived = turns_only.map_rule(CONVERSATION)
    assert derived is not None
    assert (derived.record_kind, derived.keep) == (RecordKind.PSEUDONYM_MAP, 365 * DAY)
    own = RetentionRules([rule("a", 30), rule(ANY_PURPOSE, 10, RecordKind.PSEUDONYM_MAP)])
    assert own.map_rule(CONVERSATION) == rule(ANY_PURPOSE, 10, RecordKind.PSEUDONYM_MAP)


@pytest.mark.parametrize(
    "bad",
    [
        lambda: RetentionRule(TURN, CONVERSATION, "a", timedelta(0)),
        lambda: RetentionRule(TURN, CONVERSATION, "", DAY),
        lambda: RetentionRules([rule("a", 1), rule("a", 2)]),
    ],
)
def test_bad_rules_are_refused(bad: object) -> None:
    with pytest.raises(ConfigurationError):
        bad()  # type: ignore[operator]


def test_holds_cover_a_whole_tenant_or_named_subjects() -> None:
    holds = Holds(
        [
            LegalHold("bank", None, "regulator"),
            LegalHold("clinic", frozenset({"s1", "s2"}), "claim"),
            LegalHold("clinic", frozenset({"s3"}), "claim 2"),
        ]
    )
    assert holds.covers("bank", "anyone")
    assert holds.covers("clinic", "s3")
    assert not holds.covers("clinic", "s4")
    assert not holds.covers("shop", "s1")
    assert holds.counts() == {"tenants": 1, "subjects": 3}
    assert LegalHold("clinic", None, "x").covers("clinic", "s9")
    assert not LegalHold("clinic", frozenset(), "x").covers("clinic", "s9")


def test_rules_from_the_built_in_policy() -> None:
    from veil.policy import default_policy
    from veil.policy.retention import rules_from_policy

    now = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    rules, holds = rules_from_policy(default_policy(), now)
    turns = {r.purpose: r.keep for r in rules if r.record_kind is RecordKind.TURN}
    assert turns["ai_assistance"] == timedelta(days=30)
    assert turns["quality_review"] == timedelta(days=90)
    assert timedelta(days=365) <= turns["analytics"] <= timedelta(days=366)
    (maps,) = [r for r in rules if r.record_kind is RecordKind.PSEUDONYM_MAP]
    assert maps.keep == timedelta(days=30)  # the longest entity-category period
    assert holds == []


def test_calendar_months_end_where_the_calendar_says() -> None:
    from veil.policy import parse_policy
    from veil.policy.retention import rules_from_policy

    text = (Path(__file__).parents[2] / "src/veil/policy/default_policy.toml").read_text()
    text = text.replace(
        'purpose = "ai_assistance"\nkeep = "30d"', 'purpose = "ai_assistance"\nkeep = "1m"'
    )
    policy = parse_policy(text)
    now = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    rules, _ = rules_from_policy(policy, now)
    keep = next(r.keep for r in rules if r.purpose == "ai_assistance")
    # A turn from 28 February (+1 month = 28 March) has expired; one from 1 March has not.
    assert now - keep >= datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
    assert now - keep < datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
