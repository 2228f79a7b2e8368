from __future__ import annotations

import random

import pytest

from veil.core import EntityType
from veil.detect.base import Detector
from veil.detect.medical import MedicalIdDetector

MED = MedicalIdDetector()


def spans(text: str) -> list[str]:
    return [text[f.start : f.end] for f in MED.find(text)]


def test_protocol_and_name() -> None:
    assert isinstance(MED, Detector)
    assert MED.name == "medical_id"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("MRN: 00123456", "00123456"),
        ("my medical record number is 4455-2210", "4455-2210"),
        ("Patient ID P-0098812", "P-0098812"),
        ("member id W123456789 on the card", "W123456789"),
        ("health insurance policy number HX-7788-123", "HX-7788-123"),
        ("my dental plan, group number 0045521", "0045521"),
        ("Versichertennummer A123456780", "A123456780"),
        ("EHIC 80380000012345678901", "80380000012345678901"),
        ("Medicare 1EG4-TE5-MK73", "1EG4-TE5-MK73"),
        ("1EG4TE5MK73", "1EG4TE5MK73"),  # MBI layout stands alone
        ("NPI 1234567893", "1234567893"),
        ("DEA number AB1234563", "AB1234563"),
    ],
)
def test_positives(text: str, value: str) -> None:
    found = list(MED.find(text))
    assert [text[f.start : f.end] for f in found] == [value]
    assert found[0].entity is EntityType.MEDICAL_ID
    assert found[0].score >= 0.8
    assert found[0].reason
    assert value not in found[0].reason


@pytest.mark.parametrize(
    "text",
    [
        "diagnosis E11.9, also J45.909",
        "chart: E11.9",
        "chart J45909",
        "CPT 99213 billed",
        "take 500 mg twice daily",
        "room 12B, bed 4",
        "appointment number 12345678",
        "order 778812345",
        "1234567893",  # Luhn-valid NPI without context
        "NPI 1234567890",  # NPI check fails
        "AB1234563",  # DEA-valid without context
        "DEA AB1234567",  # DEA check fails
        "1EG4-TE5-MK7",  # too short for an MBI
        "1SG4TE5MK73",  # S is not an MBI letter
        "policy changes from 2024-01-15",
    ],
)
def test_negatives(text: str) -> None:
    assert spans(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # Bare "member" where the message is about insurance cover or care.
        ("a visit that insurance should cover. the holder is my wife, member 2E24-RU7-XV77",
         "2E24-RU7-XV77"),
        ("my husband (member 943981004-01) had surgery last week", "943981004-01"),
        ("the policy holder is me, member JHY302985032", "JHY302985032"),
        # Dependent suffix printed after the id on US cards.
        ("Member ID: W2494397 76\nName: Ann Lee", "W2494397 76"),
        # File / policy numbers count only next to health words.
        ("we're both patients, my file number is M0410050.", "M0410050"),
        ("we're both patients at the clinic, my file number is 469-392-273", "469-392-273"),
        ("my health insurer asks for the policy number PL-4471-009", "PL-4471-009"),
        ("Krankenkasse: TK, Versichertennr. A123456780", "A123456780"),
        ("mutuelle santé, numéro d'adhérent 77812-455", "77812-455"),
        ("mi número de afiliado es 281234567840", "281234567840"),
        ("tarjeta sanitaria BBBB123456789012", "BBBB123456789012"),
        # Issuer prefix glued on.
        ("my file number is MRN7217189", "MRN7217189"),
        # One typo in a context word.
        ("my insurance mebmer number 3F95-E35-RK26", "3F95-E35-RK26"),
        ("patient nubmer 4471-223", "4471-223"),
    ],
)  # fmt: skip
def test_context_positives(text: str, value: str) -> None:
    found = list(MED.find(text))
    assert [text[f.start : f.end] for f in found] == [value]
    assert found[0].reason
    assert value not in found[0].reason


def test_id_right_after_its_phrase_outranks_phone_numbers() -> None:
    text = "we're both patients, my file number is 469-392-273"
    (finding,) = MED.find(text)
    assert finding.score > 0.9


@pytest.mark.parametrize(
    "text",
    [
        # Car, travel and home policies are not health identifiers.
        "do you cover windshield replacement? my deductible is $200, policy HX-9274-6036",
        "i'm traveling to spain next month, am i covered there? policy hx-1873-1683",
        "car insurance policy number POL-09536153",
        "my insurance number for the van is AB-55512",
        # Clubs and loyalty programmes have members too.
        "gym member 4471-2231, can I freeze my membership?",
        "frequent flyer member 889912345",
        "file number 2024-CV-00123 for the court",
        "invoice RE-467467 is for the member of staff",
        "tracking number 1Z999AA10123456784",
        "order number 778812345 for my membership card",
        "card ending in 4242",
    ],
)
def test_guarded_negatives(text: str) -> None:
    assert spans(text) == []


def test_hostile_inputs_complete() -> None:
    for chunk in ("1", "1A", "mrn 123 ", "1EG4-", " ", "-", "a1-", "member ", "MRN1", ": ", "is "):
        list(MED.find(chunk * 100_000))
    rng = random.Random(13)
    pieces = ["MRN ", "00123456", "npi ", "1234567893", "x", " ", "-", "9", "\n"]
    text = "".join(rng.choice(pieces) for _ in range(200_000))[:1_000_000]
    list(MED.find(text))
