"""Retention decisions as pure functions: which rule applies, what has expired, what is held.

The sweeper (``veil.pipeline.retention``) asks these questions; nothing here touches
storage, keys or the clock (``now`` is always passed in). The inputs are small typed
values that the policy file maps onto::

    RetentionRule(RecordKind.TURN, "conversation", "ai_assistance", keep=timedelta(days=30))
    RetentionRule(RecordKind.TURN, "conversation", ANY_PURPOSE, keep=timedelta(days=90))
    LegalHold("clinic-1", frozenset({"cust-7"}), reason="claim 2026-04")   # None: whole tenant

Contract:

* A record expires once it has been kept for the full period: ``created_at + keep <=
  now`` (:func:`expired`). A naive ``created_at`` is read as UTC.
* A rule for the record's own purpose wins over the ``ANY_PURPOSE`` rule of its kind and
  category. No rule at all means "keep": nothing is deleted without a rule saying so.
* A pseudonym map (a conversation's vault entries) is kept by the ``PSEUDONYM_MAP`` rule
  if one is given, else as long as the longest-kept turn purpose of the category, so a
  map never goes before the turns that might still need it.
* A legal hold blocks deletion of everything it covers, whatever the rules say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from veil.errors import ConfigurationError
from veil.policy.document import Duration, Policy

__all__ = [
    "ANY_PURPOSE",
    "CONVERSATION",
    "Holds",
    "LegalHold",
    "RecordKind",
    "RetentionRule",
    "RetentionRules",
    "expired",
    "rules_from_policy",
]

ANY_PURPOSE = "*"
CONVERSATION = "conversation"


class RecordKind(StrEnum):
    """What a rule keeps: conversation turns, or a conversation's pseudonym map."""

    TURN = "turn"
    PSEUDONYM_MAP = "pseudonym_map"


@dataclass(frozen=True, slots=True)
class RetentionRule:
    """Keep records of ``record_kind`` in ``category`` processed for ``purpose``
    (or ``ANY_PURPOSE``) for ``keep``."""

    record_kind: RecordKind
    category: str
    purpose: str
    keep: timedelta

    def __post_init__(self) -> None:
        if self.keep <= timedelta(0):
            raise ConfigurationError("a retention period must be positive")
        if not self.category or not self.purpose:
            raise ConfigurationError("a retention rule names a category and a purpose")


@dataclass(frozen=True, slots=True)
class LegalHold:
    """Suspends deletion within ``tenant``, for ``subjects`` or (None) all of them."""

    tenant: str
    subjects: frozenset[str] | None
    reason: str

    def covers(self, tenant: str, subject: str) -> bool:
        return tenant == self.tenant and (self.subjects is None or subject in self.subjects)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def expired(created_at: datetime, rule: RetentionRule, now: datetime) -> bool:
    """True once a record created at ``created_at`` has been kept for ``rule.keep``."""
    return _utc(created_at) + rule.keep <= _utc(now)


class RetentionRules:
    """A validated set of rules: at most one per (kind, category, purpose)."""

    def __init__(self, rules: Iterable[RetentionRule]) -> None:
        self._rules: dict[tuple[RecordKind, str, str], RetentionRule] = {}
        for rule in rules:
            key = (RecordKind(rule.record_kind), rule.category, rule.purpose)
            if key in self._rules:
                raise ConfigurationError(
                    f"two retention rules for {key[0].value}/{key[1]}/{key[2]}"
                )
            self._rules[key] = rule

    @property
    def rules(self) -> tuple[RetentionRule, ...]:
        return tuple(self._rules.values())

    def rule_for(self, kind: RecordKind, category: str, purpose: str) -> RetentionRule | None:
        """The purpose's own rule, else the category's ``ANY_PURPOSE`` rule, else None."""
        return self._rules.get((kind, category, purpose)) or self._rules.get(
            (kind, category, ANY_PURPOSE)
        )

    def turn_expired(
        self, category: str, purpose: str, created_at: datetime, now: datetime
    ) -> bool:
        rule = self.rule_for(RecordKind.TURN, category, purpose)
        return rule is not None and expired(created_at, rule, now)

    def turn_cutoffs(
        self, category: str, now: datetime
    ) -> tuple[dict[str, datetime], datetime | None]:
        """For a database query: per named purpose, the newest ``created_at`` that has
        expired at ``now``; and the same for every other purpose (None: they are kept)."""
        named: dict[str, datetime] = {}
        other = None
        for (kind, cat, purpose), rule in self._rules.items():
            if kind is not RecordKind.TURN or cat != category:
                continue
            if purpose == ANY_PURPOSE:
                other = _utc(now) - rule.keep
            else:
                named[purpose] = _utc(now) - rule.keep
        return named, other

    def map_rule(self, category: str) -> RetentionRule | None:
        """The rule a pseudonym map of ``category`` is kept by (see the module doc)."""
        own = self.rule_for(RecordKind.PSEUDONYM_MAP, category, ANY_PURPOSE)
        if own is not None:
            return own
        turns = [
            rule
            for (kind, cat, _), rule in self._rules.items()
            if kind is RecordKind.TURN and cat == category
        ]
        if not turns:
            return None
        longest = max(turns, key=lambda rule: rule.keep)
        return RetentionRule(RecordKind.PSEUDONYM_MAP, category, ANY_PURPOSE, longest.keep)

    def shortest(self) -> timedelta | None:
        """The shortest period of any rule (how long an empty subject is left alone)."""
        return min((rule.keep for rule in self._rules.values()), default=None)


