"""Cued digit groups that phonenumbers refuses (veil.detect._phone_loose), through
the phone detector."""

from __future__ import annotations

import pytest

from veil.detect.phone import PhoneDetector

DETECTOR = PhoneDetector()


def found(text: str) -> list[str]:
    return [text[f.start : f.end] for f in DETECTOR.find(text) if f.score >= 0.5]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("They're not answering at 78 651 450", "78 651 450"),
        ("They're not answering at 99 668472", "99 668472"),
        ("text me at 71-33-52-22 tonight", "71-33-52-22"),
        ("whatsapp 41 223 90 12", "41 223 90 12"),
        ("416 60 039 office", "416 60 039"),
        ("(37) 788-063-Office", "(37) 788-063"),
        ("28-64-66-98 office\n", "28-64-66-98"),
        ("fax: 112.33.4 9812", "112.33.4 9812"),
    ],
)
def test_cued_odd_groupings_are_phones(text: str, number: str) -> None:
    assert number in found(text)


def test_loose_numbers_score_below_validated_ones() -> None:
    loose = max(DETECTOR.find("they are not answering at 78 651 450"), key=lambda f: f.score)
    (valid,) = DETECTOR.find("call me on +44 20 7946 0958")
    assert 0.5 <= loose.score < valid.score
    assert "telephone word" in loose.reason


@pytest.mark.parametrize(
    "text",
    [
        "78 651 450",  # no telephone word: any number
        "please call me about order 12345678",
        "call us, ref 2024 5567 889",
        "my card ending in 4242 1234, call back",
        "call me, the total is 1 234 567 EUR",
        "call me about invoice 44 55 66 77",
        "room 1204 5567 office",
        "call me on 2024-03-05 or 05/03/1984",
        "call me: version 1.2.3.4567",
        "answering at 123 45",  # too few digits
        "call 1 2 3 4 5 6 7 8 9 10 11 12",
    ],
)
def test_loose_numbers_need_a_cue_and_no_veto(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize("hostile", ["call " + "1 " * 50_000, "call 12-" * 20_000, "(1) " * 25_000])
def test_hostile_input_completes(hostile: str) -> None:
    for f in DETECTOR.find(hostile):
        assert 0 <= f.start < f.end <= len(hostile)
