"""Shared value types: what every stage of the flow speaks.

Nothing here touches I/O, keys or configuration. A :class:`Finding` never carries
the personal value itself, only where it is in the text, so a finding can be
logged, audited or shown in the console without leaking what it points at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NewType

from veil.errors import UnknownEntityError

__all__ = [
    "PRESIDIO_ALIASES",
    "CustomEntity",
    "Entity",
    "EntityType",
    "Finding",
    "Purpose",
    "Span",
    "SubjectId",
    "TenantId",
    "parse_entity",
]

SubjectId = NewType("SubjectId", str)
TenantId = NewType("TenantId", str)
Purpose = NewType("Purpose", str)


class EntityType(StrEnum):
    """The kinds of personal data veil detects out of the box."""

    PERSON = "PERSON"
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    ADDRESS = "ADDRESS"
    LOCATION = "LOCATION"
    DATE = "DATE"
    CREDIT_CARD = "CREDIT_CARD"
    IBAN = "IBAN"
    BANK_ACCOUNT = "BANK_ACCOUNT"
    NATIONAL_ID = "NATIONAL_ID"
    MEDICAL_ID = "MEDICAL_ID"
    DRIVER_LICENSE = "DRIVER_LICENSE"
    PASSPORT = "PASSPORT"
    IP_ADDRESS = "IP_ADDRESS"
    URL = "URL"
    USERNAME = "USERNAME"

    @property
    def label(self) -> str:
        return self.value


_CUSTOM_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,63}")


@dataclass(frozen=True, slots=True)
class CustomEntity:
    """A user-defined entity kind, e.g. ``CustomEntity("EMPLOYEE_ID")``.

    Names are upper-case identifiers and may not shadow a built-in type.
    """

    name: str

    def __post_init__(self) -> None:
        if not _CUSTOM_NAME.fullmatch(self.name):
            raise UnknownEntityError(
                f"custom entity names are upper-case identifiers, got {self.name!r}"
            )
        if self.name in EntityType.__members__ or self.name in PRESIDIO_ALIASES:
            raise UnknownEntityError(f"{self.name!r} is a built-in entity name")

    @property
    def label(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name


Entity = EntityType | CustomEntity

# Presidio's entity names (analyzer default recognizers) mapped 1:1 onto veil's types,
# so a Presidio configuration or benchmark can be read without a hand-written map.
PRESIDIO_ALIASES: dict[str, EntityType] = {
    "EMAIL_ADDRESS": EntityType.EMAIL,
    "PHONE_NUMBER": EntityType.PHONE,
    "DATE_TIME": EntityType.DATE,
    "IBAN_CODE": EntityType.IBAN,
    "STREET_ADDRESS": EntityType.ADDRESS,
    "US_BANK_NUMBER": EntityType.BANK_ACCOUNT,
    "US_SSN": EntityType.NATIONAL_ID,
    "US_ITIN": EntityType.NATIONAL_ID,
    "UK_NHS": EntityType.NATIONAL_ID,
    "UK_NINO": EntityType.NATIONAL_ID,
    "ES_NIF": EntityType.NATIONAL_ID,
    "ES_NIE": EntityType.NATIONAL_ID,
    "IT_FISCAL_CODE": EntityType.NATIONAL_ID,
    "IT_IDENTITY_CARD": EntityType.NATIONAL_ID,
    "PL_PESEL": EntityType.NATIONAL_ID,
    "FI_PERSONAL_IDENTITY_CODE": EntityType.NATIONAL_ID,
    "SG_NRIC_FIN": EntityType.NATIONAL_ID,
    "AU_TFN": EntityType.NATIONAL_ID,
    "IN_AADHAAR": EntityType.NATIONAL_ID,
    "IN_PAN": EntityType.NATIONAL_ID,
    "KR_RRN": EntityType.NATIONAL_ID,
    "AU_MEDICARE": EntityType.MEDICAL_ID,
    "MEDICAL_LICENSE": EntityType.MEDICAL_ID,
    "US_DRIVER_LICENSE": EntityType.DRIVER_LICENSE,
    "IT_DRIVER_LICENSE": EntityType.DRIVER_LICENSE,
    "US_PASSPORT": EntityType.PASSPORT,
    "IT_PASSPORT": EntityType.PASSPORT,
    "IN_PASSPORT": EntityType.PASSPORT,
}


def parse_entity(name: str) -> EntityType:
    """Return the built-in type for a veil or Presidio entity name, or raise.

    >>> parse_entity("EMAIL_ADDRESS")
    <EntityType.EMAIL: 'EMAIL'>
    """
    key = name.strip().upper()
    if key in EntityType.__members__:
        return EntityType[key]
    if key in PRESIDIO_ALIASES:
        return PRESIDIO_ALIASES[key]
    raise UnknownEntityError(f"unknown entity name {name!r}")


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open range ``[start, end)`` of code-point offsets into a text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"invalid span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data found in a text.

    ``reason`` says why it was flagged (pattern, checksum, context word) in words
    that are safe to show and audit: it never quotes the value.
    """

    entity: Entity
    span: Span
    score: float
    detector: str
    reason: str = ""
    tags: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score must be within [0, 1], got {self.score}")

    @property
    def start(self) -> int:
        return self.span.start

    @property
    def end(self) -> int:
        return self.span.end

    @property
    def label(self) -> str:
        return self.entity.label
