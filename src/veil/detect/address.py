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
from veil.detect._address_cross import CORNER_HEADS, EXTRA_STARTS, LEADS, CrossGrammar
from veil.detect._address_data import AddressLexicon, lexicon
from veil.detect._address_extend import (
    address_cue,
    cue_leads,
    extend,
    extend_back,
    postcode_cue,
    postcode_follows,
)
from veil.detect._address_parts import LOWER, NUMBER_TAILS, Part
from veil.detect._address_tokens import NL, NUM, PUNCT, WORD, tokenize

__all__ = ["AddressDetector"]

# Postcode shapes that follow a US state, Canadian province or Australian state.
_REGION_POSTCODES = frozenset(["digits5", "US-zip4", "CA", "CA-compact", "digits4"])
_MIN_SCORE = 0.4
_INERT = frozenset([NL, PUNCT])
# Words before a street named without a number ("on Elm Street", "along Park Avenue").
_STREET_PREPOSITIONS = frozenset(["on", "in", "at", "along", "off", "onto", "down", "near"])
# A street word after the name is looked for this many tokens ahead (see
# Grammar._name_suffix_num and Grammar.bare_street).
_SUFFIX_REACH = 4
# A street word after a house number is looked for this many tokens ahead (an
# optional direction and its period, then seven name tokens: see
# Grammar._num_name_suffix).
_NUMBER_SUFFIX_REACH = 9
# A generic street opened by a name has its house number this many tokens ahead at
# most (see Grammar.generic_street: a city of at most four tokens, then the number).
_GENERIC_REACH = 4
# Per lexicon: the lower-case words that may open an anchor by themselves (see
# _starts), and a memo of which words neither are one nor end with a glued street word.
_OPENERS: dict[int, tuple[AddressLexicon, frozenset[str], dict[str, bool]]] = {}
_QUIET_MEMO_SIZE = 20_000


def _openers(lex: AddressLexicon) -> frozenset[str]:
    return _opener_entry(lex)[1]


def _opener_entry(lex: AddressLexicon) -> tuple[AddressLexicon, frozenset[str], dict[str, bool]]:
    found = _OPENERS.get(id(lex))
    if found is not None and found[0] is lex:
        return found
    # "the" opens only "the corner of ...": _starts looks at the word after it.
    extra = EXTRA_STARTS - {"the"}
    words = frozenset(
        [*lex.prefixes, "c", *lex.units, *(k[0] for k in lex.po_boxes), *extra, "gir"]
    )
    entry = _OPENERS[id(lex)] = (lex, words, {})
    return entry


