import pytest

from veil.core import CustomEntity, EntityType
from veil.errors import InputError, MalformedInputError
from veil.transform.tokens import EMPTY_MAP, TokenEntry, TokenMap

E = EntityType
A = TokenEntry("[PERSON_1]", "Alice Smith", E.PERSON, "id-a", "tag")
B = TokenEntry("Maria Keller", "Carol Ann", E.PERSON, "id-b", "surrogate")
C = TokenEntry("[TICKET_1]", "AB-1234", CustomEntity("TICKET"), "id-c", "tag")


def test_lookups() -> None:
    m = TokenMap([A, B])
    assert m.get("id-a", "tag") is A
    assert m.get("id-a", "surrogate") is None
    assert m.find("person_1") is A
    assert m.find("MARIA\nKELLER") is B
    assert m.taken("(PERSON_1)")
    assert not m.taken("[PERSON_2]")
    assert m.next_ordinal(E.PERSON, "tag") == 2
    assert m.next_ordinal(E.EMAIL, "tag") == 1
    assert list(m) == [A, B]
    assert len(m) == 2
    assert len(EMPTY_MAP) == 0


def test_invariants() -> None:
    with pytest.raises(InputError):
        TokenMap([A, TokenEntry("[PERSON_2]", "x", E.PERSON, "id-a", "tag")])
    with pytest.raises(InputError):
        TokenMap([A, TokenEntry("(person_1)", "x", E.PERSON, "id-z", "tag")])
    with pytest.raises(InputError):
        TokenMap([TokenEntry("[]", "x", E.PERSON, "id-z", "tag")])


def test_merged_is_a_new_value() -> None:
    m = TokenMap([A])
    both = m.merged([A, B])
    assert list(both) == [A, B]
    assert list(m) == [A]
    assert m.merged([A]) is m
    assert both == TokenMap([A, B])
    assert hash(both) == hash(TokenMap([A, B]))


def test_persistence_round_trip() -> None:
    m = TokenMap([A, B, C])
    assert TokenMap.loads(m.dumps()) == m
    for bad in ("", "{}", '{"v": 9, "entries": []}', '{"v": 1, "entries": [{"p": 1}]}'):
        with pytest.raises(MalformedInputError):
            TokenMap.loads(bad)


def test_values_stay_out_of_reprs() -> None:
    m = TokenMap([A, B])
    assert "Alice" not in repr(m)
    assert "Alice" not in repr(A)
    assert "Carol" not in repr(list(m))
