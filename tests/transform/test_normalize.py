import pytest

from veil.core import CustomEntity, EntityType
from veil.transform.normalize import normalize

E = EntityType


@pytest.mark.parametrize(
    ("entity", "a", "b", "region"),
    [
        (E.PHONE, "+1 (555) 010-2345", "555-010-2345", "US"),
        (E.PHONE, "+44 20 7946 0018", "020 7946 0018", "GB"),
        (E.PHONE, "+39 06 1234 5678", "06 1234 5678", "IT"),
        (E.PHONE, "+44 7700 900000 #4411", "07700 900000 ext. 4411", "GB"),
        (E.PHONE, "+1 555 010 2345 x12", "555-010-2345 ext 12", "US"),
        (E.EMAIL, "Jane.Doe@Example.com", " jane.doe@example.com", "US"),
        (E.PERSON, "Alice   SMITH", "alice smith", "US"),
        (E.PERSON, "Alice\nSmith", "alice smith", "US"),
        (E.CREDIT_CARD, "4111 1111 1111 1111", "4111-1111-1111-1111", "US"),
        (E.IBAN, "de89 3704 0044 0532 0130 00", "DE89370400440532013000", "US"),
        (E.DATE, "5 March 2024", "2024-03-05", "GB"),
        (E.DATE, "03/05/2024", "2024-03-05", "US"),
        (E.DATE, "05/03/2024", "2024-03-05", "GB"),
        (CustomEntity("TICKET"), "Ab  12", "ab 12", "US"),
    ],
)
def test_same_value(entity: EntityType, a: str, b: str, region: str) -> None:
    assert normalize(entity, a, region=region) == normalize(entity, b, region=region)


@pytest.mark.parametrize(
    ("entity", "a", "b"),
    [
        (E.PHONE, "+1 555 010 2345", "+44 555 010 2345"),
        (E.PHONE, "+44 7700 900000 #4411", "+44 7700 900000"),
        (E.PHONE, "+44 7700 900000 #4411", "+44 7700 900000 #4412"),
        (E.PERSON, "Alice Smith", "Alice Smyth"),
        (E.CREDIT_CARD, "4111 1111 1111 1111", "4111 1111 1111 1112"),
        (E.DATE, "03/05/2024", "04/05/2024"),
    ],
)
def test_different_values(entity: EntityType, a: str, b: str) -> None:
    assert normalize(entity, a) != normalize(entity, b)


def test_never_raises() -> None:
    for entity in E:
        assert isinstance(normalize(entity, "???"), str)
        assert isinstance(normalize(entity, ""), str)


def test_phone_extension_is_kept_in_the_identity() -> None:
    assert normalize(E.PHONE, "+44 7700 900000 #4411", region="GB") == "+447700900000;ext=4411"
    assert normalize(E.PHONE, "+44 7700 900000", region="GB") == "+447700900000"
