"""Payment card and bank account numbers.

:class:`CreditCardDetector` trusts the Luhn checksum plus a known issuer prefix;
:class:`BankAccountDetector` trusts context ("account number", "sort code",
"routing") because a bare digit run is far more often an order, invoice or
tracking number than an account.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import bic
from stdnum.us import rtn

from veil.core import EntityType, Finding, Span
from veil.detect._digits import (
    Phrases,
    Surroundings,
    grouped_numbers,
    is_glued,
    longest_first,
    looks_like_date,
)

__all__ = ["BankAccountDetector", "CreditCardDetector"]

# (lowest prefix, highest prefix, valid lengths): public issuer identification ranges.
_IIN: tuple[tuple[str, str, frozenset[int]], ...] = (
    ("4", "4", frozenset({13, 16, 19})),  # Visa
    ("51", "55", frozenset({16})),  # Mastercard
    ("2221", "2720", frozenset({16})),  # Mastercard 2-series
    ("34", "34", frozenset({15})),  # American Express
    ("37", "37", frozenset({15})),
    ("6011", "6011", frozenset(range(16, 20))),  # Discover
    ("644", "649", frozenset(range(16, 20))),
    ("65", "65", frozenset(range(16, 20))),
    ("3528", "3589", frozenset(range(16, 20))),  # JCB
    ("1800", "1800", frozenset({15})),  # JCB legacy
    ("2131", "2131", frozenset({15})),
    ("300", "305", frozenset(range(14, 20))),  # Diners Club
    ("3095", "3095", frozenset(range(14, 20))),
    ("36", "36", frozenset(range(14, 20))),
    ("38", "39", frozenset(range(16, 20))),
    ("62", "62", frozenset(range(16, 20))),  # UnionPay (and Discover co-brand)
    ("2200", "2204", frozenset(range(16, 20))),  # Mir
    ("50", "50", frozenset(range(12, 20))),  # Maestro
    ("56", "58", frozenset(range(12, 20))),
    ("6304", "6304", frozenset(range(12, 20))),
    ("6390", "6390", frozenset(range(12, 20))),
    ("67", "67", frozenset(range(12, 20))),
    ("0604", "0604", frozenset(range(12, 20))),
)

_CARD_WORDS = Phrases(
    {
        "card", "cards", "visa", "mastercard", "amex", "credit", "debit", "cc", "ccn",
        "carte", "tarjeta", "karte", "kreditkarte", "carta", "kaart", "cartão", "cartao",
        "maestro", "discover", "jcb", "unionpay",
    }
)  # fmt: skip


def _issuer_known(digits: str) -> bool:
    for low, high, lengths in _IIN:
        head = digits[: len(low)]
        if len(digits) in lengths and low <= head <= high:
            return True
    return False


# Luhn doubles every second digit from the right and adds the digits of the product.
_DOUBLED = str.maketrans("0123456789", "0246813579")


def _luhn_valid(digits: str) -> bool:
    """The Luhn check of a non-empty string of ASCII digits (as ``stdnum.luhn``)."""
    backwards = digits[::-1]
    return sum(map(int, backwards[::2] + backwards[1::2].translate(_DOUBLED))) % 10 == 0


def _card_grouping(groups: tuple[int, ...]) -> bool:
    """Compact, 4-4-4-4(-3) style, or the Amex/Diners 4-6-5 / 4-6-4 layout."""
    if len(groups) == 1:
        return True
    if groups in ((4, 6, 5), (4, 6, 4)):
        return True
    return len(groups) >= 3 and all(g == 4 for g in groups[:-1]) and 1 <= groups[-1] <= 4


class CreditCardDetector:
    """Payment card numbers (PANs): 12–19 digits, Luhn-valid, in a usual grouping.

    A known issuer prefix scores 0.95 (12-digit Maestro 0.85 unless a card word is
    near); an unknown prefix needs a card word near ("card", "visa", "debit") and
    scores 0.7. Masked numbers and last-four mentions have too few digits to match.
    """

    @property
    def name(self) -> str:
        return "credit_card"

    def find(self, text: str) -> Iterator[Finding]:
        yield from longest_first(self._candidates(text))

    def _candidates(self, text: str) -> Iterator[Finding]:
        where = Surroundings(text)
        for cand in grouped_numbers(text, min_digits=12, max_digits=19):
            digits = cand.digits
            if not _card_grouping(cand.groups) or len(set(digits)) == 1:
                continue
            if not _luhn_valid(digits):
                continue
            known = _issuer_known(digits)
            word = _CARD_WORDS.around(where, cand.start, cand.end)
            if known and len(digits) >= 13:
                score, reason = 0.95, "luhn checksum + issuer prefix"
            elif known and word:
                score, reason = 0.95, f"luhn checksum + issuer prefix + context '{word}'"
            elif known:
                score, reason = 0.85, "luhn checksum + short maestro prefix"
            elif word and len(digits) >= 13:
                score, reason = 0.7, f"luhn checksum + context '{word}'"
            else:
                continue
            yield Finding(
                EntityType.CREDIT_CARD, Span(cand.start, cand.end), score, self.name, reason
            )


_ACCOUNT_WORDS = Phrases(
    {
        "account number", "account no", "account num", "acct", "acc no", "acc", "a/c",
        "bank account", "checking account", "savings account", "chequing account",
        "sort code", "bsb", "kontonummer", "kontonr", "konto", "numéro de compte",
        "compte bancaire", "número de cuenta", "cuenta", "numero di conto", "conto corrente",
        "rekeningnummer", "rekening", "account",
    }
)  # fmt: skip
_WEAK_ACCOUNT_WORDS = frozenset({"account", "konto", "cuenta", "rekening", "acc"})
_ROUTING_WORDS = Phrases({"routing", "aba", "rtn", "routing number", "transit number"})
_SORT_WORDS = Phrases({"sort code", "sortcode", "sort"})
_BSB_WORDS = Phrases({"bsb"})
_BIC_WORDS = Phrases({"swift", "bic", "swift code", "bic code", "swift/bic"})

_SORT_CODE = re.compile(r"[0-9]{2}([- ])[0-9]{2}\1[0-9]{2}")
_SORT_AND_ACCOUNT = re.compile(r"[0-9]{2}([- ])[0-9]{2}\1[0-9]{2},? {1,2}[0-9]{8}")
_BSB = re.compile(r"[0-9]{3}-[0-9]{3}")
_DASHED = "-./:,"
_BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")


class BankAccountDetector:
    """Bank account numbers, told apart from other numbers by the words before them.

    Account numbers (6–17 digits) need an account phrase; ABA routing numbers need
    a routing or account phrase and a valid checksum; UK sort code + account in the
    ``12-34-56 12345678`` layout stands alone (0.75) or with context (0.95); SWIFT/BIC
    codes need "swift"/"bic". Plain digit runs without context are never flagged.
    """

    @property
    def name(self) -> str:
        return "bank_account"

    def _finding(self, start: int, end: int, score: float, reason: str) -> Finding:
        return Finding(EntityType.BANK_ACCOUNT, Span(start, end), score, self.name, reason)

    def find(self, text: str) -> Iterator[Finding]:
        yield from longest_first(self._candidates(text))

    def _candidates(self, text: str) -> Iterator[Finding]:
        for m in _SORT_AND_ACCOUNT.finditer(text):
            if is_glued(text, m.start(), m.end(), joiners=_DASHED):
                continue
            word = _SORT_WORDS.near(text, m.start(), m.end()) or _ACCOUNT_WORDS.before(
                text, m.start()
            )
            if word:
                yield self._finding(m.start(), m.end(), 0.95, f"sort code layout + '{word}'")
            else:
                yield self._finding(m.start(), m.end(), 0.75, "sort code + account layout")
        for m in _SORT_CODE.finditer(text):
            if not is_glued(text, m.start(), m.end(), joiners=_DASHED):
                word = _SORT_WORDS.before(text, m.start(), count=4)
                if word:
                    yield self._finding(m.start(), m.end(), 0.85, f"sort code + '{word}'")
        for m in _BSB.finditer(text):
            if not is_glued(text, m.start(), m.end(), joiners=_DASHED) and _BSB_WORDS.before(
                text, m.start()
            ):
                yield self._finding(m.start(), m.end(), 0.85, "bsb layout + context 'bsb'")
        for m in _BIC.finditer(text):
            if is_glued(text, m.start(), m.end()) or not bic.is_valid(m.group()):
                continue
            word = _BIC_WORDS.near(text, m.start(), m.end(), before=4, after=2)
            if word:
                yield self._finding(m.start(), m.end(), 0.9, f"bic structure + context '{word}'")
        yield from self._numbers(text)

    def _numbers(self, text: str) -> Iterator[Finding]:
        lowered = text.lower()
        if not (_ACCOUNT_WORDS.in_text(lowered) or _ROUTING_WORDS.in_text(lowered)):
            return  # every number below needs one of these words
        where = Surroundings(text, before=4)
        for cand in grouped_numbers(text, min_digits=6, max_digits=17, max_groups=4):
            if len(cand.groups) > 1 and min(cand.groups) < 2:
                continue
            if looks_like_date(text[cand.start : cand.end]):
                continue
            digits = cand.digits
            if len(digits) == 9 and rtn.is_valid(digits):
                word = _ROUTING_WORDS.around(where, cand.start, cand.end)
                if word:
                    reason = f"aba checksum + context '{word}'"
                    yield self._finding(cand.start, cand.end, 0.9, reason)
                    continue
            word = _ACCOUNT_WORDS.before(text, cand.start, count=4)
            if word is None:
                continue
            # A lone "account" may be a shop or login account; a phrase names the bank one.
            score = 0.7 if word in _WEAK_ACCOUNT_WORDS else 0.85
            yield self._finding(cand.start, cand.end, score, f"digits + context '{word}'")
