"""The policy as a typed document: what is processed, why, by whom and for how long.

One TOML file (see ``default_policy.toml``) declares data categories, purposes with
their GDPR Art. 6 legal basis, recipients, retention, legal holds and the
customer-facing transparency text. :mod:`veil.policy.loader` turns that file into a
:class:`Policy` after checking every cross-reference; once built, a policy is
immutable and consistent, so the rest of veil reads it without re-checking.

Retention durations follow a small grammar (``Duration.parse``)::

    duration  := component+              "30d", "6m", "7y", "1y6m", "12h"
    component := count unit              count: 1 to 5 digits, greater than zero
    unit      := y | m | w | d | h       calendar years, calendar MONTHS, weeks, days, hours

Each unit appears at most once, largest first; there is no minute unit, so ``m`` is
always months. ``after(start)`` adds years and months on the calendar (31 January
plus ``1m`` is the last day of February), then weeks, days and hours exactly.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from veil.core import EntityType

__all__ = [
    "Category",
    "Controller",
    "Duration",
    "LegalBasis",
    "LegalHold",
    "Policy",
    "Purpose",
    "Recipient",
    "RecipientKind",
    "RetentionRule",
    "Section",
    "Transparency",
]

_DURATION = re.compile(
    r"(?:(\d{1,5})y)?(?:(\d{1,5})m)?(?:(\d{1,5})w)?(?:(\d{1,5})d)?(?:(\d{1,5})h)?"
)
_UNITS = (("y", "year"), ("m", "month"), ("w", "week"), ("d", "day"), ("h", "hour"))


@dataclass(frozen=True, slots=True)
class Duration:
    """A retention period; build it with :meth:`parse` (see the module's grammar)."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse ``"30d"``, ``"6m"``, ``"1y6m"``...; ValueError names the grammar."""
        match = _DURATION.fullmatch(text) if text else None
        if match is None or not any(match.groups()):
            raise ValueError("expected a duration such as 30d, 6m, 7y or 1y6m (units y m w d h)")
        parts = [int(g) if g else 0 for g in match.groups()]
        if any(g is not None and int(g) == 0 for g in match.groups()):
            raise ValueError("each part of a duration must be greater than zero")
        return cls(*parts)

    def after(self, start: datetime) -> datetime:
        """``start`` plus this duration (calendar years and months, then exact time)."""
        month_index = start.month - 1 + self.months + 12 * self.years
        year, month = start.year + month_index // 12, month_index % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        moved = start.replace(year=year, month=month, day=day)
        return moved + timedelta(weeks=self.weeks, days=self.days, hours=self.hours)

    @property
    def plain(self) -> str:
        """Plain words for people: ``"1 year and 6 months"``."""
        words = [
            f"{n} {name}{'' if n == 1 else 's'}"
            for n, (_, name) in zip(self._parts(), _UNITS, strict=True)
            if n
        ]
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]

    def _parts(self) -> tuple[int, int, int, int, int]:
        return (self.years, self.months, self.weeks, self.days, self.hours)

    def __str__(self) -> str:
        return "".join(
            f"{n}{unit}" for n, (unit, _) in zip(self._parts(), _UNITS, strict=True) if n
        )


class LegalBasis(StrEnum):
    """The six lawful bases of GDPR Art. 6(1)."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"

    @property
    def article(self) -> str:
        """The provision, e.g. ``"GDPR Art. 6(1)(a)"``."""
        return f"GDPR Art. 6(1)({'abcdef'[list(LegalBasis).index(self)]})"


class RecipientKind(StrEnum):
    MODEL_PROVIDER = "model_provider"  # an upstream language model
    PROCESSOR = "processor"  # any other processor acting for the controller
    CONTROLLER = "controller"  # an independent controller (e.g. an insurer)


@dataclass(frozen=True, slots=True)
class Category:
    """A category of personal data. ``transcript`` marks the conversation text itself,
    which has no entity types of its own."""

    name: str
    description: str
    entities: frozenset[EntityType]
    transcript: bool = False


@dataclass(frozen=True, slots=True)
class Purpose:
    """Why data is processed. A consent-based purpose names the notice version shown
    when consent is asked; consents given under ``accepted_notices`` stay valid."""

    name: str
    description: str
    legal_basis: LegalBasis
    categories: tuple[str, ...]
    data_subjects: tuple[str, ...] = ("customers",)
    notice_version: str | None = None
    accepted_notices: frozenset[str] = frozenset()

    def accepts_notice(self, version: str) -> bool:
        """Whether a consent given under notice ``version`` is valid for this purpose."""
        return version == self.notice_version or version in self.accepted_notices


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who receives data: an upstream model provider or another processor."""

    name: str
    description: str
    kind: RecipientKind
    purposes: tuple[str, ...]
    categories: tuple[str, ...]
    country: str | None = None
    transfer: str | None = None  # mechanism for a third-country transfer (e.g. "SCCs")


@dataclass(frozen=True, slots=True)
class RetentionRule:
    """Keep ``category`` for ``keep``; for one purpose, or any (``purpose=None``)."""

    category: str
    purpose: str | None
    keep: Duration


@dataclass(frozen=True, slots=True)
class LegalHold:
    """Suspends deletion within ``tenant``; empty ``subjects`` / ``categories`` mean all."""

    name: str
    tenant: str
    subjects: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    reason: str = ""

    def covers(self, tenant: str, subject: str, category: str) -> bool:
        return (
            tenant == self.tenant
            and (not self.subjects or subject in self.subjects)
            and (not self.categories or category in self.categories)
        )


@dataclass(frozen=True, slots=True)
class Controller:
    name: str
    contact: str
    dpo: str | None = None
    representative: str | None = None


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    body: str


@dataclass(frozen=True, slots=True)
class Transparency:
    """The configurable customer-facing text of the notice."""

    title: str
    intro: str
    ai_can: tuple[str, ...] = ()
    ai_cannot: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    contact: str = ""


@dataclass(frozen=True, slots=True, eq=False)
class Policy:
    """A validated policy. Mappings keep the file's order."""

    version: str
    controller: Controller
    categories: Mapping[str, Category]
    purposes: Mapping[str, Purpose]
    recipients: Mapping[str, Recipient]
    retention: tuple[RetentionRule, ...]
    holds: tuple[LegalHold, ...]
    transparency: Transparency
    origin: str = "<policy>"

    def entities_of(self, categories: Iterable[str]) -> frozenset[EntityType]:
        """The entity types of the named categories."""
        return frozenset(e for name in categories for e in self.categories[name].entities)

    def retention_for(self, category: str, purpose: str) -> Duration | None:
        """How long ``category`` is kept for ``purpose``: the purpose's own rule, else
        the category-wide rule, else None (the loader makes sure every category a
        purpose declares has one)."""
        fallback = None
        for rule in self.retention:
            if rule.category == category and rule.purpose == purpose:
                return rule.keep
            if rule.category == category and rule.purpose is None:
                fallback = rule.keep
        return fallback

    def holds_on(self, tenant: str, subject: str, category: str) -> tuple[LegalHold, ...]:
        """The legal holds that forbid deleting ``subject``'s ``category`` data."""
        return tuple(h for h in self.holds if h.covers(tenant, subject, category))
