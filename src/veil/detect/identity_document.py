"""Driver's licence and passport numbers.

Their formats differ by issuer (US states alone use dozens) and carry no shared
checksum, so the evidence is the phrase in front of them ("driver's license",
"passport no") plus an alphanumeric code shape with at least one digit.
"""

from __future__ import annotations

from collections.abc import Iterator

from veil.core import EntityType, Finding, Span
from veil.detect._digits import Phrases, id_tokens

__all__ = ["DriverLicenseDetector", "PassportDetector"]

_LICENSE_WORDS = Phrases(
    {
        "driver's license", "drivers license", "driver license", "driver's licence",
        "drivers licence", "driver licence", "driving licence", "driving license", "dl",
        "licence number", "license number", "license no", "licence no", "lic no",
        "führerschein", "führerscheinnummer", "fuhrerschein", "permis de conduire",
        "licencia de conducir", "carnet de conducir", "permiso de conducir",
        "patente di guida", "rijbewijs", "rijbewijsnummer", "carteira de motorista", "cnh",
    }
)  # fmt: skip

_PASSPORT_WORDS = Phrases(
    {
        "passport", "passport no", "passport number", "passport nr", "reisepass",
        "reisepassnummer", "passnummer", "passeport", "pasaporte", "passaporto", "paspoort",
        "passaporte", "passnr", "pass nr", "паспорт",
    }
)  # fmt: skip


def _after_phrase(
    text: str,
    words: Phrases,
    entity: EntityType,
    detector: str,
    *,
    min_chars: int,
    max_chars: int,
) -> Iterator[Finding]:
    """Codes whose preceding few words contain one of ``words``."""
    for m in id_tokens(text, min_chars=min_chars, max_chars=max_chars):
        phrase = words.before(text, m.start(), count=5)
        if phrase is None:
            continue
        reason = f"code shape + context '{phrase}'"
        yield Finding(entity, Span(m.start(), m.end()), 0.85, detector, reason)


class DriverLicenseDetector:
    """Driving licence numbers: a 5–20 character code right after a licence phrase."""

    @property
    def name(self) -> str:
        return "driver_license"

    def find(self, text: str) -> Iterator[Finding]:
        yield from _after_phrase(
            text,
            _LICENSE_WORDS,
            EntityType.DRIVER_LICENSE,
            self.name,
            min_chars=5,
            max_chars=20,
        )


class PassportDetector:
    """Passport numbers: a 5–20 character code right after a passport phrase."""

    @property
    def name(self) -> str:
        return "passport"

    def find(self, text: str) -> Iterator[Finding]:
        yield from _after_phrase(
            text,
            _PASSPORT_WORDS,
            EntityType.PASSPORT,
            self.name,
            min_chars=5,
            max_chars=20,
        )
