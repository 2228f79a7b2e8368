"""Years and weekdays used as time expressions: "founded in 1977", "a 2017 film", "on Tuesday".

A year or a weekday alone identifies nobody, but joined with the other facts of a
message (a town, an employer, a trip) it narrows down who is meant: the reason
Presidio reports them and HIPAA's safe harbour removes every date element but the
year. They count only where the words around them make them a time:

- a year 1900–2099 right after a temporal word ("in", "since", "during", "until",
  "early", "summer" ...), after "of" that follows a capitalized name or a time noun
  ("Act of 1964", "class of 2019", "end of 2020"), after a determiner and before a
  capitalized word or a dated thing ("a 2017 Polish film", "the 2016 election"), or
  after a year already found and "and"/"to" ("from 1999 to 2004");
- a weekday (English) after "on", "by", "until", "next", "last", "this", "every",
  "meet" ..., before "morning", "afternoon", "evening", "night", or before a time
  ("Monday at 3", "Friday 5pm"), or joined to such a weekday ("Monday or Tuesday").

Numbers that look like years but count things stay out: a year must not touch
letters, currency, "#", "%", a decimal or a dash-number, and is refused before a
unit or a plural noun ("in 2000 ways", "from 1999 dollars"), and before a street
word ("in 1977 Main Street" is an address). Each check looks at a few neighbouring
characters: the cost is linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from veil.detect._address_data import lexicon
from veil.detect._patterns import word_set

__all__ = ["context_year", "weekdays"]

_YEAR_CUES = word_set(
    """in since during until till before after from through throughout circa around between
    early late mid spring summer autumn fall winter year jahr seit depuis desde sinds"""
)
# After "of": "the end of 2020", "the class of 2019" (a capitalized word works too).
_OF_HEADS = word_set(
    """class summer spring autumn fall winter end beginning start middle half quarter year
    january february march april june july august september october november december act law
    treaty war crisis flood storm fire"""
)
_DETERMINERS = word_set("a an the my his her our their its your this that last")
_DATED_NOUNS = word_set(
    """film movie study report election season census survey album edition paper article
    model vintage graduate reunion wedding trip vacation holiday visit audit accident
    incident renovation tax return olympics championship tournament campaign merger
    acquisition lawsuit ruling"""
)
_CHAIN = word_set("and to or until till through")
_NUMBER_WORDS = word_set("one two three four five six seven eight nine ten some all any")
_UNITS = word_set(
    """ms kb mb gb tb kg g km m mm cm mi lb lbs ft px usd eur gbp chf h hr hrs min mins sec s
    rpm hz mhz ghz kwh w kw v mah kcal cal mg ml l pcs pc x euro dollar pound yen franc
    word piece calorie mile meter metre foot step point unit item page people"""
)
# Lower-case words ending in "s" that are no plural noun ("in 2004 this ...").
_NOT_PLURAL = word_set(
    """was is has his its this thus unless plus across besides towards always perhaps whereas
    yes as us does goes versus"""
)
_CURRENCY_AND_CODE = "$£€¥#№+,"
_UNIT_SIGNS = "%°€$£¥_"

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")

_WEEKDAY = re.compile(
    r"(?<![\w\-])(?:mon|tues|wednes|thurs|fri|satur|sun)days?(?![\w\-])", re.IGNORECASE
)
_WEEKDAY_CUES = word_set(
    """on by until till next last this every each meet since before after from through thru
    due coming following except"""
)
_CALL_VERBS = word_set("see meet call text email ping")
_DAY_PARTS = word_set(
    """morning afternoon evening night noon lunch lunchtime midnight mornings afternoons
    evenings nights am pm"""
)
_TIME_AFTER = re.compile(
    r"[ \t]{1,2}(?:at[ \t]{1,2}[0-9]{1,2}(?![0-9])|[0-9]{1,2}(?::[0-9]{2}|[ \t]?[ap]\.?m\b))",
    re.IGNORECASE,
)


def _before(text: str, start: int, count: int) -> list[str]:
    """The last ``count`` words before ``start``, original case, nearest last."""
    return _TOKEN.findall(text, max(0, start - 40), start)[-count:]


def _after(text: str, end: int, count: int) -> list[str]:
    return _TOKEN.findall(text, end, end + 40)[:count]


def _gap_is_space(text: str, start: int, word_end: int) -> bool:
    """Whether only blanks (or one comma) separate a word ending at ``word_end`` from
    ``start``: a cue must touch the value, not sit across a full stop."""
    gap = text[word_end:start]
    return len(gap) <= 3 and gap.strip(" \t,") == "" and gap.count(",") <= 1


@cache
def _street_words() -> frozenset[str]:
    return frozenset(lexicon().suffixes)


def _counts_something(text: str, end: int, *, plural: bool = True) -> bool:
    """Whether the number ending at ``end`` counts things or starts an address.

    A plural after a preposition and a number is taken for a count ("in 2000 ways");
    after a name and "of" it is a verb ("the Act of 1964 protects").
    """
    after = _after(text, end, 3)
    if not after or text[end : end + 1] not in " \t":
        return False
    first = after[0]
    low = first.lower()
    if low in _UNITS:
        return True
    plural_noun = first.islower() and len(low) >= 4 and low.endswith("s")
    if plural and plural_noun and low not in _NOT_PLURAL:
        return True  # "in 2000 ways", "after 1999 attempts"
    streets = _street_words()
    return any(w.lower() in streets for w in after)


def context_year(text: str, start: int, end: int, previous_end: int) -> str | None:
    """The reason the year at ``[start, end)`` is a time expression, or ``None``.

    ``previous_end`` is where the last accepted year ended (``-1`` if none): a year
    joined to it by "to" or "and" ("from 1999 to 2004") needs no cue of its own.
    """
    if not text.startswith(("19", "20"), start) or end - start != 4:
        return None
    if start > 0 and text[start - 1] in _CURRENCY_AND_CODE:
        return None
    if end < len(text) and (text[end].isalnum() or text[end] in _UNIT_SIGNS):
        return None  # "2000mg", "1999%", "2019€"
    if text[end : end + 1] == "," and text[end + 1 : end + 2].isdigit():
        return None  # "1,999,2000" and "2019,50" are numbers
    words = _before(text, start, 2)
    if not words:
        return None
    cue = words[-1]
    low = cue.lower()
    cue_end = text.rfind(cue, 0, start) + len(cue)
    if not _gap_is_space(text, start, cue_end):
        if text[cue_end:start].strip() in {"-", "–"} and 0 <= start - previous_end <= 3:
            return "year after a year"  # "1999-2004" is cut by the pattern; "1999 – 2004"
        return None
    if (low in _YEAR_CUES or low in _CHAIN) and _counts_something(text, end):
        return None
    if low in _YEAR_CUES:
        return f"year after '{low}'"
    if low in _CHAIN and previous_end >= 0 and start - previous_end <= 12:
        return "year after a year"
    if _counts_something(text, end, plural=False):
        return None
    if low == "of" and len(words) == 2:
        head = words[0]
        if head.lower() in _OF_HEADS:
            return "year after 'of'"
        if head[0].isupper() and head.lower() not in _NUMBER_WORDS and head.isalpha():
            return "year after a name and 'of'"
        return None
    if low in _DETERMINERS:
        after = _after(text, end, 1)
        if not after or text[end : end + 1] not in " \t":
            return None
        nxt = after[0]
        if nxt.lower() in _DATED_NOUNS or (nxt[0].isupper() and nxt.isalpha()):
            return "year before a dated thing"
    return None


def weekdays(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, reason)`` of every weekday used as a time expression."""
    accepted_end = -1
    for m in _WEEKDAY.finditer(text):
        start, end = m.start(), m.end()
        reason = _weekday_reason(text, start, end, accepted_end)
        if reason is not None:
            accepted_end = end
            yield start, end, reason


def _weekday_reason(text: str, start: int, end: int, accepted_end: int) -> str | None:
    words = _before(text, start, 2)
    if words:
        cue = words[-1]
        low = cue.lower()
        cue_end = text.rfind(cue, 0, start) + len(cue)
        if _gap_is_space(text, start, cue_end):
            if low in _WEEKDAY_CUES:
                return f"weekday after '{low}'"
            if low == "you" and len(words) == 2 and words[0].lower() in _CALL_VERBS:
                return "weekday after a meeting verb"
            if low in _CHAIN and accepted_end >= 0 and start - accepted_end <= 12:
                return "weekday after a weekday"
        elif text[cue_end:start].strip() in {"-", "–"} and 0 <= start - accepted_end <= 3:
            return "weekday after a weekday"
    after = _after(text, end, 1)
    if after and text[end : end + 1] in " \t" and after[0].lower() in _DAY_PARTS:
        return "weekday before a time of day"
    if _TIME_AFTER.match(text, end):
        return "weekday before a time"
    return None
