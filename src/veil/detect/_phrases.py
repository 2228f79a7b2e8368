"""Context phrases near candidate numbers ("account number", "driver's license").

Private to ``veil.detect`` (re-exported by :mod:`veil.detect._digits`): the number
detectors look for short phrases among the few words before or after a candidate.
The phrases of each word window are kept per text, so the many candidates of one
digit run and the several detectors reading one message look each window up once.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

from veil.detect.context import MEMO_LIMIT, words_after, words_before

__all__ = ["Phrases", "Surroundings"]


def _phrase_key(phrase: str) -> str:
    key = " ".join(re.findall(r"[^\W_]+(?:['’][^\W_]+)?", phrase.lower()))
    if key.count(" ") > 2:
        raise ValueError("context phrases have at most three words")
    return key


class Surroundings:
    """The words around candidates in one text, computed once per offset.

    Many candidates of one digit run share a start or an end, and several detectors
    read the same text: the phrases of each word window are kept per text (see
    :func:`_grams`), which keeps hostile inputs ("12 12 12 ...") cheap.
    """

    __slots__ = ("_count_after", "_count_before", "_memo", "_text")

    def __init__(self, text: str, *, before: int = 5, after: int = 3) -> None:
        self._text = text
        self._count_before = before
        self._count_after = after
        self._memo = _grams(text)

    def before(self, start: int) -> frozenset[str]:
        """Phrases of one to three lower-cased words among those before ``start``."""
        key = (start, self._count_before, True)
        hit = self._memo.get(key)
        if hit is None:
            hit = _ngrams(words_before(self._text, start, count=self._count_before))
            self._remember(key, hit)
        return hit

    def after(self, end: int) -> frozenset[str]:
        """Phrases of one to three lower-cased words among those from ``end`` on."""
        key = (end, self._count_after, False)
        hit = self._memo.get(key)
        if hit is None:
            hit = _ngrams(words_after(self._text, end, count=self._count_after))
            self._remember(key, hit)
        return hit

    def _remember(self, key: tuple[int, int, bool], grams: frozenset[str]) -> None:
        if len(self._memo) >= MEMO_LIMIT:
            self._memo.clear()
        self._memo[key] = grams


@lru_cache(maxsize=4)
def _grams(text: str) -> dict[tuple[int, int, bool], frozenset[str]]:
    """Phrases by (offset, word count, before) for one text, shared by all detectors."""
    return {}


def _ngrams(words: list[str]) -> frozenset[str]:
    return frozenset(
        " ".join(words[i : i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)
    )


class Phrases:
    """A set of context phrases ("account number", "a/c", "ssn") matched word-wise.

    Phrases are compared as sequences of lower-cased words, so punctuation and
    spacing do not matter: "A/C:", "a/c" and "a c" all match the phrase "a/c".
    """

    __slots__ = ("_firsts", "_keys")

    def __init__(self, phrases: Collection[str]) -> None:
        self._keys = frozenset(_phrase_key(p) for p in phrases)
        # First words, for the substring pre-check of :meth:`in_text`.
        self._firsts = tuple(sorted({key.split(" ", 1)[0] for key in self._keys}))

    def __bool__(self) -> bool:
        return bool(self._keys)

    def search(self, grams: frozenset[str]) -> str | None:
        """The longest of these phrases among ``grams`` (see :class:`Surroundings`)."""
        hits = self._keys & grams
        return max(sorted(hits), key=len) if hits else None

    def in_text(self, lowered: str) -> bool:
        """Cheap pre-check: could any phrase occur in this lower-cased text at all?"""
        return any(first in lowered for first in self._firsts)

    def around(self, where: Surroundings, start: int, end: int) -> str | None:
        """The phrase found before ``start`` or else after ``end``, or ``None``."""
        return self.search(where.before(start)) or self.search(where.after(end))

    def near(
        self, text: str, start: int, end: int, *, before: int = 5, after: int = 3
    ) -> str | None:
        """The phrase found among the words around ``text[start:end]``, or ``None``."""
        return self.around(Surroundings(text, before=before, after=after), start, end)

    def before(self, text: str, start: int, *, count: int = 5) -> str | None:
        """The phrase found among the ``count`` words before ``start``, or ``None``."""
        return self.search(Surroundings(text, before=count).before(start))
