"""Street addresses, post boxes, units and postcodes (``EntityType.ADDRESS``).

The detector finds an *anchor* (a street with its number, a post box, an
apartment or suite, a distinctive or context-marked postcode, or an address
after a cue such as "my address is"), then extends the span over the pieces that
follow it across commas and single line breaks: unit, house number, city,
region code, postcode, country. A capitalized "city" is only taken when the
line or clause ends after it or another address piece follows, so the span
never runs into ordinary prose.

Scores: a numbered street with more pieces 0.85-0.95; a numbered street alone
0.75-0.8; post boxes 0.85; a lone UK/Canadian postcode 0.7; a unit such as
"Suite 200" alone 0.6; partial or ambiguous pieces below 0.5.
"""

from __future__ import annotations

from collections.abc import Iterator

from veil.core import EntityType, Finding, Span
from veil.detect._address_data import lexicon
from veil.detect._address_parts import Grammar, Part
from veil.detect._address_tokens import NL, tokenize

__all__ = ["AddressDetector"]

_FILLERS = frozenset([":", "-", "=", "is", "was", "my", "our", "new", "home", "current", "now"])
# Postcode shapes that follow a US state, Canadian province or Australian state.
_REGION_POSTCODES = frozenset(["digits5", "US-zip4", "CA", "CA-compact", "digits4"])
_SHIPS = frozenset(["USS", "USNS", "USNV", "USCGC"])
_LINE_MARKS = frozenset(">|*•·-–—?")
_MAX_PARTS = 10
_MIN_SCORE = 0.4


