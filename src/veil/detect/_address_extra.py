"""Address pieces around a street: codes, qualifiers, military mail, a town + postcode.

* a postcode after an explicit cue whatever its shape ("my zip code is 880");
* a bracketed qualifier after a town or country ("Frankfurt (Oder)");
* an unlisted region code between a town and its postcode ("Sfax, 13\n 44939");
* US military mail in any case ("fpo ap 96601") and the unit, box or ship line
  above it;
* a town and its postcode after "in" ("in Bjert 6091.").

Every parser looks at a bounded number of tokens from its start index.
"""

from __future__ import annotations

from veil.detect._address_parts import Grammar, Part
from veil.detect._address_tokens import ALNUM, NL, NUM, WORD

__all__ = ["MILITARY", "TOWN_LEADS", "ExtraGrammar"]

MILITARY = frozenset(["apo", "fpo", "dpo"])
_MILITARY_CODES = frozenset(["aa", "ae", "ap"])
_SHIPS = frozenset(["uss", "usns", "usnv", "uscgc"])
#: Words before a town that is followed by its postcode.
TOWN_LEADS = frozenset(["in", "at", "near"])


class ExtraGrammar(Grammar):
    """Code, qualifier, military-mail and town + postcode parsers on :class:`Grammar`."""

    def town_postcode(self, i: int) -> Part | None:
        """ "in Bjert 6091.", "at Arendal 4844,": a town and its postcode after "in".

        The number is not a year and the clause ends right after it, so "in
        Berlin 500 people" is not taken.
        """
        before = self.tok(i - 1)
        if before is None or before.low not in TOWN_LEADS:
            return None
        city = self.city(i)
        if city is None or city.last == i or self.pobox(i) is not None:
            return None
        found = self.postcode_shape(city.last)
        if found is None or self._year(city.last):
            return None
        pc = found[0]
        nxt = self.tok(pc.last)
        if not (nxt is None or nxt.kind in (NL, "punct")):
            return None
        return Part(i, pc.last, "postcode", 0.6, "town + postcode")

    def cued_code(self, i: int) -> Part | None:
        """Any short code right after "zip code" / "postcode": "880", "A-1010"."""
        t = self.tok(i)
        if t is None or t.kind not in (NUM, ALNUM) or not 3 <= len(t.text) <= 10:
            return None
        nxt = self.tok(i + 1)
        if nxt is not None and nxt.start == t.end and nxt.text not in ",.;:!?)":
            return None
        return Part(i, i + 1, "postcode", 0.7, "code after postcode cue")

    def qualifier(self, i: int) -> Part | None:
        """ "(Oder)", "(Greek)": one to three capitalised words in brackets."""
        o = self.tok(i)
        if o is None or o.text != "(":
            return None
        k = i + 1
        while k < self.n and k < i + 4 and self.toks[k].kind == WORD and self.toks[k].is_cap:
            k += 1
        close = self.tok(k)
        if k == i + 1 or close is None or close.text != ")":
            return None
        return Part(i, k + 1, "region", 0.0, "qualifier in brackets")

    def short_region(self, i: int) -> Part | None:
        """An unlisted region code right before a postcode, asked for only after a
        town: two or three letters of any case ("KNIVSTA, xx 18237") or a one- or
        two-digit district number ("Sfax, 13\n 44939")."""
        t = self.tok(i)
        if t is None:
            return None
        if t.kind == NUM:
            if len(t.text) > 2:
                return None
        elif t.kind != WORD or not 2 <= len(t.text) <= 3 or not t.text.isalpha():
            return None
        if t.low in self.stop_lower or t.low in self.stop_cap:
            return None
        k = i + 1
        nxt = self.tok(k)
        if nxt is not None and nxt.kind == NL:
            k += 1
        pc = self.postcode(k, folded=True)
        if pc is None:
            return None
        return Part(i, i + 1, "region", 0.0, "region code")

    def military(self, i: int) -> Part | None:
        """US military mail in any case: "APO AE 09012", "fpo ap 96601"."""
        t, code = self.tok(i), self.tok(i + 1)
        if t is None or code is None or t.low not in MILITARY or code.low not in _MILITARY_CODES:
            return None
        if not (t.text.isupper() or t.text.islower()):
            return None
        shape = self.postcode_shape(i + 2)
        if shape is None or shape[1] not in ("digits5", "US-zip4"):
            return None
        return Part(i, shape[0].last, "postcode", 0.7, "military post office")

    def military_head(self, i: int) -> int:
        """Start of the unit, post box or ship line right before military mail at
        ``i`` ("Unit 1009 Box 0219", "PSC 5420, Box 2708", "USCGC Aslakhanov"),
        or ``i`` when the line before is something else."""
        nl = self.tok(i - 1)
        if nl is None or nl.kind != NL:
            return i
        for k in range(max(0, i - 8), i - 1):
            if self.toks[k].low in _SHIPS:
                names = self.toks[k + 1 : i - 1]
                if names and all(t.kind == WORD for t in names):
                    return k
            elif self._boxes_until(k, i - 1):
                return k
        return i

    def _boxes_until(self, k: int, stop: int) -> bool:
        """Unit and post-box pieces (and commas) fill tokens ``[k, stop)`` exactly."""
        pieces = 0
        while k < stop and pieces < 3:
            if self.toks[k].text == ",":
                k += 1
                continue
            piece = self.pobox(k) or self.unit(k)
            if piece is None:
                return False
            k = piece.last
            pieces += 1
        return pieces > 0 and k == stop

    # -- helpers ---------------------------------------------------------------
    def _year(self, k: int) -> bool:
        t = self.tok(k)
        return t is not None and len(t.text) == 4 and t.text[:2] in ("19", "20")