class Holds:
    """The legal holds in force; answers whether one covers a tenant or a subject."""

    def __init__(self, holds: Iterable[LegalHold]) -> None:
        self._tenants: set[str] = set()
        self._subjects: dict[str, set[str]] = {}
        for hold in holds:
            if hold.subjects is None:
                self._tenants.add(hold.tenant)
            else:
                self._subjects.setdefault(hold.tenant, set()).update(hold.subjects)

    def covers(self, tenant: str, subject: str) -> bool:
        return tenant in self._tenants or subject in self._subjects.get(tenant, ())

    def counts(self) -> Mapping[str, int]:
        """Value-free: how many tenants are held whole, how many subjects singly."""
        return {
            "tenants": len(self._tenants),
            "subjects": sum(len(s) for s in self._subjects.values()),
        }


def rules_from_policy(policy: Policy, now: datetime) -> tuple[list[RetentionRule], list[LegalHold]]:
    """The sweeper's rules and holds for ``policy``, as they stand at ``now``.

    * Each retention rule of a transcript category keeps conversation turns processed
      for its purpose (or any purpose) for its period.
    * The pseudonym maps hold values of the entity categories; once a conversation's
      turns are gone, its map is kept as long as the LONGEST entity-category period
      (a map cannot be split by category without breaking the restores it serves).
    * Policy periods are calendar periods ("6m"): they become exact ``timedelta``s
      measured back from ``now``, so month ends and leap years come out right.
    * Each legal hold covers its tenant and subjects (all if none are listed); a hold
      limited to categories still blocks the whole conversation, since turns mix them.
    """
    rules: list[RetentionRule] = []
    longest: timedelta | None = None
    for rule in policy.retention:
        keep = _exact(rule.keep, now)
        if policy.categories[rule.category].transcript:
            purpose = rule.purpose if rule.purpose is not None else ANY_PURPOSE
            rules.append(RetentionRule(RecordKind.TURN, CONVERSATION, purpose, keep))
        elif longest is None or keep > longest:
            longest = keep
    if longest is not None:
        rules.append(RetentionRule(RecordKind.PSEUDONYM_MAP, CONVERSATION, ANY_PURPOSE, longest))
    holds = [
        LegalHold(hold.tenant, frozenset(hold.subjects) or None, reason=hold.name)
        for hold in policy.holds
    ]
    return rules, holds


def _exact(keep: Duration, now: datetime) -> timedelta:
    """How long ``keep`` is for a record that expires at ``now``: calendar months and
    years are counted back from ``now`` (approximately: the record's own start date is
    what the period is measured from, and that varies by at most a day per month)."""
    start = _utc(now)
    back = start - timedelta(days=366 * keep.years + 31 * keep.months + 7 * keep.weeks + keep.days)
    # Find the start whose period ends at or before now: walk forward day by day
    # from a safe lower bound (at most ~ 1 + 3 per year of period steps).
    while keep.after(back + timedelta(days=1)) <= start:
        back += timedelta(days=1)
    return start - back
