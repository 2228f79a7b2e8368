"""Street corners, crossings and number-framed streets (veil.detect._address_cross),
and the pieces of veil.detect._address_extra, through the address detector."""

from __future__ import annotations

import pytest

from veil.detect.address import AddressDetector

DETECTOR = AddressDetector()


def spans(text: str) -> list[str]:
    return [text[f.start : f.end] for f in DETECTOR.find(text) if f.score >= 0.5]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Meet at the corner of 5th and Main", "the corner of 5th and Main"),
        (
            "I'm at the intersection of Broadway & 42nd Street",
            "the intersection of Broadway & 42nd Street",
        ),
        (
            "my new address is the corner of 159 Eleni Venizelou str and Rennie Union",
            "the corner of 159 Eleni Venizelou str and Rennie Union",
        ),
        (
            "it is the corner of Dalbraut 99 and Frederikke Coves",
            "the corner of Dalbraut 99 and Frederikke Coves",
        ),
        (
            "stop at the corner of Csabai kapu 39. and Mathias Pass",
            "the corner of Csabai kapu 39. and Mathias Pass",
        ),
        (
            "the corner of heiligenstrasse 77 and minik courts",
            "the corner of heiligenstrasse 77 and minik courts",
        ),
    ],
)
def test_corners_cover_both_streets_and_the_corner_words(text: str, address: str) -> None:
    assert spans(text) == [address]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Please return to Leon and Eyrarodda 66 in case of an issue.", "Leon and Eyrarodda 66"),
        ("User: Hanne and ul. Wiejska 28", "Hanne and ul. Wiejska 28"),
        ("The office is at Ruzena and Kiraly u. 15.", "Ruzena and Kiraly u. 15"),
    ],
)
def test_crossing_without_a_first_street_word(text: str, address: str) -> None:
    assert spans(text) == [address]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("What is your address? it is 5638 Aasa 43\nHumilimont, xx 78618", None),
        ("the bus drops you off at 0605 Kuusiku 210 apt. 999", "0605 Kuusiku 210 apt. 999"),
        ("I'll meet you at 9721 Dalmatinova 43, Velenje", "9721 Dalmatinova 43, Velenje"),
    ],
)
def test_street_between_a_building_number_and_a_house_number(
    text: str, address: str | None
) -> None:
    expected = address or text[text.index("5638") :]
    assert spans(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Meet me at the corner of the room and the table.",
        "Please update the corner of my profile and settings",
        "I'd like to order 2 Pixel 7. Thanks.",
        "We shipped 12 Nike 270 pairs yesterday.",
        "In 2019 Windows 10 was released.",
        "Windows and Office 365 licences expire.",
        "Send it to Mary and 12 people will sign.",
        "Order 4411 Bygget 12 ships today",
        "I ordered from Amazon 12345 in total.",
        "version 2.1.3 and 4.5.6 were released",
        "Card ending in 4242 was charged 3 times.",
        "Take 500 mg Ibuprofen 200 twice a day",
        "Room 1204 Building 7 floor 3",
    ],
)
def test_new_shapes_leave_prose_numbers_and_products_alone(text: str) -> None:
    assert spans(text) == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("My zip code is 880", "880"),
        ("postal code: A-1010.", "A-1010"),
        (
            "We moved here: Lindenweg 4, 12345 Frankfurt (Oder)",
            "Lindenweg 4, 12345 Frankfurt (Oder)",
        ),
        ("12 Main St\nKNIVSTA, xx 18237", "12 Main St\nKNIVSTA, xx 18237"),
        ("83393 Parna 33\nCite Sfaxi\n, 13\n 44939", "83393 Parna 33\nCite Sfaxi\n, 13\n 44939"),
        ("unit 1009 box 0219\ndpo ap 51065", "unit 1009 box 0219\ndpo ap 51065"),
        ("psc 5420, box 2708\napo aa 33879", "psc 5420, box 2708\napo aa 33879"),
        ("I'll meet you at USS Mahler\nFPO AA 70489 after", "USS Mahler\nFPO AA 70489"),
        ("Looking to support them in Bjert 6091.", "Bjert 6091"),
        ("meet me at 2407 tawastintie 6, mohács, hungary", "2407 tawastintie 6, mohács, hungary"),
        ("0912 P.O. Box 287, Tallinn, Estonia", "0912 P.O. Box 287, Tallinn, Estonia"),
    ],
)
def test_codes_qualifiers_military_mail_and_towns(text: str, address: str) -> None:
    assert spans(text) == [address]


@pytest.mark.parametrize(
    "text",
    [
        "the code is 880",
        "I was in Berlin 500 people came",
        "Berlin (my favourite city) is great",
        "fpo means nothing here 12",
    ],
)
def test_codes_and_towns_need_their_cue(text: str) -> None:
    assert spans(text) == []


@pytest.mark.parametrize(
    "hostile",
    [
        "the corner of " * 20_000,
        "Leon and " * 20_000,
        "1234 Name 12 " * 20_000,
        "(Oder) " * 20_000,
        "apo aa 12345\n" * 10_000,
    ],
    ids=lambda s: f"{s[:12]!r}",
)
def test_hostile_input_completes(hostile: str) -> None:
    for f in DETECTOR.find(hostile):
        assert 0 <= f.start < f.end <= len(hostile)
