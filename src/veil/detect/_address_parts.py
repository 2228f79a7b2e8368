"""Address components over a token stream: streets and their house numbers.

Each parser takes a token index and returns a :class:`Part` (a token range with
a kind and a stand-alone score) or ``None``. Every parser looks at a bounded
number of tokens, so calling one at every index keeps the scan linear.
"""

from __future__ import annotations

from veil.detect._address_places import Part
from veil.detect._address_tokens import WORD
from veil.detect._address_units import UnitGrammar

__all__ = ["LOWER", "NUMBER_TAILS", "Grammar", "Part"]

# Marks a street head that is too plain alone ("3 jay isle"); the detector keeps
# it only when the address it starts also has a postcode.
LOWER = "lower-case"
#: Words between a house number and a prefix street word: "34 bis rue Pascal".
NUMBER_TAILS = frozenset(["bis", "ter", "quater"])
# Word -> whether it ends with a glued street word (see Grammar.compound_word). The
# compound endings come from the one shipped lexicon, so one memo serves every text.
_COMPOUND_MEMO: dict[str, bool] = {}
_COMPOUND_MEMO_SIZE = 20_000


class Grammar(UnitGrammar):
    """Street parsers on top of the unit, post-box and place parsers."""

    # -- streets -----------------------------------------------------------
    def street(self, i: int) -> Part | None:
        """The longest street form starting at ``i``."""
        t = self.tok(i)
        if t is None:
            return None
        # Only the forms that can start at this token are tried, in the same order
        # (the first of equally long, equally scored forms wins): the number-first
        # forms need a house number, the others a word, a prefix street word or a
        # glued street word.
        found: tuple[Part | None, ...]
        if t.is_house_number:
            found = (self._num_name_suffix(i), self._prefix_street(i))
        elif t.kind != WORD:
            return None
        elif t.low in self.lex.prefixes or t.low == "c":
            found = (self._prefix_street(i), self._name_suffix_num(i), self._compound(i))
        else:
            found = (self._name_suffix_num(i), self._compound(i))
        best: Part | None = None
        for p in found:
            if p is not None and (best is None or (p.last, p.score) > (best.last, best.score)):
                best = p
        return best

    def _num_name_suffix(self, i: int) -> Part | None:
        """ "123 Main St", "1600 Pennsylvania Avenue NW", "350 W 42nd St"."""
        t = self.tok(i)
        if t is None:
            return None
        if not t.is_house_number:
            return None
        j = self._direction(i + 1)
        if self._year_in_prose(i) or self.decimal(i) or self.after_decimal(i):
            return None
        names = lower = particles = 0
        strong = weak = None
        lower_at_pick: dict[int, int] = {}
        k = j
        while k < self.n and k < j + 7:
            tk = self.toks[k]
            if tk.kind == WORD:
                kind = self.lex.suffixes.get(tk.low)
                if kind and names >= 1 and self._abbr_ok(k, 1) and not (lower and particles):
                    lower_at_pick[k] = lower
                    if kind != "weak":
                        strong = k
                    else:
                        weak = k
                if tk.low in self.lex.units:
                    break
                if tk.is_cap and tk.low not in self.stop_cap:
                    names += 1
                elif names >= 1 and tk.low in self.particles:
                    particles += 1
                elif tk.low.isalpha() and tk.low not in self.stop_lower and not tk.is_cap:
                    if particles:
                        break  # "3 blocks down the road" is prose, not a name
                    names += 1
                    lower += 1
                else:
                    break
                nxt = self.dot(k + 1)
                if nxt != k + 1 and len(tk.text) > 3:
                    break  # a full stop after a long word ends the name
                k = nxt
            elif tk.is_ordinal:
                names += 1
                k += 1
            else:
                break
        pick = strong if strong is not None else weak
        if pick is None:
            return None
        score = 0.8 if pick == strong else 0.45
        native = self.lex.suffixes[self.toks[pick].low] == "native"
        detail = "number + name + street type"
        if lower_at_pick[pick] and not native:
            if lower_at_pick[pick] > 3:
                return None
            if self.toks[pick].low in self.lower_ok and lower_at_pick[pick] <= 2:
                score = 0.6
            else:
                # "41563 pamela rest": only kept when a postcode follows (see LOWER).
                score, detail = 0.3, LOWER + " number + name + street type"
        end = self._direction(self.abbr_dot(pick + 1))
        return Part(i, end, "street", score, detail)

    def _year_in_prose(self, i: int) -> bool:
        """ "In 2019 Main Street was closed": a year, not a house number."""
        t = self.toks[i]
        before = self.tok(i - 1)
        return (
            len(t.text) == 4
            and t.text[:2] in ("19", "20")
            and before is not None
            and before.low
            in ("in", "since", "by", "until", "from", "of", "year", "before", "after")
        )

    def _prefix_street(self, i: int) -> Part | None:
        """ "Calle Mayor 10", "Via Roma, 1", "12 rue de la Paix", "ul. Marszałkowska 84/92"."""
        j = i
        first = self.tok(i)
        if first is None:
            return None
        lead = first.is_house_number
        if lead:
            j = i + 1
            t = self.tok(j)
            if t is not None and t.low in NUMBER_TAILS:
                j += 1  # "34 bis rue Pascal"
                t = self.tok(j)
            if t is not None and t.text == ",":
                j += 1
        p = self.tok(j)
        if p is None or p.kind != WORD:
            return None
        strength = self.lex.prefixes.get(p.low)
        if strength is None and p.low != "c":
            return None  # the common case: no street word here
        k = self.dot(j + 1)
        slash = self.tok(j + 1)
        if p.low == "c" and slash is not None and slash.text == "/" and slash.start == p.end:
            strength = "strong"  # Spanish "C/ Mayor 10"
            k = j + 2
        elif strength is None or not self._abbr_ok(j, 2):
            return None
        weak = strength == "weak"
        # "via chinnici 17", "95 place Barthelemy": a lower-case weak street word
        # is kept only when a postcode follows (see LOWER).
        folded = weak and not p.is_cap
        weak = weak and not folded
        caps = lowers = 0
        last_name = -1
        start = k
        while k < self.n and k < start + 7:
            tk = self.toks[k]
            good = tk.is_title if weak else (tk.is_cap or tk.is_ordinal)
            if tk.low in self.stop_cap or tk.low in self.lex.units:
                break
            if good:
                caps += 1
                last_name = k
            elif tk.kind == WORD and tk.low in self.particles and not tk.is_cap:
                pass
            elif not weak and tk.kind == WORD and tk.low not in self.stop_lower:
                lowers += 1  # "12 rue des lilas": chat often has no capitals
                last_name = k
            else:
                break
            k += 1
        if caps + lowers == 0 or lowers > 3:
            return None
        end = last_name + 1
        after = self._number_after(end, max_len=6)
        if after is None and not lead:
            t = self.tok(end)
            if t is not None and t.text == ",":
                nxt = self.tok(end + 1)
                if nxt is not None and len(nxt.text) <= 4 and not nxt.text.startswith("0"):
                    after = self._number_after(end + 1, max_len=4)
        if after is not None:
            end = after
        elif not lead:
            if weak or lowers or folded:
                return None
            return Part(i, end, "street", 0.4, "street type + name")
        if folded:
            return Part(i, end, "street", 0.3, LOWER + " street type + name + number")
        score = 0.65 if weak or lowers else 0.8
        return Part(i, end, "street", score, "street type + name + number")

    def _name_suffix_num(self, i: int) -> Part | None:
        """ "Rákóczi út 13", "Atatürk Cad. No: 5", "hegyalja út 98"."""
        t = self.tok(i)
        if t is None or t.kind != WORD or t.low in self.stop_cap or t.low in self.stop_lower:
            return None
        lower = not t.is_cap
        k = i + 1
        while k < self.n and k < i + 5:
            tk = self.toks[k]
            kind = self.lex.suffixes.get(tk.low) if tk.kind == WORD else None
            if kind and self._abbr_ok(k, 1):
                after = self._number_after(self.dot(k + 1), max_len=6)
                if after is None or (lower and kind != "native"):
                    return None
                score = 0.45 if kind == "weak" else 0.6 if lower else 0.75
                return Part(i, after, "street", score, "name + street type + number")
            if tk.is_cap or (tk.kind == WORD and tk.low in self.particles):
                pass
            elif tk.kind == WORD and tk.low not in self.stop_lower and tk.low not in self.stop_cap:
                lower = True
            else:
                return None
            k += 1
        return None

    def _compound(self, i: int) -> Part | None:
        """ "Hauptstraße 5", "Koskikatu 25", "Kerkstraat 12", "Nørrebrogade 3"."""
        t = self.tok(i)
        if t is None:
            return None
        if t.kind != WORD:
            return None
        if not self.compound_word(t.low):
            return None
        low = t.low
        after = self._number_after(self.dot(i + 1), max_len=6)
        if after is None:
            end = self.dot(i + 1) if low.endswith("str") else i + 1
            return Part(i, end, "street", 0.4, "compound street name") if t.is_cap else None
        return Part(i, after, "street", 0.75 if t.is_cap else 0.6, "compound street + number")

    def compound_word(self, low: str) -> bool:
        """``low`` ends with a glued street word after three letters or more.

        Memoised per word across messages: most words never end so, and the test
        tries every ending length.
        """
        known = _COMPOUND_MEMO.get(low)
        if known is None:
            known = any(
                len(low) - n >= 3 and low[-n:] in self._compounds for n in self._compound_lengths
            )
            if len(_COMPOUND_MEMO) >= _COMPOUND_MEMO_SIZE:
                _COMPOUND_MEMO.clear()  # a crude bound; frequent words come back at once
            _COMPOUND_MEMO[low] = known
        return known

    def bare_street(self, i: int) -> Part | None:
        """A street name without a number: "Main Street", "Elm Ave" (score 0)."""
        t = self.tok(i)
        if t is None or not (t.is_cap or t.is_ordinal) or t.low in self.stop_cap:
            return None
        if t.low in self.lex.units:
            return None
        k = i + 1
        while k < self.n and k < i + 5:
            tk = self.toks[k]
            if tk.kind == WORD and tk.low in self.lex.suffixes and self._abbr_ok(k, 1):
                end = self._direction(self.abbr_dot(k + 1))
                return Part(i, end, "street", 0.0, "street name")
            if not (tk.is_cap or tk.is_ordinal) or tk.low in self.stop_cap:
                return None
            k += 1
        return None

    def crossing(self, i: int) -> Part | None:
        """ "and Elm Avenue" / "& 5th Ave" after a street: an intersection."""
        t = self.tok(i)
        if t is None or t.low not in ("and", "&", "y", "et", "und"):
            return None
        other = self.bare_street(i + 1) or self.street(i + 1)
        if other is None:
            return None
        return Part(i, other.last, "crossing", 0.0, "intersection")

    def generic_street(self, i: int) -> Part | None:
        """A street without a known street word: "Allika 46", "28030 Edeby 55".

        Scored 0: the caller only keeps it when unit, region, postcode or country
        lines follow, which plain "Flight BA 123" never has.
        """
        t = self.tok(i)
        if t is None:
            return None
        if t.is_house_number and (self.decimal(i) or self.after_decimal(i)):
            return None
        k = i + 1 if t.is_house_number else i
        city = self.city(k)
        if city is None or city.last - k > 4:
            return None
        num = self.tok(city.last)
        if num is not None and num.is_house_number and len(num.text) <= 5:
            if self.decimal(city.last):
                return None
            return Part(i, self._ordinal_dot(city.last + 1), "street", 0.0, "generic street")
        if k > i:
            return Part(i, city.last, "street", 0.0, "generic street")
        return None
