from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban

from veil.core import EntityType
from veil.detect.base import Detector
from veil.detect.iban import IbanDetector

IBAN = IbanDetector()

VALID = [
    "GB82 WEST 1234 5698 7654 32",
    "GB82WEST12345698765432",
    "DE89 3704 0044 0532 0130 00",
    "FR14 2004 1010 0505 0001 3M02 606",
    "NL91 ABNA 0417 1643 00",
    "BE68 5390 0754 7034",
    "CH93 0076 2011 6238 5295 7",
    "ES91 2100 0418 4502 0005 1332",
    "IT60 X054 2811 1010 0000 0123 456",
    "NO93 8601 1117 947",
    "PL61 1090 1014 0000 0712 1981 2874",
    "SA03 8000 0000 6080 1016 7519",
    "de89370400440532013000",
    "gb82 west 1234 5698 7654 32",
]


def spans(text: str) -> list[str]:
    return [text[f.start : f.end] for f in IBAN.find(text)]


def test_protocol_and_name() -> None:
    assert isinstance(IBAN, Detector)
    assert IBAN.name == "iban"


@pytest.mark.parametrize("value", VALID)
def test_valid_ibans_found_with_exact_span(value: str) -> None:
    assert iban.is_valid(value, check_country=False)
    text = f"Please refund to {value}. Thanks"
    found = list(IBAN.find(text))
    assert [text[f.start : f.end] for f in found] == [value]
    assert found[0].entity is EntityType.IBAN
    assert found[0].score == 0.97
    assert found[0].reason
    assert value.lower() not in found[0].reason.lower()


def test_iban_next_to_other_tokens() -> None:
    text = "ab12 DE89370400440532013000, ok"
    assert spans(text) == ["DE89370400440532013000"]
    text = "IBAN:GB82WEST12345698765432\nBIC: NWBKGB2L"
    assert spans(text) == ["GB82WEST12345698765432"]


def test_bad_checksum_needs_iban_context() -> None:
    typo = "DE89 3704 0044 0532 0130 01"
    assert spans(f"send to {typo} please") == []
    found = list(IBAN.find(f"my IBAN is {typo}"))
    assert [f.score for f in found] == [0.6]
    assert "iban" in found[0].reason


@pytest.mark.parametrize(
    "text",
    [
        "GB82 WEST 1234 5698 7654 3",  # one character short
        "DE89370400440532013000123",  # longer code, not cut to fit
        "ZZ12 3456 7890 1234 5678",  # no such country
        "AB12 the order 3456",
        "iban AT12 the best",  # context, but not the country's structure
        "version 1.2.3 build DE2024",
        "flight LH12 departs 10:45",
        "1Z999AA10123456784",
    ],
)
def test_negatives(text: str) -> None:
    assert spans(text) == []


def test_countries_option_restricts() -> None:
    detector = IbanDetector(countries={"de"})
    text = "GB82WEST12345698765432 and DE89370400440532013000"
    assert [text[f.start : f.end] for f in detector.find(text)] == ["DE89370400440532013000"]


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    cc=st.sampled_from(["DE", "FR", "GB", "NL", "ES", "IT", "PL", "AT", "CH", "SE", "NO", "BE"]),
    grouped=st.booleans(),
    lower=st.booleans(),
)
def test_random_valid_ibans_found(seed: int, cc: str, grouped: bool, lower: bool) -> None:
    from veil.detect.iban import _country_format

    fmt = _country_format(cc)
    assert fmt is not None
    length, bban_re = fmt
    rng = random.Random(seed)
    pattern = bban_re.pattern
    bban = ""
    for kind, count in _parse(pattern):
        bban += "".join(rng.choice(kind) for _ in range(count))
    value = cc + iban.calc_check_digits(cc + "00" + bban) + bban
    assert len(value) == length
    if grouped:
        value = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    if lower:
        value = value.lower()
    text = f"IBAN {value}."
    found = list(IBAN.find(text))
    assert [(f.start, f.end) for f in found] == [(5, 5 + len(value))]
    assert found[0].score == 0.97


def _parse(pattern: str) -> list[tuple[str, int]]:
    import re

    alphabets = {"[0-9]": "0123456789", "[A-Z]": "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    alphabets["[A-Z0-9]"] = alphabets["[0-9]"] + alphabets["[A-Z]"]
    return [(alphabets[c], int(n)) for c, n in re.findall(r"(\[[^\]]+\])\{(\d+)\}", pattern)]


def test_hostile_inputs_complete() -> None:
    for chunk in ("A", "AB12 ", "DE89", "1 ", " ", "-", "de8937"):
        list(IBAN.find(chunk * 100_000))
    rng = random.Random(3)
    pieces = ["IBAN ", "GB82 WEST 1234 5698 7654 32", "DE89", "x", " ", "-", "9", "\n"]
    text = "".join(rng.choice(pieces) for _ in range(200_000))[:1_000_000]
    list(IBAN.find(text))


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    cc=st.sampled_from(["DE", "FR", "GB", "NL", "MT", "IT", "PL", "AT", "CH", "SE", "NO", "BE"]),
    check=st.integers(0, 99),
)
def test_checksum_agrees_with_stdnum(seed: int, cc: str, check: int) -> None:
    from veil.detect.iban import _country_format

    fmt = _country_format(cc)
    assert fmt is not None
    rng = random.Random(seed)
    bban = "".join("".join(rng.choice(k) for _ in range(n)) for k, n in _parse(fmt[1].pattern))
    value = f"{cc}{check:02d}{bban}"
    found = list(IBAN.find(f"iban {value}"))
    assert len(found) == 1
    assert (found[0].score == 0.97) == iban.is_valid(value, check_country=False)
