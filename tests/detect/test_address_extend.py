"""Tests for the address cue tests of veil.detect._address_extend."""

from __future__ import annotations

from veil.detect._address_cross import CrossGrammar
from veil.detect._address_data import lexicon
from veil.detect._address_extend import address_cue, cue_leads, postcode_cue, prev_words
from veil.detect._address_tokens import tokenize

_CUE_TEXTS = [
    "My address is 350 5th Ave, New York, NY 10118. Please update it.",
    "she lives at: 12 Main St and moved to\n5 Elm Ave; ship it to the office",
    "the zip code is 880, postal code: 12345, my post code = 99999, zip 62704",
    "Adresse : Hauptstraße 5, PLZ 10115; residence - now at home in Oslo",
    "wohne in Berlin, sent to my new home: 3 jay isle; based in, located at\n\nx",
    "code 12 is not a cue, nor is pin code 4455 or the zip of my bag, is my zip is 1",
]


def _address_cue_by_words(g: CrossGrammar, i: int) -> bool:
    """The address cue read from the words before ``i`` alone, with no shortcut."""
    if not g.has_address_cue:
        return False
    words = prev_words(g, i)
    if words and words[0] in g.lex.words["address_cues"]:
        return True
    return (
        len(words) >= 2
        and words[0] in ("at", "to", "on", "in")
        and words[1] in g.lex.words["place_verbs"]
    )


def _postcode_cue_by_words(g: CrossGrammar, i: int) -> bool:
    if not g.has_postcode_cue:
        return False
    words = prev_words(g, i)
    cues = g.lex.words["postcode_cues"]
    if not words:
        return False
    if words[0] in cues:
        return True
    return (
        words[0] == "code" and len(words) >= 2 and (words[1] in cues or words[1] in ("post", "pin"))
    )


def test_cue_tests_agree_with_the_words_before() -> None:
    """The one-token shortcut of the cue tests never changes their answer."""
    lex = lexicon()
    cued = {"address": 0, "postcode": 0}
    for text in _CUE_TEXTS + [t.lower() for t in _CUE_TEXTS] + [t.upper() for t in _CUE_TEXTS]:
        toks = tokenize(text)
        g = CrossGrammar(text, toks, lex)
        for i in range(len(toks) + 1):
            expected = _address_cue_by_words(g, i)
            assert address_cue(g, i) == expected, (text, i)
            cued["address"] += expected
            expected = _postcode_cue_by_words(g, i)
            assert postcode_cue(g, i) == expected, (text, i)
            cued["postcode"] += expected
    assert cued["address"] > 10
    assert cued["postcode"] > 10


def test_cues_hold_only_after_their_leads() -> None:
    """Where a cue test holds, the token before is one of the text's cue leads; a text
    with no cue word has none."""
    lex = lexicon()
    held = 0
    for text in _CUE_TEXTS + [t.lower() for t in _CUE_TEXTS]:
        toks = tokenize(text)
        g = CrossGrammar(text, toks, lex)
        leads = cue_leads(g)
        for i in range(len(toks) + 1):
            if address_cue(g, i) or postcode_cue(g, i):
                held += 1
                assert i > 0, text
                assert toks[i - 1].low in leads, (text, i)
    assert held > 20
    text = "see you at 5, on the corner"
    assert cue_leads(CrossGrammar(text, tokenize(text), lex)) == frozenset()
