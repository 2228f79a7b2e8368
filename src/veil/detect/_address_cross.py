"""Streets named by where they meet, and streets with no street word at all.

* a corner or intersection: "the corner of Main St and 5th Ave", "intersection
  of Elm & Oak", "the corner of Dalbraut 99 and Frederikke Coves";
* a crossing written without its first street word: "at Leon and Eyrarodda 66",
  "Maarit and Hersnapvej 75" (a name, "and", then a street);
* a street name between a building number and a house number, the continental
  form with a leading building or postcode number: "5638 Aasa 43", "0605
  πεντέλης 210 apt. 999".

The other new pieces (cued codes, qualifiers, military mail, town + postcode) are
in :mod:`veil.detect._address_extra`; :meth:`CrossGrammar.anchors` offers both.

Every parser looks at a bounded number of tokens from its start index, so the
detector stays linear.
"""

from __future__ import annotations

from veil.detect import lexicon
from veil.detect._address_extra import MILITARY, TOWN_LEADS, ExtraGrammar
from veil.detect._address_parts import Part
from veil.detect._address_tokens import ALNUM, NL, NUM, WORD

__all__ = ["CORNER_HEADS", "EXTRA_STARTS", "LEADS", "CrossGrammar"]

# "the corner of", "intersection of", "junction of"
_CORNER_HEADS = frozenset(["corner", "intersection", "junction", "crossroads", "crossing"])
_JOINS = frozenset(["and", "&", "with", "at"])
# Before a crossing without a street word: where a location is given.
_CROSS_LEADS = frozenset(["at", "to", "on", "is", "of", "near", "from", "in"])
_MAX_NAME_WORDS = 4
_CORNER_STARTS = _CORNER_HEADS | {"the"}
#: "the" starts a corner only before one of these words.
CORNER_HEADS = _CORNER_HEADS
_CROSS_MARKS = frozenset([":", ">", "/", "-", "\n"])
_STARTS = _CORNER_STARTS | MILITARY
#: Tokens that may start a parser of this module, and words before a capitalised
#: token that may: callers skip :meth:`CrossGrammar.anchors` elsewhere.
EXTRA_STARTS = _STARTS
LEADS = TOWN_LEADS | _CROSS_LEADS | _CROSS_MARKS
# A capitalised name word at least this frequent is an ordinary English word
# ("Pixel 7", "Galaxy 5"); a street name between two numbers is not one.
_ORDINARY_ZIPF = 3.0


