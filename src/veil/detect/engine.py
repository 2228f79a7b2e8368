"""The detection engine: runs detectors, applies lists and thresholds, resolves overlaps.

The engine is the only place that decides between competing findings. Its output is
a sorted list of non-overlapping findings, which is what ``transform`` expects.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace

from veil.core import Finding, Span
from veil.detect.base import Detector
from veil.errors import DetectionError

__all__ = ["DetectionEngine", "resolve_overlaps"]

# A fragment left over after trimming needs this many letters or digits to stand alone.
_MIN_REMAINDER = 3


@dataclass(frozen=True, slots=True)
class _Ranked:
    finding: Finding

    @property
    def key(self) -> tuple[float, int, int]:
        f = self.finding
        return (-f.score, -(f.end - f.start), f.start)


class DetectionEngine:
    """Runs a fixed set of detectors over normalized text.

    ``allow`` holds values that are never personal data (compared case-insensitively
    after trimming, e.g. the operator's own support address); ``threshold`` drops
    weaker findings. A detector that raises makes the whole call raise
    :class:`~veil.errors.DetectionError`: callers must fail closed.
    """

    def __init__(
        self,
        detectors: Sequence[Detector],
        *,
        threshold: float = 0.5,
        allow: Collection[str] = (),
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError("threshold must be within [0, 1]")
        names = [d.name for d in detectors]
        if len(set(names)) != len(names):
            raise ValueError("detector names must be unique")
        self._detectors = tuple(detectors)
        self._threshold = threshold
        self._allow = frozenset(v.strip().casefold() for v in allow)

    @property
    def detectors(self) -> tuple[Detector, ...]:
        return self._detectors

    def find(self, text: str) -> list[Finding]:
        """Return non-overlapping findings sorted by position."""
        if not text:
            return []
        found: list[Finding] = []
        for detector in self._detectors:
            try:
                found.extend(detector.find(text))
            except Exception as exc:
                # The message names the detector only: the exception text may quote input.
                raise DetectionError(f"detector {detector.name!r} failed") from exc
        kept = [
            f
            for f in found
            if f.score >= self._threshold
            and f.end <= len(text)
            and f.end > f.start
            and text[f.start : f.end].strip().casefold() not in self._allow
        ]
        return resolve_overlaps(text, kept)


def resolve_overlaps(text: str, findings: Iterable[Finding]) -> list[Finding]:
    """Merge same-type overlaps; between types the stronger finding wins.

    Strength is score, then length. Same-type findings that overlap are merged into
    one covering both (a partly covered name still leaks). A weaker finding of another
    type that sticks out of a stronger one keeps only the part that sticks out, if that
    part is substantial; otherwise it is dropped.
    """
    ranked = sorted((_Ranked(f) for f in findings), key=lambda r: r.key)
    chosen: list[Finding] = []
    for candidate in (r.finding for r in ranked):
        pieces = [candidate]
        for i, kept in enumerate(chosen):
            if not any(p.span.overlaps(kept.span) for p in pieces):
                continue
            if kept.entity == candidate.entity:
                merged = Span(
                    min(kept.start, *(p.start for p in pieces)),
                    max(kept.end, *(p.end for p in pieces)),
                )
                chosen[i] = replace(kept, span=merged)
                pieces = []
                break
            pieces = [rest for p in pieces for rest in _subtract(text, p, kept.span)]
            if not pieces:
                break
        chosen.extend(pieces)
    # A merge can make two kept findings overlap; one more pass settles it.
    chosen.sort(key=lambda f: (f.start, -f.end))
    settled: list[Finding] = []
    for f in chosen:
        if settled and f.start < settled[-1].end:
            last = settled[-1]
            if f.end <= last.end:
                continue
            if f.entity == last.entity:
                settled[-1] = replace(last, span=Span(last.start, f.end))
                continue
            f = replace(f, span=Span(last.end, f.end))
            if not _substantial(text, f.span):
                continue
        settled.append(f)
    return settled


def _subtract(text: str, finding: Finding, taken: Span) -> list[Finding]:
    out: list[Finding] = []
    for start, end in (
        (finding.start, min(finding.end, taken.start)),
        (max(finding.start, taken.end), finding.end),
    ):
        if end > start and _substantial(text, Span(start, end)):
            out.append(replace(finding, span=_strip(text, Span(start, end))))
    return out


def _substantial(text: str, span: Span) -> bool:
    return sum(ch.isalnum() for ch in text[span.start : span.end]) >= _MIN_REMAINDER


def _strip(text: str, span: Span) -> Span:
    start, end = span.start, span.end
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return Span(start, end)
