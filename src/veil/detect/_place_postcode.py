"""A postcode written right after a town: "in Bjert 6091", "ÖVERTURINGEN 840 24".

A town followed by its postcode narrows a place down to a few streets; leaving the
postcode out of the town's span would let it through. The number must have a
postcode shape (four or five digits, "NNN NN", "NNNN-NNN", "NN-NNN"), stand alone,
not read as a year (19xx, 20xx: "Paris 2024" is an event) and end the phrase: what
follows is punctuation, a line end, a capitalized word (a country) or a function
word ("in Bjert 6091 in its mission"), never a unit or a count ("Moscow 1500 km",
"Berlin 2000 people"). One anchored match per town: linear.
"""

from __future__ import annotations

import re

from veil.detect._patterns import word_set

__all__ = ["postcode_end"]

_POSTCODE = re.compile(
    r"[ \t]{1,2}(?P<code>[0-9]{4,5}|[0-9]{3} [0-9]{2}|[0-9]{4}-[0-9]{3}|[0-9]{2}-[0-9]{3})"
    r"(?![0-9\w\-/%°€$£]|[.,:][0-9])"
)
_FOLLOW_WORD = re.compile(r"[ \t]{1,2}(?P<word>[^\W\d_]+)")
_FUNCTION_WORDS = word_set(
    """in on at to for and or is was but with from near where which that the a an we i it
    since until by as"""
)
_CLOSERS = frozenset(".,;:!?)]\n\r")


def postcode_end(text: str, end: int) -> int | None:
    """Where a postcode that directly follows a town ending at ``end`` ends, or ``None``."""
    m = _POSTCODE.match(text, end)
    if m is None:
        return None
    code = m["code"]
    if len(code) == 4 and code.startswith(("19", "20")):
        return None  # a year far more often than a postcode
    after = m.end()
    if after >= len(text) or text[after] in _CLOSERS:
        return after
    w = _FOLLOW_WORD.match(text, after)
    if w is None:
        return None
    word = w["word"]
    if word[0].isupper() or word.lower() in _FUNCTION_WORDS:
        return after
    return None
