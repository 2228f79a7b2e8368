"""Tests for the street parsers of veil.detect._address_parts."""

from __future__ import annotations

from veil.detect._address_cross import CrossGrammar
from veil.detect._address_data import lexicon
from veil.detect._address_parts import Part
from veil.detect._address_tokens import tokenize

_TEXTS = [
    "123 Main St, 12 rue de la Paix, C/ Mayor 10, Rákóczi út 13, Hauptstraße 5",
    "34 bis rue Pascal; Via Roma, 1; ul. Marszałkowska 84/92; Koskikatu 25 Apt. 864",
    "350 W 42nd St; 1600 Pennsylvania Avenue NW; via chinnici 17; hegyalja út 98",
    "Calle Mayor 10, 28013 Madrid; 95 place Barthelemy; 41563 pamela rest; # 12a",
    "Atatürk Cad. No: 5 and Kerkstraat 12; 4.5 stars; 1.6.1; In 2019 Main Street",
]


def _longest(g: CrossGrammar, i: int) -> Part | None:
    """Every street form tried at ``i``, the longest (then best scored, then first) kept."""
    best: Part | None = None
    for p in (g._num_name_suffix(i), g._prefix_street(i), g._name_suffix_num(i), g._compound(i)):
        if p is not None and (best is None or (p.last, p.score) > (best.last, best.score)):
            best = p
    return best


def test_street_tries_only_the_forms_that_can_start_there() -> None:
    lex = lexicon()
    found = 0
    for text in _TEXTS + [t.lower() for t in _TEXTS] + [t.upper() for t in _TEXTS]:
        g = CrossGrammar(text, tokenize(text), lex)
        for i in range(g.n + 1):
            street = g.street(i)
            assert street == _longest(g, i), (text, i)
            found += street is not None
    assert found > 40
