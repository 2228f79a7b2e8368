"""Character-level rules of normalization: what is invisible and what one character becomes.

These rules look at one character (or one base character with its combining marks) at a
time; rules that need the surrounding word live in :mod:`veil.ingest._homoglyphs`.
"""

from __future__ import annotations

import functools
import unicodedata

__all__ = ["fold_char", "fold_cluster", "is_continuation", "is_invisible"]

# Invisible characters that are not in category Cf but are used the same way to split a
# value for a detector while staying invisible to a human reader: the combining grapheme
# joiner, the emoji keycap (so "1️⃣2️⃣" reads "12"), Hangul fillers used as "blank
# letters", and the variation selectors (checked by range below).
_INVISIBLE_EXTRA = frozenset("\u034f\u20e3\u3164\uffa0")

# Applied INSTEAD of NFKC: NFKC would turn these spacing marks into a space plus a combining
# mark, while in customer text they stand for an apostrophe or a double quote
# ("O´Brien", 5″), so they map 1:1 to the ASCII character they stand for.
_BEFORE_NFKC: dict[str, str] = {
    "\u00b4": "'",  # acute accent used as apostrophe
    "\u02dd": '"',  # double acute accent
    "\u2033": '"',  # double prime (NFKC: two primes)
    "\u2036": '"',  # reversed double prime
}

# Applied to every character NFKC produced. All 1:1, so lengths do not change.
_AFTER_NFKC: dict[str, str] = {
    # dashes and minus signs that NFKC leaves alone
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\u02d7\u2e3a\u2e3b", "-"),
    # apostrophes, single quotes, primes
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2035\u2039\u203a\u02b9\u02bc", "'"),
    # double quotes and guillemets
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u301d\u301e\u301f", '"'),
    # line separators: they end a line for a reader, so detectors see a newline
    **dict.fromkeys("\u2028\u2029\u0085", "\n"),
    # NFKC maps the fullwidth and small commercial at already; kept for clarity
    "\uff20": "@",
    "\ufe6b": "@",
}

# Cap on the characters normalized together as one cluster: CPython reorders combining
# marks with a quadratic sort, so hostile "Zalgo" text with 100k marks on one base
# character is cut into bounded pieces (each still maps back to its own characters).
MAX_CLUSTER = 32


def is_invisible(char: str) -> bool:
    """True for characters that normalization removes.

    All of Unicode category Cf: zero-width space/joiners (U+200B-U+200D), word joiner and
    invisible operators (U+2060-U+2064), BOM (U+FEFF), Mongolian vowel separator (U+180E),
    soft hyphen (U+00AD), bidi controls (U+200E/F, U+202A-U+202E, U+2066-U+2069), tag
    characters, and the rest of Cf; plus :data:`_INVISIBLE_EXTRA` and variation selectors.
    The emoji zero-width joiner is removed too: detectors never look inside emoji and every
    finding is mapped back to the original text, so the user's emoji is never altered.
    """
    if unicodedata.category(char) == "Cf":
        return True
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or char in _INVISIBLE_EXTRA


def is_continuation(char: str) -> bool:
    """True for characters that NFKC may compose with the character before them.

    Combining marks (category M*) and the Hangul conjoining vowel and final jamo.
    """
    if unicodedata.category(char)[0] == "M":
        return True
    code = ord(char)
    return 0x1161 <= code <= 0x1175 or 0x11A8 <= code <= 0x11C2


def _unify(char: str) -> str:
    """The 1:1 post-NFKC fold of one character (spaces, dashes, quotes, digits)."""
    if char.isascii():
        return char
    mapped = _AFTER_NFKC.get(char)
    if mapped is not None:
        return mapped
    category = unicodedata.category(char)
    if category == "Zs":
        return " "
    if category in ("Zl", "Zp"):
        return "\n"
    if category == "Cs":
        # Lone surrogates (e.g. from JSON "\udc80") are kept as they are: one character
        # in, the same character out, so offsets stay valid and nothing is invented.
        return char
    # Decimal digits of every script (Arabic-Indic, Devanagari, ...) and digit symbols
    # NFKC leaves alone (dingbat negative circled digits) become ASCII digits.
    digit = unicodedata.digit(char, None)
    if digit is not None:
        return str(digit)
    return char


@functools.lru_cache(maxsize=8192)
def fold_char(char: str) -> str:
    """What one non-invisible character becomes: NFKC, then the 1:1 unifications.

    May return several characters (ligatures, fractions, ellipsis) but never none.
    """
    if char.isascii():
        return char
    direct = _BEFORE_NFKC.get(char)
    if direct is not None:
        return direct
    if unicodedata.category(char) == "Cs":
        return char
    composed = unicodedata.normalize("NFKC", char)
    if composed.isascii():
        return composed
    return "".join(map(_unify, composed))


def fold_cluster(cluster: str) -> str:
    """What a base character with its combining marks becomes (NFKC composes them)."""
    if any(unicodedata.category(c) == "Cs" for c in cluster):
        # normalize() accepts surrogates, but a cluster containing one is kept verbatim
        # rather than partly composed around a broken code point.
        return cluster
    composed = unicodedata.normalize("NFKC", cluster)
    return "".join(map(_unify, composed))
