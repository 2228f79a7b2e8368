"""National identity and tax numbers, validated with python-stdnum.

Two kinds of evidence. A *distinctive layout* (letters and digits in fixed places,
or the official separators: ``123-45-6789``, ``AB 12 34 56 C``, ``123.456.789-09``)
that also passes the scheme's check is reported on its own (0.85–0.95). A *bare
digit string* that merely passes a checksum is reported only with a context word
near it: the scheme's own ("ssn", "BSN", "PESEL", "Aadhaar") scores 0.9, a generic
one ("id number", "national id") 0.75. Roughly one random number in ten passes a
mod-10 or mod-11 check, so without words a bare run proves nothing.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

import re2

from veil.core import EntityType, Finding, Span
from veil.detect._digits import Phrases, Surroundings, grouped_numbers, longest_first

__all__ = ["NationalIdDetector"]


@dataclass(frozen=True, slots=True)
class _Scheme:
    label: str  # shown in reasons, e.g. "US SSN"
    country: str
    module: str  # python-stdnum module under ``stdnum.``
    words: Phrases
    # False where validity is only a date or allocation rule: a generic word such
    # as "id number" is then not enough evidence for a bare digit string.
    checksum: bool = True


def _s(label: str, country: str, module: str, *words: str, checksum: bool = True) -> _Scheme:
    return _Scheme(label, country, module, Phrases(words), checksum)


SSN = _s("US SSN", "US", "us.ssn", "ssn", "social security", "social security number", "ss#",
        checksum=False)  # fmt: skip
ITIN = _s("US ITIN", "US", "us.itin", "itin", "taxpayer identification", checksum=False)
NINO = _s("UK NINO", "GB", "", "national insurance", "nino", "ni number", "ni no",
          checksum=False)  # fmt: skip
NHS = _s("UK NHS", "GB", "gb.nhs", "nhs", "nhs number", "nhs no")
CF = _s("IT codice fiscale", "IT", "it.codicefiscale", "codice fiscale", "cf", "fiscal code")
DNI = _s("ES DNI", "ES", "es.dni", "dni", "nif", "documento nacional")
NIE = _s("ES NIE", "ES", "es.nie", "nie", "nif")
HETU = _s("FI HETU", "FI", "fi.hetu", "hetu", "henkilötunnus", "personbeteckning")
SE_PNR = _s("SE personnummer", "SE", "se.personnummer", "personnummer", "personnr")
DK_CPR = _s("DK CPR", "DK", "dk.cpr", "cpr", "cpr nummer", "personnummer",
           checksum=False)  # fmt: skip
NO_FNR = _s("NO fødselsnummer", "NO", "no.fodselsnummer", "fødselsnummer", "fodselsnummer",
            "personnummer", "fnr")  # fmt: skip
CZ_RC = _s("CZ rodné číslo", "CZ", "cz.rc", "rodné číslo", "rodne cislo", "rč", "rc")
BE_NN = _s("BE national number", "BE", "be.nn", "rijksregisternummer", "numéro national",
           "national number", "insz", "niss", "rijksregister")  # fmt: skip
FR_NIR = _s("FR NIR", "FR", "fr.nir", "nir", "sécurité sociale", "securite sociale", "insee",
            "numéro de sécu", "carte vitale")  # fmt: skip
BR_CPF = _s("BR CPF", "BR", "br.cpf", "cpf")
CH_AHV = _s("CH AHV", "CH", "ch.ssn", "ahv", "avs", "ahv nummer", "sozialversicherungsnummer")
PT_CC = _s("PT cartão de cidadão", "PT", "pt.cc", "cartão de cidadão", "cartao de cidadao", "cc")
PT_NIF = _s("PT NIF", "PT", "pt.nif", "nif", "contribuinte")
IE_PPS = _s("IE PPS", "IE", "ie.pps", "pps", "ppsn", "pps number")
IN_PAN = _s("IN PAN", "IN", "in_.pan", "pan", "pan card", "permanent account number",
           checksum=False)  # fmt: skip
IN_AADHAAR = _s("IN Aadhaar", "IN", "in_.aadhaar", "aadhaar", "aadhar", "uidai", "आधार")
MX_CURP = _s("MX CURP", "MX", "mx.curp", "curp")
CN_RIC = _s("CN RIC", "CN", "cn.ric", "身份证", "resident identity", "ric", "shenfenzheng")
KR_RRN = _s("KR RRN", "KR", "kr.rrn", "rrn", "resident registration", "주민등록번호")
DE_IDNR = _s("DE Steuer-ID", "DE", "de.idnr", "steuer id", "steuerid", "idnr", "steuer",
             "steueridentifikationsnummer", "identifikationsnummer", "tax id")  # fmt: skip
NL_BSN = _s("NL BSN", "NL", "nl.bsn", "bsn", "burgerservicenummer", "sofinummer")
PL_PESEL = _s("PL PESEL", "PL", "pl.pesel", "pesel")
RO_CNP = _s("RO CNP", "RO", "ro.cnp", "cnp", "cod numeric personal")
BG_EGN = _s("BG EGN", "BG", "bg.egn", "egn", "егн")
AT_SVNR = _s("AT SVNR", "AT", "at.vnr", "svnr", "sozialversicherungsnummer", "vsnr",
             "versicherungsnummer", "e card")  # fmt: skip
CA_SIN = _s("CA SIN", "CA", "ca.sin", "sin", "social insurance", "nas", "assurance sociale")
AU_TFN = _s("AU TFN", "AU", "au.tfn", "tfn", "tax file number", "tax file")

_GENERIC = Phrases(
    {
        "id number", "id no", "id nr", "national id", "national identity", "identity number",
        "identification number", "personal number", "personal id", "personal identity",
        "citizen id", "identity card", "id card", "tax id", "tax number", "tin",
        "número de identificación", "numéro d'identification", "ausweisnummer",
        "codice identificativo", "henkilötunnus", "identiteitsnummer",
    }
)  # fmt: skip

# Distinctive layouts: (pattern, schemes tried in order, score without context).
_B = r"(?<![\w-])"
_E = r"(?![\w-]|[.,/]\d)"
_D = "[0-9LMNPQRSTUV]"  # codice fiscale digits may be replaced by letters (omocodia)
_LAYOUTS: tuple[tuple[str, tuple[_Scheme, ...], float], ...] = (
    (r"[0-9]{3}-[0-9]{2}-[0-9]{4}", (SSN, ITIN), 0.9),
    (r"[0-9]{3} [0-9]{2} [0-9]{4}", (SSN, ITIN), 0.7),
    (r"[A-Z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]", (NINO,), 0.9),
    (rf"[A-Z]{{6}}{_D}{{2}}[A-Z]{_D}{{2}}[A-Z]{_D}{{3}}[A-Z]", (CF,), 0.95),
    (r"[0-9]{8}-?[A-Z]", (DNI,), 0.9),
    (r"[XYZ]-?[0-9]{7}-?[A-Z]", (NIE,), 0.9),
    (r"[0-9]{6}[-+A-FU-Y][0-9]{3}[0-9A-Y]", (HETU,), 0.95),
    (r"(?:[0-9]{2})?[0-9]{6}[-+][0-9]{4}", (SE_PNR,), 0.9),
    (r"[0-9]{6}/[0-9]{3,4}", (CZ_RC,), 0.9),
    (r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}-[0-9]{3}\.[0-9]{2}", (BE_NN,), 0.95),
    (r"[12] [0-9]{2} [0-9]{2} (?:[0-9]{2}|2[AB]) [0-9]{3} [0-9]{3} [0-9]{2}", (FR_NIR,), 0.9),
    (r"[0-9]{3}\.[0-9]{3}\.[0-9]{3}-[0-9]{2}", (BR_CPF,), 0.95),
    (r"756\.[0-9]{4}\.[0-9]{4}\.[0-9]{2}", (CH_AHV,), 0.95),
    (r"[0-9]{8} ?[0-9] ?[A-Z]{2}[0-9]", (PT_CC,), 0.9),
    (r"[0-9]{7}[A-W][ABHWTX]?", (IE_PPS,), 0.85),
    (r"[A-Z]{3}[ABCFGHLJPT][A-Z][0-9]{4}[A-Z]", (IN_PAN,), 0.7),
    (r"[A-Z]{4}[0-9]{6}[HM][A-Z]{5}[0-9A-Z][0-9]", (MX_CURP,), 0.95),
    (r"[0-9]{17}X", (CN_RIC,), 0.85),
    (r"[0-9]{6}-[0-9]{7}", (KR_RRN,), 0.9),
)
_FORMATTED: tuple[tuple[re.Pattern[str], tuple[_Scheme, ...], float], ...] = tuple(
    (re.compile(_B + p + _E, re.IGNORECASE), schemes, score) for p, schemes, score in _LAYOUTS
)


def _case_insensitive() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    return options


# All layouts at once, without their word-boundary assertions (RE2 has no
# look-around): a superset of the layouts that RE2's automaton scans in linear time
# about fifty times faster than ``re`` tries the alternatives position by position.
# No match here means no layout matches; a match is checked layout by layout below.
_ANY_FORMATTED = re2.compile("|".join(f"(?:{p})" for p, _, _ in _LAYOUTS), _case_insensitive())
# ``re`` folds the Turkish dotted and dotless i into [A-Z], RE2 does not: texts with
# them take the slow exact scan.
_ANY_FORMATTED_RE = re.compile(
    "|".join(f"(?:{pattern.pattern})" for pattern, _, _ in _FORMATTED), re.IGNORECASE
)


def _maybe_formatted(text: str) -> bool:
    """False only when no distinctive layout occurs anywhere in ``text``."""
    if "ı" in text or "İ" in text:
        return _ANY_FORMATTED_RE.search(text) is not None
    return _ANY_FORMATTED.search(text) is not None


_ASCII_DIGIT = re.compile("[0-9]")

# Bare digit strings (separators allowed) by digit count: context is required.
_BARE: dict[int, tuple[_Scheme, ...]] = {
    8: (AU_TFN,),
    9: (SSN, ITIN, NL_BSN, CA_SIN, AU_TFN, PT_NIF),
    10: (NHS, SE_PNR, DK_CPR, CZ_RC, BG_EGN, AT_SVNR),
    11: (DE_IDNR, PL_PESEL, NO_FNR, BE_NN, BR_CPF),
    12: (IN_AADHAAR, SE_PNR),
    13: (RO_CNP, CH_AHV, KR_RRN),
    15: (FR_NIR,),
    18: (CN_RIC,),
}

_NINO_BAD_PREFIX = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def _nino_valid(value: str) -> bool:
    """HMRC allocation rules; python-stdnum has no NINO module."""
    if len(value) != 9 or value[:2] in _NINO_BAD_PREFIX:
        return False
    first, second = value[0], value[1]
    return first not in "DFIQUV" and second not in "DFIOQUV" and value[8] in "ABCD"


@functools.cache
def _module(path: str) -> object:
    return importlib.import_module(f"stdnum.{path}")


def _valid(scheme: _Scheme, value: str) -> bool:
    if scheme is NINO:
        return _nino_valid(value)
    is_valid = getattr(_module(scheme.module), "is_valid")  # noqa: B009
    return bool(is_valid(value))


def _compact(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value).upper()


class NationalIdDetector:
    """National identity, social security and personal tax numbers of many countries.

    ``countries`` (ISO 3166 alpha-2, e.g. ``{"US", "GB"}``) limits the schemes
    tried; ``None`` tries them all.
    """

    def __init__(self, *, countries: Collection[str] | None = None) -> None:
        self._countries = None if countries is None else frozenset(c.upper() for c in countries)

    @property
    def name(self) -> str:
        return "national_id"

    def _wanted(self, scheme: _Scheme) -> bool:
        return self._countries is None or scheme.country in self._countries

    def find(self, text: str) -> Iterator[Finding]:
        yield from longest_first([*self._formatted(text), *self._bare(text)])

    def _finding(self, start: int, end: int, score: float, reason: str) -> Finding:
        return Finding(EntityType.NATIONAL_ID, Span(start, end), score, self.name, reason)

    def _formatted(self, text: str) -> Iterator[Finding]:
        # One pass of all layouts together finds nothing exactly when each
        # layout alone finds nothing, which is the case for most texts.
        if not _maybe_formatted(text):
            return
        for pattern, schemes, base in _FORMATTED:
            for m in pattern.finditer(text):
                value = _compact(m.group())
                raw = m.group().upper()  # some separators carry meaning (HETU century sign)
                for scheme in schemes:
                    if not self._wanted(scheme):
                        continue
                    word = scheme.words.near(text, m.start(), m.end())
                    if not (_valid(scheme, value) or _valid(scheme, raw)):
                        # The scheme's own word next to its exact layout: a typo or a
                        # number the issuer never assigned is still the customer's id.
                        if word:
                            reason = f"{scheme.label} layout + context '{word}' (check fails)"
                            yield self._finding(m.start(), m.end(), 0.6, reason)
                            break
                        continue
                    generic = None if word else _GENERIC.near(text, m.start(), m.end())
                    lower = not m.group().isupper() and any(c.isalpha() for c in m.group())
                    if word:
                        score = round(max(base, 0.9) + 0.05, 2)
                        reason = f"{scheme.label} layout + check + context '{word}'"
                    elif generic:
                        score = max(base, 0.8)
                        reason = f"{scheme.label} layout + check + context '{generic}'"
                    elif lower:
                        continue  # lower-case letter codes are too common without words
                    else:
                        score, reason = base, f"{scheme.label} layout + check"
                    yield self._finding(m.start(), m.end(), min(score, 0.97), reason)
                    break

    def _bare(self, text: str) -> Iterator[Finding]:
        # Context is required here, so schemes whose words occur nowhere in the
        # text are dropped up front: digit-heavy text without words costs little.
        if _ASCII_DIGIT.search(text) is None:
            return  # every candidate is a run of ASCII digits
        lowered = text.lower()
        generic = _GENERIC.in_text(lowered)
        # Several lengths share a scheme: test each scheme's words once.
        present: dict[str, bool] = {}
        active: dict[int, list[_Scheme]] = {}
        for length, schemes in _BARE.items():
            wanted = []
            for s in schemes:
                if not self._wanted(s):
                    continue
                if generic and s.checksum:
                    wanted.append(s)
                    continue
                here = present.get(s.label)
                if here is None:
                    here = present[s.label] = s.words.in_text(lowered)
                if here:
                    wanted.append(s)
            if wanted:
                active[length] = wanted
        if not active:
            return
        where = Surroundings(text)
        for cand in grouped_numbers(
            text, min_digits=8, max_digits=18, separators=" -.", lengths=active
        ):
            if len(cand.groups) > 1 and min(cand.groups) < 2:
                continue
            wanted = active[len(cand.digits)]
            found = self._specific(where, cand.start, cand.end, cand.digits, wanted)
            if found is None and generic:
                word = _GENERIC.around(where, cand.start, cand.end)
                scheme = next(
                    (s for s in wanted if word and s.checksum and _valid(s, cand.digits)),
                    None,
                )
                if scheme is not None:
                    found = (0.75, f"{scheme.label} check + context '{word}'")
            if found is not None:
                yield self._finding(cand.start, cand.end, *found)

    @staticmethod
    def _specific(
        where: Surroundings, start: int, end: int, digits: str, schemes: list[_Scheme]
    ) -> tuple[float, str] | None:
        for scheme in schemes:
            word = scheme.words.around(where, start, end)
            if word and _valid(scheme, digits):
                return 0.9, f"{scheme.label} check + context '{word}'"
        return None
