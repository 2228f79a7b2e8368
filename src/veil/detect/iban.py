"""International bank account numbers (IBAN), any registered country.

The country code fixes the length and the BBAN structure (from python-stdnum's
registry), so a candidate is read from its first two letters to exactly that
many characters, compact or grouped, upper or lower case.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterator

from stdnum import numdb
from stdnum.iso7064 import mod_97_10

from veil.core import EntityType, Finding, Span
from veil.detect._digits import Phrases, longest_first

__all__ = ["IbanDetector"]

_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}")
_STRUCT = re.compile(r"([1-9][0-9]*)!([nac])")
_CLASSES = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Z0-9]"}
_IBAN_WORDS = Phrases({"iban", "iban number", "international bank account"})


@functools.cache
def _country_format(cc: str) -> tuple[int, re.Pattern[str]] | None:
    """IBAN length and BBAN pattern for a country code, or ``None`` if unregistered."""
    info = numdb.get("iban").info(cc + "00")
    structure = info[0][1].get("bban") if info and info[0][0] == cc else None
    if not structure:
        return None
    parts = _STRUCT.findall(structure)
    length = 4 + sum(int(n) for n, _ in parts)
    pattern = "".join(f"{_CLASSES[kind]}{{{n}}}" for n, kind in parts)
    return length, re.compile(pattern)


def _read(text: str, start: int, length: int) -> int | None:
    """End offset after ``length`` alphanumerics from ``start``, or ``None``.

    Single spaces or dashes may separate groups; the IBAN must end where the
    word ends, so a longer code is never cut to fit.
    """
    count = 0
    pos = start
    n = len(text)
    while pos < n and count < length:
        ch = text[pos]
        if ch.isascii() and ch.isalnum():
            count += 1
            pos += 1
        elif ch in " -" and count >= 4 and pos + 1 < n and text[pos + 1].isalnum():
            pos += 1
        else:
            return None
    if count < length or (pos < n and text[pos].isalnum()):
        return None
    return pos


class IbanDetector:
    """IBANs: mod-97 and country structure valid → 0.97.

    An IBAN-shaped value (right length and structure for its country) whose check
    digits fail is still reported at 0.6 when the word "iban" is near: a mistyped
    account number is personal data too. ``countries`` restricts the accepted
    country codes (upper-case ISO 3166 alpha-2); ``None`` accepts all.
    """

    def __init__(self, *, countries: Collection[str] | None = None) -> None:
        self._countries = None if countries is None else frozenset(c.upper() for c in countries)

    @property
    def name(self) -> str:
        return "iban"

    def find(self, text: str) -> Iterator[Finding]:
        yield from longest_first(self._candidates(text))

    def _candidates(self, text: str) -> Iterator[Finding]:
        for m in _START.finditer(text):
            cc = m.group()[:2].upper()
            if self._countries is not None and cc not in self._countries:
                continue
            fmt = _country_format(cc)
            if fmt is None:
                continue
            length, bban = fmt
            end = _read(text, m.start(), length)
            if end is None:
                continue
            compact = re.sub(r"[ -]", "", text[m.start() : end]).upper()
            if not bban.fullmatch(compact[4:]):
                continue
            span = Span(m.start(), end)
            # With the country's structure checked above, what ``stdnum.iban.is_valid``
            # (``check_country=False``) still tests is the mod-97 check on the
            # number moved to read BBAN, country code, check digits.
            if mod_97_10.is_valid(compact[4:] + compact[:4]):
                yield Finding(EntityType.IBAN, span, 0.97, self.name, "iban mod-97 checksum")
            elif _IBAN_WORDS.near(text, m.start(), end):
                reason = "iban structure + context 'iban', checksum fails"
                yield Finding(EntityType.IBAN, span, 0.6, self.name, reason)