class AddressDetector:
    """Finds postal addresses; each finding spans the whole contiguous address."""

    def __init__(self, *, min_score: float = _MIN_SCORE) -> None:
        self._min_score = min_score

    @property
    def name(self) -> str:
        return "address"

    def find(self, text: str) -> Iterator[Finding]:
        toks = tokenize(text)
        g = CrossGrammar(text, toks, lexicon())
        done = 0  # tokens before this one are inside an address already reported
        for i, anchor, generic in _starts(g):
            if i < done:
                continue
            parts = self._anchor(g, i) if anchor else None
            if parts is not None:
                parts = extend(g, parts)
                if parts[0].kind == "city" and len(parts) > 1 and parts[1].kind == "street":
                    parts = parts[1:]  # "address: Jane Doe\n12 Main St": the name is not it
                if LOWER in parts[0].detail and all(p.kind != "postcode" for p in parts):
                    parts = None  # "3 jay isle" alone is too plain to be an address
            if parts is None:
                parts = self._generic(g, i) if generic else None
                if parts is None:
                    continue
            first = extend_back(g, parts)
            cue = parts[0].detail.endswith("cue") or address_cue(g, parts[0].first)
            score, reason = self._score(parts, cue=cue)
            if score >= self._min_score:
                last = parts[-1].last
                span = Span(toks[first].start, toks[last - 1].end)
                yield Finding(EntityType.ADDRESS, span, score, self.name, reason)
                done = last
            # Otherwise the next start is tried: "770 26 rue ...": a weak piece must
            # not hide the street after it.

    # -- anchors -------------------------------------------------------------
    def _anchor(self, g: CrossGrammar, i: int) -> list[Part] | None:
        """The strongest address piece starting at token ``i``, as a seed list."""
        t = g.toks[i]
        if t.kind == NL:
            return None
        cands = [g.street(i), g.pobox(i), g.unit(i)]
        if (
            t.kind == NUM
            or t.low in EXTRA_STARTS
            or (t.is_cap and i > 0 and g.toks[i - 1].low in LEADS)
        ):
            cands += g.anchors(i)  # guarded here: most tokens start none of these
        pc = g.postcode(i)
        cued = postcode_cue(g, i)
        if pc is not None:
            if cued:
                pc = Part(pc.first, pc.last, "postcode", 0.8, "postcode + cue")
            cands.append(pc)
        elif cued:
            cands.append(g.cued_code(i))
        region = g.region(i)
        if region is not None and region.detail == "known":
            nxt = g.postcode_shape(region.last)
            if nxt is not None and nxt[1] in _REGION_POSTCODES:
                cands.append(Part(i, nxt[0].last, "postcode", 0.6, "region + postcode"))
        if address_cue(g, i):
            cands.extend(self._cued(g, i))
        bare = g.bare_street(i)
        if bare is not None:
            crossing = g.crossing(bare.last)
            if crossing is not None:
                cands.append(Part(i, crossing.last, "street", 0.6, "intersection of streets"))
            elif (named := _named_street_after_preposition(g, i, bare)) is not None:
                cands.append(Part(i, named, "street", 0.55, "street name after preposition"))
        for p in list(cands):
            if p is not None and p.kind in ("unit", "pobox") and p.score < 0.85:
                # "Unit 5/22 George St", "Apt 4, 12 Main St": the unit leads a street.
                comma = g.tok(p.last)
                after = p.last + 1 if comma is not None and comma.text == "," else p.last
                for k in (p.last - 1, after):
                    st = g.street(k)
                    if st is not None and st.score >= 0.3:
                        score = max(st.score, p.score)
                        cands.append(Part(i, st.last, "street", score, "unit + " + st.detail))
        usable = [p for p in cands if p is not None and (p.score > 0 or p.kind == "pobox")]
        if not usable:
            return None
        best = max(usable, key=lambda p: (p.score > 0, p.last, p.score))
        if best.score == 0:
            # A weak post box ("PSC 3294", "RR 2") only counts with more pieces after it.
            best = Part(best.first, best.last, best.kind, 0.3, best.detail)
        return [best]

    def _generic(self, g: CrossGrammar, i: int) -> list[Part] | None:
        """A street-word-less "Name 12" line, kept only with address lines after it."""
        t = g.toks[i]
        if not (t.is_cap or t.is_house_number):
            return None  # a generic street opens with a number or a capitalised name
        head = g.generic_street(i)
        if head is None:
            return None
        parts = extend(g, [head])
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

    def _cued(self, g: CrossGrammar, i: int) -> list[Part | None]:
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
                elif postcode_follows(g, city.last):
                    out.append(Part(i, city.last, "city", 0.45, "place after address cue"))
        return out

    # -- scoring ---------------------------------------------------------------
    def _score(self, parts: list[Part], *, cue: bool) -> tuple[float, str]:
        head = parts[0]
        extra = {p.kind for p in parts[1:]} - {head.kind}
        score = head.score + 0.1 * min(len(extra), 3)
        kinds = extra | {head.kind}
        # A plain lower-case street is only reported with its postcode, which confirms it.
        confirmed = max(p.score for p in parts) >= 0.6 or LOWER in head.detail
        if "street" in kinds and extra and confirmed:
            score = max(score, 0.85 + 0.03 * (len(kinds) - 2))
        if {"street", "city", "region", "postcode"} <= kinds:
            score = max(score, 0.95)  # every piece of a full address line
        if "postcode" in kinds and kinds & {"region", "city"}:
            score = max(score, 0.8)
        if cue:
            score += 0.05
        score = min(score, 0.95)
        pieces = ", ".join(sorted(extra))
        reason = head.detail + (f" + {pieces}" if pieces else "")
        return round(score, 3), reason


def _named_street_after_preposition(g: CrossGrammar, i: int, bare: Part) -> int | None:
    """The end of a street named in full right after a place preposition ("lives on
    Elm Street", "shows on Marina Fort Street were"), or ``None``.

    The street word must be strong and unabbreviated ("Dr" is also a doctor), and the
    street must not start a longer name ("the Wall Street Journal", "Baker Street
    Station"). A weak street word may be part of the name ("Marina Fort Street")."""
    if i == 0 or g.toks[i - 1].low not in _STREET_PREPOSITIONS:
        return None
    end = bare.last
    nxt = g.tok(end)
    if nxt is not None and nxt.kind == WORD and g.lex.suffixes.get(nxt.low) == "strong":
        end += 1  # "Marina Fort" + "Street": the weak word was part of the name
    last = g.toks[end - 1]
    if g.lex.suffixes.get(last.low) != "strong" or len(last.low) < 4:
        return None
    nxt = g.tok(end)
    if nxt is not None and nxt.kind == WORD and (nxt.is_cap or nxt.is_upper_code):
        return None
    return end


