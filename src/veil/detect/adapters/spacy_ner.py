"""Wrap a spaCy pipeline's named entities as a veil :class:`~veil.detect.base.Detector`.

The pipeline object is passed in, already loaded: veil never downloads or loads a
model behind the caller's back. ``SpacyDetector.load`` is the explicit factory for
a model package installed in the environment.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from veil.core import Entity, EntityType, Finding, Span
from veil.errors import ConfigurationError

__all__ = ["DEFAULT_SPACY_LABELS", "SpacyDetector"]

DEFAULT_SPACY_LABELS: Mapping[str, Entity] = {
    "PERSON": EntityType.PERSON,
    "PER": EntityType.PERSON,
    "GPE": EntityType.LOCATION,
    "LOC": EntityType.LOCATION,
    "FAC": EntityType.ADDRESS,
    "DATE": EntityType.DATE,
}


class SpacyDetector:
    """Findings from ``nlp(text).ents`` whose label is in ``labels``.

    spaCy's small pipelines give no per-entity confidence, so every entity gets
    ``score``; set it below the engine threshold to use spaCy only as a hint.
    """

    def __init__(
        self,
        nlp: Any,
        *,
        labels: Mapping[str, Entity] = DEFAULT_SPACY_LABELS,
        score: float = 0.7,
        name: str = "spacy",
    ) -> None:
        if not callable(nlp):
            raise ConfigurationError("SpacyDetector needs a loaded spaCy pipeline")
        self._nlp = nlp
        self._labels = dict(labels)
        self._score = score
        self._name = name

    @classmethod
    def load(cls, model: str, **options: Any) -> SpacyDetector:
        """Load an installed spaCy model package (no download) and wrap it."""
        try:
            import spacy
        except ImportError:
            raise ConfigurationError(
                "the spaCy adapter needs the extra: pip install 'veil[spacy]'"
            ) from None
        try:
            nlp = spacy.load(model)
        except OSError:
            raise ConfigurationError(
                f"spaCy model {model!r} is not installed (veil never downloads models)"
            ) from None
        return cls(nlp, **options)

    @property
    def name(self) -> str:
        return self._name

    def find(self, text: str) -> Iterator[Finding]:
        for ent in self._nlp(text).ents:
            entity = self._labels.get(ent.label_)
            if entity is None or ent.end_char <= ent.start_char:
                continue
            yield Finding(
                entity,
                Span(ent.start_char, ent.end_char),
                self._score,
                self._name,
                f"spaCy entity {ent.label_}",
            )
