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


@dataclass(slots=True, eq=False)
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


# Everything but the position, as the fields of Token after ``end``.
_Facts = tuple[str, str, str, bool, bool, bool, bool, bool]


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
    tokens: list[Token] = []
    append = tokens.append
    memo = _facts_memo
    # split() with one capturing group alternates "between" and "token" strings in C;
    # positions follow from their lengths, with no match object per token.
    parts = iter(_SPLIT.split(text))
    end = 0
    # Pairs of (text before, token); the text after the last token is left over.
    for between, value in zip(parts, parts, strict=False):
        facts = memo.get(value)
        if facts is None:
            if len(memo) >= _FACTS_MEMO_SIZE:
                memo.clear()  # a crude bound; frequent words come back at once
            facts = memo[value] = _facts(value)
        start = end + len(between)
        end = start + len(value)
        append(Token(start, end, *facts))
    return tokens
