"""Context words: the few words around a candidate that raise or lower confidence."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from functools import lru_cache

__all__ = ["MEMO_LIMIT", "near", "with_typos", "words_after", "words_before"]

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")

# Entries a per-text memo keeps before it starts over: enough for every offset a
# real message asks about, a bound on what a hostile one can make it hold.
MEMO_LIMIT = 4096
_Window = tuple[int, int, bool]  # (offset, window, before)


@lru_cache(maxsize=4)
def _windows(text: str) -> dict[_Window, list[str]]:
    """A scratch dict for one text, shared by every detector that reads it.

    The number detectors ask for the words around the same offsets again and again
    (every sub-run of a digit run shares its start, and several detectors read the
    same message); the window's words are looked up once per text and offset.
    """
    return {}


def _window_words(text: str, pos: int, window: int, before: bool) -> list[str]:
    """All lower-cased words of the ``window`` characters before or after ``pos``."""
    memo = _windows(text)
    key = (pos, window, before)
    words = memo.get(key)
    if words is None:
        if len(memo) >= MEMO_LIMIT:
            memo.clear()
        chunk = text[max(0, pos - window) : pos] if before else text[pos : pos + window]
        words = memo[key] = [w.lower() for w in _WORD.findall(chunk)]
    return words


def words_before(text: str, start: int, *, count: int = 4, window: int = 60) -> list[str]:
    """The last ``count`` lower-cased words that end before ``start``."""
    return _window_words(text, start, window, True)[-count:]


def words_after(text: str, end: int, *, count: int = 3, window: int = 40) -> list[str]:
    """The first ``count`` lower-cased words that start at or after ``end``."""
    return _window_words(text, end, window, False)[:count]


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
