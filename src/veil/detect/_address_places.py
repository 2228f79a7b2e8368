"""Address pieces that are places: postcodes, region codes, countries, towns.

Built on :class:`~veil.detect._address_base.TokenGrammar`;
:mod:`veil.detect._address_parts` (streets, units, boxes) builds on this module.
Every parser looks at a bounded number of tokens from its start index.
"""

from __future__ import annotations

from veil.detect._address_base import Part, TokenGrammar
from veil.detect._address_tokens import NL, NUM, PUNCT, WORD

__all__ = ["Part", "PlaceGrammar"]

_MILITARY = frozenset(["APO", "FPO", "DPO"])  # stand where the city goes


class PlaceGrammar(TokenGrammar):
    """Place parsers: postcodes, regions, countries, towns."""

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
        if t.kind == WORD and t.low != "gir":
            return None  # a digit comes within the first token, except in "GIR 0AA"
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
