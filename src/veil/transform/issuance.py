"""Issuing pseudonyms for one ``protect`` call: identity, reuse, collisions.

An :class:`Issuer` starts from the conversation's token map and hands out one entry
per (identity, form). A value already in the map gets its old pseudonym back, so a
name keeps its tag across turns. A new candidate is refused when an LLM could
confuse it with something else: another issued pseudonym (same core key), the value
itself, text already present in the input, or a core too short to find again (fewer
than four letters or digits). A refused surrogate or hash is re-drawn (``attempt``
+1); after a few refusals the value gets a tag instead, which is always delimited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from veil.core import Entity
from veil.transform.keys import Derivation, TokenContext
from veil.transform.matching import Matcher
from veil.transform.normalize import normalize
from veil.transform.operators import Pseudonymizer, form_key, pseudonym
from veil.transform.patterns import core_key, split_edges
from veil.transform.settings import Tag, TransformSettings
from veil.transform.tokens import TokenEntry, TokenMap

__all__ = ["Issuer"]

_DRAWS = 8
_WORDS = re.compile(r"\w+")
_MIN_CORE_ALNUM = 4


@dataclass(frozen=True, slots=True)
class _Request:
    entity: Entity
    value: str
    lookalike: bool


class Issuer:
    """Hands out pseudonyms for one call; ``issued`` lists what is new."""

    def __init__(
        self,
        text: str,
        context: TokenContext,
        settings: TransformSettings,
        token_map: TokenMap,
        text_keys: frozenset[str],
    ) -> None:
        self._text = text
        # Every word of a rendering is a whole word of the text, so a set lookup
        # rules out almost every candidate before any regex runs.
        self._words = frozenset(_WORDS.findall(text.casefold()))
        self._settings = settings
        self._derivation = Derivation.for_scope(context, settings.scope)
        self._base = token_map
        self._text_keys = text_keys
        # Working state kept outside TokenMap so that issuing n values costs O(n).
        self._new: dict[tuple[str, str], TokenEntry] = {}
        self._new_keys: set[str] = set()
        self._counts: dict[tuple[str, str], int] = {}
        self._snapshot: TokenMap | None = token_map

    @property
    def base(self) -> TokenMap:
        """The map this call started from."""
        return self._base

    @property
    def token_map(self) -> TokenMap:
        """The base map plus everything issued so far (used or not)."""
        if self._snapshot is None:
            self._snapshot = self._base.merged(self._new.values())
        return self._snapshot

    def entry(
        self, entity: Entity, value: str, operator: Pseudonymizer, *, lookalike: bool = False
    ) -> TokenEntry:
        """The pseudonym entry for ``value``; falls back to the look-alike tag."""
        request = _Request(entity, value, lookalike)
        identity = self._identity(request)
        found = self._issue(request, identity, operator)
        if found is None:
            found = self._issue(request, identity, self._settings.lookalike)
        if found is None:  # unreachable: ordinals run past every clash
            raise AssertionError("no free tag ordinal")
        return found

    def _identity(self, request: _Request) -> str:
        if request.lookalike:
            return self._derivation.identity(request.entity, request.value, "lookalike")
        normalized = normalize(request.entity, request.value, region=self._settings.region)
        return self._derivation.identity(request.entity, normalized)

    def _issue(
        self, request: _Request, identity: str, operator: Pseudonymizer
    ) -> TokenEntry | None:
        form = form_key(operator)
        existing = self._base.get(identity, form) or self._new.get((identity, form))
        if existing is not None:
            return existing
        ordinal_tag = isinstance(operator, Tag) and "{n}" in operator.format
        counted = (request.entity.label, form)
        if counted not in self._counts:
            self._counts[counted] = self._base.next_ordinal(request.entity, form) - 1
        first = self._counts[counted] + 1
        draws = (
            len(self._base) + len(self._new) + len(self._text_keys) + 2 if ordinal_tag else _DRAWS
        )
        for attempt in range(draws):
            candidate = pseudonym(
                operator,
                request.entity,
                request.value,
                derivation=self._derivation,
                identity=identity,
                ordinal=first + attempt,
                attempt=attempt,
                region=self._settings.region,
            )
            if self._acceptable(candidate, request.value):
                entry = TokenEntry(candidate, request.value, request.entity, identity, form)
                self._new[identity, form] = entry
                self._new_keys.add(core_key(candidate))
                self._counts[counted] += 1
                self._snapshot = None
                return entry
        return None

    def _acceptable(self, candidate: str, value: str) -> bool:
        key = core_key(candidate)
        if sum(ch.isalnum() for ch in key) < _MIN_CORE_ALNUM:
            return False
        taken = self._base.taken(candidate) or key in self._new_keys
        if taken or key == core_key(value) or key in self._text_keys:
            return False
        return not self._occurs(candidate)

    def _occurs(self, candidate: str) -> bool:
        """Whether the text already holds a rendering of ``candidate``."""
        words = _WORDS.findall(split_edges(candidate)[1].casefold())
        if not all(word in self._words for word in words):
            return False
        return any(True for _ in Matcher([candidate]).finditer(self._text))

    def is_new(self, entry: TokenEntry) -> bool:
        return self._base.get(entry.identity, entry.form) is None
