"""Dates written without a year: "Saturday 6/28", "on 11/14", "am 21.1.", "el martes 22".

A day and month alone ("6/28") is also a fraction, a score or a ratio, and a day
number alone is any number, so these forms count only with a weekday before them
or, for day-and-month, a preposition that introduces a date ("on", "am", "le",
"el", "since"). A weekday alone, like a bare year, is not reported: it identifies
nobody. The day and month must make a calendar date in at least one order.

One pattern with bounded repeats over disjoint classes; it cannot backtrack
catastrophically.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from veil.detect._patterns import word_set
from veil.detect.context import words_before

__all__ = ["short_dates"]

_WEEKDAYS = """monday tuesday wednesday thursday friday saturday sunday montag dienstag mittwoch
donnerstag freitag samstag sonntag lundi mardi mercredi jeudi vendredi samedi dimanche lunes
martes miércoles miercoles jueves viernes sábado sabado domingo lunedì lunedi martedì martedi
mercoledì mercoledi giovedì giovedi venerdì venerdi sabato domenica maandag dinsdag woensdag
donderdag vrijdag zaterdag zondag segunda terça terca quarta quinta sexta"""
# Words that introduce a date right before a bare day and month.
_CUES = word_set(
    """on since until till by from before after due am vom zum bis ab seit le du au dès des
    el del al desde hasta il dal entro op per em no na"""
)
# The day (and month) only; a weekday before it is checked by hand, so the scan
# tries one digit class per position instead of every weekday name.
_PATTERN = re.compile(
    r"(?<![\w./\-])(?P<a>[0-3]?[0-9])"
    r"(?:/(?P<b>[0-3]?[0-9])|\.(?P<c>[0-3]?[0-9])\.|(?:st|nd|rd|th|er|º)?)"
    r"(?![\w/%]|[.,][0-9]|:[0-9])",
    re.IGNORECASE,
)
_WEEKDAY_SET = frozenset(_WEEKDAYS.split())
_ARTICLES = frozenset(["the", "den", "le", "el", "il"])
_DOTTED = re.compile(r"[0-9]\.[0-9]{1,2}\.(?![0-9])")


def _weekday_before(text: str, k: int) -> int | None:
    """Start of a weekday (and article) right before index ``k``: "Saturday ",
    "Monday the ", "martes ", "segunda-feira, "; ``None`` when there is none."""
    for _ in range(2):
        j = k
        while j > 0 and k - j < 4 and text[j - 1] in " \t,":
            j -= 1
        if j == k:
            return None
        end = j
        while j > 0 and end - j < 14 and text[j - 1].isalpha():
            j -= 1
        word = text[j:end].lower()
        if word == "feira" and text[j - 1 : j] == "-":
            j -= 1
            while j > 0 and end - j < 20 and text[j - 1].isalpha():
                j -= 1
            word = text[j:end].lower().partition("-")[0]
        if j > 0 and (text[j - 1].isalnum() or text[j - 1] == "_"):
            return None
        if word in _WEEKDAY_SET:
            return j
        if word not in _ARTICLES:
            return None
        k = j
    return None


def _calendar(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= (29 if month == 2 else 30 + (month in _LONG))


_LONG = frozenset({1, 3, 5, 7, 8, 10, 12})
_FRACTION_AFTER = re.compile(r"[ \t]+of\b", re.IGNORECASE)


def short_dates(text: str, words: frozenset[str]) -> Iterator[tuple[int, int, str]]:
    """``(start, end, reason)`` of every year-less date with a weekday or a cue.

    ``words`` are the lower-cased words of ``text``: without a weekday among them, a
    slash or a "21.1." form, there is nothing to find.
    """
    if "/" not in text and _WEEKDAY_SET.isdisjoint(words) and _DOTTED.search(text) is None:
        return
    for m in _PATTERN.finditer(text):
        plain = m["b"] is None and m["c"] is None
        if plain and (m.start() == 0 or text[m.start() - 1] not in " \t,"):
            continue  # a bare number needs a weekday right before it
        a = int(m["a"])
        head = _weekday_before(text, m.start())
        weekday = head is not None
        start = head if head is not None else m.start()
        if m["b"] is not None:
            b = int(m["b"])
            if not (_calendar(a, b) or _calendar(b, a)):
                continue
            reason = "weekday + day and month" if weekday else "day and month after a cue"
        elif m["c"] is not None:
            if not _calendar(a, int(m["c"])):
                continue
            reason = "weekday + day and month" if weekday else "day and month after a cue"
        else:
            if not weekday or not 1 <= a <= 31:
                continue
            if re.match(r"[ \t]?(?:am|pm|h|uhr)\b", text[m.end() : m.end() + 4], re.I):
                continue  # "Monday 5pm" is a time
            yield start, m.end(), "weekday + day number"
            continue
        if not weekday:
            if not any(w in _CUES for w in words_before(text, m.start(), count=1)):
                continue
            if m.group() == "24/7" or _FRACTION_AFTER.match(text, m.end()):
                continue  # "on 24/7 support", "on 1/2 of the days"
        yield start, m.end(), reason
