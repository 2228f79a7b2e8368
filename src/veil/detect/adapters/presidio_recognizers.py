"""Run Presidio recognizers a team already has, as one veil detector.

Presidio's entity names map onto veil's types through
:data:`veil.core.PRESIDIO_ALIASES`; names veil does not know become
:class:`~veil.core.CustomEntity` values, so nothing a recognizer finds is dropped.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from veil.core import CustomEntity, Entity, Finding, Span, parse_entity
from veil.errors import ConfigurationError, UnknownEntityError

__all__ = ["PresidioDetector"]


def _entity(name: str) -> Entity:
    try:
        return parse_entity(name)
    except UnknownEntityError:
        return CustomEntity(name.upper())


class PresidioDetector:
    """Findings from Presidio ``EntityRecognizer`` objects.

    Recognizers are called without NLP artifacts, so pattern, deny-list and custom
    recognizers work without a spaCy model; recognizers that need a model should be
    wrapped through their ``AnalyzerEngine`` instead (``engine=``).
    """

    def __init__(
        self,
        recognizers: Sequence[Any] = (),
        *,
        engine: Any = None,
        language: str = "en",
        name: str = "presidio",
    ) -> None:
        if not recognizers and engine is None:
            raise ConfigurationError("PresidioDetector needs recognizers or an AnalyzerEngine")
        try:
            import presidio_analyzer  # noqa: F401
        except ImportError:
            raise ConfigurationError(
                "the Presidio adapter needs the extra: pip install 'veil[presidio]'"
            ) from None
        self._recognizers = tuple(recognizers)
        self._engine = engine
        self._language = language
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def find(self, text: str) -> Iterator[Finding]:
        results: list[Any] = []
        if self._engine is not None:
            results.extend(self._engine.analyze(text=text, language=self._language))
        for recognizer in self._recognizers:
            results.extend(recognizer.analyze(text, recognizer.supported_entities, None) or ())
        for r in results:
            if r.end <= r.start:
                continue
            yield Finding(
                _entity(r.entity_type),
                Span(r.start, r.end),
                max(0.0, min(1.0, float(r.score))),
                self._name,
                f"Presidio recognizer for {r.entity_type}",
            )
