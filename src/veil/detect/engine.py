"""The detection engine: runs detectors, applies lists and thresholds, resolves overlaps.

The engine is the only place that decides between competing findings. Its output is
a sorted list of non-overlapping findings, which is what ``transform`` expects.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace

from veil.core import Entity, EntityType, Finding, Span
from veil.detect.base import Detector
from veil.errors import DetectionError

__all__ = ["DetectionEngine", "resolve_overlaps"]

# A fragment left over after trimming needs this many letters or digits to stand alone.
_MIN_REMAINDER = 3

# Composite types: a street address names its town and may name a person ("c/o ...").
# Those parts belong to the address; letting a stronger town finding win would split the
# address and leave its separators and neighbours uncovered.
COMPOSITES: Mapping[Entity, frozenset[Entity]] = {
    EntityType.ADDRESS: frozenset({EntityType.LOCATION, EntityType.PERSON}),
}


def _rank(f: Finding) -> tuple[float, int, int]:
    """Strongest first: score, then length, then position."""
    span = f.span
    return (-f.score, span.start - span.end, span.start)


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
                # Name the detector and the exception type only, and cut the chain: the
                # original message may quote the input, and a logged traceback would show it.
                raise DetectionError(
                    f"detector {detector.name!r} failed: {type(exc).__name__}"
                ) from None
        allow = self._allow
        size = len(text)
        kept = [
            f
            for f in found
            if f.score >= self._threshold
            and f.end <= size
            and f.end > f.start
            and (not allow or text[f.start : f.end].strip().casefold() not in allow)
        ]
        return resolve_overlaps(text, absorb_parts(kept))


def absorb_parts(findings: Sequence[Finding]) -> list[Finding]:
    """Drop findings lying wholly inside a finding of a type that :data:`COMPOSITES`
    says contains theirs (a town inside an address)."""
    out = list(findings)
    for whole, parts in COMPOSITES.items():
        spans = sorted((f.start, f.end) for f in out if f.entity == whole)
        if not spans:
            continue
        starts = [start for start, _ in spans]
        reach: list[int] = []  # reach[i]: furthest end among spans[0..i]
        for _, end in spans:
            reach.append(max(end, reach[-1]) if reach else end)
        out = [f for f in out if f.entity not in parts or not _inside(f, starts, reach)]
    return out


def _inside(f: Finding, starts: list[int], reach: list[int]) -> bool:
    i = bisect.bisect_right(starts, f.start) - 1
    return i >= 0 and reach[i] >= f.end


def resolve_overlaps(text: str, findings: Iterable[Finding]) -> list[Finding]:
    """Merge same-type overlaps; between types the stronger finding wins.

    Strength is score, then length. Same-type findings that overlap are merged into
    one covering both (a partly covered name still leaks). A weaker finding of another
    type that sticks out of a stronger one keeps only the part that sticks out, if that
    part is substantial; otherwise it is dropped.

    Each character is claimed once, strongest finding first, so the cost is linear in
    the total length of the findings (quadratic pairwise checks made a 1 MB message
    with thousands of findings take minutes).
    """
    ranked = sorted(findings, key=_rank)
    owner: dict[int, int] = {}
    parent = list(range(len(ranked)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for idx, finding in enumerate(ranked):
        for pos in range(finding.start, finding.end):
            held = owner.get(pos)
            if held is None:
                owner[pos] = idx
            elif ranked[held].entity == finding.entity:
                # Union by strength: the root is always the strongest member.
                a, b = root(held), root(idx)
                parent[max(a, b)] = min(a, b)
    runs: list[tuple[int, int, int]] = []  # (start, end, root)
    for pos in sorted(owner):
        group = root(owner[pos])
        if runs and runs[-1][1] == pos and runs[-1][2] == group:
            runs[-1] = (runs[-1][0], pos + 1, group)
        else:
            runs.append((pos, pos + 1, group))
    out: list[Finding] = []
    for i, (start, end, group) in enumerate(runs):
        span = Span(start, end)
        cut = (i > 0 and runs[i - 1][1] == start) or (i + 1 < len(runs) and runs[i + 1][0] == end)
        if cut:
            # A remainder next to a stronger finding of another type.
            if not _substantial(text, span):
                continue
            span = _strip(text, span)
        out.append(replace(ranked[group], span=span))
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
