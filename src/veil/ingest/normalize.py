"""Normalization for detection, with an offset map back to the original text.

Detectors see :attr:`NormalizedText.text`; their spans are carried back to the characters
the customer typed with :meth:`NormalizedText.to_original`, so a finding always covers the
original characters, including the invisible ones an attacker slipped into the value.

The steps, in this order (each one sees the output of the previous one):

1. **Remove invisible characters**: all of category Cf (zero-width space/joiners, word
   joiner, BOM, U+180E, soft hyphen, bidi controls, tags ...), variation selectors, the
   combining grapheme joiner, the emoji keycap and Hangul fillers. Removal comes first so
   that "j\\u200bane" is one word for every later step.
2. **NFKC**, per character, or per base character with its combining marks so that
   decomposed "e\\u0301" composes like the precomposed letter: fullwidth and mathematical
   letters and digits become ASCII, ligatures and fractions expand ("ﬁ" -> "fi",
   "½" -> "1⁄2"), superscripts and circled digits become digits, exotic spaces become " ".
   A few spacing marks that NFKC would split (´ ″) map directly to ' and ".
3. **Unify** (1:1): remaining spaces -> " ", line/paragraph separators and NEL -> "\\n",
   dashes and minus signs -> "-", curly quotes, primes and guillemets -> ' or ", decimal
   digits of every script -> ASCII digits.
4. **Fold homoglyphs** (1:1) of Latin letters and digits, only where they disguise a Latin
   or numeric word; genuine Cyrillic, Greek or Armenian words stay (see ``_homoglyphs``).

Nothing is lower-cased and no diacritic is stripped ("Zoë" stays "Zoë"). Lone surrogates
(e.g. from JSON "\\udc80") are kept as they are, one character for one. Outside removals
and expansions the text keeps its length and offsets; pure ASCII input is returned as is,
without any map. Time and memory are linear in the input.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field

from veil.core import Span
from veil.ingest._characters import (
    MAX_CLUSTER,
    fold_char,
    fold_cluster,
    is_continuation,
    is_invisible,
)
from veil.ingest._homoglyphs import fold_homoglyphs

__all__ = ["NormalizedText", "normalize"]

# A run of non-ASCII characters plus the ASCII character before it, which may be the base
# of a combining mark in the run. Everything between two runs is copied unchanged.
_NON_ASCII_RUN = re.compile(r"[\x00-\x7f]?[^\x00-\x7f]+")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """The text detectors see, and the way back to the text the customer typed.

    The map holds, for every normalized character, the start and end of the original
    characters it came from. It is stored only when offsets moved (a character was removed,
    expanded or composed); otherwise offsets are the same in both texts.
    """

    original: str
    text: str
    _starts: array[int] | None = field(default=None, repr=False, compare=False)
    _ends: array[int] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._starts is None and self._ends is None:
            if len(self.text) != len(self.original):
                raise ValueError("a normalized text of another length needs an offset map")
        elif self._starts is None or self._ends is None:
            raise ValueError("an offset map needs both starts and ends")
        elif not len(self._starts) == len(self._ends) == len(self.text):
            raise ValueError("the offset map does not match the normalized text")

    @property
    def changed(self) -> bool:
        """False when normalization left the text exactly as it was."""
        return self.text != self.original

    def to_original(self, span: Span) -> Span:
        """The smallest span of original characters that produced ``text[span]``.

        A span starting or ending inside an expansion ("ﬁ" -> "fi") widens to the whole
        original character. Removed characters inside the span are covered, removed ones
        just outside are not. An empty span maps to an empty span: at the original start of
        the character at ``span.start``, or after the last produced character at the end.
        Raises ``ValueError`` for a span that does not fit in :attr:`text`.
        """
        size = len(self.text)
        if span.end > size:
            raise ValueError(f"span [{span.start}, {span.end}) exceeds text length {size}")
        starts, ends = self._starts, self._ends
        if starts is None or ends is None:
            return span
        if span.start == span.end:
            if span.start < size:
                return Span(starts[span.start], starts[span.start])
            position = ends[size - 1] if size else 0
            return Span(position, position)
        return Span(starts[span.start], ends[span.end - 1])


def normalize(text: str) -> NormalizedText:
    """Normalize ``text`` for detection; see the module docstring for the steps."""
    if text.isascii():
        return NormalizedText(text, text)
    pieces: list[str] = []
    starts: array[int] = array("I")
    ends: array[int] = array("I")
    moved = False
    done = 0
    for run in _NON_ASCII_RUN.finditer(text):
        first, last = run.span()
        if done < first:
            pieces.append(text[done:first])
            starts.extend(range(done, first))
            ends.extend(range(done + 1, first + 1))
        moved = _normalize_run(text, first, last, pieces, starts, ends) or moved
        done = last
    if done < len(text):
        pieces.append(text[done:])
        starts.extend(range(done, len(text)))
        ends.extend(range(done + 1, len(text) + 1))
    normalized = fold_homoglyphs("".join(pieces))
    if not moved:
        if normalized == text:
            return NormalizedText(text, text)
        return NormalizedText(text, normalized)
    return NormalizedText(text, normalized, starts, ends)


def _normalize_run(
    text: str, first: int, last: int, pieces: list[str], starts: array[int], ends: array[int]
) -> bool:
    """Normalize ``text[first:last]`` into ``pieces`` and the map; True if offsets moved."""
    kept: list[int] = []  # positions of the characters that are not removed
    tails: list[int] = []  # where each kept character ends, with its invisible marks
    for i in range(first, last):
        char = text[i]
        if not is_invisible(char):
            kept.append(i)
            tails.append(i + 1)
        elif tails and tails[-1] == i and is_continuation(char):
            # An invisible combining character (variation selector, keycap) is part of the
            # glyph before it, so a span over that glyph covers it too.
            tails[-1] = i + 1
    moved = len(kept) != last - first
    count = len(kept)
    k = 0
    while k < count:
        base = kept[k]
        # The cluster is the base character and the combining characters after it.
        j = k + 1
        while j < count and j - k < MAX_CLUSTER and is_continuation(text[kept[j]]):
            j += 1
        if j == k + 1:
            folded = fold_char(text[base])
            pieces.append(folded)
            if len(folded) == 1:
                starts.append(base)
                ends.append(tails[k])
            else:
                moved = True
                starts.extend([base] * len(folded))
                ends.extend([tails[k]] * len(folded))
        else:
            positions = kept[k:j]
            cluster = "".join([text[i] for i in positions])
            folded = fold_cluster(cluster)
            pieces.append(folded)
            if folded == cluster:
                starts.extend(positions)
                ends.extend(tails[k:j])
            else:
                # Composition changed the cluster: every output character came from the
                # cluster as a whole, so each maps to all of it.
                moved = True
                end = tails[j - 1]
                starts.extend([base] * len(folded))
                ends.extend([end] * len(folded))
        k = j
    return moved
