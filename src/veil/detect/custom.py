"""Detectors built from configuration: custom regular expressions and deny-lists.

Patterns come from operators, so they are compiled with RE2: matching is linear in
the input whatever the pattern, and back-references (which cannot be linear) are
refused at load time with a :class:`~veil.errors.ConfigurationError`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

import re2

from veil.core import Entity, Finding, Span
from veil.detect.context import near
from veil.errors import ConfigurationError

__all__ = ["DenyListDetector", "RegexDetector"]


def _options(*, case_sensitive: bool) -> re2.Options:
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = case_sensitive
    return options


class RegexDetector:
    """Flags every match of ``pattern`` as ``entity``.

    With ``context``, a match scores ``score`` only when one of the context words is
    near; otherwise it scores ``score_without_context`` (default 0: dropped).
    With a capturing group named ``value``, only that group is flagged.
    """

    def __init__(
        self,
        name: str,
        entity: Entity,
        pattern: str,
        *,
        score: float = 0.85,
        context: Collection[str] = (),
        score_without_context: float = 0.0,
        case_sensitive: bool = True,
    ) -> None:
        try:
            self._pattern = re2.compile(pattern, _options(case_sensitive=case_sensitive))
        except re2.error as exc:
            raise ConfigurationError(f"custom detector {name!r}: invalid pattern") from exc
        self._name = name
        self._entity = entity
        self._score = score
        self._context = frozenset(w.lower() for w in context)
        self._weak = score_without_context
        self._group: int = self._pattern.groupindex.get("value", 0)

    @property
    def name(self) -> str:
        return self._name

    def find(self, text: str) -> Iterator[Finding]:
        for match in self._pattern.finditer(text):
            start, end = match.span(self._group)
            if end <= start:
                continue
            score, reason = self._score, f"custom pattern '{self._name}'"
            if self._context:
                if near(text, start, end, self._context):
                    reason += " + context"
                else:
                    score = self._weak
            if score > 0:
                yield Finding(self._entity, Span(start, end), score, self._name, reason)


class DenyListDetector:
    """Flags whole-word occurrences of listed terms (e.g. staff or patient names)."""

    def __init__(
        self,
        name: str,
        entity: Entity,
        terms: Collection[str],
        *,
        score: float = 0.95,
        case_sensitive: bool = False,
    ) -> None:
        cleaned = sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True)
        if not cleaned:
            raise ConfigurationError(f"deny-list detector {name!r} has no terms")
        alternation = "|".join(re2.escape(t) for t in cleaned)
        self._pattern = re2.compile(
            rf"(?:^|[^\w])({alternation})(?:$|[^\w])", _options(case_sensitive=case_sensitive)
        )
        self._name = name
        self._entity = entity
        self._score = score

    @property
    def name(self) -> str:
        return self._name

    def find(self, text: str) -> Iterator[Finding]:
        pos = 0
        while pos <= len(text):
            match = self._pattern.search(text, pos)
            if match is None:
                return
            start, end = match.span(1)
            yield Finding(self._entity, Span(start, end), self._score, self._name, "deny-list")
            # Resume on the separator after the term so adjacent terms are found too.
            pos = max(end, match.start() + 1)
