"""Homoglyph folding: Cyrillic, Greek and Armenian look-alikes of Latin letters and digits.

A look-alike is folded only where it is a disguise, never in genuine text of its own script:

- a word (run of letters, digits and marks) that mixes a look-alike with a Latin letter
  ("pаypal" with a Cyrillic а) or with ASCII digits ("А123ВС") is folded;
- a word made of digits plus look-alikes of digits ("4111О" with a Cyrillic О) gets digits;
- a word made *only* of look-alikes ("аt", "Рор") is folded when the nearest decisive
  neighbouring word is Latin and none is of another script; so "с" in "Привет с Boston"
  stays, "аt" in "meet аt noon" is folded;
- a word with any letter of its script that has no Latin look-alike ("Москва", "Αθήνα")
  is genuine and stays as it is.

Every fold is one character to one character, so offsets do not move.
"""

from __future__ import annotations

import re

__all__ = ["fold_homoglyphs"]

_LATIN_LOOKALIKES: dict[str, str] = {
    # Cyrillic lower case
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
    "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ѵ": "v",
    "ү": "y", "ё": "ë", "ї": "ï", "ӓ": "ä", "ӧ": "ö",
    # Cyrillic upper case
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "Ԛ": "Q", "Ԝ": "W", "Ү": "Y",
    "Һ": "H", "Ӏ": "I", "Ԍ": "G", "Ё": "Ë", "Ї": "Ï", "Ӓ": "Ä", "Ӧ": "Ö",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C", "Ϳ": "J",
    "α": "a", "ι": "i", "ν": "v", "ο": "o", "ρ": "p", "υ": "u", "γ": "y", "χ": "x",
    "ϲ": "c", "ϳ": "j",
    # Armenian
    "օ": "o", "ս": "u", "հ": "h", "ո": "n", "Օ": "O", "Ս": "U",
}  # fmt: skip
# Lower-case letters that only look like Latin small capitals (в, к, м, н, т, Greek κ) are
# left out on purpose: with them, common words such as "Москва" or "και" would consist of
# look-alikes only and be folded next to a Latin word.

# Look-alikes of digits, used only inside words that are mostly ASCII digits.
_DIGIT_LOOKALIKES: dict[str, str] = {
    **dict.fromkeys("ОоΟοՕօ", "0"),
    **dict.fromkeys("ІӀӏΙ", "1"),
    **dict.fromkeys("ЗзӠӡ", "3"),
    "б": "6",
}

_CANDIDATE = re.compile("[" + "".join(sorted(_LATIN_LOOKALIKES | _DIGIT_LOOKALIKES)) + "]")
# Letters, digits and the combining marks of Latin, Greek and Cyrillic text; "_" splits.
_WORD = re.compile(
    r"(?:[^\W_]|[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f])+"
)
_CONTEXT_WORDS = 4  # how many words on each side may decide for an all-look-alike word

# Word classes.
_NEUTRAL = 0  # no letters (digits, marks) - never decides
_LATIN = 1  # Latin letters, no letter of another script
_OTHER = 2  # letters of another script, no Latin letter
_LOOKALIKE = 3  # letters that are all look-alikes: undecided, needs context
_MIXED = 4  # Latin letters and letters of another script


def _is_latin(char: str) -> bool:
    if char.isascii():
        return char.isalpha()
    code = ord(char)
    # Latin-1 letters, Latin Extended-A/B, IPA, Latin Extended Additional/C/D/E.
    return (
        0x00C0 <= code <= 0x02AF
        or 0x1E00 <= code <= 0x1EFF
        or 0x2C60 <= code <= 0x2C7F
        or 0xA720 <= code <= 0xA7FF
        or 0xAB30 <= code <= 0xAB6F
    ) and char.isalpha()


class _Word:
    __slots__ = ("digits", "foreign", "kind", "latin", "lookalikes", "only_digitlike")

    def __init__(self, word: str) -> None:
        self.latin = self.lookalikes = self.foreign = self.digits = 0
        self.only_digitlike = 0  # look-alikes of digits that look like no Latin letter
        if word.isascii():
            self.latin = sum(c.isalpha() for c in word)
            self.digits = len(word) - self.latin
        else:
            for char in word:
                if "0" <= char <= "9":
                    self.digits += 1
                elif char in _LATIN_LOOKALIKES:
                    self.lookalikes += 1
                elif char in _DIGIT_LOOKALIKES:
                    self.only_digitlike += 1
                elif _is_latin(char):
                    self.latin += 1
                elif char.isalpha():
                    self.foreign += 1
        foreign = self.foreign + self.only_digitlike
        if self.latin and foreign:
            self.kind = _MIXED
        elif self.latin:
            self.kind = _LATIN
        elif foreign:
            self.kind = _OTHER
        elif self.lookalikes:
            self.kind = _LOOKALIKE
        else:
            self.kind = _NEUTRAL

    def digit_like(self) -> bool:
        """Mostly ASCII digits, the rest look-alikes of digits."""
        letters = self.lookalikes + self.only_digitlike
        return not self.latin and not self.foreign and letters > 0 and self.digits > letters


def _fold_word(word: str, table: dict[str, str]) -> str:
    return "".join([table.get(c, c) for c in word])


def _context_is_latin(words: list[_Word], index: int) -> bool:
    """Whether the nearest decisive words around ``words[index]`` are Latin, none other."""
    sides: list[int] = []
    for step in (-1, 1):
        position = index + step
        for _ in range(_CONTEXT_WORDS):
            if not 0 <= position < len(words):
                break
            kind = words[position].kind
            if kind in (_LATIN, _OTHER):
                sides.append(kind)
                break
            position += step
    return _LATIN in sides and _OTHER not in sides


def _table_for(words: list[_Word], index: int) -> dict[str, str] | None:
    """Which fold applies to word ``index``, if any."""
    word = words[index]
    if word.digit_like():
        return _DIGIT_LOOKALIKES
    if not word.lookalikes:
        return None
    if word.latin or (word.kind == _LOOKALIKE and word.digits):
        return _LATIN_LOOKALIKES
    if word.kind == _LOOKALIKE and _context_is_latin(words, index):
        return _LATIN_LOOKALIKES
    return None


def fold_homoglyphs(text: str) -> str:
    """Return ``text`` with disguising look-alikes folded; same length as ``text``."""
    if not _CANDIDATE.search(text):
        return text
    spans: list[tuple[int, int]] = []
    words: list[_Word] = []
    for match in _WORD.finditer(text):
        spans.append(match.span())
        words.append(_Word(match.group()))
    pieces: list[str] = []
    done = 0
    for index, (start, end) in enumerate(spans):
        if not (words[index].lookalikes or words[index].only_digitlike):
            continue
        table = _table_for(words, index)
        if table is None:
            continue
        pieces.append(text[done:start])
        pieces.append(_fold_word(text[start:end], table))
        done = end
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)
