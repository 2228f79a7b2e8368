from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn

from veil.core import EntityType
from veil.detect.base import Detector
from veil.detect.payment import BankAccountDetector, CreditCardDetector

CARDS = CreditCardDetector()
BANK = BankAccountDetector()


def spans(detector: Detector, text: str) -> list[str]:
    return [text[f.start : f.end] for f in detector.find(text)]


def test_protocol_and_names() -> None:
    assert isinstance(CARDS, Detector)
    assert isinstance(BANK, Detector)
    assert CARDS.name == "credit_card"
    assert BANK.name == "bank_account"


@pytest.mark.parametrize(
    "number",
    [
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111111111111111",
        "5555 5555 5555 4444",
        "2223 0031 2200 3222",
        "3782 822463 10005",
        "378282246310005",
        "6011 1111 1111 1117",
        "3530 1113 3330 0000",
        "3056 9309 0259 04",
        "6200 0000 0000 0005",
        "4222222222222",
        "4111 1111 1111 1111 003",
    ],
)
def test_card_formats_found_with_exact_span(number: str) -> None:
    assert luhn.is_valid(number.replace(" ", "").replace("-", ""))
    text = f"Please charge my card {number}, thanks."
    found = list(CARDS.find(text))
    assert [text[f.start : f.end] for f in found] == [number]
    assert found[0].entity is EntityType.CREDIT_CARD
    assert found[0].score >= 0.95
    assert found[0].reason
    assert number not in found[0].reason


def test_card_at_text_edges_and_in_punctuation() -> None:
    assert spans(CARDS, "4111111111111111") == ["4111111111111111"]
    assert spans(CARDS, "(4111 1111 1111 1111).") == ["4111 1111 1111 1111"]
    assert spans(CARDS, "card 4111 1111 1111 1111 exp 12/25") == ["4111 1111 1111 1111"]


def test_unknown_prefix_needs_context() -> None:
    number = "9" + "1" * 14
    number += luhn.calc_check_digit(number)
    assert spans(CARDS, f"reference {number}") == []
    found = list(CARDS.find(f"my debit card number is {number}"))
    assert [f.score for f in found] == [0.7]
    assert "debit" in found[0].reason


@pytest.mark.parametrize(
    "text",
    [
        "card ending in 4242",
        "the last 4 digits are 4242",
        "**** **** **** 4242",
        "XXXX-XXXX-XXXX-4242",
        "order 41111111111111110000",  # inside a longer digit run
        "id 94111111111111111",  # 17 digits, Luhn invalid
        "4111 1111 1111 1112",  # Luhn invalid
        "tracking 1Z999AA10123456784",
        "timestamp 20240115123045",
        "price 1,234,567.89 USD",
        "version 1.2.3",
        "3.14159265358979323",
        "call 415 555 2671 or 415 555 2672",
        "0000 0000 0000 0000",
    ],
)
def test_card_negatives(text: str) -> None:
    assert spans(CARDS, text) == []


def _luhn_number(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return body + luhn.calc_check_digit(body)


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    brand=st.sampled_from([("4", 16), ("51", 16), ("2720", 16), ("37", 15), ("6011", 16)]),
    sep=st.sampled_from(["", " ", "-"]),
    before=st.sampled_from(["", "card: ", "Hi, my number is ", "\n"]),
    after=st.sampled_from(["", ".", " thanks", ", exp 09/27"]),
)
def test_random_luhn_cards_found_with_exact_span(
    seed: int, brand: tuple[str, int], sep: str, before: str, after: str
) -> None:
    rng = random.Random(seed)
    prefix, length = brand
    digits = _luhn_number(rng, prefix, length)
    if length == 15:
        number = sep.join([digits[:4], digits[4:10], digits[10:]])
    else:
        number = sep.join(digits[i : i + 4] for i in range(0, length, 4))
    text = before + number + after
    found = list(CARDS.find(text))
    assert [(f.start, f.end) for f in found] == [(len(before), len(before) + len(number))]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("my account number is 12345678", "12345678"),
        ("Acct: 000123456789", "000123456789"),
        ("a/c 9876543210", "9876543210"),
        ("Kontonummer 1234567890", "1234567890"),
        ("routing 021000021", "021000021"),
        ("ABA 011000015 for the wire", "011000015"),
        ("BSB 062-000", "062-000"),
        ("SWIFT: DEUTDEFF500", "DEUTDEFF500"),
        ("bic code NWBKGB2L", "NWBKGB2L"),
        ("sort code 20-00-00 12345678", "20-00-00 12345678"),
        ("pay 20-00-00 12345678 today", "20-00-00 12345678"),
    ],
)
def test_bank_account_positives(text: str, value: str) -> None:
    found = list(BANK.find(text))
    assert [text[f.start : f.end] for f in found] == [value]
    assert found[0].entity is EntityType.BANK_ACCOUNT
    assert found[0].score >= 0.7
    assert value not in found[0].reason


@pytest.mark.parametrize(
    "text",
    [
        "order number 12345678",
        "invoice 987654321",
        "tracking number 9400111899223857268499",
        "routing slip 123456789",  # RTN checksum fails
        "021000021",  # valid routing number, no context
        "DEUTDEFF",  # BIC without context
        "swift delivery DEUTQQFF",  # unknown country in BIC
        "my account is locked since 2024-01-15",
        "ticket 20-00-00",
        "the sort order is 12345678",
    ],
)
def test_bank_account_negatives(text: str) -> None:
    assert spans(BANK, text) == []


@pytest.mark.parametrize("detector", [CARDS, BANK])
def test_hostile_inputs_complete(detector: Detector) -> None:
    for chunk in ("1", "1 ", "1-", "4111 ", " ", "-", "a1"):
        list(detector.find(chunk * 100_000))
    rng = random.Random(7)
    pieces = ["card", "4111 1111 1111 1111", "acct", "12-34-56", "x", " ", "-", "9", "\n"]
    text = "".join(rng.choice(pieces) for _ in range(200_000))[:1_000_000]
    list(detector.find(text))


@settings(max_examples=500)
@given(digits=st.text(alphabet="0123456789", min_size=1, max_size=25))
def test_card_luhn_check_agrees_with_stdnum(digits: str) -> None:
    from veil.detect.payment import _luhn_valid

    assert _luhn_valid(digits) == luhn.is_valid(digits)
