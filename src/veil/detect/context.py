"""Context words: the few words around a candidate that raise or lower confidence."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator

__all__ = ["near", "with_typos", "words_after", "words_before"]

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def words_before(text: str, start: int, *, count: int = 4, window: int = 60) -> list[str]:
    """The last ``count`` lower-cased words that end before ``start``."""
    chunk = text[max(0, start - window) : start]
    return [w.lower() for w in _WORD.findall(chunk)[-count:]]


def words_after(text: str, end: int, *, count: int = 3, window: int = 40) -> list[str]:
    """The first ``count`` lower-cased words that start at or after ``end``."""
    chunk = text[end : end + window]
    return [w.lower() for w in _WORD.findall(chunk)[:count]]


def near(
    text: str,
    start: int,
    end: int,
    words: Collection[str],
    *,
    before: int = 4,
    after: int = 2,
) -> bool:
    """True if any of ``words`` (lower-case, single words) is close to ``[start, end)``."""
    if any(w in words for w in words_before(text, start, count=before)):
        return True
    return any(w in words for w in words_after(text, end, count=after))


def with_typos(phrases: Iterable[str]) -> set[str]:
    """``phrases`` and every spelling with one typo in one word of six letters or more.

    A typo is a swap of neighbours, a dropped letter or a wrong letter: the mistakes
    hurried customers make ("mebmer", "nunber", "lcience").
    """
    out: set[str] = set()
    for phrase in phrases:
        out.add(phrase)
        words = phrase.split(" ")
        for i, word in enumerate(words):
            if len(word) < 6 or not word.isalpha():
                continue
            for typo in _one_typo(word):
                out.add(" ".join([*words[:i], typo, *words[i + 1 :]]))
    return out


def _one_typo(word: str) -> Iterator[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    for i in range(len(word)):
        yield word[:i] + word[i + 1 :]
        if i + 1 < len(word):
            yield word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        for c in letters:
            yield word[:i] + c + word[i + 1 :]
