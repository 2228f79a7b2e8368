"""Secondary address pieces: units, floors, staircases and post boxes.

Each parser takes a token index and returns a :class:`Part` or ``None`` after
looking at a bounded number of tokens, so the scan stays linear.
"""

from __future__ import annotations

from veil.detect._address_places import Part, PlaceGrammar
from veil.detect._address_tokens import NL, WORD

__all__ = ["UnitGrammar"]

_FLOOR_ORDINALS = frozenset(
    [
        "ground",
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "top",
    ]
)


class UnitGrammar(PlaceGrammar):
    """Unit, floor and post-box parsers on top of the place parsers."""

    # -- units and boxes ---------------------------------------------------
    def unit(self, i: int) -> Part | None:
        """ "Apt. 864", "Suite 200", "Flat 3", "#12"; score 0 when not usable alone."""
        t = self.tok(i)
        if t is None:
            return None
        if t.text == "#":
            nxt = self.tok(i + 1)
            if nxt is not None and nxt.start == t.end and nxt.is_house_number:
                return Part(i, i + 2, "unit", 0.0, "unit number")
            return None
        use = self.lex.units.get(t.low) if t.kind == WORD else None
        if use is None or not self._abbr_ok(i, 1):
            return None
        j = self.dot(i + 1)
        after = self._number_after(j, max_len=6)
        if after is None:
            u = self.tok(j)
            if u is None or not (u.kind == WORD and len(u.text) == 1 and u.text.isupper()):
                return None
            after = j + 1
        alone = use == "alone" and (t.is_cap or t.low in ("apt", "apartment", "suite", "ste"))
        return Part(i, after, "unit", 0.6 if alone else 0.0, "unit designator + number")

    def letter_unit(self, i: int) -> Part | None:
        """Finnish / Nordic staircase and flat after a house number: "5 A 7", "12 B"."""
        t = self.tok(i)
        if t is None or t.kind != WORD or len(t.text) != 1 or not t.text.isupper():
            return None
        nxt = self.tok(i + 1)
        if nxt is not None and nxt.is_house_number and len(nxt.text) <= 4:
            return Part(i, i + 2, "unit", 0.0, "staircase + flat")
        if nxt is None or nxt.kind == NL or nxt.text == ",":
            return Part(i, i + 1, "unit", 0.0, "staircase")
        return None

    def pobox(self, i: int) -> Part | None:
        """ "PO Box 1234", "P.O. Box 12", "Postfach 10 01 23", "RR 2", "PSC 3294"."""
        words: list[str] = []
        best: tuple[int, str] | None = None
        k = i
        first = self.tok(i)
        if first is None or first.low not in self._box_heads:
            return None
        while k < self.n and len(words) < self.lex.po_box_max_words:
            tk = self.toks[k]
            if tk.kind != WORD:
                break
            words.append(tk.low)
            k = self.dot(k + 1)
            strength = self.lex.po_boxes.get(tuple(words))
            if strength is not None:
                best = (k, strength)
        if best is None:
            return None
        after = self._number_after(best[0], max_len=10)
        if after is None:
            return None
        strong = best[1] == "strong"
        return Part(i, after, "pobox", 0.85 if strong else 0.0, "post box + number")

    def floor_unit(self, i: int) -> Part | None:
        """Floor and door after the house number: "8º D", "2e étage", "3rd floor", "1o izq"."""
        t, nxt = self.tok(i), self.tok(i + 1)
        if t is None or nxt is None or nxt.kind != WORD:
            return None
        if t.low in _FLOOR_ORDINALS and nxt.low in ("floor", "fl"):
            return Part(i, self.dot(i + 2), "unit", 0.0, "floor")  # "Fifth Floor"
        if not t.is_ordinal:
            return None
        if nxt.low in self.floor_words:
            return Part(i, self.dot(i + 2), "unit", 0.0, "floor")
        if len(nxt.text) == 1 and nxt.text.isalpha():
            after = self.tok(i + 2)
            if after is None or after.kind in (NL, "punct"):
                return Part(i, i + 2, "unit", 0.0, "floor + door")
        return None
