"""Tests for veil.detect.date."""

from __future__ import annotations

import pytest

from veil.core import EntityType
from veil.detect.base import Detector
from veil.detect.date import DateDetector


def found(text: str) -> list[tuple[str, float]]:
    return [(text[f.start : f.end], f.score) for f in DateDetector().find(text) if f.score >= 0.5]


def test_is_a_detector() -> None:
    detector = DateDetector()
    assert isinstance(detector, Detector)
    assert detector.name == "date"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on 2024-03-05.", "2024-03-05"),
        ("on 2024/03/05", "2024/03/05"),
        ("seen 05/03/1984", "05/03/1984"),
        ("seen 3/5/84", "3/5/84"),
        ("seen 5.3.1984", "5.3.1984"),
        ("seen 10/23/1951", "10/23/1951"),
        ("seen March 5, 1984", "March 5, 1984"),
        ("seen the 5th of March 1984", "5th of March 1984"),
        ("see you Mar 5th", "Mar 5th"),
        ("seen 05-Mar-1984", "05-Mar-1984"),
        ("am 5. März 1984", "5. März 1984"),
        ("el 5 de marzo de 1984", "5 de marzo de 1984"),
        ("le 1er mars 2020", "1er mars 2020"),
        ("op 5 maart 1984", "5 maart 1984"),
        ("il 5 maggio 1984", "5 maggio 1984"),
        ("em 5 de março de 1984", "5 de março de 1984"),
        ("until May 5", "May 5"),
        ("on Tuesday, March 5th, 1984", "Tuesday, March 5th, 1984"),
        ("at 2024-03-05T10:00:00Z", "2024-03-05T10:00:00Z"),
        ("at 1978-07-13 07:00:28", "1978-07-13 07:00:28"),
        ("Feb 29, 2024", "Feb 29, 2024"),
    ],
)
def test_positives(text: str, expected: str) -> None:
    ((span, score),) = found(text)
    assert span == expected
    assert 0.6 <= score <= 0.75


@pytest.mark.parametrize(
    ("text", "expected", "score"),
    [
        ("DOB: 05/03/1984", "05/03/1984", 0.9),
        ("d.o.b. 12.10.1990", "12.10.1990", 0.9),
        ("date of birth: March 5, 1984", "March 5, 1984", 0.9),
        ("I was born on the 5th of March 1984", "5th of March 1984", 0.9),
        ("my birthday is March 5th", "March 5th", 0.85),
        ("born in 1977", "1977", 0.7),
        ("date of birth March 1984", "March 1984", 0.85),
        ("geboren am 5. März 1984", "5. März 1984", 0.9),
    ],
)
def test_birth_context(text: str, expected: str, score: float) -> None:
    assert found(text) == [(expected, score)]


@pytest.mark.parametrize(
    "text",
    [
        "at 10:30",
        "at 10:30:00 pm",
        "yesterday",
        "version 1.2.3",
        "v2.1.2020",
        "2.1.10",
        "192.168.1.1",
        "3.14",
        "code E11.9",
        "take 500 mg",
        "I may 5 times",
        "set 5 alarms",
        "out 5 days",
        "31/02/2020",
        "Feb 29, 2023",
        "13/13/2020",
        "order 12345678",
        "call 555-123-4567",
        "March 2020",
        "out of 2000 people",
    ],
)
def test_negatives(text: str) -> None:
    assert found(text) == []


def test_entity_and_value_free_reason() -> None:
    (f,) = DateDetector().find("DOB 05/03/1984")
    assert f.entity is EntityType.DATE
    assert f.reason
    assert not any(ch.isdigit() for ch in f.reason)


@pytest.mark.parametrize(
    "text",
    [
        "1" * 100_000,
        "1/" * 50_000,
        "1." * 50_000,
        "Mar " * 25_000,
        "5 March " * 12_000,
        "March 5 " * 12_000,
        "-" * 100_000,
        "born " * 20_000,
    ],
)
def test_hostile_input_completes(text: str) -> None:
    list(DateDetector().find(text))


def test_megabyte_of_mixed_text() -> None:
    chunk = "Born 5 March 1984; seen on 2024-03-05 at 10:30, version 1.2.3. "
    n = 1_000_000 // len(chunk)
    assert len(list(DateDetector().find(chunk * n))) == 2 * n
