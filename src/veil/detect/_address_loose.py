"""Address pieces as people type them in chat: lower case and continental order.

The strict rules in :mod:`veil.detect._address_extend` want capitalized towns and
postcodes written as the post office prints them. Once an address has been
anchored, these looser rules also take "edinburgh, eh8 7fx", "ny 11245",
"01550 dresden", "firenze (fi)" and floors such as "8º D" or "2e étage". Every
lower-case town must sit next to a postcode, so prose after an address is
never taken in.
"""

from __future__ import annotations

from veil.detect._address_extra import ExtraGrammar as Grammar
from veil.detect._address_parts import Part
from veil.detect._address_tokens import NL

__all__ = ["clause_ends", "loose_component"]

_AFTER_STREET = frozenset(["street", "number", "unit"])


def clause_ends(g: Grammar, j: int) -> bool:
    """Token ``j`` ends an address line or clause (or there is none)."""
    t = g.tok(j)
    return t is None or t.kind == NL or t.text in ",.;()!?>-–"


def loose_component(g: Grammar, j: int, parts: list[Part], *, spaced: bool) -> Part | None:
    """A lower-case or continental piece at ``j`` after ``parts``, or ``None``."""
    kinds = {p.kind for p in parts}
    prev = parts[-1]
    closed = bool(kinds & {"postcode", "country"})
    if prev.kind == "city" and spaced and "region" not in kinds:
        province = g.province(j)
        if province is not None:
            return province
    if prev.kind in ("city", "country") and spaced and prev.detail != "qualifier in brackets":
        qualifier = g.qualifier(j)
        if qualifier is not None:
            return qualifier
    if prev.kind == "city" and "region" not in kinds and "postcode" not in kinds:
        region = g.short_region(j)
        if region is not None:
            return region
    if not closed:
        piece = _unit_piece(g, j, parts, prev)
        if piece is not None:
            return piece
    if "postcode" not in kinds:
        pc = g.postcode(j, folded=True)
        if pc is not None and _postcode_ok(g, pc, parts):
            return pc
    if "region" not in kinds and prev.kind == "city":
        region = g.folded_region(j)
        if region is not None:
            return region
    if sum(p.kind == "city" for p in parts) >= 2:
        return None
    if closed:
        if not (spaced and prev.kind == "postcode" and kinds & _AFTER_STREET):
            return None
        if prev.detail == "strong" or "region" in kinds:
            return None  # "M5H 2M9 last month", "tx 78701 now": nothing after these
        # "01550 dresden": the town follows the postcode and ends the line.
        return _town_ending(g, j)
    if prev.kind in _AFTER_STREET or prev.kind == "region":
        town = g.town(j)
        for last in range(town.last, town.first, -1) if town is not None else ():
            # "cardiff cf24 4rx", "san diego, ca 92164", "mohács, hungary"
            if _postcode_next(g, last) or _country_next(g, last):
                return Part(j, last, "city", 0.0, "place name")
    return None


def _unit_piece(g: Grammar, j: int, parts: list[Part], prev: Part) -> Part | None:
    """A floor ("8º D") or a lower-case unit ("flat 3") after the street."""
    if prev.kind not in _AFTER_STREET:
        return None
    if sum(p.kind == "unit" for p in parts) >= 2:
        return None
    floor = g.floor_unit(j)
    if floor is not None:
        return floor
    unit = g.unit(j)
    if unit is not None and clause_ends(g, unit.last):
        return unit
    return None


def _postcode_ok(g: Grammar, pc: Part, parts: list[Part]) -> bool:
    """A folded postcode closes its line, or a town follows it on the same line."""
    if pc.detail != "plain":
        return clause_ends(g, pc.last) or g.town(pc.last) is not None
    # A bare number needs a known street before it and a town that ends the
    # clause after it: "67004 strasbourg\n", not "2016 spaCy GmbH".
    text = g.toks[pc.first].text
    year = len(text) == 4 and text[:2] in ("19", "20")
    return (
        not year
        and parts[0].score > 0
        and parts[-1].kind in _AFTER_STREET
        and _town_ending(g, pc.last) is not None
    )


def _town_ending(g: Grammar, j: int) -> Part | None:
    """The town at ``j`` (one or two words) if the clause ends right after it."""
    town = g.town(j)
    if town is None:
        return None
    if clause_ends(g, town.last):
        return town
    one = Part(town.first, town.first + 1, town.kind, town.score, town.detail)
    return one if town.last > town.first + 1 and clause_ends(g, one.last) else None


def _postcode_next(g: Grammar, j: int) -> bool:
    """A postcode (any case) or a region + ZIP follows, after a comma or one line break."""
    t = g.tok(j)
    if t is not None and (t.text == "," or t.kind == NL):
        j += 1
    pc = g.postcode(j, folded=True)
    if pc is not None and pc.detail != "plain":
        return True
    if g.folded_region(j) is not None:
        return True
    region = g.region(j)
    if region is not None and region.detail == "known":
        shape = g.postcode_shape(j + 1)
        return shape is not None and clause_ends(g, shape[0].last)
    return False


def _country_next(g: Grammar, j: int) -> bool:
    """A country name follows after a comma on the same line: "mohács, hungary"."""
    t = g.tok(j)
    if t is None or t.text != ",":
        return False
    return g.country(j + 1) is not None