class AddressDetector:
    """Finds postal addresses; each finding spans the whole contiguous address."""

    def __init__(self, *, min_score: float = _MIN_SCORE) -> None:
        self._min_score = min_score

    @property
    def name(self) -> str:
        return "address"

    def find(self, text: str) -> Iterator[Finding]:
        toks = tokenize(text)
        g = Grammar(text, toks, lexicon())
        i = 0
        while i < g.n:
            parts = self._anchor(g, i)
            if parts is not None:
                parts = self._extend(g, parts)
                if parts[0].kind == "city" and len(parts) > 1 and parts[1].kind == "street":
                    parts = parts[1:]  # "address: Jane Doe\n12 Main St": the name is not it
            else:
                parts = self._generic(g, i)
                if parts is None:
                    i += 1
                    continue
            first = self._extend_back(g, parts)
            cue = parts[0].detail.endswith("cue") or self._address_cue(g, parts[0].first)
            score, reason = self._score(parts, cue=cue)
            last = parts[-1].last
            if score >= self._min_score:
                span = Span(toks[first].start, toks[last - 1].end)
                yield Finding(EntityType.ADDRESS, span, score, self.name, reason)
            i = max(last, i + 1)

    # -- anchors -------------------------------------------------------------
    def _anchor(self, g: Grammar, i: int) -> list[Part] | None:
        """The strongest address piece starting at token ``i``, as a seed list."""
        t = g.toks[i]
        if t.kind == NL:
            return None
        cands = [g.street(i), g.pobox(i), g.unit(i)]
        pc = g.postcode(i)
        if pc is not None:
            if self._postcode_cue(g, i):
                pc = Part(pc.first, pc.last, "postcode", 0.8, "postcode + cue")
            cands.append(pc)
        region = g.region(i)
        if region is not None and region.detail == "known":
            nxt = g.postcode_shape(region.last)
            if nxt is not None and nxt[1] in _REGION_POSTCODES:
                cands.append(Part(i, nxt[0].last, "postcode", 0.6, "region + postcode"))
        if self._address_cue(g, i):
            cands.extend(self._cued(g, i))
        bare = g.bare_street(i)
        if bare is not None:
            crossing = g.crossing(bare.last)
            if crossing is not None:
                cands.append(Part(i, crossing.last, "street", 0.6, "intersection of streets"))
        for p in list(cands):
            if p is not None and p.kind in ("unit", "pobox") and p.score < 0.85:
                # "Unit 5/22 George St", "Apt 4, 12 Main St": the unit leads a street.
                comma = g.tok(p.last)
                after = p.last + 1 if comma is not None and comma.text == "," else p.last
                for k in (p.last - 1, after):
                    st = g.street(k)
                    if st is not None and st.score >= 0.6:
                        cands.append(Part(i, st.last, "street", st.score, "unit + " + st.detail))
        usable = [p for p in cands if p is not None and (p.score > 0 or p.kind == "pobox")]
        if not usable:
            return None
        best = max(usable, key=lambda p: (p.score > 0, p.last, p.score))
        if best.score == 0:
            # A weak post box ("PSC 3294", "RR 2") only counts with more pieces after it.
            best = Part(best.first, best.last, best.kind, 0.3, best.detail)
        return [best]

    def _generic(self, g: Grammar, i: int) -> list[Part] | None:
        """A street-word-less "Name 12" line, kept only with address lines after it."""
        head = g.generic_street(i)
        if head is None:
            return None
        parts = self._extend(g, [head])
        extra = parts[1:]
        telling = [
            p
            for p in extra
            if p.kind in ("unit", "pobox", "country")
            or (p.kind == "region" and p.detail == "known")
            or (p.kind == "postcode" and p.detail != "plain")
        ]
        # "Am Markt 3, 28195 Bremen": postcode and town on one line after it.
        town = (
            len(extra) >= 2
            and extra[0].kind == "postcode"
            and extra[1].kind == "city"
            and g.toks[extra[1].first].start - g.toks[extra[0].last - 1].end == 1
        )
        if len(extra) < 2 or not (telling or town or len(extra) >= 3):
            return None
        parts[0] = Part(head.first, head.last, "street", 0.55, "name + number with address lines")
        return parts

    def _cued(self, g: Grammar, i: int) -> list[Part | None]:
        """After "my address is" / "lives at": looser street shapes and bare places."""
        out: list[Part | None] = []
        t = g.toks[i]
        k = i
        if t.is_house_number:
            k = i + 1
        city = g.city(k)
        if city is not None:
            if k > i:
                out.append(Part(i, city.last, "street", 0.65, "number + name after address cue"))
            else:
                num = g.tok(city.last)
                if num is not None and num.is_house_number and not g.decimal(city.last):
                    out.append(Part(i, city.last + 1, "street", 0.65, "name + number after cue"))
                elif self._postcode_follows(g, city.last):
                    out.append(Part(i, city.last, "city", 0.45, "place after address cue"))
        return out

    def _prev_words(self, g: Grammar, i: int) -> list[str]:
        """Up to three words before ``i``, skipping fillers like ":" and "is"."""
        words: list[str] = []
        k = i - 1
        skipped = 0
        while k >= 0 and len(words) < 3 and skipped < 4:
            t = g.toks[k]
            if t.low in _FILLERS or t.kind == NL:
                skipped += 1
            elif t.kind == "word":
                words.append(t.low)
            else:
                break
            k -= 1
        return words

    def _address_cue(self, g: Grammar, i: int) -> bool:
        words = self._prev_words(g, i)
        if words and words[0] in g.lex.words["address_cues"]:
            return True
        return (
            len(words) >= 2
            and words[0] in ("at", "to", "on", "in")
            and (words[1] in g.lex.words["place_verbs"])
        )

    def _postcode_cue(self, g: Grammar, i: int) -> bool:
        words = self._prev_words(g, i)
        if not words:
            return False
        cues = g.lex.words["postcode_cues"]
        if words[0] in cues:
            return True
        if words[0] != "code" or len(words) < 2:
            return False
        return words[1] in cues or words[1] in ("post", "pin")

    # -- extension -----------------------------------------------------------
    def _separators(self, g: Grammar, i: int) -> tuple[int, int, int] | None:
        """Skip commas, line breaks and e-mail quote marks; ``None`` ends the address.

        A blank line (two breaks) is only crossed towards a postcode or country,
        checked by the caller.
        """
        commas = breaks = 0
        while i < g.n:
            t = g.toks[i]
            if t.text == "," or (t.text in "-–" and self._spaced_dash(g, i)):
                commas += 1
            elif t.kind == NL:
                breaks += 1
            elif t.text in _LINE_MARKS and i > 0 and g.toks[i - 1].text in _LINE_MARKS | {"\n"}:
                pass  # "> " quoting of a replied-to e-mail, list bullets
            else:
                break
            i += 1
        if commas > 1 or breaks > 2:
            return None
        return i, commas, breaks

    def _spaced_dash(self, g: Grammar, i: int) -> bool:
        """ " - " between address pieces ("1578 - Bela Vista"), not "12-14"."""
        t = g.toks[i]
        before, after = g.tok(i - 1), g.tok(i + 1)
        return (
            before is not None
            and after is not None
            and before.end < t.start
            and t.end < after.start
        )

    def _extend(self, g: Grammar, parts: list[Part]) -> list[Part]:
        while len(parts) < _MAX_PARTS:
            seps = self._separators(g, parts[-1].last)
            if seps is None or seps[0] >= g.n:
                break
            nxt = self._component(g, seps[0], parts, spaced=seps[1] + seps[2] == 0)
            if nxt is None:
                break
            if seps[2] > 1 and not (
                nxt.kind == "country" or (nxt.kind == "postcode" and nxt.detail != "plain")
            ):
                break  # a blank line only separates a trailing country or postcode
            parts.append(nxt)
        return parts

    def _component(self, g: Grammar, j: int, parts: list[Part], *, spaced: bool) -> Part | None:
        """The next address piece at ``j`` given the pieces so far, or ``None``."""
        kinds = {p.kind for p in parts}
        prev = parts[-1]
        # A postcode or country closes the street part: only places may follow.
        closed = bool(kinds & {"postcode", "country"})
        t = g.toks[j]
        if not closed:
            units = sum(p.kind in ("unit", "pobox") for p in parts)
            for p in (g.pobox(j), g.unit(j)):
                if p is None or units >= 2:
                    continue
                if spaced or t.is_cap or t.text == "#" or p.score > 0:
                    return p
            if "street" not in kinds:
                street = g.street(j) or g.bare_street(j)
                if street is not None and (street.score >= 0.45 or street.detail == "street name"):
                    return street
            if spaced and prev.kind in ("street", "number") and "unit" not in kinds:
                letter = g.letter_unit(j)
                if letter is not None:
                    return letter
            end = g.house_number(j)
            if (
                spaced
                and prev.kind == "street"
                and end is not None
                and "number" not in kinds
                and not g.word_follows(end)
            ):
                return Part(j, end, "number", 0.0, "house number")
            if spaced and prev.kind == "street" and "crossing" not in kinds:
                crossing = g.crossing(j)
                if crossing is not None:
                    return crossing
        pc = g.postcode(j)
        if (
            pc is not None
            and "postcode" not in kinds
            and not (
                pc.detail == "plain"
                and prev.kind in ("street", "number")
                and g.word_follows(pc.last)
            )
        ):
            return pc
        country = g.country(j)
        if country is not None and "country" not in kinds:
            return country
        region = g.region(j)
        if (
            region is not None
            and "region" not in kinds
            and (
                region.detail == "known" or prev.kind == "city" or self._strong_next(g, region.last)
            )
        ):
            return region
        city = g.city(j)
        if city is None or sum(p.kind == "city" for p in parts) >= 2:
            return None
        street = g.street(j)
        if street is not None and street.score >= 0.6:
            return None  # the next address starts here
        if closed:
            return city if spaced and prev.kind == "postcode" else None
        if self._strong_next(g, city.last):
            return city
        ends = self._ends_clause(g, city.last)
        return city if ends and not (spaced and prev.kind == "city") else None

    def _ends_clause(self, g: Grammar, j: int) -> bool:
        t = g.tok(j)
        return t is None or t.kind == NL or t.text in ",.;)!?>-–"

    def _strong_next(self, g: Grammar, j: int) -> bool:
        """A postcode, region code or country follows on the same line."""
        t = g.tok(j)
        if t is None or t.kind == NL:
            return False
        if t.text in ",-–":
            j += 1
            if g.tok(j) is None:
                return False
        pc = g.postcode(j)
        if pc is not None and (pc.detail != "plain" or not g.word_follows(pc.last)):
            return True
        region = g.region(j)
        return region is not None or g.country(j) is not None

    def _postcode_follows(self, g: Grammar, j: int) -> bool:
        """A postcode comes next, possibly after a comma and a region code."""
        for _ in range(2):
            t = g.tok(j)
            if t is not None and t.text == ",":
                j += 1
            if g.postcode(j) is not None:
                return True
            region = g.region(j)
            if region is None:
                return False
            j = region.last
        return False

    def _extend_back(self, g: Grammar, parts: list[Part]) -> int:
        """Take in a leading building number ("6750 Koskikatu 25") or city ("Sydney NSW")."""
        first = parts[0].first
        head = parts[0]
        prev = g.tok(first - 1)
        if prev is None:
            return first
        if head.kind == "street" and prev.is_house_number and prev.end < g.toks[first].start:
            return first - 1
        if head.detail != "region + postcode":
            return first
        k = first - 1
        if prev.text == ",":
            k -= 1
        start = k
        while start >= 0 and start > k - 3 and g.toks[start].is_cap:
            start -= 1
        if start < k:
            city = g.city(start + 1)
            if city is not None and city.last == k + 1:
                first = start + 1
        before = g.tok(first - 1)
        if before is not None and before.kind == NL and first >= 2:
            # US military mail: "USNS Bergman\nFPO AP 93757".
            k = first - 2
            while k >= 0 and first - k < 6 and g.toks[k].is_cap:
                k -= 1
            ship = g.tok(k + 1)
            if ship is not None and ship.text in _SHIPS and k + 1 < first - 1:
                return k + 1
        return first

    # -- scoring ---------------------------------------------------------------
    def _score(self, parts: list[Part], *, cue: bool) -> tuple[float, str]:
        head = parts[0]
        extra = {p.kind for p in parts[1:]} - {head.kind}
        score = head.score + 0.1 * min(len(extra), 3)
        kinds = extra | {head.kind}
        if "street" in kinds and extra and max(p.score for p in parts) >= 0.6:
            score = max(score, 0.85 + 0.03 * (len(kinds) - 2))
        if "postcode" in kinds and kinds & {"region", "city"}:
            score = max(score, 0.8)
        if cue:
            score += 0.05
        score = min(score, 0.95)
        pieces = ", ".join(sorted(extra))
        reason = head.detail + (f" + {pieces}" if pieces else "")
        return round(score, 3), reason
