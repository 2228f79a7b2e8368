"""A flat token stream for the address grammar.

Addresses are parsed over tokens, not characters, so every rule looks at a
bounded number of tokens from a start point and the whole scan stays linear.
Words keep internal apostrophes and hyphens ("Saint-Germain", "O'Connell"),
numbers keep internal ``-`` and ``/`` ("84/92", "00-514"); line breaks are
tokens of their own because they separate address lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate
from typing import cast

__all__ = ["Token", "tokenize"]

# Each alternative starts with a different character class and the repeated
# group needs a separator first, so the engine never backtracks.
_PIECES = r"[^\W_]+(?:['’\-/][^\W_]+)*|\n|[^\w\s]|_"
_SPLIT = re.compile(f"({_PIECES})")
# A token of the first alternative (a word or number) starts with a letter or digit.
_WORDISH = re.compile(r"[^\W_]")

WORD, NUM, ALNUM, NL, PUNCT = "word", "num", "alnum", "nl", "punct"

_DIGITS_ONLY = re.compile(r"[0-9]+(?:[-/][0-9]+)*")
_HOUSE = re.compile(r"[0-9]{1,6}(?:[-/][0-9]{1,5})?[A-Za-z]?|[0-9]{1,6}-?[A-Za-z]")
_ORDINAL = re.compile(r"[0-9]{1,4}(?:st|nd|rd|th|e|er|re|ème|eme|a|o|º|ª)", re.IGNORECASE)


# Everything but the position, as the fields of Token after ``end``.
_Facts = tuple[str, str, str, bool, bool, bool, bool, bool]


@dataclass(slots=True, eq=False, init=False)
class Token:
    """One token: ``kind`` is word, num, alnum, nl or punct; ``low`` is lower-cased.

    The shape flags every parser asks about are computed once per distinct word (see
    :func:`_facts`), because the grammar tries each rule at every token and would
    otherwise redo them. Tokens are read-only by convention.
    """

    start: int
    end: int
    text: str
    kind: str
    low: str
    #: A word starting with an upper-case letter ("Main", "NW", "Évora").
    is_cap: bool
    #: Capitalized but not all caps: "Roma", not "DHL".
    is_title: bool
    #: Two or three upper-case ASCII letters ("IL", "NSW").
    is_upper_code: bool
    #: A plausible house number: "5", "12a", "84/92", "12-14".
    is_house_number: bool
    #: An ordinal street name part: "5th", "42nd", "1er".
    is_ordinal: bool

    def __init__(self, start: int, end: int, facts: _Facts) -> None:
        self.start = start
        self.end = end
        (
            self.text,
            self.kind,
            self.low,
            self.is_cap,
            self.is_title,
            self.is_upper_code,
            self.is_house_number,
            self.is_ordinal,
        ) = facts


def _facts(text: str) -> _Facts:
    """The fields of a token that its characters decide."""
    kind = NL if text == "\n" else _kind(text) if _WORDISH.match(text) else PUNCT
    cap = False
    if kind == WORD:
        if text[0].isupper():
            cap = True
        elif "'" in text or "’" in text:
            # Elided particles: "d'Ouchy", "dell'Orso", "l'Église".
            cut = max(text.find("'", 0, 6), text.find("’", 0, 6))
            cap = 0 < cut < len(text) - 1 and text[cut + 1].isupper()
    numeric = kind in (NUM, ALNUM)
    return (
        text,
        kind,
        text.lower(),
        cap,
        cap and (len(text) == 1 or not text.isupper()),
        kind == WORD and 2 <= len(text) <= 3 and text.isascii() and text.isupper(),
        numeric and _HOUSE.fullmatch(text) is not None,
        kind == ALNUM and _ORDINAL.fullmatch(text) is not None,
    )


def _kind(text: str) -> str:
    if text.isalpha():
        return WORD  # the common case, decided without a per-character loop
    if text[0].isdigit() and _DIGITS_ONLY.fullmatch(text):
        return NUM
    if any(c.isdigit() for c in text):
        return ALNUM
    return WORD


_facts_memo: dict[str, _Facts] = {}
_FACTS_MEMO_SIZE = 20_000


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; spaces and tabs are dropped, ``\\n`` is kept."""
    # split() with one capturing group alternates "between" and token strings in C,
    # starting and ending with a "between" (maybe empty); the running sum of their
    # lengths gives every position, so no Python code runs per token but __init__.
    parts = _SPLIT.split(text)
    bounds = list(accumulate(map(len, parts)))  # [2k]: start of token k, [2k + 1]: its end
    values = parts[1::2]
    facts = list(map(_facts_memo.get, values))
    if None in facts:
        _fill(facts, values)
    return list(map(Token, bounds[0::2], bounds[1::2], cast(list[_Facts], facts)))


def _fill(facts: list[_Facts | None], values: list[str]) -> None:
    """Compute the facts of the words the memo lacked, and remember them."""
    memo = _facts_memo
    for k, found in enumerate(facts):
        if found is None:
            value = values[k]
            found = memo.get(value)  # the same new word earlier in this text
            if found is None:
                if len(memo) >= _FACTS_MEMO_SIZE:
                    memo.clear()  # a crude bound; frequent words come back at once
                found = memo[value] = _facts(value)
            facts[k] = found
