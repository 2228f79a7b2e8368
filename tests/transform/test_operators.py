import datetime as dt
import re

import pytest

from veil.core import CustomEntity, EntityType
from veil.transform.dates import parse_date
from veil.transform.keys import Derivation
from veil.transform.operators import form_key, is_pseudonymizer, lossy, pseudonym
from veil.transform.settings import (
    DatePrecision,
    GeneralizeAge,
    GeneralizeDate,
    GeneralizePostcode,
    Hash,
    Mask,
    Redact,
    Scope,
    Surrogate,
    Tag,
)

E = EntityType
D = Derivation(b"k" * 32, Scope.CONVERSATION, "conv-1")
OTHER_TENANT = Derivation(b"j" * 32, Scope.CONVERSATION, "conv-1")


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        (Mask(), "4111 1111 1111 1111", "**** **** **** 1111"),
        (Mask(keep_last=2, char="#"), "alice@example.com", "#####@#######.#om"),
        (Mask(keep_last=0, keep_separators=False), "555-0102", "********"),
        (Redact(), "Alice", "[REDACTED]"),
        (Redact("<{entity} removed>"), "Alice", "<PERSON removed>"),
        (GeneralizeDate(), "03/05/1984", "1984"),
        (GeneralizeDate(DatePrecision.MONTH), "5 March 2024", "2024-03"),
        (GeneralizeDate(), "sometime in 1999", "1999"),
        (GeneralizeDate(), "last tuesday", "[PERSON]"),
        (GeneralizeAge(), "37", "30-39"),
        (GeneralizeAge(width=5), "aged 42", "40-44"),
        (GeneralizeAge(), "97 years", "90+"),
        (GeneralizePostcode(), "sw1a 1aa", "SW1"),
        (GeneralizePostcode(keep=4), "SW1A 1AA", "SW1A"),
    ],
)
def test_lossy_operators(operator: Mask | Redact, value: str, expected: str) -> None:
    assert lossy(operator, E.PERSON, value) == expected


def test_tags() -> None:
    assert pseudonym(Tag(), E.EMAIL, "x", derivation=D, identity="i", ordinal=3) == "[EMAIL_3]"
    custom = pseudonym(
        Tag("<{entity}_{n}>"), CustomEntity("TICKET"), "x", derivation=D, identity="i"
    )
    assert custom == "<TICKET_1>"
    short = pseudonym(Tag("[{entity}_{h}]"), E.PERSON, "x", derivation=D, identity="i")
    assert re.fullmatch(r"\[PERSON_[0-9a-f]{4}\]", short)
    redrawn = pseudonym(Tag("[{entity}_{h}]"), E.PERSON, "x", derivation=D, identity="i", attempt=1)
    assert redrawn != short


def test_hash_is_keyed_truncated_and_deterministic() -> None:
    one = pseudonym(Hash(length=12), E.EMAIL, "a@b.c", derivation=D, identity="id-1")
    assert re.fullmatch(r"<EMAIL:[0-9a-f]{12}>", one)
    assert one == pseudonym(Hash(length=12), E.EMAIL, "a@b.c", derivation=D, identity="id-1")
    assert one != pseudonym(Hash(length=12), E.EMAIL, "a@b.c", derivation=D, identity="id-2")
    assert one != pseudonym(
        Hash(length=12), E.EMAIL, "a@b.c", derivation=OTHER_TENANT, identity="id-1"
    )


def test_surrogate_dates_move_by_one_shift_per_scope() -> None:
    def moved(value: str, derivation: Derivation = D) -> str:
        return pseudonym(Surrogate(), E.DATE, value, derivation=derivation, identity=value)

    a, b = parse_date(moved("2024-03-05")), parse_date(moved("2024-03-15"))
    assert a is not None
    assert b is not None
    assert a[0] != dt.date(2024, 3, 5)
    assert b[0] - a[0] == dt.timedelta(days=10)  # one shift for the scope: intervals survive
    assert moved("2024-03-05", OTHER_TENANT) != moved("2024-03-05")


def test_form_keys_and_kinds() -> None:
    assert form_key(Tag()) != form_key(Tag("<{entity}_{n}>"))
    assert form_key(Surrogate("de")) == form_key(Surrogate("en"))
    assert form_key(Hash(length=8)) != form_key(Hash(length=9))
    assert is_pseudonymizer(Hash())
    assert not is_pseudonymizer(Mask())
