"""Per-entity normalization: which spellings count as the same value.

Identity is computed over the normalized form, so "+1 (555) 010-2345" and
"555-010-2345" (region US) are one phone, "Jane.Doe@Example.com" and
"jane.doe@example.com" one email, "alice  SMITH" and "Alice Smith" one name, and
"4111-1111-1111-1111" and "4111111111111111" one card. A phone extension is part of
the number ("... #4411" and "... ext. 4411" are one value, the line without it
another). Normalization never fails: an unparseable value falls back to a case- and
space-folded form.
"""

from __future__ import annotations

import re

import phonenumbers

from veil.core import Entity, EntityType
from veil.transform.dates import month_first, parse_date

__all__ = ["normalize"]

_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]+")
_COMPACT = frozenset(
    {
        EntityType.CREDIT_CARD,
        EntityType.IBAN,
        EntityType.BANK_ACCOUNT,
        EntityType.NATIONAL_ID,
        EntityType.MEDICAL_ID,
        EntityType.DRIVER_LICENSE,
        EntityType.PASSPORT,
    }
)


def _folded(value: str) -> str:
    return _SPACES.sub(" ", value).strip().casefold()


def _phone(value: str, region: str) -> str:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return "".join(ch for ch in value if ch.isdigit())
    national = f"{'0' * (number.number_of_leading_zeros or 0)}{number.national_number}"
    if number.italian_leading_zero and not number.number_of_leading_zeros:
        national = "0" + national
    # RFC 3966 spelling of the extension, so "#4411", "x4411" and "ext. 4411" agree.
    extension = f";ext={number.extension}" if number.extension else ""
    return f"+{number.country_code}{national}{extension}"


def normalize(entity: Entity, value: str, *, region: str = "US") -> str:
    """The canonical spelling of ``value`` for identity; never raises.

    ``region`` (ISO 3166 alpha-2) reads national phone numbers and decides whether a
    numeric date is month-first ("US") or day-first (elsewhere).
    """
    if entity == EntityType.PHONE:
        return _phone(value, region)
    if entity in _COMPACT:
        compact = _NOT_ALNUM.sub("", value).upper()
        return compact or _folded(value)
    if entity == EntityType.DATE:
        parsed = parse_date(value, month_first=month_first(region))
        return parsed[0].isoformat() if parsed else _folded(value)
    if entity in (EntityType.EMAIL, EntityType.URL, EntityType.USERNAME, EntityType.IP_ADDRESS):
        return value.strip().casefold()
    return _folded(value)
