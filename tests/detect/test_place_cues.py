"""Places no lexicon knows, found by their context (veil.detect._place_cues), through
the location detector."""

from __future__ import annotations

import pytest

from veil.detect.location import LocationDetector

# The rules alone: the name model has its own tests and would blur what these prove.
DETECTOR = LocationDetector(use_model=False)


def places(text: str) -> list[str]:
    return [text[f.start : f.end] for f in DETECTOR.find(text) if f.score >= 0.5]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Mr. Palffy is a 19 year old man who grew up in SUND.", "SUND"),
        ("while studying journalism at the University of Vierhof.", "Vierhof"),
        ("the economy of his home city Kvaloysletta: shipping", "Kvaloysletta"),
        ("I am in Store Merlose for a business trip", "Store Merlose"),
        ("Agatha Ottarsdottir\n\nEBENTHAL\nAustria", "EBENTHAL"),
        ("We moved here from Brenvik, Norway", "Brenvik"),
        ("She is based in Zorbavik now", "Zorbavik"),
    ],
)
def test_unknown_places_in_place_context(text: str, place: str) -> None:
    assert place in places(text)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("We moved here from Cyprus (Greek)", "Cyprus (Greek)"),
        ("Frankfurt (Oder) is on the border", "Frankfurt (Oder)"),
    ],
)
def test_bracketed_qualifier_belongs_to_the_place(text: str, place: str) -> None:
    assert place in places(text)


@pytest.mark.parametrize(
    "text",
    [
        "I live in Good Mood these days.",
        "I got a message from John yesterday.",
        "I studied at the University of Technology",
        "we are based in the cloud",
        "He works at Google",
        "Thanks, Zorblax",
        "Berlin (my favourite city) is great",
        "Please read the Terms of Service",
    ],
)
def test_no_place_without_context(text: str) -> None:
    found = places(text)
    assert all(p not in ("Good Mood", "John", "University", "Technology", "Zorblax") for p in found)
    assert all("(" not in p for p in found)
