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
        ("policy number HX-7788-123", "HX-7788-123"),
        ("group number 0045521", "0045521"),
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


def test_hostile_inputs_complete() -> None:
    for chunk in ("1", "1A", "mrn 123 ", "1EG4-", " ", "-", "a1-"):
        list(MED.find(chunk * 100_000))
    rng = random.Random(13)
    pieces = ["MRN ", "00123456", "npi ", "1234567893", "x", " ", "-", "9", "\n"]
    text = "".join(rng.choice(pieces) for _ in range(200_000))[:1_000_000]
    list(MED.find(text))
