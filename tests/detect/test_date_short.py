"""Dates without a year (veil.detect._date_short), through the date detector."""

from __future__ import annotations

import pytest

from veil.detect.date import DateDetector

DETECTOR = DateDetector()


def dates(text: str) -> list[str]:
    return [text[f.start : f.end] for f in DETECTOR.find(text) if f.score >= 0.5]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("can we reschedule? I can't make it on Saturday 6/28", "Saturday 6/28"),
        ("I dispute the charge on Wednesday 6/25. I never", "Wednesday 6/25"),
        ("thank you for seeing me on 11/14. The", "11/14"),
        ("Ich habe einen Termin am 21.1. bei Dr. Hein", "21.1."),
        ("necesito cambiar mi cita del jueves 5", "jueves 5"),
        ("Viajo a Abuja el martes 22, mi pasaporte", "martes 22"),
        ("Production starts Monday the 5th", "Monday the 5th"),
        ("na segunda-feira, 5 de manhã", "segunda-feira, 5"),
    ],
)
def test_year_less_dates_with_a_weekday_or_cue(text: str, date: str) -> None:
    assert dates(text) == [date]


@pytest.mark.parametrize(
    "text",
    [
        "add 1/2 cup of sugar",
        "rated 3/5 stars",
        "we are open on 24/7 support",
        "on 1/2 of the days it rained",
        "the score was 21.1. in the final",
        "version 2.1. is out",
        "page 12/13",
        "on 13/13",  # no calendar date either way
    ],
)
def test_fractions_scores_and_bare_weekdays_are_not_dates(text: str) -> None:
    assert dates(text) == []
