"""Growing an address anchor over the pieces around it, and address cue words.

:func:`extend` takes the pieces that follow an anchor across commas and single
line breaks (unit, house number, city, region, postcode, country);
:func:`extend_back` takes a leading building number or city. Both look at a
bounded number of tokens per piece, so the scan stays linear.
"""

from __future__ import annotations

from veil.detect._address_extra import ExtraGrammar as Grammar
from veil.detect._address_loose import loose_component
from veil.detect._address_parts import Part
from veil.detect._address_tokens import NL

__all__ = [
    "address_cue",
    "cue_leads",
    "extend",
    "extend_back",
    "postcode_cue",
    "postcode_follows",
    "prev_words",
]

_FILLERS = frozenset([":", "-", "=", "is", "was", "my", "our", "new", "home", "current", "now"])
_SHIPS = frozenset(["USS", "USNS", "USNV", "USCGC"])
_LINE_MARKS = frozenset(">|*•·-–—?")
_MAX_PARTS = 10
# After a place verb: "lives at", "moved to".
_PLACE_PREPOSITIONS = ("at", "to", "on", "in")


def prev_words(g: Grammar, i: int) -> list[str]:
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


def _could_follow_cue(g: Grammar, i: int, firsts: frozenset[str]) -> bool:
    """False when the token before ``i`` shows at once that :func:`prev_words` cannot
    start with a word of ``firsts``: it is no filler, no line break and not in it."""
    if i <= 0:
        return False  # no word before the first token
    before = g.toks[i - 1]
    return before.low in firsts or before.low in _FILLERS or before.kind == NL


def cue_leads(g: Grammar) -> frozenset[str]:
    """The tokens (by ``low``) that may stand right before ``i`` when
    :func:`address_cue` or :func:`postcode_cue` holds at ``i`` in this text: after
    any other token both are False (see :func:`_could_follow_cue`)."""
    leads: frozenset[str] = frozenset()
    if g.has_address_cue:
        leads |= g.address_cue_firsts
    if g.has_postcode_cue:
        leads |= g.postcode_cue_firsts
    return leads | _FILLERS | {"\n"} if leads else leads


def address_cue(g: Grammar, i: int) -> bool:
    if not g.has_address_cue or not _could_follow_cue(g, i, g.address_cue_firsts):
        return False
    words = prev_words(g, i)
    if words and words[0] in g.lex.words["address_cues"]:
        return True
    return (
        len(words) >= 2
        and words[0] in _PLACE_PREPOSITIONS
        and (words[1] in g.lex.words["place_verbs"])
    )


def postcode_cue(g: Grammar, i: int) -> bool:
    if not g.has_postcode_cue or not _could_follow_cue(g, i, g.postcode_cue_firsts):
        return False
    words = prev_words(g, i)
    if not words:
        return False
    cues = g.lex.words["postcode_cues"]
    if words[0] in cues:
        return True
    if words[0] != "code" or len(words) < 2:
        return False
    return words[1] in cues or words[1] in ("post", "pin")


def _separators(g: Grammar, i: int) -> tuple[int, int, int] | None:
    """Skip commas, line breaks and e-mail quote marks; ``None`` ends the address.

    A blank line (two breaks) is only crossed towards a postcode or country,
    checked by the caller.
    """
    commas = breaks = 0
    while i < g.n:
        t = g.toks[i]
        if t.text == "," or (t.text in "-–" and _spaced_dash(g, i)):
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


def _spaced_dash(g: Grammar, i: int) -> bool:
    """ " - " between address pieces ("1578 - Bela Vista"), not "12-14"."""
    t = g.toks[i]
    before, after = g.tok(i - 1), g.tok(i + 1)
    return before is not None and after is not None and before.end < t.start and t.end < after.start


def extend(g: Grammar, parts: list[Part]) -> list[Part]:
    while len(parts) < _MAX_PARTS:
        seps = _separators(g, parts[-1].last)
        if seps is None or seps[0] >= g.n:
            break
        nxt = _component(g, seps[0], parts, spaced=seps[1] + seps[2] == 0)
        if nxt is None:
            break
        if seps[2] > 1 and not (
            nxt.kind == "country" or (nxt.kind == "postcode" and nxt.detail != "plain")
        ):
            break  # a blank line only separates a trailing country or postcode
        parts.append(nxt)
    return parts


def _component(g: Grammar, j: int, parts: list[Part], *, spaced: bool) -> Part | None:
    """The next address piece at ``j`` given the pieces so far, or ``None``."""
    found = _strict(g, j, parts, spaced=spaced)
    return found if found is not None else loose_component(g, j, parts, spaced=spaced)


def _strict(g: Grammar, j: int, parts: list[Part], *, spaced: bool) -> Part | None:
    """Capitalized pieces and the postcode shapes as written."""
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
            pc.detail == "plain" and prev.kind in ("street", "number") and g.word_follows(pc.last)
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
        and (region.detail == "known" or prev.kind == "city" or _strong_next(g, region.last))
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
    if _strong_next(g, city.last):
        return city
    ends = _ends_clause(g, city.last)
    return city if ends and not (spaced and prev.kind == "city") else None


def _ends_clause(g: Grammar, j: int) -> bool:
    t = g.tok(j)
    if t is not None and t.text == "(":
        return g.qualifier(j) is not None  # "Frankfurt (Oder)"
    return t is None or t.kind == NL or t.text in ",.;)!?>-–"


def _strong_next(g: Grammar, j: int) -> bool:
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
    return region is not None or g.country(j) is not None or g.short_region(j) is not None


def postcode_follows(g: Grammar, j: int) -> bool:
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


def extend_back(g: Grammar, parts: list[Part]) -> int:
    """Take in a leading building number ("6750 Koskikatu 25") or city ("Sydney NSW")."""
    first = parts[0].first
    head = parts[0]
    if head.detail == "military post office":
        return g.military_head(first)
    prev = g.tok(first - 1)
    if prev is None:
        return first
    if head.kind in ("street", "pobox") and prev.is_house_number and prev.end < g.toks[first].start:
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
