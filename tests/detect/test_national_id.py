from __future__ import annotations

import random

import pytest
from stdnum import luhn

from veil.core import EntityType
from veil.detect.base import Detector
from veil.detect.national_id import NationalIdDetector

IDS = NationalIdDetector()
SIN = "13069254" + luhn.calc_check_digit("13069254")


def spans(text: str, detector: NationalIdDetector = IDS) -> list[str]:
    return [text[f.start : f.end] for f in detector.find(text)]


def test_protocol_and_name() -> None:
    assert isinstance(IDS, Detector)
    assert IDS.name == "national_id"


# Values with a distinctive layout: found without any context word.
@pytest.mark.parametrize(
    "value",
    [
        "536-22-8726",  # US SSN
        "912-71-1234",  # US ITIN
        "AB 12 34 56 C",  # UK NINO
        "AB123456C",
        "RSSMRA85T10A562S",  # IT codice fiscale
        "12345678Z",  # ES DNI
        "X1234567L",  # ES NIE
        "131052-308T",  # FI HETU
        "811228-9874",  # SE personnummer
        "710319/2745",  # CZ rodné číslo
        "85.07.30-033.28",  # BE national number
        "2 95 10 99 126 111 93",  # FR NIR
        "123.456.789-09",  # BR CPF
        "756.9217.0769.85",  # CH AHV
        "00000000 0 ZZ4",  # PT cartão de cidadão
        "6433435F",  # IE PPS
        "BOXW310820HNERXN09",  # MX CURP
        "11010519491231002X",  # CN RIC
        "971013-9019902",  # KR RRN
    ],
)
def test_distinctive_layouts(value: str) -> None:
    text = f"Here it is: {value}. Thanks!"
    found = list(IDS.find(text))
    assert [text[f.start : f.end] for f in found] == [value]
    assert found[0].entity is EntityType.NATIONAL_ID
    assert found[0].score >= 0.85
    assert found[0].reason
    assert value not in found[0].reason


# Bare digit strings: only with a context word, then found with exact spans.
@pytest.mark.parametrize(
    ("context", "value"),
    [
        ("my SSN is", "536228726"),
        ("social security number:", "536 228 726"),
        ("NHS number", "943 476 5919"),
        ("BSN", "111222333"),
        ("Steuer-ID", "36574261809"),
        ("PESEL", "44051401359"),
        ("CNP", "1630615123457"),
        ("EGN", "7523169263"),
        ("fødselsnummer", "15108695088"),
        ("personnummer", "198112289874"),
        ("Aadhaar", "2345 6789 0124"),
        ("SIN", SIN),
        ("TFN", "123 456 782"),
        ("CPF", "12345678909"),
        ("NIF", "999999990"),
        ("SVNR", "1237010180"),
        ("NIR", "295109912611193"),
        ("national id number", "44051401359"),
    ],
)
def test_bare_digits_with_context(context: str, value: str) -> None:
    text = f"{context} {value} please"
    found = list(IDS.find(text))
    assert [text[f.start : f.end] for f in found] == [value]
    assert found[0].score >= 0.75
    assert value not in found[0].reason
    assert spans(f"reference {value} please") == []


@pytest.mark.parametrize(
    "text",
    [
        "order id 536228726",  # bare digits, no id word: SSN rules alone prove nothing
        "invoice 44051401359",
        "ref 000-12-3456",  # area 000, and no SSN word
        "666-12-3456",
        "123-00-4567",  # group 00
        "123-45-0000",  # serial 0000
        "call 555-123-4567",
        "version 1.2.3",
        "E11.9 and J45.909",
        "500 mg twice daily",
        "room 12B",
        "2024-01-15 10:30:00",
        "tracking 1Z999AA10123456784",
        "AB123456E",  # NINO suffix must be A-D
        "QQ123456C",  # Q is not a NINO prefix letter
        "ab123456c",  # lower-case letter code without context
        "my id number is 12345",
        "1234-56-7890",
    ],
)
def test_negatives(text: str) -> None:
    assert spans(text) == []


def test_lower_case_code_with_context() -> None:
    assert spans("national insurance ab123456c") == ["ab123456c"]
    assert spans("pan abcpd1234e") == ["abcpd1234e"]


def test_countries_option_restricts() -> None:
    detector = NationalIdDetector(countries=["gb"])
    text = "NINO AB123456C, SSN 536-22-8726"
    assert spans(text, detector) == ["AB123456C"]


def test_specific_context_scores_higher_than_generic() -> None:
    [specific] = IDS.find("PESEL 44051401359")
    [generic] = IDS.find("ID number 44051401359")
    assert specific.score > generic.score >= 0.5


def test_hostile_inputs_complete() -> None:
    for chunk in ("1", "1 ", "12 ", "1-", "1.", "A1", "AB12 ", " ", "-", "ssn 1"):
        list(IDS.find(chunk * 100_000))
    rng = random.Random(5)
    pieces = ["ssn ", "536-22-8726", "BSN", "44051401359", "x", " ", "-", ".", "9", "\n"]
    text = "".join(rng.choice(pieces) for _ in range(200_000))[:1_000_000]
    list(IDS.find(text))


@pytest.mark.parametrize(
    "text",
    ["my SSN is 078-05-1120", "ssn 219-09-9999", "social security number 000-12-3456"],
)
def test_invalid_number_in_the_exact_layout_after_its_own_word_is_still_flagged(text: str) -> None:
    [finding] = list(NationalIdDetector().find(text))
    assert text[finding.start : finding.end] == text.split()[-1]
    assert finding.score == 0.6
    assert "check fails" in finding.reason


def test_invalid_number_in_the_layout_without_its_word_is_not_flagged() -> None:
    assert list(NationalIdDetector().find("ticket 078-05-1120 closed")) == []
