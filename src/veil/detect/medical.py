"""Medical record, health insurance and prescriber identifiers.

Most of these are issuer-specific codes with no checksum, so context decides:
"MRN", "patient id", "member id" right before a code. Phrases that also name car,
travel or club numbers ("policy number", "member", "file number") count only when
health words (or, for "member", insurance-cover words) are in the message around
them. Context phrases tolerate one typo in a long word ("mebmer number"). Two
formats stand on their own: the US Medicare Beneficiary Identifier (fixed letter
and digit positions) and, with their words, the NPI (Luhn over ``80840`` + number)
and DEA registration numbers (their own check digit). Clinical codes are not
identifiers: ICD-10 (``E11.9``), CPT, doses and room numbers never fire.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from stdnum import luhn

from veil.core import EntityType, Finding, Span
from veil.detect._digits import Phrases, id_tokens, is_glued, longest_first
from veil.detect.context import with_typos

__all__ = ["MedicalIdDetector"]

# Words that name a health identifier whatever surrounds them.
_RECORD_PHRASES = (
    "mrn", "medical record number", "medical record", "medical record no", "medical id",
    "patient id", "patient number", "patient no", "patient identifier", "hospital number",
    "chart number", "chart no", "member id", "member number", "member no", "member nr",
    "subscriber id", "subscriber number", "subscriber no", "beneficiary id",
    "beneficiary number", "health insurance number", "health insurance id", "health plan id",
    "health card", "health card number", "health id", "medicaid", "medicare number",
    "medicare", "insurance member", "versichertennummer", "versichertennr", "kvnr",
    "krankenversicherungsnummer", "krankenkassennummer", "numéro d'adhérent",
    "numéro adhérent", "n adhérent", "numéro de mutuelle", "número de afiliado",
    "nº de afiliado", "tarjeta sanitaria", "tessera sanitaria", "ehic",
    "european health insurance", "health insurance card", "versicherungsnummer",
)  # fmt: skip
# Words that name a health identifier only where the message is about health or
# insurance cover: a car "policy number" or a gym "member" is not medical.
_GUARDED_PHRASES = (
    "policy", "policy number", "policy no", "policy id", "policy nr", "insurance id",
    "insurance number", "insurance no", "group number", "group no", "member",
    "membership number", "membership no", "file number", "file no", "record number",
    "chart", "card number", "mitgliedsnummer", "numéro de dossier", "número de póliza",
    "póliza", "policennummer", "numéro de police",
)  # fmt: skip
# Health words; near a guarded phrase they make it a health identifier.
_HEALTH = re.compile(
    r"\b(?:health\w*|medic\w*|clinic\w*|hospital\w*|doctors?|physicians?|nurses?|"
    r"patients?|surgery|surgeon|dental|dentist|orthodont\w*|pharmac\w*|prescri\w*|"
    r"refills?|therap\w*|physio\w*|gp|nhs|appointments?|check-?up|labs?|blood|mri|"
    r"x-?rays?|scans?|vaccin\w*|diagnos\w*|treatments?|maternity|pregnan\w*|co-?pays?|"
    r"hmo|ppo|aetna|cigna|humana|kaiser|anthem|bcbs|blue cross|blue shield|"
    r"unitedhealth\w*|bupa|krankenkasse\w*|krankenversicherung|arzt\w*|ärzt\w*|praxis|"
    r"krankenhaus|klinik\w*|aok|barmer|mutuelle|médecin\w*|hôpital|santé|ordonnance|"
    r"salud|médic\w*|clínica|receta|sanitari\w*)\b",
    re.IGNORECASE,
)
# Insurance-cover words: enough for "member" (a club or loyalty member has none).
_COVER = re.compile(
    r"\b(?:insurance|insurer|insured|cover|covered|coverage|policy ?holder|claims?|"
    r"versicher\w*|assurance|seguro|aseguradora)\b",
    re.IGNORECASE,
)
_CONTEXT_WINDOW = 200
# A record number written with its issuer prefix glued on ("MRN7217189").
_MRN_PREFIXED = re.compile(r"(?<![\w-])MRN[-#]?[0-9]{5,12}(?![\w-])", re.IGNORECASE)
# US member ids are often printed with a two-digit dependent suffix ("W1234567 01").
_SUFFIX = re.compile(r"[ -][0-9]{2}(?![\w-])")
# The phrase sits right before the code ("member id: X", "my file number is X").
_ADJACENT = re.compile(r"[ \t:#=]*(?:\b(?:is|was|es|ist|est)\b)?[ \t:#=]*$")


@cache
def _phrases(guarded: bool) -> Phrases:
    """Phrases plus their one-typo spellings ("memebr nunber"), built on first use."""
    return Phrases(with_typos(_GUARDED_PHRASES if guarded else _RECORD_PHRASES))


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
        for m in _MRN_PREFIXED.finditer(text):
            yield self._finding(m.start(), m.end(), 0.9, "record number with mrn prefix")
        for m in id_tokens(text, min_chars=5, max_chars=20, min_digits=3):
            if _ICD10.fullmatch(m.group()):
                continue
            found = self._in_context(text, m.start(), m.end())
            if found is None:
                continue
            end = m.end()
            suffix = _SUFFIX.match(text, end)
            if suffix and not text[m.start() : end].isdigit():
                end = suffix.end()  # "W1234567 01": the dependent suffix belongs to the id
            yield self._finding(m.start(), end, *found)

    def _in_context(self, text: str, start: int, end: int) -> tuple[float, str] | None:
        """Score and reason for a code after a health-id phrase, or ``None``."""
        word = _phrases(guarded=False).before(text, start, count=4)
        if word is None:
            word = _phrases(guarded=True).before(text, start, count=4)
            if word is None or not self._guard_passes(text, start, end, word):
                return None
        # Right after its phrase, the id outranks look-alike phone or national numbers.
        head = _ADJACENT.sub("", text[max(0, start - 40) : start].lower())
        score = 0.92 if head.endswith(word.rsplit(" ", 1)[-1]) else 0.85
        return score, f"code shape + context '{word}'"

    @staticmethod
    def _guard_passes(text: str, start: int, end: int, word: str) -> bool:
        window = text[max(0, start - _CONTEXT_WINDOW) : end + _CONTEXT_WINDOW]
        if _HEALTH.search(window):
            return True
        return word.split(" ", 1)[0] in {"member", "membership", "mitgliedsnummer"} and bool(
            _COVER.search(window)
        )
