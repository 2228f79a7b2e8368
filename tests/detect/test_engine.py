import itertools
from collections.abc import Iterator

import pytest

from veil.core import EntityType, Finding, Span
from veil.detect.engine import DetectionEngine, resolve_overlaps
from veil.errors import DetectionError


class Fixed:
    def __init__(self, name: str, *findings: Finding) -> None:
        self._name = name
        self._findings = findings

    @property
    def name(self) -> str:
        return self._name

    def find(self, text: str) -> Iterator[Finding]:
        yield from self._findings


class Broken:
    name = "broken"

    def find(self, text: str) -> Iterator[Finding]:
        raise RuntimeError("secret value jane@example.com in message")


def f(entity: EntityType, start: int, end: int, score: float = 0.9) -> Finding:
    return Finding(entity, Span(start, end), score, "t")


TEXT = "Jane Doe lives at 12 Main Street, Springfield today"


def test_threshold_drops_weak_findings() -> None:
    engine = DetectionEngine([Fixed("a", f(EntityType.PERSON, 0, 8, 0.4))], threshold=0.5)
    assert engine.find(TEXT) == []
    engine = DetectionEngine([Fixed("a", f(EntityType.PERSON, 0, 8, 0.5))], threshold=0.5)
    assert [x.span for x in engine.find(TEXT)] == [Span(0, 8)]


def test_allow_list_is_case_insensitive() -> None:
    engine = DetectionEngine([Fixed("a", f(EntityType.PERSON, 0, 8))], allow=["jane doe"])
    assert engine.find(TEXT) == []


def test_same_type_overlaps_merge_into_union() -> None:
    out = resolve_overlaps(TEXT, [f(EntityType.PERSON, 0, 4), f(EntityType.PERSON, 2, 8, 0.6)])
    assert [x.span for x in out] == [Span(0, 8)]


def test_stronger_type_wins_and_weaker_keeps_its_remainder() -> None:
    address = f(EntityType.ADDRESS, 18, 32, 0.9)
    location = f(EntityType.LOCATION, 26, 45, 0.7)  # "Street, Springfield"
    out = resolve_overlaps(TEXT, [location, address])
    assert [(x.label, x.span) for x in out] == [
        ("ADDRESS", Span(18, 32)),
        ("LOCATION", Span(34, 45)),
    ]


def test_contained_weaker_finding_is_dropped() -> None:
    out = resolve_overlaps(
        TEXT, [f(EntityType.ADDRESS, 18, 45), f(EntityType.PERSON, 21, 25, 0.95)]
    )
    # The person is stronger, so the address is split around it; nothing overlaps.
    spans = [x.span for x in out]
    assert all(not a.overlaps(b) for a in spans for b in spans if a is not b)
    assert Span(21, 25) in spans


def test_output_is_sorted_and_disjoint() -> None:
    findings = [f(EntityType.PERSON, i, i + 5, 0.5 + (i % 5) / 10) for i in range(0, 40, 3)]
    out = resolve_overlaps(TEXT, findings)
    assert out == sorted(out, key=lambda x: x.start)
    assert all(a.end <= b.start for a, b in itertools.pairwise(out))


def test_failing_detector_fails_closed_without_quoting_input() -> None:
    engine = DetectionEngine([Broken()])
    with pytest.raises(DetectionError) as info:
        engine.find("anything")
    assert "jane@example.com" not in str(info.value)
    assert "broken" in str(info.value)
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_duplicate_detector_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        DetectionEngine([Fixed("a"), Fixed("a")])


def test_empty_text() -> None:
    assert DetectionEngine([Fixed("a", f(EntityType.PERSON, 0, 1))]).find("") == []


def test_address_absorbs_a_stronger_town_inside_it() -> None:
    text = "ship to 12 Main Street, Springfield, IL 62704 today"
    address = f(EntityType.ADDRESS, 8, 45, 0.8)
    town = f(EntityType.LOCATION, 24, 35, 0.95)
    outside = f(EntityType.LOCATION, 46, 51, 0.9)  # not inside: kept
    engine = DetectionEngine([Fixed("a", address, town, outside)])
    assert [(x.label, x.span) for x in engine.find(text)] == [
        ("ADDRESS", Span(8, 45)),
        ("LOCATION", Span(46, 51)),
    ]


def test_partly_overlapping_town_is_not_absorbed() -> None:
    text = "ship to 12 Main Street, Springfield, IL 62704 today"
    address = f(EntityType.ADDRESS, 8, 30, 0.8)
    town = f(EntityType.LOCATION, 24, 35, 0.95)
    out = DetectionEngine([Fixed("a", address, town)]).find(text)
    assert ("LOCATION", Span(24, 35)) in [(x.label, x.span) for x in out]
