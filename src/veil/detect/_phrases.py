"""Context phrases near candidate numbers ("account number", "driver's license").

Private to ``veil.detect`` (re-exported by :mod:`veil.detect._digits`): the number
detectors look for short phrases among the few words before or after a candidate.
The words of each window are kept per text (see :mod:`veil.detect.context`), so the
many candidates of one digit run and the several detectors reading one message read
each window once; a phrase set then looks only at the words that can start one of
its phrases.
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
        return _window(self._memo, self._text, start, self._count_before, before=True)

    def after(self, end: int) -> frozenset[str]:
        """Phrases of one to three lower-cased words among those from ``end`` on."""
        return _window(self._memo, self._text, end, self._count_after, before=False)

    def words_before(self, start: int) -> list[str]:
        """The lower-cased words whose phrases :meth:`before` gives."""
        return words_before(self._text, start, count=self._count_before)

    def words_after(self, end: int) -> list[str]:
        """The lower-cased words whose phrases :meth:`after` gives."""
        return words_after(self._text, end, count=self._count_after)


_Memo = dict[tuple[int, int, bool], frozenset[str]]


@lru_cache(maxsize=4)
def _grams(text: str) -> _Memo:
    """Phrases by (offset, word count, before) for one text, shared by all detectors."""
    return {}


def _window(memo: _Memo, text: str, at: int, count: int, *, before: bool) -> frozenset[str]:
    """The phrases of the ``count`` words before (or from) offset ``at``, memoised."""
    key = (at, count, before)
    hit = memo.get(key)
    if hit is None:
        read = words_before if before else words_after
        hit = _ngrams(read(text, at, count=count))
        _remember(memo, key, hit)
    return hit


def _remember(memo: _Memo, key: tuple[int, int, bool], grams: frozenset[str]) -> None:
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[key] = grams


def _ngrams(words: list[str]) -> frozenset[str]:
    """Every run of one to three consecutive ``words``, joined by single spaces."""
    if len(words) < 2:
        return frozenset(words)
    rest = words[1:]
    grams = [*words, *[f"{a} {b}" for a, b in zip(words, rest, strict=False)]]
    grams += [f"{a} {b} {c}" for a, b, c in zip(words, rest, words[2:], strict=False)]
    return frozenset(grams)


class Phrases:
    """A set of context phrases ("account number", "a/c", "ssn") matched word-wise.

    Phrases are compared as sequences of lower-cased words, so punctuation and
    spacing do not matter: "A/C:", "a/c" and "a c" all match the phrase "a/c".
    """

    __slots__ = ("_first_words", "_firsts", "_keys")

    def __init__(self, phrases: Collection[str]) -> None:
        self._keys = frozenset(_phrase_key(p) for p in phrases)
        # First words: a window holds one of these phrases only if it holds one of
        # these words (:meth:`_match`); sorted, for the substring pre-check of :meth:`in_text`.
        self._first_words = frozenset(key.split(" ", 1)[0] for key in self._keys)
        self._firsts = tuple(sorted(self._first_words))

    def __bool__(self) -> bool:
        return bool(self._keys)

    def search(self, grams: frozenset[str]) -> str | None:
        """The longest of these phrases among ``grams`` (see :class:`Surroundings`)."""
        hits = self._keys & grams
        return max(sorted(hits), key=len) if hits else None

    def _match(self, words: list[str]) -> str | None:
        """``search`` over the phrases of ``words`` (see :func:`_ngrams`), without
        building them: only runs that start with a first word can be phrases."""
        firsts = self._first_words
        if firsts.isdisjoint(words):
            return None  # the common case, decided in C
        keys = self._keys
        hits = []
        last = len(words) - 1
        for i, word in enumerate(words):
            if word not in firsts:
                continue
            if word in keys:
                hits.append(word)
            if i < last:
                two = f"{word} {words[i + 1]}"
                if two in keys:
                    hits.append(two)
                if i + 1 < last and (three := f"{two} {words[i + 2]}") in keys:
                    hits.append(three)
        return max(sorted(hits), key=len) if hits else None

    def in_text(self, lowered: str) -> bool:
        """Cheap pre-check: could any phrase occur in this lower-cased text at all?"""
        # A plain loop: no generator to start, the detectors ask this many times a message.
        for first in self._firsts:  # noqa: SIM110
            if first in lowered:
                return True
        return False

    def around(self, where: Surroundings, start: int, end: int) -> str | None:
        """The phrase found before ``start`` or else after ``end``, or ``None``."""
        return self._match(where.words_before(start)) or self._match(where.words_after(end))

    def near(
        self, text: str, start: int, end: int, *, before: int = 5, after: int = 3
    ) -> str | None:
        """The phrase found among the words around ``text[start:end]``, or ``None``."""
        return self._match(words_before(text, start, count=before)) or self._match(
            words_after(text, end, count=after)
        )

    def before(self, text: str, start: int, *, count: int = 5) -> str | None:
        """The phrase found among the ``count`` words before ``start``, or ``None``."""
        return self._match(words_before(text, start, count=count))
