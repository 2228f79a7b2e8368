"""Years and weekdays as time expressions (veil.detect._date_context), through the date detector."""

from __future__ import annotations

import pytest

from veil.core import EntityType
from veil.detect.date import DateDetector

DETECTOR = DateDetector()


def dates(text: str) -> list[str]:
    return [text[f.start : f.end] for f in DETECTOR.find(text) if f.score >= 0.5]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The orchestra was founded in 1977. Since then it grew", ["1977"]),
        ("During 1971, the firm invested heavily", ["1971"]),
        ("Title VII of the Civil Rights Act of 1964 protects workers", ["1964"]),
        ("title vii of the civil rights act of 1964 protects workers", ["1964"]),
        ("she graduated with the class of 2019", ["2019"]),
        ("by the end of 2020 we moved", ["2020"]),
        ("Zoolander is a 2017 Polish action-comedy film", ["2017"]),
        ("I still have the 2016 tax return", ["2016"]),
        ("I worked there from 1999 to 2004 as a nurse", ["1999", "2004"]),
        ("between 2010 and 2012 I lived abroad", ["2010", "2012"]),
        ("which later became Zillow in 2014.", ["2014"]),
        ("since 2019, prices have gone up", ["2019"]),
        ("in early 1990 he left", ["1990"]),
        ("seit 2019 wohne ich hier", ["2019"]),
        ("the account was opened in March 2020", ["March 2020"]),
    ],
)
def test_years_used_as_time(text: str, expected: list[str]) -> None:
    assert dates(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Leiva flew to Leppen on Tuesday morning.", ["Tuesday"]),
        ("mr. elliott flew to finnbogastadir on friday morning.", ["friday"]),
        ("We'll meet Monday at the office", ["Monday"]),
        ("see you Monday", ["Monday"]),
        ("can we move it to next Thursday?", ["Thursday"]),
        ("the branch is closed every Sunday", ["Sunday"]),
        ("Thursday afternoon works for me", ["Thursday"]),
        ("call me Friday at 3", ["Friday"]),
        ("I can come Saturday 10:30", ["Saturday"]),
        ("open on Monday or Tuesday", ["Monday", "Tuesday"]),
        ("we are open on Mondays", ["Mondays"]),
    ],
)
def test_weekdays_used_as_time(text: str, expected: list[str]) -> None:
    assert dates(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "please update to version 2019 of the app",  # a version
        "the Windows 2000 machine crashed",  # a product name
        "my model is the XR 2010",  # a model number
        "it costs $1999",  # a price
        "it costs 1999 dollars in total",
        "in 2000 ways",  # a count
        "the upload failed after 2048 bytes",
        "it grew in 1999 steps",
        "add 2000 mg",
        "take 2000mg daily",
        "I live in 1977 Main Street",  # a house number: the address detector's
        "send it to 1977 Main Street",
        "room 1977 please",
        "order #2019 is late",
        "order 2019-123 is late",
        "card 4242 4242 4242 4242",
        "we had 1977 visitors",
        "the meeting is at 19:00",
        "code 2019.5",
        "ICD-10 code E11.9 since diagnosis",
        "a 2000 word essay",
        "One of 2000 applicants",
        "page 3 of 2000",
        "it rose by 2000",
        "Monday",  # a weekday with no cue
        "Black Friday deals are here",
        "the Sunday Times wrote",
        "Mondays are hard",
    ],
)
def test_numbers_and_names_that_are_not_times(text: str) -> None:
    assert dates(text) == []


def test_findings_are_dates_with_a_value_free_reason() -> None:
    (year,) = DETECTOR.find("founded in 1977")
    (day,) = DETECTOR.find("flew out on Tuesday morning")
    assert year.entity is EntityType.DATE
    assert day.entity is EntityType.DATE
    assert year.reason == "year after 'in'"
    assert day.reason == "weekday after 'on'"
    assert 0.5 <= year.score < 0.6  # weak: a time, not a birth date


def test_a_birth_word_still_makes_a_year_strong() -> None:
    (f,) = DETECTOR.find("born in 1977")
    assert f.score == 0.7


def test_time_expressions_can_be_left_out() -> None:
    """A booking assistant must see "Tuesday": the operator may turn these off; a
    year of birth and full dates still count."""
    off = DateDetector(time_expressions=False)
    assert list(off.find("founded in 1977, see you on Tuesday morning")) == []
    assert [f.reason for f in off.find("born in 1977")] == ["year + context 'birth'"]
    assert len(list(off.find("on Tuesday, March 5, 2024"))) == 1


@pytest.mark.parametrize("text", ["in 1999 " * 20_000, "on Monday " * 20_000, "of " * 50_000])
def test_long_repetitive_input_completes(text: str) -> None:
    list(DETECTOR.find(text))
