"""The base of the address grammar: :class:`Part` and the token helpers.

Every address parser works on a token stream (:mod:`veil.detect._address_tokens`)
and returns a :class:`Part`; :class:`TokenGrammar` binds one text, its tokens and
the lexicon, and holds the helpers every parser shares (periods after
abbreviations, house numbers, decimals). The place, unit and street parsers build
on it in :mod:`veil.detect._address_places`, ``_address_units`` and ``_address_parts``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from veil.detect._address_data import AddressLexicon
from veil.detect._address_tokens import NL, WORD, Token

__all__ = ["Part", "TokenGrammar"]


@dataclass(frozen=True, slots=True)
class Part:
    """Tokens ``[first, last)`` forming one address component."""

    first: int
    last: int
    kind: str  # street | number | unit | pobox | postcode | region | country | city
    score: float
    detail: str = ""


@dataclass(frozen=True, slots=True)
class _Derived:
    """Lookup structures built from one lexicon, shared by every text's grammar."""

    lex: AddressLexicon  # kept so the cache key (its id) stays valid
    compound_lengths: list[int]
    compounds: frozenset[str]
    box_heads: frozenset[str]
    country_heads: frozenset[str]
    any_postcode: re.Pattern[str]
    any_postcode_folded: re.Pattern[str]
    distinct_postcode: re.Pattern[str]
    postcode_cue_words: frozenset[str]
    address_cue_firsts: frozenset[str]
    postcode_cue_firsts: frozenset[str]


_DERIVED: dict[int, _Derived] = {}


def _derived(lex: AddressLexicon) -> _Derived:
    found = _DERIVED.get(id(lex))
    if found is not None and found.lex is lex:
        return found
    union = "|".join(f"(?:{shape.pattern.pattern})" for shape in lex.postcodes)
    distinct = "|".join(
        f"(?:{shape.pattern.pattern})" for shape in lex.postcodes if shape.strength != "plain"
    )
    made = _Derived(
        lex=lex,
        compound_lengths=sorted({len(c) for c in lex.compounds}, reverse=True),
        compounds=frozenset(lex.compounds),
        box_heads=frozenset(k[0] for k in lex.po_boxes),
        country_heads=frozenset(k[0] for k in lex.countries),
        any_postcode=re.compile(union),
        any_postcode_folded=re.compile(union, re.IGNORECASE),
        distinct_postcode=re.compile(distinct),
        postcode_cue_words=lex.words["postcode_cues"] | {"post", "pin"},
        address_cue_firsts=lex.words["address_cues"] | {"at", "to", "on", "in"},
        postcode_cue_firsts=lex.words["postcode_cues"] | {"code"},
    )
    _DERIVED[id(lex)] = made
    return made


class TokenGrammar:
    """One text, its tokens and the lexicon, with the helpers every parser shares."""

    def __init__(self, text: str, tokens: list[Token], lex: AddressLexicon) -> None:
        self.text = text
        self.toks = tokens
        self.lex = lex
        self.n = len(tokens)
        derived = _derived(lex)
        self._compound_lengths = derived.compound_lengths
        self._compounds = derived.compounds
        self._box_heads = derived.box_heads
        self._country_heads = derived.country_heads
        self._any_postcode = derived.any_postcode
        self._any_postcode_folded = derived.any_postcode_folded
        #: Every postcode shape that scores above 0 (not "plain"), as written, in one
        #: pattern: where it fails to match, :meth:`postcode` finds no usable anchor.
        self.distinct_postcode = derived.distinct_postcode
        words = lex.words
        self.particles = words["particles"]
        self.stop_cap = words["stop_capitalized"]
        self.stop_lower = words["stop_lower"]
        self.directions = words["directions"]
        self.number_words = words["number_words"]
        self.lower_ok = words["lower_ok"]
        self.floor_words = words["floor_words"]
        # Cue words are rare: when none occurs, the cue checks at every token can
        # answer at once instead of walking back over the previous words.
        lows = {t.low for t in tokens}
        self.has_address_cue = not (
            lows.isdisjoint(words["address_cues"]) and lows.isdisjoint(words["place_verbs"])
        )
        self.has_postcode_cue = not lows.isdisjoint(derived.postcode_cue_words)
        #: The words the cue tests may read first before a token (besides fillers):
        #: a cue word, or a preposition after a place verb / "code" after "postal".
        self.address_cue_firsts = derived.address_cue_firsts
        self.postcode_cue_firsts = derived.postcode_cue_firsts

    # -- small helpers -----------------------------------------------------
    def tok(self, i: int) -> Token | None:
        return self.toks[i] if 0 <= i < self.n else None

    def dot(self, j: int) -> int:
        """Skip a period glued to the previous token (abbreviations: "St.", "ul.")."""
        t = self.tok(j)
        if t is not None and t.text == "." and j > 0 and self.toks[j - 1].end == t.start:
            return j + 1
        return j

    def abbr_dot(self, j: int) -> int:
        """Like :meth:`dot`, but only after a short word: "St." yes, "Street." is a full stop."""
        return self.dot(j) if j > 0 and len(self.toks[j - 1].text) <= 4 else j

    def has_dot(self, j: int) -> bool:
        return self.dot(j) != j

    def _abbr_ok(self, i: int, max_bare: int) -> bool:
        """Words of ``max_bare`` letters or fewer must carry their period ("g.", "ul.")."""
        return len(self.toks[i].text) > max_bare or self.has_dot(i + 1)

    def _number_after(self, j: int, *, max_len: int = 8) -> int | None:
        """Index after a house number at ``j`` (allowing "No.", "Nr", "#", ":")."""
        t = self.tok(j)
        if t is not None and (t.low in self.number_words or t.text == "#"):
            j = self.dot(j + 1)
            t2 = self.tok(j)
            if t2 is not None and t2.text == ":":
                j += 1
        t = self.tok(j)
        if t is not None and t.is_house_number and len(t.text) <= max_len and not self.decimal(j):
            return self._ordinal_dot(j + 1)
        return None

    def house_number(self, j: int) -> int | None:
        """Index after a bare house number at ``j`` ("13", "13.", "5a")."""
        t = self.tok(j)
        if t is None or not t.is_house_number or len(t.text) > 5 or self.decimal(j):
            return None
        return self._ordinal_dot(j + 1)

    def _ordinal_dot(self, j: int) -> int:
        """Take "15." (Hungarian, German ordinal style) when a new line or word follows."""
        k = self.dot(j)
        if k == j:
            return j
        nxt = self.tok(k)
        if nxt is not None and (nxt.kind == NL or (nxt.start > self.toks[j].end and nxt.is_cap)):
            return k
        return j

    def _direction(self, j: int) -> int:
        t = self.tok(j)
        if t is not None and t.kind == WORD and t.text.isupper() and t.low in self.directions:
            return self.dot(j + 1)
        return j

    def decimal(self, j: int) -> bool:
        """Token ``j`` continues as "1.6.1" or "4.5": a version or decimal, not a house."""
        if j < 0 or j + 2 >= self.n:
            return False
        t, d, n = self.toks[j], self.toks[j + 1], self.toks[j + 2]
        return d.text == "." and d.start == t.end and n.start == d.end and n.text[:1].isdigit()

    def after_decimal(self, j: int) -> bool:
        """Token ``j`` is the tail of "1.6.1" / "4.5" (a glued period and number before)."""
        if j < 2 or j > self.n:
            return False
        d, t = self.toks[j - 1], self.toks[j - 2]
        return (
            d.text == "."
            and d.end == self.toks[j].start
            and t.end == d.start
            and t.text[-1:].isdigit()
        )
