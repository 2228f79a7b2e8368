"""Reading a date in the shapes customers type, and writing it back in the same shape.

Used to shift dates (surrogates), to generalize them (year / month) and to normalize
them for identity ("5 March 2024" and "2024-03-05" are one date). Only whole dates
are understood; anything else returns ``None`` and callers fall back to a shape-only
transformation. Patterns are anchored and quantifier-bounded (linear time).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

__all__ = ["DateShape", "month_first", "parse_date"]

# Regions that write numeric dates month-first.
_MONTH_FIRST = frozenset({"US", "PH", "FM", "PW", "MH"})

_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTH_INDEX = (
    {name: i + 1 for i, name in enumerate(_MONTHS)}
    | {name[:3]: i + 1 for i, name in enumerate(_MONTHS)}
    | {"sept": 9}
)

_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})")
_DAY_MONTH = re.compile(r"(\d{1,2})(st|nd|rd|th)?( of)? ([A-Za-z]{3,9})\.?(,?) (\d{4})")
_MONTH_DAY = re.compile(r"([A-Za-z]{3,9})\.? (\d{1,2})(st|nd|rd|th)?(,?) (\d{4})")


@dataclass(frozen=True, slots=True)
class DateShape:
    """How a date was written, so a changed date can be written the same way."""

    kind: str  # "iso", "dmy", "mdy", "text-dmy", "text-mdy"
    sep: str = "-"
    padded: bool = True
    short_year: bool = False
    month_style: str = "full"  # "full", "abbr", "upper", "lower"
    comma: bool = False

    def render(self, date: dt.date) -> str:
        if self.kind == "iso":
            return (
                f"{date.year:04d}{self.sep}{self._num(date.month)}{self.sep}{self._num(date.day)}"
            )
        if self.kind in ("dmy", "mdy"):
            year = f"{date.year % 100:02d}" if self.short_year else f"{date.year:04d}"
            first, second = (date.day, date.month) if self.kind == "dmy" else (date.month, date.day)
            return f"{self._num(first)}{self.sep}{self._num(second)}{self.sep}{year}"
        month = self._month(date.month)
        comma = "," if self.comma else ""
        if self.kind == "text-dmy":
            return f"{date.day} {month}{comma} {date.year}"
        return f"{month} {date.day}{comma} {date.year}"

    def _num(self, value: int) -> str:
        return f"{value:02d}" if self.padded else str(value)

    def _month(self, month: int) -> str:
        name = _MONTHS[month - 1]
        if self.month_style == "abbr":
            return name[:3].capitalize()
        if self.month_style == "upper":
            return name.upper()
        if self.month_style == "lower":
            return name
        return name.capitalize()


def month_first(region: str) -> bool:
    """Whether numeric dates in ``region`` (ISO 3166 alpha-2) put the month first."""
    return region.upper() in _MONTH_FIRST


def _month_style(word: str) -> str:
    if word.isupper():
        return "upper"
    if word.islower():
        return "lower"
    return "full" if len(word) > 4 else "abbr"


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _full_year(text: str) -> int:
    year = int(text)
    return year + (2000 if year < 50 else 1900) if len(text) == 2 else year


def parse_date(value: str, *, month_first: bool = False) -> tuple[dt.date, DateShape] | None:
    """Parse a whole date, or return ``None``.

    Numeric dates are read day-first unless ``month_first`` (US) or the first field
    cannot be a month-day pair the other way round.
    """
    text = value.strip()
    if m := _ISO.fullmatch(text):
        date = _make(int(m[1]), int(m[3]), int(m[4]))
        padded = len(m[3]) == 2 and len(m[4]) == 2
        return (date, DateShape("iso", m[2], padded)) if date else None
    if m := _NUMERIC.fullmatch(text):
        a, b, year = int(m[1]), int(m[3]), _full_year(m[4])
        padded = len(m[1]) == 2 and len(m[3]) == 2
        short = len(m[4]) == 2
        orders = ("mdy", "dmy") if month_first else ("dmy", "mdy")
        for kind in orders:
            day, month = (a, b) if kind == "dmy" else (b, a)
            if date := _make(year, month, day):
                return date, DateShape(kind, m[2], padded, short)
        return None
    if m := _DAY_MONTH.fullmatch(text):
        month_no = _MONTH_INDEX.get(m[4].lower())
        date = _make(int(m[6]), month_no, int(m[1])) if month_no else None
        shape = DateShape("text-dmy", month_style=_month_style(m[4]), comma=bool(m[5]))
        return (date, shape) if date else None
    if m := _MONTH_DAY.fullmatch(text):
        month_no = _MONTH_INDEX.get(m[1].lower())
        date = _make(int(m[5]), month_no, int(m[2])) if month_no else None
        shape = DateShape("text-mdy", month_style=_month_style(m[1]), comma=bool(m[4]))
        return (date, shape) if date else None
    return None
