"""Telephone numbers that ``phonenumbers`` does not accept, when the words say so.

People write numbers in shapes no numbering plan allows: short fake or internal
numbers ("78 651 450"), odd groupings ("(37) 788-063"), a label glued on
("21 253 109 8211-Office"). Such a run is taken only when a telephone word is
right before it ("call", "tel", "mobile", "fax", "whatsapp", "text me at",
"not answering at") or a line label right after it ("office", "fax", "mobile").
Runs that are dates, amounts, versions, card numbers, IBANs, ids or order
references are refused exactly as for the strict matcher, and any negative word
("order", "invoice", "room", "account") close before vetoes the run.

The pattern has bounded repeats of disjoint character classes (digits,
separators, brackets), so it cannot backtrack catastrophically.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from veil.detect._patterns import word_set
from veil.detect.context import words_before

__all__ = ["LooseHit", "loose_numbers"]

LooseHit = tuple[int, int, float, str]

_RUN = re.compile(
    r"(?<![\w+#$€£¥₹.,/\-])"
    r"(?:\+[ ]?|00[ ]?)?(?:\([0-9]{1,5}\)[ .\-]?)?"
    r"[0-9]{1,8}(?:(?:[ .\-/]|[ ]?-[ ]?)[0-9]{1,8}){0,5}"
    r"(?:[ ]{0,2}(?:ext\.?|x|#)[ ]{0,2}[0-9]{1,6})?"
    r"(?![0-9])",
    re.IGNORECASE,
)
_BEFORE = word_set(
    """call calling called phone phoned telephone tel tlf ph mobile mob cell cellphone fax
    whatsapp text texting sms ring dial reach reachable answering answer landline hotline
    telefon telefono teléfono téléphone handy portable móvil movil celular cellulare"""
)
# Line labels after a number in a contact block: "416 60 039 office".
_AFTER = word_set("office desk fax mobile cell home work phone tel landline direct")
_VETO = word_set(
    """order invoice tracking ref reference confirmation booking ticket case claim policy
    account acct iban card serial sku transaction receipt parcel shipment member id pin
    code zip postcode amount total balance price cost paid routing sort swift bic passport
    license licence ssn nhs item model part version patient mrn room flight gate page
    isbn tax vat"""
)
# A label right after the number ("416 60 039 office", "(37) 788-063-Office").
_LABEL_AFTER = re.compile(r"[ -](?:" + "|".join(sorted(_AFTER)) + r")\b", re.IGNORECASE)
_MIN_DIGITS = 7
_MAX_DIGITS = 15


def loose_numbers(
    text: str, window: tuple[int, int], excluded: Callable[[str, int, int], bool]
) -> Iterator[LooseHit]:
    """``(start, end, score, reason)`` for every cued run inside ``window`` (a
    candidate run of the strict matcher) that ``phonenumbers`` may have missed.

    ``excluded`` is the strict matcher's test for dates, amounts and codes.
    """
    for m in _RUN.finditer(text, *window):
        start, end = m.span()
        run = m.group()
        digits = sum(ch.isdigit() for ch in run)
        if not _MIN_DIGITS <= digits <= _MAX_DIGITS or run.count(" ") > 5:
            continue
        if end < len(text) and text[end] == "-" and text[end + 1 : end + 2].isdigit():
            continue
        before = words_before(text, start, count=4)
        if any(w in _VETO for w in before[-3:]):
            continue
        if any(w in _BEFORE for w in before):
            hit: LooseHit = (start, end, 0.6, "digit groups after a telephone word")
        elif _LABEL_AFTER.match(text, end):
            hit = (start, end, 0.55, "digit groups before a telephone label")
        else:
            continue
        if not excluded(text, start, end):
            yield hit
