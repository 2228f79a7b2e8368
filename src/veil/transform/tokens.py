"""The token map: which pseudonyms this conversation issued, and for which values.

A :class:`TokenMap` is an immutable value. ``protect`` returns the entries it added
(``Protected.issued``); the caller persists them (sealed by the vault, they contain
raw values) and passes the merged map to the next ``protect`` and to ``restore``.
Nothing else is kept anywhere: no counters, no registry. Identity (same value?) comes
from the keyed HMAC; the map only adds the small ``[PERSON_n]`` ordinals, which are
assigned in order of first appearance, so replaying a conversation gives the same map.

Invariants, checked on construction: one entry per (identity, form), and no two
pseudonyms an LLM could confuse (same :func:`~veil.transform.patterns.core_key`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from veil.core import CustomEntity, Entity, EntityType
from veil.errors import InputError, MalformedInputError
from veil.transform.matching import Matcher, matcher_for
from veil.transform.patterns import core_key

__all__ = ["EMPTY_MAP", "TokenEntry", "TokenMap"]

_FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class TokenEntry:
    """One issued pseudonym. ``value`` is the raw text first seen for this identity;
    ``form`` names the operator that made it (see ``operators.form_key``)."""

    pseudonym: str
    value: str
    entity: Entity
    identity: str
    form: str

    def __repr__(self) -> str:
        # The value is personal data: keep it out of logs and tracebacks.
        return f"TokenEntry(pseudonym=<{len(self.pseudonym)} chars>, entity={self.entity.label})"


def _entity(label: str) -> Entity:
    return EntityType(label) if label in EntityType.__members__ else CustomEntity(label)


class TokenMap:
    """An immutable set of issued pseudonyms with lookups by identity and by rendering."""

    def __init__(self, entries: Iterable[TokenEntry] = ()) -> None:
        self._entries: tuple[TokenEntry, ...] = tuple(entries)
        self._by_identity: dict[tuple[str, str], TokenEntry] = {}
        self._by_key: dict[str, TokenEntry] = {}
        for entry in self._entries:
            key = core_key(entry.pseudonym)
            if (entry.identity, entry.form) in self._by_identity or key in self._by_key:
                raise InputError("token map has a duplicate identity or pseudonym")
            if not key:
                raise InputError("token map has a pseudonym without letters or digits")
            self._by_identity[entry.identity, entry.form] = entry
            self._by_key[key] = entry

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[TokenEntry]:
        return iter(self._entries)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TokenMap) and self._entries == other._entries

    def __hash__(self) -> int:
        return hash(self._entries)

    def __repr__(self) -> str:
        return f"TokenMap(<{len(self._entries)} entries>)"

    def get(self, identity: str, form: str) -> TokenEntry | None:
        return self._by_identity.get((identity, form))

    def find(self, pseudonym: str) -> TokenEntry | None:
        """The entry an LLM's rendering of ``pseudonym`` (any case/spacing) stands for."""
        return self._by_key.get(core_key(pseudonym))

    def taken(self, pseudonym: str) -> bool:
        return core_key(pseudonym) in self._by_key

    def next_ordinal(self, entity: Entity, form: str) -> int:
        return 1 + sum(1 for e in self._entries if e.entity == entity and e.form == form)

    def merged(self, other: Iterable[TokenEntry]) -> TokenMap:
        """This map plus ``other``'s entries that are not already here."""
        extra = [e for e in other if self.get(e.identity, e.form) is None]
        return TokenMap((*self._entries, *extra)) if extra else self

    @cached_property
    def matcher(self) -> Matcher:
        """The tolerant matcher over every pseudonym, index = position in iteration."""
        return matcher_for(tuple(entry.pseudonym for entry in self._entries))

    @property
    def entries(self) -> tuple[TokenEntry, ...]:
        return self._entries

    def dumps(self) -> str:
        """JSON for persistence. It contains raw values: seal it before storing."""
        rows = [
            {"p": e.pseudonym, "v": e.value, "e": e.entity.label, "i": e.identity, "f": e.form}
            for e in self._entries
        ]
        return json.dumps({"v": _FORMAT_VERSION, "entries": rows}, ensure_ascii=False)

    @classmethod
    def loads(cls, data: str) -> TokenMap:
        try:
            doc = json.loads(data)
            if doc["v"] != _FORMAT_VERSION:
                raise MalformedInputError("unsupported token map version")
            entries = [
                TokenEntry(r["p"], r["v"], _entity(r["e"]), r["i"], r["f"]) for r in doc["entries"]
            ]
        except (ValueError, KeyError, TypeError):
            # No chaining: a token map holds personal values, and the decoder's message
            # (a bad entity name, a key) could quote one into a logged traceback.
            raise MalformedInputError("token map is not valid JSON of the expected shape") from None
        return cls(entries)


EMPTY_MAP = TokenMap()
