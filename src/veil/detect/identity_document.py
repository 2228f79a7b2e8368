"""Driver's licence and passport numbers.

Their formats differ by issuer (US states alone use dozens) and carry no shared
checksum, so the evidence is the phrase in front of them ("driver's license",
"passport no") plus an alphanumeric code shape with at least one digit, or digit
groups ("502 821 039"). A bare "licence" counts only right before the code and not
next to plate/software/business words. The UK DVLA 16-character layout is
distinctive enough to stand alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from veil.core import EntityType, Finding, Span
from veil.detect._digits import Phrases, grouped_numbers, id_tokens, longest_first
from veil.detect._patterns import word_set
from veil.detect.context import with_typos, words_before

__all__ = ["DriverLicenseDetector", "PassportDetector"]

_LICENSE_PHRASES = (
    "driver's license", "drivers license", "driver license", "driver's licence",
    "drivers licence", "driver licence", "driving licence", "driving license", "dl",
    "licence number", "license number", "license no", "licence no", "lic no", "license nr",
    "license id", "licence id", "driver's lic", "drivers lic", "dln", "driver id",
    "license", "licence", "licencia", "licença",
    "führerschein", "führerscheinnummer", "führerscheinnr", "fuhrerschein", "fahrerlaubnis",
    "permis de conduire", "numéro de permis", "permis", "licencia de conducir",
    "carnet de conducir", "permiso de conducir", "número de licencia", "patente di guida",
    "patente", "rijbewijs", "rijbewijsnummer", "carteira de motorista", "cnh",
)  # fmt: skip
# "license" alone also names plates, software keys and trade permits.
_NOT_DRIVING = word_set(
    """plate plates plaat key keys software product activation serial windows office
    business liquor marriage fishing hunting firearm gun trade vendor seller reseller
    music image api phone tel fax mobile cell order invoice tracking"""
)
# One-word phrases that are also everyday words count only right before the code.
_SHORT_REACH = frozenset({"license", "licence", "licencia", "licença", "permis", "patente", "dl"})
# UK DVLA: surname (5, padded with 9), decade, month (+50 for women), day, year,
# initials (padded with 9), a digit, two check letters.
_DVLA = re.compile(
    r"(?<![\w-])[A-Z9]{5}[0-9][0156][0-9][0-3][0-9][0-9][A-Z9]{2}[0-9][A-Z]{2}(?![\w-])",
    re.IGNORECASE,
)
_DVLA_SHAPE = re.compile(r"[A-Z]{1,5}9{0,4}", re.IGNORECASE)

_PASSPORT_WORDS = Phrases(
    {
        "passport", "passport no", "passport number", "passport nr", "reisepass",
        "reisepassnummer", "passnummer", "passeport", "pasaporte", "passaporto", "paspoort",
        "passaporte", "passnr", "pass nr", "паспорт",
    }
)  # fmt: skip


_ADJACENT = re.compile(r"[ \t:#=]*(?:\b(?:is|was|es|ist|est)\b)?[ \t:#=]*$")


@cache
def _license_words() -> Phrases:
    """Licence phrases plus their one-typo spellings ("lcience"), built on first use."""
    return Phrases(with_typos(_LICENSE_PHRASES))


def _after_phrase(
    text: str,
    words: Phrases,
    entity: EntityType,
    detector: str,
    *,
    min_chars: int,
    max_chars: int,
    veto: frozenset[str] = frozenset(),
) -> Iterator[Finding]:
    """Codes whose preceding few words contain one of ``words``."""
    candidates = [
        (m.start(), m.end()) for m in id_tokens(text, min_chars=min_chars, max_chars=max_chars)
    ]
    # Numbers printed in groups ("502 821 039") are one code when a phrase precedes.
    candidates += [
        (c.start, c.end)
        for c in grouped_numbers(text, min_digits=7, max_digits=max_chars, separators=" -")
        if len(c.groups) > 1
    ]
    for start, end in candidates:
        phrase = words.before(text, start, count=5)
        if phrase is None or (veto and veto & set(words_before(text, start, count=3))):
            continue
        if phrase in _SHORT_REACH and words.before(text, start, count=3) is None:
            continue
        # Right after its phrase the code outranks a look-alike national or phone number.
        head = _ADJACENT.sub("", text[max(0, start - 40) : start].lower())
        score = 0.92 if head.endswith(phrase.rsplit(" ", 1)[-1]) else 0.85
        reason = f"code shape + context '{phrase}'"
        yield Finding(entity, Span(start, end), score, detector, reason)


class DriverLicenseDetector:
    """Driving licence numbers: a 5–20 character code right after a licence phrase."""

    @property
    def name(self) -> str:
        return "driver_license"

    def find(self, text: str) -> Iterator[Finding]:
        yield from longest_first(self._candidates(text))

    def _candidates(self, text: str) -> Iterator[Finding]:
        for m in _DVLA.finditer(text):
            if _DVLA_SHAPE.fullmatch(m.group()[:5]):
                span = Span(m.start(), m.end())
                phrase = _license_words().before(text, m.start(), count=5)
                score, reason = (
                    (0.95, f"uk dvla layout + context '{phrase}'")
                    if phrase
                    else (0.8, "uk dvla licence layout")
                )
                yield Finding(EntityType.DRIVER_LICENSE, span, score, self.name, reason)
        yield from _after_phrase(
            text,
            _license_words(),
            EntityType.DRIVER_LICENSE,
            self.name,
            min_chars=5,
            max_chars=20,
            veto=_NOT_DRIVING,
        )


class PassportDetector:
    """Passport numbers: a 5–20 character code right after a passport phrase."""

    @property
    def name(self) -> str:
        return "passport"

    def find(self, text: str) -> Iterator[Finding]:
        yield from longest_first(
            _after_phrase(
                text,
                _PASSPORT_WORDS,
                EntityType.PASSPORT,
                self.name,
                min_chars=5,
                max_chars=20,
            )
        )
