"""Scoring detection against labeled data (the format of ``shared/bench/README.md``).

Definitions, shared with the benchmarks so every number means the same thing:

* **leak rate** — share of non-space characters inside personal-data gold spans that no
  predicted span covers, whatever its label. This is what a model would still see.
* **recall** — gold spans with at least 80% of their non-space characters covered.
* **precision** — predicted spans that overlap some gold span.
* **typed** scores require the (mapped) labels to match.

Gold labels are mapped to veil's types by a :class:`LabelMap`; labels mapped to
``None`` (organizations, titles, ages, nationalities) are not personal identifiers on
their own: they count for precision (flagging them is not a false alarm) but not for
leak or recall.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from veil.core import EntityType, parse_entity
from veil.errors import UnknownEntityError

__all__ = [
    "CHECKSUM_TYPES",
    "DEFAULT_LABEL_MAP",
    "GoldSpan",
    "LabelMap",
    "LabeledText",
    "Report",
    "TypeScore",
    "evaluate",
]

CHECKSUM_TYPES = frozenset({"CREDIT_CARD", "IBAN", "NATIONAL_ID"})
RECALL_COVERAGE = 0.8

DEFAULT_LABEL_MAP: dict[str, str | None] = {
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "PER": "PERSON",
    "ZIP_CODE": "ADDRESS",
    "DOMAIN_NAME": "URL",
    "ORGANIZATION": None,
    "ORG": None,
    "TITLE": None,
    "AGE": None,
    "NRP": None,
}


@dataclass(frozen=True, slots=True)
class GoldSpan:
    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class LabeledText:
    id: str
    text: str
    spans: tuple[GoldSpan, ...]


class LabelMap:
    """Maps gold labels onto veil's types; unknown labels are an error, not a guess."""

    def __init__(self, overrides: Mapping[str, str | None] | None = None) -> None:
        self._map = {**DEFAULT_LABEL_MAP, **{k.upper(): v for k, v in (overrides or {}).items()}}

    def __call__(self, label: str) -> str | None:
        key = label.strip().upper()
        if key in self._map:
            target = self._map[key]
            return None if target is None else parse_entity(target).value
        try:
            return parse_entity(key).value
        except UnknownEntityError:
            raise UnknownEntityError(
                f"unknown gold label {label!r}: map it with a label map "
                '(e.g. {"' + label + '": "PERSON"} or null to exclude it)'
            ) from None


@dataclass
class TypeScore:
    label: str
    gold: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0
    gold_chars: int = 0
    leaked_chars: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def leak(self) -> float:
        return self.leaked_chars / self.gold_chars if self.gold_chars else 0.0

    def f(self, beta: float) -> float:
        p, r = self.precision, self.recall
        b2 = beta * beta
        return (1 + b2) * p * r / (b2 * p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int | str]:
        return {
            "label": self.label, "gold": self.gold, "predicted": self.predicted,
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "f1": round(self.f(1), 4), "f2": round(self.f(2), 4), "leak": round(self.leak, 4),
        }  # fmt: skip


@dataclass
class Report:
    overall: TypeScore = field(default_factory=lambda: TypeScore("ALL"))
    types: dict[str, TypeScore] = field(default_factory=dict)
    excluded: dict[str, TypeScore] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    chars: int = 0

    def type(self, label: str) -> TypeScore:
        return self.types.setdefault(label, TypeScore(label))

    @property
    def checksum_leak(self) -> float:
        rows = [s for k, s in self.types.items() if k in CHECKSUM_TYPES]
        total = sum(s.gold_chars for s in rows)
        return sum(s.leaked_chars for s in rows) / total if total else 0.0

    @property
    def texts_per_second(self) -> float:
        total = sum(self.latencies_ms) / 1000
        return len(self.latencies_ms) / total if total else 0.0

    def percentile_ms(self, q: float) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else 0.0
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[int(q) - 1]

    def as_dict(self) -> dict[str, object]:
        return {
            "overall": self.overall.as_dict(),
            "checksum_leak": round(self.checksum_leak, 4),
            "types": {k: v.as_dict() for k, v in sorted(self.types.items())},
            "excluded": {k: {"gold": v.gold, "covered": v.found} for k, v in
                         sorted(self.excluded.items())},
            "texts": len(self.latencies_ms),
            "texts_per_second": round(self.texts_per_second, 1),
            "p50_ms": round(self.percentile_ms(50), 3),
            "p99_ms": round(self.percentile_ms(99), 3),
        }  # fmt: skip


Prediction = tuple[int, int, str]


def evaluate(
    rows: Iterable[LabeledText],
    predict: Callable[[str], Sequence[Prediction]],
    label_map: LabelMap | None = None,
) -> Report:
    """Run ``predict`` on every row, timing each call, and score the result."""
    label_map = label_map or LabelMap()
    report = Report()
    for row in rows:
        started = time.perf_counter()
        predicted = list(predict(row.text))
        report.latencies_ms.append((time.perf_counter() - started) * 1000)
        report.chars += len(row.text)
        _score_row(report, row, predicted, label_map)
    return report


def _score_row(
    report: Report, row: LabeledText, predicted: list[Prediction], label_map: LabelMap
) -> None:
    text = row.text
    gold = [(g, label_map(g.label)) for g in row.spans]
    covered = bytearray(len(text))
    by_label: dict[str, bytearray] = {}
    for start, end, pred_label in predicted:
        covered[start:end] = b"\x01" * (end - start)
        mask = by_label.setdefault(pred_label, bytearray(len(text)))
        mask[start:end] = b"\x01" * (end - start)
    for g, label in gold:
        chars = [i for i in range(g.start, g.end) if not text[i].isspace()]
        hit = sum(covered[i] for i in chars)
        enough = bool(chars) and hit >= RECALL_COVERAGE * len(chars)
        if label is None:
            score = report.excluded.setdefault(g.label, TypeScore(g.label))
            score.gold += 1
            score.found += enough
            continue
        typed_mask = by_label.get(label)
        typed_hit = sum(typed_mask[i] for i in chars) if typed_mask else 0
        for score in (report.overall, report.type(label)):
            score.gold += 1
            score.gold_chars += len(chars)
            score.leaked_chars += len(chars) - hit
        report.overall.found += enough
        report.type(label).found += bool(chars) and typed_hit >= RECALL_COVERAGE * len(chars)
    for start, end, pred_label in predicted:
        overlapping = [lab for g, lab in gold if g.start < end and start < g.end]
        report.overall.predicted += 1
        report.overall.correct += bool(overlapping)
        typed_score = report.type(pred_label)
        typed_score.predicted += 1
        typed_score.correct += pred_label in overlapping


def known_labels() -> list[str]:
    """Every label accepted without a map (veil's, Presidio's and the defaults)."""
    return sorted({*EntityType.__members__, *DEFAULT_LABEL_MAP})
