"""Finding pseudonyms again in text an LLM wrote: the tolerant grammar, in one place.

A pseudonym splits into *lead* and *trail* (its non-word edges, e.g. the brackets of
``[PERSON_1]``) and a *core* (``PERSON_1``, ``Maria Keller``). A rendering matches
when it has

* the core, case-insensitively, where each whitespace run may be 1–4 whitespace
  characters of any kind (an LLM re-wrapping "Maria\\nKeller" or "Maria  Keller");
* the lead, or else no word character just before the core; the trail, or else no
  word character just after it (so ``PERSON_1`` never matches inside ``PERSON_10``
  and "Ann" never inside "Annual"; "[PERSON_1]'s" keeps its possessive).

Every rendering is at most ``len(pseudonym) + 4 * whitespace runs`` long, which is what
bounds the streaming hold-back. Finding them is :mod:`veil.transform.matching`'s job.
All patterns are literals joined by bounded quantifiers: matching is linear in the text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

__all__ = [
    "FLAGS",
    "core_key",
    "has_core",
    "max_rendering",
    "prefix_pattern",
    "rendering_pattern",
    "split_edges",
    "token_grammar",
]

_PIECES = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_WS = r"\s{1,4}"
_MAX_WS = 4


@functools.lru_cache(maxsize=8192)
def split_edges(pseudonym: str) -> tuple[str, str, str]:
    """(lead, core, trail): the non-word edges and what lies between them.

    Cached (as :func:`core_key`): every token map built asks again for each of its
    pseudonyms, which are tokens and fake values, never a customer's data."""
    start = 0
    while start < len(pseudonym) and not _is_word(pseudonym[start]):
        start += 1
    end = len(pseudonym)
    while end > start and not _is_word(pseudonym[end - 1]):
        end -= 1
    return pseudonym[:start], pseudonym[start:end], pseudonym[end:]


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def has_core(pseudonym: str) -> bool:
    return bool(split_edges(pseudonym)[1])


@functools.lru_cache(maxsize=8192)
def core_key(pseudonym: str) -> str:
    """Two pseudonyms with one key are indistinguishable once an LLM rewrites them."""
    return " ".join(split_edges(pseudonym)[1].split()).casefold()


def _core_atoms(core: str) -> list[str]:
    """The core as regex atoms: one per character, one per whitespace run."""
    atoms: list[str] = []
    for piece in _PIECES.findall(core):
        if piece.isspace():
            atoms.append(_WS)
        else:
            atoms.extend(re.escape(ch) for ch in piece)
    return atoms


@functools.lru_cache(maxsize=4096)
def rendering_pattern(pseudonym: str) -> str:
    """The regex (source) of every tolerated rendering of ``pseudonym``."""
    lead, core, trail = split_edges(pseudonym)
    head = f"(?:{re.escape(lead)}|(?<!\\w))" if lead else r"(?<!\w)"
    tail = f"(?:{re.escape(trail)}|(?!\\w))" if trail else r"(?!\w)"
    return head + "".join(_core_atoms(core)) + tail


def _nested(atoms: Sequence[str]) -> str:
    """A regex for the non-empty prefixes of the sequence ``atoms``."""
    out = ""
    for atom in reversed(atoms):
        out = f"{atom}(?:{out})?" if out else atom
    return out


@functools.lru_cache(maxsize=4096)
def prefix_pattern(pseudonym: str) -> str:
    """The regex (source) of every non-empty beginning of a rendering."""
    lead, core, trail = split_edges(pseudonym)
    rest = _core_atoms(core) + [re.escape(ch) for ch in trail]
    bare = r"(?<!\w)" + _nested(rest)
    if not lead:
        return bare
    return f"(?:{_nested([re.escape(ch) for ch in lead] + rest)}|{bare})"


FLAGS = re.IGNORECASE | re.UNICODE


def max_rendering(pseudonym: str) -> int:
    runs = sum(1 for piece in _PIECES.findall(pseudonym) if piece.isspace())
    return len(pseudonym) + _MAX_WS * runs


def token_grammar(formats: Iterable[str], labels: Iterable[str]) -> list[re.Pattern[str]]:
    """Patterns for anything shaped like a tag or hash token of these formats and entity
    labels, issued or not, rendered as tolerantly as :class:`Matcher` accepts."""
    label_group = (
        "(?P<label>"
        + "|".join(re.escape(x) for x in sorted(set(labels), key=len, reverse=True))
        + ")"
    )
    fills = {
        "entity": label_group,
        "n": r"\d{1,9}",
        "h": r"[0-9a-f]{4,16}",
        "hash": r"[0-9a-f]{8,64}",
    }
    patterns = []
    for fmt in formats:
        start, end = 0, len(fmt)
        while start < end and fmt[start] != "{" and not _is_word(fmt[start]):
            start += 1
        while end > start and fmt[end - 1] != "}" and not _is_word(fmt[end - 1]):
            end -= 1
        lead, trail = fmt[:start], fmt[end:]
        body = ""
        for piece in re.split(r"(\{[a-z]+\})", fmt[start:end]):
            if piece.startswith("{"):
                body += fills[piece[1:-1]]
            else:
                body += "".join(_core_atoms(piece))
        head = f"(?:{re.escape(lead)}|(?<!\\w))" if lead else r"(?<!\w)"
        tail = f"(?:{re.escape(trail)}|(?!\\w))" if trail else r"(?!\w)"
        patterns.append(re.compile(head + body + tail, re.IGNORECASE))
    return patterns
