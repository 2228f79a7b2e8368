"""Putting the real values back into a reply, for the customer's eyes only.

``restore(text, token_map)`` replaces every rendering of a pseudonym *in the map* by
the value it stands for, and touches nothing else: a token-shaped string that this
conversation never issued ("[PERSON_9]", another tenant's surrogate) stays as it is.
Renderings are found tolerantly (see :mod:`veil.transform.patterns`): "person_1",
"PERSON_1" without brackets, "[PERSON_1]'s", "Maria\\nKeller" all resolve.

Text the customer typed can never resolve to a value here, because ``protect`` never
lets it reach the model in a form that matches an issued pseudonym: look-alikes are
themselves replaced by fresh tokens that restore to the literal text typed.
"""

from __future__ import annotations

from veil.core import Finding, Span
from veil.transform.tokens import TokenMap

__all__ = ["PSEUDONYM_TAG", "find_pseudonyms", "restore", "restore_range"]

PSEUDONYM_TAG = "veil:pseudonym"


def restore_range(text: str, token_map: TokenMap, start: int, stop: int) -> tuple[str, int]:
    """Restore ``text[start:stop]``, reading ``text`` around it for context.

    A match that starts before ``stop`` is replaced whole even if it runs past it;
    returns the restored text and the position up to which ``text`` was consumed.
    """
    entries = token_map.entries
    out: list[str] = []
    pos = start
    for m_start, m_end, index in token_map.matcher.finditer(text, start):
        if m_start >= stop:
            break
        out.append(text[pos:m_start])
        out.append(entries[index].value)
        pos = m_end
    if pos < stop:
        out.append(text[pos:stop])
        pos = stop
    return "".join(out), pos


def restore(text: str, token_map: TokenMap) -> str:
    """``text`` with every pseudonym issued in ``token_map`` replaced by its value."""
    if not len(token_map):
        return text
    restored, _ = restore_range(text, token_map, 0, len(text))
    return restored


def find_pseudonyms(text: str, token_map: TokenMap, *, exact: bool = True) -> list[Finding]:
    """Findings for the pseudonyms of ``token_map`` in ``text`` (veil's own output).

    With ``exact`` (the default) only verbatim pseudonyms count, which is what
    ``protect(..., origin=Origin.VEIL)`` keeps unchanged. Findings are tagged
    ``PSEUDONYM_TAG`` and carry no value.
    """
    entries = token_map.entries
    found = []
    for m_start, m_end, index in token_map.matcher.finditer(text):
        entry = entries[index]
        if exact and text[m_start:m_end] != entry.pseudonym:
            continue
        found.append(
            Finding(
                entity=entry.entity,
                span=Span(m_start, m_end),
                score=1.0,
                detector="pseudonym",
                reason="issued pseudonym",
                tags=frozenset({PSEUDONYM_TAG}),
            )
        )
    return found
