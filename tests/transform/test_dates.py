import datetime as dt

import pytest

from veil.transform.dates import month_first, parse_date


@pytest.mark.parametrize(
    ("text", "expected", "rendered"),
    [
        ("2024-03-05", dt.date(2024, 3, 5), "2024-03-05"),
        ("2024/3/5", dt.date(2024, 3, 5), "2024/3/5"),
        ("05/03/2024", dt.date(2024, 3, 5), "05/03/2024"),
        ("5.3.84", dt.date(1984, 3, 5), "5.3.84"),
        ("13/12/2020", dt.date(2020, 12, 13), "13/12/2020"),
        ("5 March 2024", dt.date(2024, 3, 5), "5 March 2024"),
        ("5th of March, 2024", dt.date(2024, 3, 5), "5 March, 2024"),
        ("Mar 5 2024", dt.date(2024, 3, 5), "Mar 5 2024"),
        ("MARCH 5, 2024", dt.date(2024, 3, 5), "MARCH 5, 2024"),
        ("sept 9 2021", dt.date(2021, 9, 9), "september 9 2021"),
    ],
)
def test_parse_and_render_round_trip(text: str, expected: dt.date, rendered: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert parsed[0] == expected
    assert parsed[1].render(parsed[0]) == rendered


def test_month_first_regions() -> None:
    assert month_first("us")
    assert not month_first("GB")
    parsed = parse_date("03/05/2024", month_first=True)
    assert parsed is not None
    assert parsed[0] == dt.date(2024, 3, 5)
    parsed = parse_date("13/05/2024", month_first=True)  # cannot be month-first
    assert parsed is not None
    assert parsed[0] == dt.date(2024, 5, 13)


@pytest.mark.parametrize(
    "text", ["2024-13-45", "31/02/2024", "yesterday", "1.2.3", "v2024-03-05", "Foo 5, 2024", ""]
)
def test_not_dates(text: str) -> None:
    assert parse_date(text) is None


def test_hostile_input_is_quick() -> None:
    assert parse_date("1" * 100_000) is None
    assert parse_date("5 " + "a" * 100_000 + " 2024") is None
