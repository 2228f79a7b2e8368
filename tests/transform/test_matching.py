"""Matcher: finding renderings of issued pseudonyms, and streaming's hold-back."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veil.transform.matching import Matcher, _Part, _part, matcher_for
from veil.transform.patterns import token_grammar


def test_matcher_reports_which_pseudonym() -> None:
    m = Matcher(["[PERSON_1]", "[PERSON_10]", "Maria Keller"])
    text = "PERSON_10, [person_1]'s and maria\n keller"
    assert [(s, e, i) for s, e, i in m.finditer(text)] == [(0, 9, 1), (11, 21, 0), (28, 41, 2)]
    assert list(Matcher([]).finditer("anything")) == []
    assert len(m) == 3


@pytest.mark.parametrize(
    ("text", "pos", "viable"),
    [
        ("say [", 4, True),
        ("say [PERS", 4, True),
        ("say PERSON_1", 4, True),  # complete, but "0" could follow
        ("say [PERSON_1]", 4, True),
        ("say [PERSON_1] ", 4, False),
        ("say PERSON_2", 4, False),
        ("xPERSON_1", 1, False),  # glued to a word: cannot start here
        ("say Maria\n", 4, True),
        ("say Maria     ", 4, False),  # five spaces: too many for a re-wrap
        ("say Mario", 4, False),
    ],
)
def test_viable_prefixes(text: str, pos: int, viable: bool) -> None:
    m = Matcher(["[PERSON_1]", "[PERSON_10]", "Maria Keller"])
    assert m.viable(text, pos) is viable


def test_safe_cut() -> None:
    m = Matcher(["[PERSON_1]", "Maria Keller"])
    assert m.safe_cut("hello [PER", 0) == 6
    assert m.safe_cut("hello world", 0) == 11
    assert m.safe_cut("hello Maria", 8) == 11


def test_hostile_inputs_are_linear() -> None:
    m = Matcher(["[PERSON_1]", "Maria Keller", "+1 (555) 010-2345"])
    for text in ("[" * 100_000, "Maria " * 20_000, "1 " * 50_000, "PERSON_" * 15_000):
        list(m.finditer(text))
        m.safe_cut(text, 0)
    (grammar,) = token_grammar(["[{entity}_{n}]"], ["PERSON", "CREDIT_CARD"])
    assert grammar.search("CREDIT_" * 15_000) is None


# Many pseudonyms, compiled in several parts: tags whose cores prefix each other
# (PERSON_1 / PERSON_10), surrogate names that overlap ("Ann" / "Ann Lee"), hashes.
_MANY = (
    [f"[PERSON_{i}]" for i in range(1, 25)]
    + ["Ann", "Ann Lee", "Lee", "Maria Keller", "Keller"]
    + [f"<EMAIL:{i:08x}>" for i in range(12)]
)


def _reference(part: _Part, text: str) -> list[tuple[int, int, int]]:
    """One alternation of every pseudonym: the semantics the parts must keep."""
    return [(m.start(), m.end(), int(str(m.lastgroup)[1:])) for m in part.full.finditer(text)]


_PIECES = st.sampled_from(
    [*_MANY, "person_1", "[PERSON_10]'s", "Ann  Lee", "ANN", "Annual", " ", ", ", "x", "\n", "]"]
)


@given(st.lists(_PIECES, max_size=30), st.randoms(use_true_random=False))
@settings(max_examples=300, deadline=None)
def test_parts_find_exactly_what_one_alternation_finds(
    pieces: list[str], rnd: random.Random
) -> None:
    names = list(_MANY)
    rnd.shuffle(names)
    text = "".join(pieces)
    matcher = Matcher(names)
    assert len(matcher._parts) > 1
    whole = _Part(tuple(names))
    assert list(matcher.finditer(text)) == _reference(whole, text)
    for pos in range(len(text) + 1):
        assert matcher.viable(text, pos) == (whole.prefix.match(text, pos) is not None)


def test_consecutive_maps_share_their_compiled_parts() -> None:
    names = tuple(f"[EMAIL_{i}]" for i in range(1, 40))
    _part.cache_clear()
    matcher_for(names[:33])
    before = _part.cache_info().misses
    matcher_for(names[:34])  # the next turn adds one pseudonym
    assert _part.cache_info().misses == before + 1  # only the last part is compiled


_LEADS = ("[PERSON_1]", "<<CARD_2>>", "{{{ID_3}}}", "Ann", "Ann Lee", "ID_3", "(Lee)", "José")
_LEAD_PIECES = st.sampled_from(
    [
        *_LEADS,
        "{{",
        "<",
        "[",
        "person_1]",
        "card_2>",
        "ID_30",
        "ann lee",
        " ",
        "x",
        "_",
        "é",
        "JOSÉ",
        "jose",
        "\u212aelvin",
        "Kelvin",
        "\u0130D_3",
    ]
)


@given(st.lists(_LEAD_PIECES, max_size=25), st.integers(0, 40), st.randoms(use_true_random=False))
@settings(max_examples=300, deadline=None)
def test_anchored_search_finds_what_a_scan_finds(
    pieces: list[str], pos: int, rnd: random.Random
) -> None:
    """Leads of several lengths, cores inside cores, one part: the candidate starts
    (first words, shifted back by each lead's length) lose no match a scan finds."""
    names = list(_LEADS)
    rnd.shuffle(names)
    text = "".join(pieces)
    pos = min(pos, len(text))
    matcher = Matcher(names)
    assert len(matcher._parts) == 1
    part = _Part(tuple(names))
    scanned = [
        (m.start(), m.end(), int(str(m.lastgroup)[1:])) for m in part.full.finditer(text, pos)
    ]
    assert list(matcher.finditer(text, pos)) == scanned
    for at in range(len(text) + 1):  # streaming's hold-back: the same dispatch by first char
        assert matcher.viable(text, at) == (part.prefix.match(text, at) is not None)


def test_case_folds_beyond_ascii_still_match() -> None:
    """U+212A KELVIN SIGN matches "k" under the regex's case folding: a text holding
    one takes the regex path, not the ASCII lower() shortcut."""
    matcher = Matcher(["Kelvin", "[ID_3]"])
    assert [m[:2] for m in matcher.finditer("hi \u212aelvin and kelvin")] == [(3, 9), (14, 20)]