class CrossGrammar(ExtraGrammar):
    """Corner, crossing and number-framed street parsers, plus every parser of
    :class:`ExtraGrammar`: the grammar the address detector runs."""

    def anchors(self, i: int) -> list[Part | None]:
        """The corner, crossing, framed-street, military-mail and town + postcode
        parses that start at token ``i`` (``None`` where one fails).

        Each is guarded by a one-look test of the token (or the one before it), so
        most tokens cost a few set look-ups; callers may skip the call entirely
        unless the token is a number, in :data:`EXTRA_STARTS`, or capitalised after
        a word in :data:`LEADS`.
        """
        t = self.toks[i]
        out: list[Part | None] = []
        if t.kind != NUM and t.low not in _STARTS and not (t.is_cap and i > 0):
            return out
        if t.low in _CORNER_STARTS:
            out.append(self.corner(i))
        if t.kind == NUM:
            out.append(self.framed_street(i))
        elif t.low in MILITARY:
            out.append(self.military(i))
        elif t.is_cap and i > 0:
            before = self.toks[i - 1].low
            if before in TOWN_LEADS:
                out.append(self.town_postcode(i))
            if before in _CROSS_LEADS or before in _CROSS_MARKS:
                out.append(self.crossing_before(i))
        return out

    # -- corners and crossings ---------------------------------------------
    def corner(self, i: int) -> Part | None:
        """ "(the) corner of A and B": both streets and the words naming the corner."""
        k = i
        t = self.tok(k)
        if t is not None and t.low == "the":
            k += 1
        head, of = self.tok(k), self.tok(k + 1)
        if head is None or of is None or head.low not in _CORNER_HEADS or of.low != "of":
            return None
        a = self.street_like(k + 2)
        if a is None:
            return None
        join = self.tok(a)
        if join is not None and join.text == ".":
            a += 1  # "Csabai kapu 39. and ...": an ordinal period
            join = self.tok(a)
        if join is None or join.low not in _JOINS:
            return None
        b = self.street_like(a + 1)
        if b is None:
            return None
        return Part(i, b, "street", 0.8, "street corner")

    def crossing_before(self, i: int) -> Part | None:
        """ "Leon and Eyrarodda 66": one or two capitalised words, "and", a street.

        Only where a location is being given: at the start of a line or after a
        colon, or after a preposition such as "at" / "to". The street after
        "and" must carry a number or a street word.
        """
        t = self.tok(i)
        if t is None or not self._name_word(t.low, t.is_cap) or not t.is_cap:
            return None
        before = self.tok(i - 1)
        if before is None or not (
            before.kind == NL or before.text in ":>/-" or before.low in _CROSS_LEADS
        ):
            return None
        if self._ordinary(t.low):
            return None  # "Windows and Office 365"
        k = i + 1
        nxt = self.tok(k)
        if nxt is not None and nxt.is_cap and self._name_word(nxt.low, True):
            k += 1
        join = self.tok(k)
        if join is None or join.low not in ("and", "&"):
            return None
        street = self.street(k + 1)
        if street is not None and street.score >= 0.45:
            return Part(i, street.last, "street", max(street.score, 0.6), "crossing streets")
        end = self.street_like(k + 1, need_number=True)
        if end is None or any(
            self.toks[m].kind == WORD and self._ordinary(self.toks[m].low)
            for m in range(k + 1, end)
        ):
            return None  # "Mary and 12 people": ordinary words name no street
        return Part(i, end, "street", 0.6, "crossing streets")

    def street_like(self, j: int, *, need_number: bool = False) -> int | None:
        """End of a street-like phrase at ``j``: a known street form, or up to four
        name words with an optional leading and trailing number and a street word.

        Used only where a corner or crossing already says a street is named.
        """
        known = [p for p in (self.street(j), self.pobox(j)) if p is not None]
        if known:
            return max(p.last for p in known)
        k = j
        lead = self.tok(k)
        numbered = False
        if lead is not None and lead.is_house_number and not self.decimal(k):
            k += 1
            numbered = True
        first = self.tok(k)
        if first is None or not (first.kind == WORD or first.is_ordinal):
            return None
        lower = not (first.is_cap or first.is_ordinal)
        words = 0
        suffix = False
        while k < self.n and words < _MAX_NAME_WORDS:
            tk = self.toks[k]
            if not (tk.kind == WORD or tk.is_ordinal) or tk.low in _JOINS:
                break
            is_suffix = tk.low in self.lex.suffixes
            if tk.is_cap or tk.is_ordinal or (tk.low in self.particles and words):
                pass
            elif not self._name_word(tk.low, False):
                break
            elif not (lower or is_suffix or self._number_after(k + 1, max_len=6)):
                break  # a lower-case word in a capitalised name only right before its number
            words += 1
            k = self.abbr_dot(k + 1)
            if is_suffix and words > 1:
                suffix = True
                break
        if words == 0:
            return None
        after = self._number_after(k, max_len=6)
        if after is not None and not self._year(k):
            k = after
            numbered = True
            t = self.tok(k)
            if t is not None and t.kind == WORD and t.low in self.lex.suffixes and t.is_cap:
                k = self.abbr_dot(k + 1)  # "Nieuwe Baan 473 St."
        if need_number and not numbered:
            return None
        if lower and not (numbered or suffix) and words > 1:
            return None  # "minik tomorrow": without a street word a lower-case run ends early
        return k

    # -- streets between numbers --------------------------------------------
    def framed_street(self, i: int) -> Part | None:
        """ "5638 Aasa 43", "0605 πεντέλης 210": a number, a street name, a number.

        The leading number has three to six digits; the name words are not
        ordinary English words; the clause ends or an address piece follows.
        """
        t = self.tok(i)
        if t is None or t.kind != NUM or not 3 <= len(t.text) <= 6 or not t.text.isdigit():
            return None
        if self.decimal(i) or self.after_decimal(i) or self._year(i):
            return None
        k = i + 1
        freq = lexicon.word_frequencies()
        while k < self.n and k < i + 4:
            tk = self.toks[k]
            if tk.kind != WORD or not tk.text.isalpha() or len(tk.text) < 3:
                break
            if not self._name_word(tk.low, tk.is_cap) or freq.get(tk.low, 0.0) >= _ORDINARY_ZIPF:
                return None
            if tk.low in self.lex.units or tk.low in self._box_heads:
                return None
            k += 1
        if k == i + 1:
            return None
        num = self.tok(k)
        if num is None or num.kind not in (NUM, ALNUM) or not num.is_house_number:
            return None
        if len(num.text) > 5 or self.decimal(k) or self._year(k):
            return None
        end = self._ordinal_dot(k + 1)
        nxt = self.tok(end)
        if not (
            nxt is None
            or nxt.kind == NL
            or nxt.text in ",;?!)/"
            or (nxt.text == "." and (self.tok(end + 1) is None or end + 1 >= self.n))
            or nxt.low in self.lex.units
            or nxt.low in self.lex.suffixes
        ):
            return None
        return Part(i, end, "street", 0.6, "number + street name + number")

    # -- helpers ---------------------------------------------------------------
    def _name_word(self, low: str, cap: bool) -> bool:
        if low in self.stop_cap or low in self.lex.units:
            return False
        return cap or low not in self.stop_lower

    def _ordinary(self, low: str) -> bool:
        return lexicon.word_frequencies().get(low, 0.0) >= _ORDINARY_ZIPF
