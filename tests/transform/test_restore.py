import pytest

from veil.core import EntityType, Finding, Span
from veil.transform import (
    EMPTY_MAP,
    PSEUDONYM_TAG,
    Surrogate,
    TokenContext,
    TokenEntry,
    TokenMap,
    TransformSettings,
    find_pseudonyms,
    protect,
    restore,
)

E = EntityType
CTX = TokenContext(b"k" * 32, "conv-1")


def entry(pseudonym: str, value: str, entity: EntityType = E.PERSON) -> TokenEntry:
    return TokenEntry(pseudonym, value, entity, f"id-{pseudonym}", "tag")


MAP = TokenMap(
    [
        entry("[PERSON_1]", "Alice Smith"),
        entry("[PERSON_10]", "Bob Stone"),
        entry("Maria Keller", "Carol Ann", E.PERSON),
        entry("[EMAIL_1]", "alice@example.com", E.EMAIL),
        entry("Emma", "Dora"),
    ]
)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("Hello [PERSON_1]!", "Hello Alice Smith!"),
        ("Hello [person_1]!", "Hello Alice Smith!"),
        ("Hello PERSON_1, how are you", "Hello Alice Smith, how are you"),
        ("[PERSON_1]'s order", "Alice Smith's order"),
        ("PERSON_1's order", "Alice Smith's order"),
        ("(PERSON_1)", "(Alice Smith)"),
        ("[PERSON_1] and [PERSON_10]", "Alice Smith and Bob Stone"),
        ("PERSON_10 then PERSON_1", "Bob Stone then Alice Smith"),
        ("Dear Maria\nKeller,", "Dear Carol Ann,"),
        ("Dear MARIA   KELLER,", "Dear Carol Ann,"),
        ("Dear maria keller's", "Dear Carol Ann's"),
        ("write to [EMAIL_1].", "write to alice@example.com."),
        ("x[PERSON_1]y", "xAlice Smithy"),
    ],
)
def test_restores_what_llms_do_to_tokens(reply: str, expected: str) -> None:
    assert restore(reply, MAP) == expected


@pytest.mark.parametrize(
    "reply",
    [
        "[PERSON_2] and PERSON_100 and [PERSON_1x] and PERSON_1abc",
        "Emmanuel is not Emma's neighbour",
        "Mariakeller and Maria Kellerman",
        "Maria      Keller",  # more whitespace than any LLM re-wrap
        "[PHONE_1] was never issued",
    ],
)
def test_leaves_everything_else_alone(reply: str) -> None:
    restored = restore(reply, MAP)
    if "Emma's" in reply:
        assert restored == "Emmanuel is not Dora's neighbour"
    else:
        assert restored == reply


def test_only_this_conversations_map_resolves() -> None:
    text = "I am Alice Smith"
    found = [Finding(E.PERSON, Span(5, 16), 0.9, "t")]
    mine = protect(text, found, context=CTX)
    other = protect("I am Bob Stone", found[:0], context=TokenContext(b"k" * 32, "conv-2"))
    assert restore(mine.text, other.token_map) == mine.text
    assert restore(mine.text, EMPTY_MAP) == mine.text
    assert restore(mine.text, mine.token_map) == text


def test_another_tenants_surrogate_stays_as_written() -> None:
    text = "I am Alice Smith"
    found = [Finding(E.PERSON, Span(5, 16), 0.9, "t")]
    cfg = TransformSettings.of({E.PERSON: Surrogate()})
    a = protect(text, found, context=TokenContext(b"a" * 32, "c"), settings=cfg)
    b = protect(text, found, context=TokenContext(b"b" * 32, "c"), settings=cfg)
    assert restore(a.text, b.token_map) == a.text


def test_find_pseudonyms_reports_spans_without_values() -> None:
    text = "Hi [PERSON_1], Maria Keller and person_1"
    found = find_pseudonyms(text, MAP)
    assert [(f.start, f.end, f.entity) for f in found] == [(3, 13, E.PERSON), (15, 27, E.PERSON)]
    assert all(PSEUDONYM_TAG in f.tags and "Alice" not in f.reason for f in found)
    assert len(find_pseudonyms(text, MAP, exact=False)) == 3


def test_restore_is_linear_on_hostile_replies() -> None:
    for reply in ("[PERSON_" * 20_000, "Maria " * 20_000, "PERSON_1" * 20_000, " " * 100_000):
        assert restore(reply, MAP) == reply  # no boundaries, no match
