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
_TOKEN = re.compile(r"([^\W_]+(?:['’\-/][^\W_]+)*)|(\n)|([^\w\s]|_)")

WORD, NUM, ALNUM, NL, PUNCT = "word", "num", "alnum", "nl", "punct"

_DIGITS_ONLY = re.compile(r"[0-9]+(?:[-/][0-9]+)*")
_HOUSE = re.compile(r"[0-9]{1,6}(?:[-/][0-9]{1,5})?[A-Za-z]?|[0-9]{1,6}-?[A-Za-z]")
_ORDINAL = re.compile(r"[0-9]{1,4}(?:st|nd|rd|th|e|er|re|ème|eme|a|o|º|ª)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Token:
    """One token: ``kind`` is word, num, alnum, nl or punct; ``low`` is lower-cased."""

    start: int
    end: int
    text: str
    kind: str
    low: str

    @property
    def is_cap(self) -> bool:
        """A word starting with an upper-case letter ("Main", "NW", "Évora")."""
        if self.kind != WORD:
            return False
        if self.text[0].isupper():
            return True
        # Elided particles: "d'Ouchy", "dell'Orso", "l'Église".
        cut = max(self.text.find("'", 0, 6), self.text.find("’", 0, 6))
        return 0 < cut < len(self.text) - 1 and self.text[cut + 1].isupper()

    @property
    def is_title(self) -> bool:
        """Capitalized but not all caps: "Roma", not "DHL"."""
        return self.is_cap and (len(self.text) == 1 or not self.text.isupper())

    @property
    def is_upper_code(self) -> bool:
        """Two or three upper-case ASCII letters ("IL", "NSW")."""
        return (
            self.kind == WORD
            and 2 <= len(self.text) <= 3
            and self.text.isascii()
            and (self.text.isupper())
        )

    @property
    def is_house_number(self) -> bool:
        """A plausible house number: "5", "12a", "84/92", "12-14"."""
        return self.kind in (NUM, ALNUM) and _HOUSE.fullmatch(self.text) is not None

    @property
    def is_ordinal(self) -> bool:
        """An ordinal street name part: "5th", "42nd", "1er"."""
        return self.kind == ALNUM and _ORDINAL.fullmatch(self.text) is not None


def _kind(text: str) -> str:
    if text[0].isdigit() and _DIGITS_ONLY.fullmatch(text):
        return NUM
    if any(c.isdigit() for c in text):
        return ALNUM
    return WORD


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; spaces and tabs are dropped, ``\\n`` is kept."""
    tokens: list[Token] = []
    for m in _TOKEN.finditer(text):
        s, e = m.span()
        value = m.group()
        if m.group(1) is not None:
            kind = _kind(value)
        elif m.group(2) is not None:
            kind = NL
        else:
            kind = PUNCT
        tokens.append(Token(s, e, value, kind, value.lower()))
    return tokens
