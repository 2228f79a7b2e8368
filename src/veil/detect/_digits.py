"""Candidate numbers and context phrases shared by the number detectors.

Private to ``veil.detect``: the payment, IBAN, national-id, identity-document and
medical detectors all look for digit groups ("4111 1111 1111 1111", "046 454 286")
and for short phrases near them ("account number", "driver's license"). Every
function here runs in time linear in the text: runs are found with one greedy,
unambiguous pattern and each candidate is bounded in length.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from functools import lru_cache
from typing import NamedTuple

from veil.core import Finding
from veil.detect._phrases import Phrases, Surroundings

__all__ = [
    "NumberCandidate",
    "Phrases",
    "Surroundings",
    "grouped_numbers",
    "id_tokens",
    "is_glued",
    "longest_first",
    "looks_like_date",
]

# Groups of ASCII digits joined by exactly one separator. No two quantifiers can
# match the same character, so the pattern never backtracks more than one step.
_RUN = {
    " -": re.compile(r"[0-9]+(?:[ -][0-9]+)*"),
    " -.": re.compile(r"[0-9]+(?:[ .-][0-9]+)*"),
    "": re.compile(r"[0-9]+"),
}

_SPLIT = re.compile(r"[ .-]")


class NumberCandidate(NamedTuple):
    """Consecutive digit groups ``text[start:end]``; ``digits`` has the separators removed.

    A named tuple rather than a frozen dataclass: a message makes dozens of these,
    and a tuple is built several times faster.
    """

    start: int
    end: int
    digits: str
    groups: tuple[int, ...]
    separator: str


def is_glued(text: str, start: int, end: int, *, joiners: str = "./:,") -> bool:
    """True if ``text[start:end]`` continues a longer word, decimal, date or code.

    ``joiners`` are the characters that, between two digits, make one number of
    two ("3.14", "12/25"); pass ``"-./:,"`` when dashes cannot separate numbers.
    """
    return _glued_before(text, start, joiners) or _glued_after(text, end, joiners)


def _glued_before(text: str, start: int, joiners: str) -> bool:
    if start > 0:
        prev = text[start - 1]
        if prev.isalnum() or prev in "_+":
            return True
        if prev in joiners and start > 1 and text[start - 2].isdigit():
            return True
    return False


def _glued_after(text: str, end: int, joiners: str) -> bool:
    if end < len(text):
        nxt = text[end]
        if nxt.isalnum() or nxt == "_":
            return True
        if nxt in joiners and end + 1 < len(text) and text[end + 1].isdigit():
            return True
    return False


def grouped_numbers(
    text: str,
    *,
    min_digits: int,
    max_digits: int,
    separators: str = " -",
    max_groups: int = 6,
    lengths: Collection[int] | None = None,
) -> Iterator[NumberCandidate]:
    """Every run of whole digit groups with ``min_digits..max_digits`` digits, in order.

    A candidate never splits a group of digits, uses one separator kind only and is
    not glued to letters, decimals or dates (see :func:`is_glued`). For each start
    group at most ``max_groups`` groups are tried, so the work per character is
    bounded whatever the input.
    """
    if (
        len(text) > _SHARED_TEXT
        or min_digits < _SHARED_MIN_DIGITS
        or max_digits > _SHARED_DIGITS
        or max_groups > _SHARED_GROUPS
    ):
        return _grouped(text, separators, min_digits, max_digits, max_groups, lengths)
    # The candidates within the widest bounds any detector asks for, filtered: the
    # same candidates in the same order as a search with these bounds would give.
    return iter(
        [
            cand
            for cand in _shared_grouped(text, separators)
            if min_digits <= len(cand.digits) <= max_digits
            and len(cand.groups) <= max_groups
            and (lengths is None or len(cand.digits) in lengths)
        ]
    )


# Bounds of the per-text shared candidate list: the fewest and most digits and the
# most groups the built-in detectors ask for (bank accounts: 6 digits, driver's
# licences: 20 digits in 6 groups). Longer texts are searched lazily, so a hostile
# one ("12 12 12 ...") never holds all its candidates at once.
_SHARED_MIN_DIGITS = 6
_SHARED_DIGITS = 20
_SHARED_GROUPS = 6
_SHARED_TEXT = 4_096


@lru_cache(maxsize=8)
def _shared_grouped(text: str, separators: str) -> tuple[NumberCandidate, ...]:
    """Every candidate of :data:`_SHARED_MIN_DIGITS` to :data:`_SHARED_DIGITS` digits
    in up to :data:`_SHARED_GROUPS` groups; the card, account, national-id and
    licence detectors all read the same text."""
    bounds = (_SHARED_MIN_DIGITS, _SHARED_DIGITS, _SHARED_GROUPS)
    return tuple(_grouped(text, separators, *bounds, None))


def _grouped(
    text: str,
    separators: str,
    min_digits: int,
    max_digits: int,
    max_groups: int,
    lengths: Collection[int] | None,
) -> Iterator[NumberCandidate]:
    """See :func:`grouped_numbers`: stops extending a candidate as soon as a bound fails."""
    for base, chunk, parts, bounds, sizes in _runs(text, separators):
        count = len(bounds)
        for i in range(count):
            start = base + bounds[i][0]
            # Whether a candidate is glued on the left depends on its start only.
            if _glued_before(text, start, "./:,"):
                continue
            total = 0
            sep = ""
            for j in range(i, min(count, i + max_groups)):
                js, je = bounds[j]
                if j > i:
                    this_sep = chunk[js - 1]
                    if sep and this_sep != sep:
                        break
                    sep = this_sep
                total += je - js
                if total > max_digits:
                    break
                if total < min_digits or (lengths is not None and total not in lengths):
                    continue
                end = base + je
                if _glued_after(text, end, "./:,"):
                    continue
                yield NumberCandidate(start, end, "".join(parts[i : j + 1]), sizes[i : j + 1], sep)


_Run = tuple[int, str, list[str], tuple[tuple[int, int], ...], tuple[int, ...]]


@lru_cache(maxsize=8)
def _runs(text: str, separators: str) -> tuple[_Run, ...]:
    """The digit runs of ``text`` that are no date, split into groups: ``(start, run,
    groups, group offsets in the run, group sizes)``. Several detectors ask for the
    same text."""
    out: list[_Run] = []
    for run in _RUN[separators].finditer(text):
        chunk = run.group()
        if looks_like_date(chunk):
            continue
        parts = _SPLIT.split(chunk)
        bounds: list[tuple[int, int]] = []
        pos = 0
        for part in parts:
            bounds.append((pos, pos + len(part)))
            pos += len(part) + 1
        sizes = tuple(len(part) for part in parts)
        out.append((run.start(), chunk, parts, tuple(bounds), sizes))
    return tuple(out)


_ASCII_DIGIT = re.compile("[0-9]")
_DROP_DIGITS = str.maketrans("", "", "0123456789")
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}-[0-9]{1,2}-[0-9]{4}")


def looks_like_date(value: str) -> bool:
    """True for dash- or dot-separated dates like ``2024-01-15`` or ``15.01.2024``."""
    return _ISO_DATE.fullmatch(value.replace(".", "-").replace(" ", "-")) is not None


def id_tokens(
    text: str, *, min_chars: int, max_chars: int, min_digits: int = 1
) -> Iterator[re.Match[str]]:
    """Alphanumeric codes (dashes allowed inside) such as ``D123-4567-8901``.

    ``min_chars``/``max_chars`` count letters and digits only. Dates written with
    dashes are not codes. Context decides whether a code is an identifier.
    """
    if min_digits > 0 and _ASCII_DIGIT.search(text) is None:
        return  # codes are ASCII, so without an ASCII digit none qualifies
    for m, size, digits in _digit_codes(text) if min_digits > 0 else _codes(text):
        if not min_chars <= size <= max_chars or digits < min_digits:
            continue
        if looks_like_date(m.group()):
            continue
        if is_glued(text, m.start(), m.end(), joiners="./:,-"):
            continue
        yield m


_Code = tuple[re.Match[str], int, int]


@lru_cache(maxsize=4)
def _codes(text: str) -> tuple[_Code, ...]:
    """Every code token of ``text`` with its letters and digits and its ASCII digits."""
    return tuple(_measured(_TOKEN.finditer(text)))


@lru_cache(maxsize=4)
def _digit_codes(text: str) -> tuple[_Code, ...]:
    """The code tokens of :func:`_codes` that hold an ASCII digit, and some without.

    Tokens never cross a character outside ``[A-Za-z0-9-]``, so the tokens of the
    runs of such characters that hold a digit are found without reading the words
    of the text one by one (most messages are mostly words).
    """
    out: list[_Code] = []
    for run in _CODE_RUN.finditer(text):
        out += _measured(_TOKEN.finditer(text, run.start(), run.end()))
    return tuple(out)


# A whole run of code characters (it starts where no such character precedes) that
# holds an ASCII digit. Only a run's first position gets past the look-behind, and
# from there the letters before its first digit are read once: linear time.
_CODE_RUN = re.compile(r"(?<![A-Za-z0-9-])[A-Za-z-]*[0-9][A-Za-z0-9-]*")


def _measured(tokens: Iterator[re.Match[str]]) -> Iterator[_Code]:
    for m in tokens:
        token = m.group()
        digits = 0 if token.isalpha() else len(token) - len(token.translate(_DROP_DIGITS))
        yield m, len(token) - token.count("-"), digits


def longest_first(findings: Iterable[Finding]) -> list[Finding]:
    """Drop findings that overlap a longer (then higher-scored) one of the same detector.

    Sub-runs of one digit run ("1234 5678" inside "1234 5678 9012") are all
    candidates; only the widest one that qualified should be reported.
    """
    ranked = sorted(findings, key=lambda f: (-len(f.span), -f.score, f.start))
    kept: list[Finding] = []
    # Spans are short (a few dozen characters), so marking covered offsets keeps
    # this linear where pairwise overlap tests would be quadratic on hostile input.
    covered: set[int] = set()
    for f in ranked:
        positions = range(f.start, f.end)
        if not any(p in covered for p in positions):
            kept.append(f)
            covered.update(positions)
    return sorted(kept, key=lambda f: f.start)
