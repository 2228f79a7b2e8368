"""Calendar dates, weighted by how personal they are.

Numeric forms (ISO ``2024-03-05``, ``05/03/1984``, ``3/5/84``, ``5.3.1984``) and forms
with month names in English, German, French, Spanish, Italian, Dutch and Portuguese
("March 5, 1984", "5th of March 1984", "Mar 5th", "05-Mar-1984", "5. März 1984",
"5 de marzo de 1984") are validated (day fits the month, month 1–12). A date near a
birth word ("born", "DOB", "date of birth", "birthday", "geboren", "né") scores 0.9;
other full dates 0.6–0.75. Month-and-year alone is weak unless a temporal word comes
before it ("in March 2020"). A bare year or a weekday counts where the words around
make it a time ("founded in 1977", "a 2017 film", "on Tuesday morning", see
:mod:`veil.detect._date_context`, which says why: alone they identify nobody, with the
rest of a message they narrow down who is meant), and a year after a birth word is
strong ("born in 1977"). A day and month without a year counts with a weekday or a
cue before it ("Saturday 6/28", "on 11/14", "am 21.1.", "el martes 22", see
:mod:`veil.detect._date_short`). Times alone, versions, prices, counts, house
numbers, IP addresses, decimals and codes such as ICD-10 are not dates.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from veil.core import EntityType, Finding, Span
from veil.detect._date_context import context_year, weekdays
from veil.detect._date_short import short_dates
from veil.detect._patterns import non_overlapping, word_set
from veil.detect.context import near, words_before

__all__ = ["DateDetector"]

_MONTHS: dict[int, str] = {
    1: "january jan januar jänner janvier janv enero ene gennaio gen januari janeiro",
    2: "february feb februar février fevrier févr fevr febrero febbraio februari fevereiro fev",
    3: "march mar märz maerz mrz mars marzo maart mrt março marco",
    4: "april apr avril avr abril abr aprile",
    5: "may mai mayo maggio mag mei maio",
    6: "june jun juni juin junio giugno giu junho",
    7: "july jul juli juillet juil julio luglio lug julho",
    8: "august aug août aout agosto ago augustus",
    9: "september sep sept septembre septiembre setiembre settembre set setembro",
    10: "october oct oktober okt octobre octubre ottobre ott outubro out",
    11: "november nov novembre noviembre novembro",
    12: "december dec dezember dez décembre decembre déc diciembre dic dicembre dezembro",
}
# Month words that are also everyday words: believed only when capitalized, with an
# ordinal day, or with a year ("I may 5 ..." is not a date, "May 5th" is).
_CASUAL = frozenset({"may", "march", "mar", "jan", "june", "august", "april", "mag", "dez"})
# Foreign abbreviations that are common English words: need a four-digit year.
_NEEDS_YEAR = frozenset({"set", "out", "ago", "gen", "dic"})

_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?[ \t]{1,3})?"
_YEAR = r"(?P<year>(?:1[89]|2[01])\d\d(?!\d)|'\d\d(?!\d))"
_TIME = r"(?:(?:T|[ \t]{1,2})\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_NUM_LEFT = r"(?<![\w.\-/:])"
_NUM_RIGHT = r"(?!\d|[-/.:]\d)"

_BIRTH_WORDS = word_set(
    """born birth dob birthday birthdate bday geboren geb né née nee nacido nacida nascido
    nascida nato nata naissance nacimiento nascimento geburtsdatum geburtstag cumpleaños
    compleanno aniversário verjaardag geboortedatum"""
)
_DOTTED_DOB = re.compile(r"d\.\s?o\.\s?b\b", re.IGNORECASE)
_ANY_DIGIT = re.compile(r"\d")  # the same digits the date patterns match
_VERSION_WORDS = word_set("version ver v release build firmware update patch rev")
# Words that make "March 2020" a time of its own ("in March 2020", "since May 2019").
_MONTH_YEAR_CUES = word_set("in since during until till before after from through by of")


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    score: float
    birth_score: float
    reason: str


@cache
def _month_lookup() -> dict[str, int]:
    return {name: num for num, names in _MONTHS.items() for name in names.split()}


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    names = sorted(_month_lookup(), key=len, reverse=True)
    month = rf"(?<![^\W\d_])(?P<mon>{'|'.join(map(re.escape, names))})(?![^\W\d_])\.?"
    day_a = r"(?P<day>[0-3]?\d)(?!\d)(?:st|nd|rd|th)?"
    day_b = r"(?P<day>[0-3]?\d)(?!\d)(?:st|nd|rd|th|er|º|°|\.)?"
    flags = re.IGNORECASE
    month_first = re.compile(
        rf"(?<!\d){_WEEKDAY}{month}(?:[ \t]{{1,3}}|-)(?:the[ \t]{{1,2}})?{day_a}"
        rf"(?:(?:,?[ \t]{{1,3}}|[-/])(?:of[ \t]{{1,2}})?{_YEAR})?",
        flags,
    )
    day_first = re.compile(
        rf"(?<![\w.\-/]){_WEEKDAY}(?:the[ \t]{{1,2}})?{day_b}"
        rf"(?:[ \t]{{1,3}}(?:of[ \t]{{1,2}}|de[ \t]{{1,2}})?|[ \t]?[-/][ \t]?){month}"
        rf"(?:(?:,?[ \t]{{1,3}}(?:de[ \t]{{1,2}})?|[ \t]?[-/.][ \t]?){_YEAR})?",
        flags,
    )
    month_year = re.compile(rf"{month},?[ \t]{{1,3}}(?:of[ \t]{{1,2}})?{_YEAR}", flags)
    iso = re.compile(
        rf"{_NUM_LEFT}(?P<year>(?:1[89]|2[01])\d\d)(?P<sep>[-/.])(?P<mon>\d{{1,2}})(?P=sep)"
        rf"(?P<day>\d{{1,2}}){_NUM_RIGHT}{_TIME}"
    )
    numeric = re.compile(
        rf"{_NUM_LEFT}(?P<a>\d{{1,2}})(?P<sep>[-/.])(?P<b>\d{{1,2}})(?P=sep)"
        rf"(?P<year>\d{{4}}|\d{{2}}){_NUM_RIGHT}"
    )
    bare_year = re.compile(rf"{_NUM_LEFT}(?P<year>(?:1[89]|20)\d\d){_NUM_RIGHT}")
    return month_first, day_first, month_year, iso, numeric, bare_year


# A day or a year as the month-name forms write them, and the letters around it.
_DAY_OR_YEAR = re.compile(r"(?<!\d)(?:[0-3]?\d|(?:1[89]|2[01])\d\d)(?!\d)|'\d\d(?!\d)")
_LETTERS = re.compile(r"[^\W\d_]+")
# Every month-name form puts its month word within a few characters of the day or
# year; words up to this far away are looked at (longest month word + widest gap).
_MONTH_REACH = 30


def _month_near_number(text: str, words: frozenset[str]) -> bool:
    """Whether some month word stands near a day or year number.

    The month-name patterns try every month name at every position, the costliest
    scan of the detector; a message with no month word near a number (most of
    them) skips it. Conservative: every match of those patterns passes this test.
    """
    hits = _month_words() & words  # ``words``: the lower-cased words of ``text``
    if not hits:
        return False  # no month word at all: the common case, decided in C
    low = text.lower()
    if len(low) == len(text):
        # Look for a number around each place the month words occur (as substrings:
        # a few extra places only cost a look).
        for word in hits:
            k = low.find(word)
            while k >= 0:
                lo, hi = max(0, k - _MONTH_REACH), k + len(word) + _MONTH_REACH
                if _DAY_OR_YEAR.search(text, lo, hi) is not None:
                    return True
                k = low.find(word, k + 1)
        return False
    for m in _DAY_OR_YEAR.finditer(text):
        lo, hi = max(0, m.start() - _MONTH_REACH), m.end() + _MONTH_REACH
        if any(w.lower() in hits for w in _LETTERS.findall(text, lo, hi)):
            return True
    return False


@cache
def _month_words() -> frozenset[str]:
    return frozenset(_month_lookup())


def _valid(day: int, month: int, year: int | None) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    leap_year = 2000 if year is None else year
    return day <= calendar.monthrange(leap_year, month)[1]


def _year(raw: str | None) -> int | None:
    if raw is None:
        return None
    return 2000 + int(raw[1:]) if raw.startswith("'") else int(raw)


class DateDetector:
    """Finds calendar dates (:attr:`EntityType.DATE`). Cheap to construct.

    ``time_expressions=False`` leaves bare years and weekdays out (a year after a birth
    word still counts): for deployments whose model must reason about days, such as
    appointment booking, at the price of letting those pass unprotected.
    """

    def __init__(self, *, time_expressions: bool = True) -> None:
        self._times = time_expressions

    @property
    def name(self) -> str:
        return "date"

    def find(self, text: str) -> Iterator[Finding]:
        found = (
            [_Candidate(s, e, 0.55, 0.55, why) for s, e, why in weekdays(text)]
            if self._times
            else []
        )
        if _ANY_DIGIT.search(text) is None:
            # Every other date form has a day or a year written in digits.
            yield from self._resolve(text, found)
            return
        month_first, day_first, month_year, iso, numeric, bare_year = _patterns()
        words = frozenset(_LETTERS.findall(text.lower()))
        if _month_near_number(text, words):
            for pattern in (month_first, day_first):
                found.extend(c for m in pattern.finditer(text) if (c := self._named(m)))
            for m in month_year.finditer(text):
                if self._month_ok(m, has_year=True, ordinal=False):
                    cue = words_before(text, m.start(), count=1)
                    if cue and cue[0] in _MONTH_YEAR_CUES:
                        score, why = 0.55, f"month and year after '{cue[0]}'"
                    else:
                        score, why = 0.45, "month and year"
                    found.append(_Candidate(m.start(), m.end(), score, 0.85, why))
        for m in iso.finditer(text):
            if _valid(int(m["day"]), int(m["mon"]), int(m["year"])):
                found.append(_Candidate(m.start(), m.end(), 0.7, 0.9, "year-first date"))
        found.extend(c for m in numeric.finditer(text) if (c := self._numeric(text, m)))
        found.extend(_Candidate(s, e, 0.6, 0.85, why) for s, e, why in short_dates(text, words))
        previous_end = -1
        for m in bare_year.finditer(text):
            year_cue = context_year(text, m.start(), m.end(), previous_end) if self._times else None
            if year_cue is not None:
                previous_end = m.end()
                found.append(_Candidate(m.start(), m.end(), 0.55, 0.7, year_cue))
            elif self._birth_context(text, m.start(), m.end()):
                found.append(_Candidate(m.start(), m.end(), 0.0, 0.7, "year"))
        yield from self._resolve(text, found)

    def _resolve(self, text: str, found: list[_Candidate]) -> Iterator[Finding]:
        for c in non_overlapping(found, rank=lambda c: c.end - c.start + c.birth_score):
            if self._birth_context(text, c.start, c.end):
                score, reason = c.birth_score, f"{c.reason} + context 'birth'"
            else:
                score, reason = c.score, c.reason
            if score > 0.0:
                yield Finding(EntityType.DATE, Span(c.start, c.end), score, self.name, reason)

    @staticmethod
    def _month_ok(m: re.Match[str], *, has_year: bool, ordinal: bool) -> bool:
        word = m["mon"].lower()
        if word in _NEEDS_YEAR:
            return has_year and m["year"] is not None and not m["year"].startswith("'")
        if word in _CASUAL:
            return has_year or ordinal or m["mon"][0].isupper()
        return True

    def _named(self, m: re.Match[str]) -> _Candidate | None:
        day, year_raw = int(m["day"]), m["year"]
        month = _month_lookup()[m["mon"].lower()]
        suffix = m.string[m.end("day") : m.end()][:2].lower()
        ordinal = suffix in {"st", "nd", "rd", "th", "er"}
        if not _valid(day, month, _year(year_raw)):
            return None
        if not self._month_ok(m, has_year=year_raw is not None, ordinal=ordinal):
            return None
        start, end = m.start(), m.end()
        lead = re.match(r"the[ \t]+", m.group(), re.IGNORECASE)
        if lead and not m.group()[: m.start("day") - start].strip().lower().endswith("day,"):
            start += lead.end()
        if year_raw is None:
            # Never end on a separator or dot that the pattern took greedily.
            while end > start and m.string[end - 1] in " \t-/.,":
                end -= 1
            return _Candidate(start, end, 0.6, 0.85, "day and month name")
        return _Candidate(start, end, 0.75, 0.9, "date with month name")

    def _numeric(self, text: str, m: re.Match[str]) -> _Candidate | None:
        a, b, year_raw = int(m["a"]), int(m["b"]), m["year"]
        year = int(year_raw) if len(year_raw) == 4 else None
        if year is not None and not 1800 <= year <= 2199:
            return None
        if not (_valid(a, b, year) or _valid(b, a, year)):
            return None
        if any(w in _VERSION_WORDS for w in words_before(text, m.start(), count=2)):
            return None
        if m.start() > 0 and text[m.start() - 1] in "vV":
            return None
        if year is None and m["sep"] == "." and (len(m["a"]) < 2 or len(m["b"]) < 2):
            return None  # "2.1.10" is a version far more often than a date
        if year is None:
            return _Candidate(m.start(), m.end(), 0.6, 0.9, "numeric date, two-digit year")
        return _Candidate(m.start(), m.end(), 0.7, 0.9, "numeric date")

    @staticmethod
    def _birth_context(text: str, start: int, end: int) -> bool:
        if near(text, start, end, _BIRTH_WORDS, before=6, after=3):
            return True
        return _DOTTED_DOB.search(text, max(0, start - 40), start) is not None
