"""Finding pseudonyms in text: :class:`Matcher`, over the grammar of
:mod:`veil.transform.patterns`.

:meth:`Matcher.finditer` reports each rendering of a fixed list of pseudonyms, left to
right, with the semantics of scanning one alternation of all their patterns;
:meth:`Matcher.viable` answers "could the text from here still grow into a match?",
which :mod:`veil.transform.streaming` needs.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator, Sequence

from veil.transform.patterns import (
    FLAGS,
    max_rendering,
    prefix_pattern,
    rendering_pattern,
    split_edges,
)

__all__ = ["Matcher", "matcher_for"]


def _first_word(pseudonym: str) -> str:
    """The core up to its first whitespace (a match's core starts with it)."""
    core = split_edges(pseudonym)[1]
    return core.split(maxsplit=1)[0] if core else core


@functools.lru_cache(maxsize=8192)
def _compiled(regex: str) -> re.Pattern[str]:
    """One pseudonym's pattern (or one first word), compiled once per process."""
    return re.compile(regex, FLAGS)


_PART = 16
"""Pseudonyms per compiled part. A conversation's map grows by appending, so its full
parts are shared with the map of the previous turn (cached), and a new turn compiles
at most one part: the compile cost stays flat however long the conversation gets."""


class _Part:
    """A slice of pseudonyms, and where in a text each of them can match.

    The tolerant patterns begin with a lookbehind or an optional lead, which leaves a
    regex engine no literal to skip ahead to: one alternation of 16 of them, scanned
    over 500 characters, cost ~250 µs, and compiling it ~1-2 ms, paid again on every
    turn that adds a pseudonym. Instead each pseudonym's pattern is compiled once per
    process, and a match is looked for only where it can start: every match holds a
    core, whose first word occurs right there (no lead) or one lead's length later.
    First words are found with ``str.find`` on ASCII text (lower-case equality is the
    regex's case-insensitive equality there) and with their own case-insensitive
    pattern otherwise. At each such start the candidates are tried in the
    alternation's order (longer core first, then list order), so the result is
    exactly what scanning the alternation (:attr:`full`) finds.

    The prefix pattern (for streaming's hold-back) is compiled on first use.
    """

    __slots__ = (
        "_by_first", "_full", "_leads", "_order", "_patterns", "_prefix", "_pseudonyms",
        "_unusual", "_words",
    )  # fmt: skip

    def __init__(self, pseudonyms: tuple[str, ...]) -> None:
        order = sorted(range(len(pseudonyms)), key=lambda i: -len(split_edges(pseudonyms[i])[1]))
        self._pseudonyms, self._order = pseudonyms, order
        self._patterns = [_compiled(rendering_pattern(p)) for p in pseudonyms]
        self._leads = [len(split_edges(p)[0]) for p in pseudonyms]
        words: dict[str, list[int]] = {}
        for i in order:  # each word's pseudonyms in the alternation's order
            words.setdefault(_first_word(pseudonyms[i]), []).append(i)
        self._words = words
        # Streaming's "could a match start here?": only pseudonyms whose lead or core
        # begins with the character at hand can (ASCII, lower-cased; a non-ASCII
        # first character may fold in ways lower() does not show: always tried).
        by_first: dict[str, list[int]] = {}
        unusual: list[int] = []
        for i in order:
            lead, core, _ = split_edges(pseudonyms[i])
            firsts = {c for c in (lead[:1], core[:1]) if c}
            if all(c.isascii() for c in firsts):
                for c in {c.lower() for c in firsts}:
                    by_first.setdefault(c, []).append(i)
            else:
                unusual.append(i)
        self._by_first, self._unusual = by_first, unusual
        self._full: re.Pattern[str] | None = None
        self._prefix: re.Pattern[str] | None = None

    def starts(self, text: str) -> list[tuple[int, list[int]]]:
        """``(position, pseudonyms to try there in the alternation's order)`` for each
        position where a match could start, ascending."""
        found: dict[int, set[int]] = {}
        plain = text.isascii()
        low = text.lower() if plain else text
        for word, indices in self._words.items():
            for core in _occurrences(word, text, low, plain):
                for i in indices:
                    found.setdefault(core, set()).add(i)
                    lead = self._leads[i]
                    if lead and core >= lead:
                        found.setdefault(core - lead, set()).add(i)
        rank = {i: r for r, i in enumerate(self._order)} if found else {}
        return [(at, sorted(found[at], key=rank.__getitem__)) for at in sorted(found)]

    def search(
        self, text: str, starts: list[tuple[int, list[int]]], pos: int
    ) -> tuple[int, int, int] | None:
        """``(start, end, index)`` of the leftmost match at or after ``pos``
        (``starts``: from :meth:`starts`)."""
        patterns = self._patterns
        for k in range(bisect.bisect_left(starts, pos, key=_position), len(starts)):
            at, indices = starts[k]
            for i in indices:
                match = patterns[i].match(text, at)
                if match is not None:
                    return at, match.end(), i
        return None

    @property
    def full(self) -> re.Pattern[str]:
        """The alternation of every pattern (group ``t<i>``): the reference semantics,
        compiled only when asked for."""
        found = self._full
        if found is None:
            names = self._pseudonyms
            alternatives = [f"(?P<t{i}>{rendering_pattern(names[i])})" for i in self._order]
            found = self._full = re.compile("|".join(alternatives) or "(?!)", FLAGS)
        return found

    def viable(self, text: str, pos: int) -> bool:
        """Whether ``text[pos:]`` is a match of one of these or the start of one."""
        if pos >= len(text):
            return False
        char = text[pos]
        if char.isascii():
            candidates = [*self._by_first.get(char.lower(), ()), *self._unusual]
        else:
            candidates = self._order
        names = self._pseudonyms
        return any(_compiled(prefix_pattern(names[i]) + r"\Z").match(text, pos) for i in candidates)

    @property
    def prefix(self) -> re.Pattern[str]:
        """The alternation of every prefix pattern: the reference for :meth:`viable`,
        compiled only when asked for."""
        found = self._prefix
        if found is None:
            prefixes = [prefix_pattern(self._pseudonyms[i]) for i in self._order]
            found = self._prefix = re.compile(f"(?:{'|'.join(prefixes) or '(?!)'})\\Z", FLAGS)
        return found


def _position(start: tuple[int, list[int]]) -> int:
    return start[0]


def _occurrences(word: str, text: str, low: str, plain: bool) -> Iterator[int]:
    """Where ``word`` occurs in ``text``, case-insensitively (``low``: ``text.lower()``
    when ``plain``, i.e. the text is ASCII)."""
    if plain and word.isascii():
        needle = word.lower()
        at = low.find(needle)
        while at >= 0:
            yield at
            at = low.find(needle, at + 1)
        return
    pattern = _compiled(re.escape(word))
    at = 0
    while (hit := pattern.search(text, at)) is not None:
        yield hit.start()
        at = hit.start() + 1


@functools.lru_cache(maxsize=1024)
def _part(pseudonyms: tuple[str, ...]) -> _Part:
    return _Part(pseudonyms)


class Matcher:
    """Finds renderings of a fixed list of pseudonyms; reports which one matched.

    When two could match at one position the longer core wins (then the earlier
    pseudonym); otherwise the leftmost match wins, exactly as ``re.finditer`` scans
    one alternation of them all. The list is compiled in parts of ``_PART``.
    """

    __slots__ = ("_cores", "_names", "_parts", "max_len")

    def __init__(self, pseudonyms: Sequence[str]) -> None:
        names = tuple(pseudonyms)
        self._parts = [
            (offset, _part(names[offset : offset + _PART]))
            for offset in range(0, len(names), _PART)
        ] or [(0, _part(()))]
        self._cores = [len(split_edges(p)[1]) for p in names]
        self._names = len(names)
        self.max_len = max((max_rendering(p) for p in names), default=0)

    def __len__(self) -> int:
        return self._names

    def finditer(self, text: str, pos: int = 0) -> Iterator[tuple[int, int, int]]:
        """Yield ``(start, end, index)`` of each match, left to right."""
        starts = [part.starts(text) for _, part in self._parts]
        if len(self._parts) == 1:
            only, candidates = self._parts[0][1], starts[0]
            while (each := only.search(text, candidates, pos)) is not None:
                yield each
                pos = each[1]
            return
        # Merge the parts' leftmost matches. A part's next match is searched again only
        # once the scan has moved past its start: a match found from an earlier
        # position that starts at or after the new one is still that part's leftmost.
        ahead: list[tuple[int, int, int, int] | None] = [
            self._search(text, starts[k], pos, offset, part)
            for k, (offset, part) in enumerate(self._parts)
        ]
        while True:
            live = [found for found in ahead if found is not None]
            if not live:
                return
            start, _, index, end = min(live)
            yield start, end, index
            pos = max(end, start + 1)
            for k, found in enumerate(ahead):
                if found is not None and found[0] < pos:
                    offset, part = self._parts[k]
                    ahead[k] = self._search(text, starts[k], pos, offset, part)

    def _search(
        self, text: str, starts: list[tuple[int, list[int]]], pos: int, offset: int, part: _Part
    ) -> tuple[int, int, int, int] | None:
        """``(start, -core length, index, end)`` of ``part``'s leftmost match."""
        found = part.search(text, starts, pos)
        if found is None:
            return None
        start, end, index = found
        index += offset
        return start, -self._cores[index], index, end

    def viable(self, text: str, pos: int) -> bool:
        """Whether ``text[pos:]`` is a match or the beginning of one (``text[pos-1]``,
        if any, is the character before it)."""
        return any(part.viable(text, pos) for _, part in self._parts)

    def safe_cut(self, text: str, base: int) -> int:
        """The first position ≥ ``base`` from which the end of ``text`` could still turn
        into a match; ``len(text)`` when none could."""
        for pos in range(max(base, len(text) - self.max_len), len(text)):
            if self.viable(text, pos):
                return pos
        return len(text)


@functools.lru_cache(maxsize=256)
def matcher_for(pseudonyms: tuple[str, ...]) -> Matcher:
    """A shared matcher for these pseudonyms (matchers are immutable).

    A conversation's map changes every turn, and each new map needs a matcher; maps
    with the same pseudonyms (the map a turn persisted, reloaded for the reply's
    restore) share one, and consecutive maps of a conversation share their compiled
    parts. The caches hold pseudonyms only, never values.
    """
    return Matcher(pseudonyms)
