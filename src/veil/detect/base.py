"""The detector protocol: one small seam every detector plugs into."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from veil.core import Finding

__all__ = ["Detector"]


@runtime_checkable
class Detector(Protocol):
    """Finds personal data in text.

    ``find`` receives text that ``ingest`` has already normalized (NFKC, zero-width
    characters removed, homoglyphs folded, ASCII digits) and returns findings whose
    spans index into that same text. It must run in time linear in ``len(text)``:
    no pattern may backtrack catastrophically on hostile input. It never sees keys,
    identities or configuration it was not constructed with.
    """

    @property
    def name(self) -> str:
        """A short stable identifier, shown in a finding's ``detector`` field."""
        ...

    def find(self, text: str) -> Iterable[Finding]:
        """Yield every finding in ``text``; order does not matter."""
        ...
