"""Medical record, health insurance and prescriber identifiers.

Most of these are issuer-specific codes with no checksum, so context decides:
"MRN", "patient id", "member id", "policy number" right before a code. Two
formats stand on their own: the US Medicare Beneficiary Identifier (fixed letter
and digit positions) and, with their words, the NPI (Luhn over ``80840`` + number)
and DEA registration numbers (their own check digit). Clinical codes are not
identifiers: ICD-10 (``E11.9``), CPT, doses and room numbers never fire.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import luhn

from veil.core import EntityType, Finding, Span
from veil.detect._digits import Phrases, id_tokens, is_glued, longest_first

__all__ = ["MedicalIdDetector"]

_RECORD_WORDS = Phrases(
    {
        "mrn", "medical record number", "medical record", "medical record no", "record number",
        "patient id", "patient number", "patient no", "patient identifier", "hospital number",
        "chart number", "chart no", "chart", "member id", "member number", "member no",
        "membership number", "policy number", "policy no", "policy", "group number", "group no",
        "subscriber id", "subscriber number", "insurance id", "insurance number",
        "health insurance number", "health card", "health card number", "medicaid",
        "medicare number", "medicare", "versichertennummer", "krankenversicherungsnummer",
        "versicherungsnummer", "numéro d'adhérent", "número de afiliado", "tessera sanitaria",
        "ehic", "european health insurance", "health insurance card",
    }
)  # fmt: skip
_MBI_WORDS = Phrases({"medicare", "mbi", "beneficiary", "medicare number", "medicare id"})
_NPI_WORDS = Phrases({"npi", "national provider identifier", "provider id", "provider number"})
_DEA_WORDS = Phrases({"dea", "dea number", "dea no", "dea registration", "prescriber"})

# CMS MBI: positions 2, 5, 8, 9 are letters without S, L, O, I, B, Z; 1, 4, 7, 10, 11 digits.
_L = "[AC-HJKMNP-RT-Y]"
_MBI = re.compile(
    rf"[1-9]{_L}[0-9AC-HJKMNP-RT-Y][0-9]-?{_L}[0-9AC-HJKMNP-RT-Y][0-9]-?{_L}{{2}}[0-9]{{2}}"
)
_NPI = re.compile(r"[12][0-9]{9}")
_DEA = re.compile(r"[ABCDEFGHJKLMPRSTUX][A-Z9][0-9]{7}")
# Clinical codes that follow the same words as identifiers do ("chart: E11.9").
_ICD10 = re.compile(r"[A-TV-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?")


def _dea_valid(code: str) -> bool:
    d = [int(c) for c in code[2:]]
    return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]


class MedicalIdDetector:
    """Medical record numbers, insurance member/policy ids, MBI, NPI and DEA numbers."""

    @property
    def name(self) -> str:
        return "medical_id"

    def _finding(self, start: int, end: int, score: float, reason: str) -> Finding:
        return Finding(EntityType.MEDICAL_ID, Span(start, end), score, self.name, reason)

    def find(self, text: str) -> Iterator[Finding]:
        yield from longest_first(self._candidates(text))

    def _candidates(self, text: str) -> Iterator[Finding]:
        for m in _MBI.finditer(text):
            if is_glued(text, m.start(), m.end(), joiners="-./:,"):
                continue
            word = _MBI_WORDS.near(text, m.start(), m.end())
            if word:
                yield self._finding(m.start(), m.end(), 0.95, f"mbi layout + context '{word}'")
            else:
                yield self._finding(m.start(), m.end(), 0.8, "medicare mbi layout")
        for m in _NPI.finditer(text):
            if is_glued(text, m.start(), m.end(), joiners="-./:,"):
                continue
            if luhn.is_valid("80840" + m.group()):
                word = _NPI_WORDS.near(text, m.start(), m.end())
                if word:
                    reason = f"npi luhn check + context '{word}'"
                    yield self._finding(m.start(), m.end(), 0.9, reason)
        for m in _DEA.finditer(text):
            if is_glued(text, m.start(), m.end(), joiners="-./:,") or not _dea_valid(m.group()):
                continue
            word = _DEA_WORDS.near(text, m.start(), m.end())
            if word:
                yield self._finding(m.start(), m.end(), 0.9, f"dea check + context '{word}'")
        for m in id_tokens(text, min_chars=5, max_chars=20, min_digits=3):
            if _ICD10.fullmatch(m.group()):
                continue
            word = _RECORD_WORDS.before(text, m.start(), count=4)
            if word:
                yield self._finding(m.start(), m.end(), 0.85, f"code shape + context '{word}'")
