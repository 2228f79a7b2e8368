"""A flat token stream for the address grammar.

Addresses are parsed over tokens, not characters, so every rule looks at a
bounded number of tokens from a start point and the whole scan stays linear.
Words keep internal apostrophes and hyphens ("Saint-Germain", "O'Connell"),
numbers keep internal ``-`` and ``/`` ("84/92", "00-514"); line breaks are
tokens of their own because they separate address lines.
"""

from __future__ import annotations

import re

__all__ = ["Token", "tokenize"]

# Each alternative starts with a different character class and the repeated
# group needs a separator first, so the engine never backtracks.
_TOKEN = re.compile(r"([^\W_]+(?:['’\-/][^\W_]+)*)|(\n)|([^\w\s]|_)")

WORD, NUM, ALNUM, NL, PUNCT = "word", "num", "alnum", "nl", "punct"

_DIGITS_ONLY = re.compile(r"[0-9]+(?:[-/][0-9]+)*")
_HOUSE = re.compile(r"[0-9]{1,6}(?:[-/][0-9]{1,5})?[A-Za-z]?|[0-9]{1,6}-?[A-Za-z]")
_ORDINAL = re.compile(r"[0-9]{1,4}(?:st|nd|rd|th|e|er|re|ème|eme|a|o|º|ª)", re.IGNORECASE)


class Token:
    """One token: ``kind`` is word, num, alnum, nl or punct; ``low`` is lower-cased.

    The shape flags every parser asks about are computed once here, because the
    grammar tries each rule at every token and would otherwise redo them.
    Tokens are read-only by convention.
    """

    __slots__ = (
        "end",
        "is_cap",
        "is_house_number",
        "is_ordinal",
        "is_title",
        "is_upper_code",
        "kind",
        "low",
        "start",
        "text",
    )

    def __init__(self, start: int, end: int, text: str, kind: str, low: str) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.kind = kind
        self.low = low
        cap = False
        if kind == WORD:
            if text[0].isupper():
                cap = True
            elif "'" in text or "’" in text:
                # Elided particles: "d'Ouchy", "dell'Orso", "l'Église".
                cut = max(text.find("'", 0, 6), text.find("’", 0, 6))
                cap = 0 < cut < len(text) - 1 and text[cut + 1].isupper()
        #: A word starting with an upper-case letter ("Main", "NW", "Évora").
        self.is_cap: bool = cap
        #: Capitalized but not all caps: "Roma", not "DHL".
        self.is_title: bool = cap and (len(text) == 1 or not text.isupper())
        #: Two or three upper-case ASCII letters ("IL", "NSW").
        self.is_upper_code: bool = (
            kind == WORD and 2 <= len(text) <= 3 and text.isascii() and text.isupper()
        )
        numeric = kind in (NUM, ALNUM)
        #: A plausible house number: "5", "12a", "84/92", "12-14".
        self.is_house_number: bool = numeric and _HOUSE.fullmatch(text) is not None
        #: An ordinal street name part: "5th", "42nd", "1er".
        self.is_ordinal: bool = kind == ALNUM and _ORDINAL.fullmatch(text) is not None


def _kind(text: str) -> str:
    if text.isalpha():
        return WORD  # the common case, decided without a per-character loop
    if text[0].isdigit() and _DIGITS_ONLY.fullmatch(text):
        return NUM
    if any(c.isdigit() for c in text):
        return ALNUM
    return WORD


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; spaces and tabs are dropped, ``\\n`` is kept."""
    tokens: list[Token] = []
    append = tokens.append
    for m in _TOKEN.finditer(text):
        value = m.group()
        group = m.lastindex  # which alternative matched: 1 word, 2 line break, 3 mark
        kind = _kind(value) if group == 1 else NL if group == 2 else PUNCT
        s, e = m.span()
        append(Token(s, e, value, kind, value.lower()))
    return tokens
