"""Address pieces that are places: postcodes, region codes, countries, towns.

Also holds :class:`Part` and the token helpers every address parser shares, so
:mod:`veil.detect._address_parts` (streets, units, boxes) builds on this module.
Every parser looks at a bounded number of tokens from its start index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from veil.detect._address_data import AddressLexicon
from veil.detect._address_tokens import NL, NUM, PUNCT, WORD, Token

__all__ = ["Part", "PlaceGrammar"]

_MILITARY = frozenset(["APO", "FPO", "DPO"])  # stand where the city goes


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
    postcode_cue_words: frozenset[str]


_DERIVED: dict[int, _Derived] = {}


def _derived(lex: AddressLexicon) -> _Derived:
    found = _DERIVED.get(id(lex))
    if found is not None and found.lex is lex:
        return found
    union = "|".join(f"(?:{shape.pattern.pattern})" for shape in lex.postcodes)
    made = _Derived(
        lex=lex,
        compound_lengths=sorted({len(c) for c in lex.compounds}, reverse=True),
        compounds=frozenset(lex.compounds),
        box_heads=frozenset(k[0] for k in lex.po_boxes),
        country_heads=frozenset(k[0] for k in lex.countries),
        any_postcode=re.compile(union),
        any_postcode_folded=re.compile(union, re.IGNORECASE),
        postcode_cue_words=lex.words["postcode_cues"] | {"post", "pin"},
    )
    _DERIVED[id(lex)] = made
    return made


class PlaceGrammar:
    """Token helpers and place parsers bound to one text and its tokens."""

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
        t, d, n = self.tok(j), self.tok(j + 1), self.tok(j + 2)
        return (
            t is not None
            and d is not None
            and n is not None
            and d.text == "."
            and d.start == t.end
            and n.start == d.end
            and n.text[:1].isdigit()
        )

    def after_decimal(self, j: int) -> bool:
        """Token ``j`` is the tail of "1.6.1" / "4.5" (a glued period and number before)."""
        d, t = self.tok(j - 1), self.tok(j - 2)
        return (
            d is not None
            and t is not None
            and d.text == "."
            and d.end == self.toks[j].start
            and t.end == d.start
            and t.text[-1:].isdigit()
        )

    # -- places ------------------------------------------------------------
    def postcode(self, i: int, *, folded: bool = False) -> Part | None:
        """The postcode starting at token ``i``; ``detail`` is its strength.

        ``folded`` also accepts lower-case letters ("eh8 7fx", "5675 zd"); callers
        only use it inside an address already found.
        """
        found = self.postcode_shape(i, folded=folded)
        return None if found is None else found[0]

    def postcode_shape(self, i: int, *, folded: bool = False) -> tuple[Part, str] | None:
        """The postcode at ``i`` and the name of its shape ("GB", "digits5", ...)."""
        t = self.tok(i)
        if t is None or t.kind == PUNCT or t.kind == NL:
            return None
        first = t.text[0].upper() if folded else t.text[0]
        if not (first.isdigit() or "A" <= first <= "Z"):
            return None  # every postcode shape starts with a digit or A-Z
        stop = min(len(self.text), t.start + 12)
        # One match of all shapes at once rules out most tokens; it fails
        # exactly when every single shape fails.
        union = self._any_postcode_folded if folded else self._any_postcode
        if union.match(self.text, t.start, stop) is None:
            return None
        best: tuple[int, str, str] | None = None
        rank = {"strong": 3, "shaped": 2, "plain": 1}
        for shape in self.lex.postcodes:
            m = (shape.folded if folded else shape.pattern).match(self.text, t.start, stop)
            if m is None:
                continue
            e = m.end()
            if e < len(self.text) and (self.text[e].isalnum() or self.text[e] in "-/"):
                continue
            if best is None or (e, rank[shape.strength]) > (best[0], rank[best[1]]):
                best = (e, shape.strength, shape.name)
        if best is None:
            return None
        k = i
        while k < self.n and self.toks[k].end < best[0]:
            k += 1
        if k >= self.n or self.toks[k].end != best[0]:
            return None
        if folded and k > i and self.toks[k].low in self.stop_lower:
            return None  # "2019 on", "1234 to": a number and a word, not "5675 zd"
        score = {"strong": 0.7, "shaped": 0.35, "plain": 0.0}[best[1]]
        return Part(i, k + 1, "postcode", score, best[1]), best[2]

    def region(self, i: int) -> Part | None:
        t = self.tok(i)
        if t is None:
            return None
        if not t.is_upper_code or t.text in _MILITARY:
            return None
        known = t.text in self.lex.regions
        return Part(i, i + 1, "region", 0.0, "known" if known else "code")

    def country(self, i: int) -> Part | None:
        first = self.tok(i)
        if first is None or first.low not in self._country_heads:
            return None
        words: list[str] = []
        exact: list[str] = []
        best = None
        k = i
        while k < self.n and len(words) < self.lex.country_max_words:
            tk = self.toks[k]
            if tk.kind != WORD:
                break
            words.append(tk.low)
            exact.append(tk.text)
            k = self.dot(k + 1) if len(tk.text) == 1 else k + 1
            code = self.lex.countries.get(tuple(words))
            if code is None:
                continue
            if code and tuple(exact) not in self.lex.country_exact:
                continue
            best = k
        if best is None or not (self.toks[i].is_cap or self.toks[i].text.islower()):
            return None
        return Part(i, best, "country", 0.0, "country name")

    def city(self, i: int) -> Part | None:
        """One to four capitalized words on one line ("Caxias do Sul", "St. Louis")."""
        t = self.tok(i)
        if t is None:
            return None
        if not t.is_cap or t.low in self.stop_cap or t.low in self.lex.units:
            return None
        if t.low in self.stop_lower:
            return None  # "FOR ANY INCIDENTAL": shouted prose, not a town
        caps, last, k = 0, -1, i
        while k < self.n and caps < 4:
            tk = self.toks[k]
            if caps and (self._region_code(k) or self.country(k) is not None):
                break
            if caps and tk.low in self.lex.units and self._number_after(self.dot(k + 1)):
                break  # "Stephen Stravenue Apt. 374": the unit is not part of the name
            if tk.is_cap and tk.low not in self.stop_cap and tk.low not in self.stop_lower:
                caps += 1
                last = k
                nxt = self.dot(k + 1)
                if nxt != k + 1 and not (len(tk.text) <= 3 and self._cap_at(nxt)):
                    break
                k = nxt
            elif tk.kind == WORD and tk.low in self.particles and not tk.is_cap:
                k += 1
            else:
                break
        return Part(i, last + 1, "city", 0.0, "place name")

    def town(self, i: int) -> Part | None:
        """One or two words of any case that end the clause: "dresden", "san diego".

        Only asked for next to a postcode or region, where a lower-case town is
        as telling as a capitalized one.
        """
        k = i
        while k < self.n and k < i + 2:
            tk = self.toks[k]
            if tk.kind != WORD or (not tk.text.isalpha() and "-" not in tk.text):
                break
            if tk.low in self.stop_lower or tk.low in self.stop_cap or tk.low in self.lex.units:
                break
            k += 1
        if k == i:
            return None
        return Part(i, k, "city", 0.0, "place name")

    def folded_region(self, i: int) -> Part | None:
        """A lower-case US state / CA province before a ZIP: "ny 11245", "fl 33674"."""
        t = self.tok(i)
        if t is None or t.kind != WORD or len(t.text) != 2 or not t.text.islower():
            return None
        if t.text.upper() not in self.lex.regions:
            return None
        shape = self.postcode_shape(i + 1, folded=True)
        if shape is None or shape[1] not in ("digits5", "US-zip4", "CA", "CA-compact"):
            return None
        return Part(i, i + 1, "region", 0.0, "known")

    def province(self, i: int) -> Part | None:
        """An Italian / Spanish province in brackets after the town: "(FI)", "(to)"."""
        o, code, c = self.tok(i), self.tok(i + 1), self.tok(i + 2)
        if o is None or code is None or c is None or o.text != "(" or c.text != ")":
            return None
        if code.kind != WORD or len(code.text) != 2 or not code.text.isascii():
            return None
        if not (code.text.isupper() or code.text.islower()):
            return None
        return Part(i, i + 3, "region", 0.0, "province code")

    def _region_code(self, j: int) -> bool:
        t = self.toks[j]
        return t.is_upper_code and t.text in self.lex.regions

    def _cap_at(self, j: int) -> bool:
        t = self.tok(j)
        return t is not None and t.is_cap

    def word_follows(self, j: int) -> bool:
        """True when token ``j`` is a lower-case word on the same line (prose goes on)."""
        t = self.tok(j)
        return t is not None and t.kind in (WORD, NUM) and not t.is_cap and t.kind != NUM
