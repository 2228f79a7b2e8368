from __future__ import annotations

import random

import pytest

from veil.core import EntityType
from veil.detect.base import Detector
from veil.detect.identity_document import DriverLicenseDetector, PassportDetector

DL = DriverLicenseDetector()
PASSPORT = PassportDetector()


def spans(detector: Detector, text: str) -> list[str]:
    return [text[f.start : f.end] for f in detector.find(text)]


def test_protocol_and_names() -> None:
    assert isinstance(DL, Detector)
    assert isinstance(PASSPORT, Detector)
    assert DL.name == "driver_license"
    assert PASSPORT.name == "passport"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("my driver's license number is D1234567", "D1234567"),
        ("Driving licence: MORGA753116SM9IJ", "MORGA753116SM9IJ"),
        ("DL# S530-4601-2345", "S530-4601-2345"),
        ("drivers license 1234-56-7890 expired", "1234-56-7890"),
        ("Führerschein B072RRE2I55", "B072RRE2I55"),
        ("license number 99887766.", "99887766"),
    ],
)
def test_driver_license_positives(text: str, value: str) -> None:
    found = list(DL.find(text))
    assert [text[f.start : f.end] for f in found] == [value]
    assert found[0].entity is EntityType.DRIVER_LICENSE
    assert found[0].score >= 0.8
    assert value not in found[0].reason


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # Bare "licence" right before the code.
        ("his licence F489-656-37-274-9. accident on Jan 22", "F489-656-37-274-9"),
        ("his licence 21579605, accident yesterday", "21579605"),
        # Numbers printed in groups.
        ("my license no 011 522 555", "011 522 555"),
        ("driver's license 760 399 440, SSN follows", "760 399 440"),
        # UK DVLA layout stands on its own, lower-case too.
        ("here you go: morga753116sm9ij", "morga753116sm9ij"),
        ("licence: SMITH610287JA9AB", "SMITH610287JA9AB"),
        # Other languages and abbreviations.
        ("Führerscheinnr. B072RRE2I55", "B072RRE2I55"),
        ("numéro de permis 12AB34567", "12AB34567"),
        ("número de licencia 12345678Z", "12345678Z"),
        ("DLN: S530460123450", "S530460123450"),
        # One typo in the phrase.
        ("his lcience L5452835.", "L5452835"),
        ("drivers licnese number W426-545-30-761-0", "W426-545-30-761-0"),
    ],
)
def test_driver_license_more_formats(text: str, value: str) -> None:
    found = list(DL.find(text))
    assert [text[f.start : f.end] for f in found] == [value]
    assert found[0].score >= 0.8
    assert value not in found[0].reason


def test_licence_right_after_phrase_outranks_look_alikes() -> None:
    (finding,) = DL.find("driver's license 760 399 440")
    assert finding.score > 0.9


@pytest.mark.parametrize(
    "text",
    [
        "license plate ABC1234",
        "licence plate 7XYZ123, blue car",
        "software license 4471-AX22-9910",
        "Windows license: XK22D-4471B-99ZZA",
        "business license 99812345",
        "license clerk\n\nPersonal Info:\nPhone:\n358 0594",
        "license fee paid with order 1234567",
        "my license expired, invoice 2024-00123",
        "MORGA753116SM9IJX",  # glued: not a DVLA number
        "licence 12.50 per month",
    ],
)
def test_licence_negatives(text: str) -> None:
    assert spans(DL, text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("passport no. 123456789", "123456789"),
        ("My passport number is AB1234567", "AB1234567"),
        ("Reisepass C01X00T47 gültig", "C01X00T47"),
        ("numéro de passeport: 18AV12345", "18AV12345"),
    ],
)
def test_passport_positives(text: str, value: str) -> None:
    found = list(PASSPORT.find(text))
    assert [text[f.start : f.end] for f in found] == [value]
    assert found[0].entity is EntityType.PASSPORT
    assert value not in found[0].reason


@pytest.mark.parametrize(
    "text",
    [
        "order number D1234567",
        "my license key is ABCD-1234-EFGH",  # software licence, no driver/number phrase
        "driver's license expires 2026-03-01",
        "driver's license renewed in 2024",
        "tracking 1Z999AA10123456784",
        "passport photos cost $15",
        "room 12B",
        "I lost my passport in the hotel, booking ref ABC123 at 5pm",
    ],
)
def test_negatives(text: str) -> None:
    assert spans(DL, text) == []
    assert spans(PASSPORT, text) == []


@pytest.mark.parametrize("detector", [DL, PASSPORT])
def test_hostile_inputs_complete(detector: Detector) -> None:
    for chunk in ("a", "a1-", "passport 12345 ", "dl a1 ", " ", "-", "licence 12 ", "MORGA7", "9"):
        list(detector.find(chunk * 100_000))
    rng = random.Random(11)
    pieces = ["passport ", "dl ", "D1234567", "x", " ", "-", "9", "\n"]
    text = "".join(rng.choice(pieces) for _ in range(200_000))[:1_000_000]
    list(detector.find(text))