def _starts(g: CrossGrammar) -> list[tuple[int, bool, bool]]:
    """The tokens where :meth:`AddressDetector.find` must look, in order, as
    ``(index, anchor, generic)``: ``anchor`` when :meth:`AddressDetector._anchor` may
    find something there, ``generic`` when :meth:`AddressDetector._generic` may.
    Everywhere else both find nothing, for these reasons:

    * No anchor or generic street starts at a line break or a punctuation mark other
      than "#" (a unit number).
    * Numbers: see :func:`_idle_number`.
    * A word opens no anchor when it is no opener, has no street-suffix word within
      :data:`_SUFFIX_REACH` tokens after it, is no upper-case code and, if
      capitalised, follows no word of ``LEADS``: the street forms need a house
      number, a prefix street word ("c" for "C/"), a glued street word, or a suffix
      word within reach (so does a bare street); post boxes, units and the
      corner/military parsers need their opening words; a postcode needs a digit or
      "GIR"; "the" opens only a corner, with its corner word after it; the town and
      crossing anchors need a lead word before; a region needs an upper-case code;
      the cue parsers are asked here.
    * A generic street opens with a number or a capitalised name, and a name needs a
      house number within :data:`_GENERIC_REACH` tokens after it.

    One backward pass, so the next street-suffix word and house number after each
    token are known when it is reached.
    """
    toks = g.toks
    n = g.n
    lex = g.lex
    _, openers, quiet_memo = _opener_entry(lex)
    suffixes = lex.suffixes
    cued_after = cue_leads(g)
    far = n + 1 + max(_SUFFIX_REACH, _NUMBER_SUFFIX_REACH, _GENERIC_REACH)
    suffix_at = house_at = far  # the first of either after the token at hand
    out: list[tuple[int, bool, bool]] = []
    for i in range(n - 1, -1, -1):
        t = toks[i]
        kind = t.kind
        if kind == WORD:
            low = t.low
            quiet = quiet_memo.get(low)
            if quiet is None:
                quiet = low not in openers and not g.compound_word(low)
                if len(quiet_memo) >= _QUIET_MEMO_SIZE:
                    quiet_memo.clear()  # a crude bound; frequent words come back at once
                quiet_memo[low] = quiet
            near = house_at <= i + _GENERIC_REACH
            before = toks[i - 1].low if i else ""
            if (
                quiet
                and suffix_at > i + _SUFFIX_REACH
                and not t.is_upper_code
                and not (t.is_cap and before in LEADS)
                and not (before in cued_after and (postcode_cue(g, i) or address_cue(g, i)))
                and not (low == "the" and i + 1 < n and toks[i + 1].low in CORNER_HEADS)
            ):
                if t.is_cap and near:
                    out.append((i, False, True))
            else:
                out.append((i, True, near))
            if low in suffixes:
                suffix_at = i
            continue
        if kind == NUM:
            if not _idle_number(g, i, openers, suffix_at):
                out.append((i, True, t.is_house_number or house_at <= i + _GENERIC_REACH))
        elif kind not in _INERT or t.text == "#":
            out.append((i, True, t.is_house_number or house_at <= i + _GENERIC_REACH))
        if t.is_house_number:
            house_at = i
    out.reverse()
    return out


def _idle_number(g: CrossGrammar, i: int, openers: frozenset[str], suffix_at: int) -> bool:
    """True when neither an anchor nor a generic street can start at number token ``i``,
    given ``suffix_at``, the index of the first street-suffix word after it.

    Why each parser of :meth:`AddressDetector._anchor` and
    :meth:`AddressDetector._generic` then finds nothing: a number is no word, so the
    unit, region, bare-street, name-first and compound-street parsers need none of it;
    the number-first street forms need a word (or "," before a prefix street word,
    or an ordinal) right after it, and then a prefix street word or "bis" there, a
    street-suffix word within :data:`_NUMBER_SUFFIX_REACH` tokens, or a framed street;
    the generic street needs a capitalised word after it; a post box needs its
    opening word; a postcode scores 0 (and is dropped) unless a non-plain shape
    matches or a cue precedes it; the cue parsers are asked here.
    """
    t = g.toks[i]
    nxt = g.tok(i + 1)
    if nxt is not None:
        if nxt.text == "," or nxt.is_cap or nxt.is_ordinal:
            return False
        if nxt.kind == WORD and (
            nxt.low in openers
            or nxt.low in NUMBER_TAILS
            or suffix_at <= i + _NUMBER_SUFFIX_REACH
            or g.framed_street(i) is not None
        ):
            return False
    stop = min(len(g.text), t.start + 12)
    return (
        g.distinct_postcode.match(g.text, t.start, stop) is None
        and g.pobox(i) is None
        and not (g.has_postcode_cue and postcode_cue(g, i))
        and not (g.has_address_cue and address_cue(g, i))
    )
