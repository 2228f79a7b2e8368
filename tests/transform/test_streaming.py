import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veil.core import EntityType
from veil.transform import EMPTY_MAP, StreamingRestorer, TokenEntry, TokenMap, restore

E = EntityType


def entry(pseudonym: str, value: str) -> TokenEntry:
    return TokenEntry(pseudonym, value, E.PERSON, f"id-{pseudonym}", "tag")


MAP = TokenMap(
    [
        entry("[PERSON_1]", "Alice Smith"),
        entry("[PERSON_10]", "Bob Stone"),
        entry("Maria Keller", "Carol Ann"),
        entry("<EMAIL:9f2c61d0a4b7e35c>", "carol@example.com"),
        entry("+1 (559) 895-9896", "+1 (555) 010-2345"),
    ]
)

REPLY = (
    "Dear [PERSON_1], [person_1]'s card and PERSON_10 are fine; Maria\nKeller "
    "wrote from <EMAIL:9f2c61d0a4b7e35c> or call +1 (559) 895-9896. [PERSON_2] "
    "is unknown, PERSON_1x too, and [PERS at the end [PERSON_1"
)


def stream(chunks: list[str], token_map: TokenMap = MAP) -> tuple[str, list[str]]:
    restorer = StreamingRestorer(token_map)
    pieces = [restorer.feed(chunk) for chunk in chunks]
    pieces.append(restorer.flush())
    return "".join(pieces), pieces


def test_every_split_point_matches_the_non_streaming_result() -> None:
    expected = restore(REPLY, MAP)
    assert "Alice Smith" in expected
    assert "Carol Ann" in expected
    for cut in range(len(REPLY) + 1):
        assert stream([REPLY[:cut], REPLY[cut:]])[0] == expected, cut


def test_one_character_at_a_time_never_shows_a_fragment() -> None:
    expected = restore(REPLY, MAP)
    restorer = StreamingRestorer(MAP)
    shown = ""
    for ch in REPLY:
        shown += restorer.feed(ch)
        # Whatever is shown is final: a prefix of the restored reply, never a raw piece.
        assert expected.startswith(shown)
        assert restorer.held <= restorer.max_hold
    assert shown + restorer.flush() == expected


def test_emits_as_soon_as_safe() -> None:
    restorer = StreamingRestorer(MAP)
    assert restorer.feed("Hello there ") == "Hello there "
    assert restorer.feed("[PERS") == ""
    assert restorer.feed("ON_1") == ""  # could still become [PERSON_10]
    assert restorer.feed("] ok") == "Alice Smith ok"
    assert restorer.feed("Maria") == "Maria"  # glued to "ok": cannot start a pseudonym
    assert restorer.feed(" Maria") == " "
    assert restorer.feed(" Kel") == ""
    assert restorer.feed("ly") == "Maria Kelly"
    assert restorer.flush() == ""
    assert restorer.flush() == ""
    with pytest.raises(ValueError, match="flush"):
        restorer.feed("more")


def test_empty_map_passes_everything_through() -> None:
    assert stream(["[PERSON_1", "] hi"], EMPTY_MAP)[1] == ["[PERSON_1", "] hi", ""]


@st.composite
def chunkings(draw: st.DrawFn, text: str) -> list[str]:
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=12)))
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


PIECES = ["[PERSON_1]", "person_10", "Maria", "Keller", "\n", " ", "  ", "'s", "x", "0", "[",
          "]", "<EMAIL:9f2c61d0a4b7e35c>", "+1 (559) 895-9896", "EMAIL", ":", "_1"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.data(), st.lists(st.sampled_from(PIECES), max_size=25))
def test_random_chunkings_equal_restore(data: st.DataObject, pieces: list[str]) -> None:
    reply = "".join(pieces)
    chunks = data.draw(chunkings(reply))
    assert stream(chunks)[0] == restore(reply, MAP)


def test_hold_back_is_bounded_on_hostile_streams() -> None:
    restorer = StreamingRestorer(MAP)
    for _ in range(20_000):
        restorer.feed("Maria ")
        assert restorer.held <= restorer.max_hold
    restorer.flush()
