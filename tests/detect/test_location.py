"""LocationDetector: countries, regions and cities, with context for the ambiguous ones."""

from __future__ import annotations

import pytest

from veil.core import EntityType
from veil.detect import location
from veil.detect._name_tokens import tokenize
from veil.detect.base import Detector
from veil.detect.location import LocationDetector

THRESHOLD = 0.5


@pytest.fixture(scope="module")
def det() -> LocationDetector:
    return LocationDetector()


def places(det: LocationDetector, text: str) -> list[str]:
    return [text[f.start : f.end] for f in det.find(text) if f.score >= THRESHOLD]


def test_protocol_and_metadata(det: LocationDetector) -> None:
    assert isinstance(det, Detector)
    assert det.name == "location"
    findings = list(det.find("I moved from Germany to Canada."))
    assert [f.entity for f in findings] == [EntityType.LOCATION, EntityType.LOCATION]
    assert all(f.detector == "location" and f.reason for f in findings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I moved from Germany to Canada.", ["Germany", "Canada"]),
        ("We live in New York but fly to Rio de Janeiro often.", ["New York", "Rio de Janeiro"]),
        ("Ich wohne in München, Deutschland.", ["München", "Deutschland"]),
        ("She is from Ontario.", ["Ontario"]),
        ("Our office in Scotland is closed.", ["Scotland"]),
        ("Shipping to St. Louis takes two days.", ["St. Louis"]),
        ("Is the branch in London open?", ["London"]),
        ("I live in Nice.", ["Nice"]),
        ("I was born in Reading.", ["Reading"]),
        ("We moved to Victoria last year.", ["Victoria"]),
        ("i live in london", ["london"]),
        ("Tokyo is expensive.", ["Tokyo"]),
        ("The parcel went to Springfield, Illinois.", ["Springfield", "Illinois"]),
        ("Germany's rules differ.", ["Germany"]),
        ("She flew to Brenvik on Saturday.", ["Brenvik"]),
    ],
)
def test_finds_places(det: LocationDetector, text: str, expected: list[str]) -> None:
    assert places(det, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "That is a nice idea.",
        "Have a Nice day!",
        "I am reading the Mobile app terms.",
        "Victoria Beckham was there.",
        "My name is Victoria.",
        "Mr. Jackson will call.",
        "Order 12345 for 500 mg, version 1.2.3, room 204.",
        "The invoice is due on Monday, March 3.",
        "i live in hope",
    ],
)
def test_not_places(det: LocationDetector, text: str) -> None:
    assert places(det, text) == []


def test_context_raises_ambiguous_places(det: LocationDetector) -> None:
    bare = max((f.score for f in det.find("Reading is fun.")), default=0.0)
    cued = max(f.score for f in det.find("I moved to Reading."))
    assert bare < THRESHOLD <= cued


def test_reasons_never_quote_the_text(det: LocationDetector) -> None:
    for f in det.find("I moved from Germany to Brenvik near London"):
        assert f.reason
        for word in ("germany", "loeches", "london"):
            assert word not in f.reason.lower()


@pytest.mark.parametrize(
    "text", ["A" * 100_000, "1" * 100_000, ", " * 50_000, "in " * 30_000, "New York " * 10_000]
)
def test_hostile_input_completes(det: LocationDetector, text: str) -> None:
    list(det.find(text))


def test_one_megabyte_of_mixed_text(det: LocationDetector) -> None:
    chunk = "Hi, I moved from Paris to New York on 2024-01-05, order 4242! "
    text = chunk * (1_000_000 // len(chunk))
    assert len(list(det.find(text))) > 1000


@pytest.mark.parametrize(
    "text",
    [
        "My passport number is 25HT63995.",
        "I live in 25HT63995",
        "IBAN NL14 RABO 6531 0837 17",
        "alert from 8cb9:17ea:6341:efc6::1",
        "ticket ref 12Paris",
        "code FR_2 is active",
        "login name paris_88, email it to lyon_b@example.com",
    ],
)
def test_places_never_inside_codes(det: LocationDetector, text: str) -> None:
    # Any score: a place glued to digits or underscores is part of a code.
    assert [text[f.start : f.end] for f in det.find(text)] == []


def test_places_next_to_codes_still_found(det: LocationDetector) -> None:
    text = "Passport 25HT63995 issued in Haiti, shipped to Paris (order 12B-7)."
    assert places(det, text) == ["Haiti", "Paris"]


# --- Other languages: function words, greetings and common nouns are not places ---


@pytest.mark.parametrize(
    "text",
    [
        "vivo en la ciudad",  # lower-case common Spanish word, even after a cue
        "ich wohne in der Stadt",
        "j'habite au centre depuis deux ans",
        "abito vicino al centro",
        "moro na cidade",
        "Hola, me llamo Ana y necesito ayuda",  # greeting; "me" is no region here
        "Gracias por la ayuda",
        "Ich habe den Brief von meiner Bank bekommen",  # "von", "den" are not towns
        "Mi DNI es 12345678Z",  # short all-caps acronyms
        "please send the ISA forms",
        "moved to the centre pls",
        "Kam leider nach Hause zu spät",  # "nach Hause": home, not a town
        "Ich war aus Versehen in Ordnung",
    ],
)
def test_foreign_common_words_are_not_places(det: LocationDetector, text: str) -> None:
    assert places(det, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ich wohne in Berlin", ["Berlin"]),
        ("vivo en Ciudad de México", ["Ciudad de México"]),
        ("abito a Milano vicino al centro", ["Milano"]),  # Italian place verb as cue
        ("moro no Porto desde 2019", ["Porto"]),
        ("We flew to NYC last week", ["NYC"]),  # a very large city may be an acronym
        ("Portland, Maine is lovely", ["Portland", "Maine"]),
        ("Vivo en Los Angeles", ["Los Angeles"]),
        ("La Paz is high up", ["La Paz"]),
    ],
)
def test_places_in_other_languages_still_found(
    det: LocationDetector, text: str, expected: list[str]
) -> None:
    assert places(det, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Looking to support them in Bjert 6091 in its mission", ["Bjert 6091"]),
        ("I moved to Berlin 10115.", ["Berlin 10115"]),
        ("send it to Stockholm 114 55, Sweden", ["Stockholm 114 55", "Sweden"]),
        ("we are based in Lisboa 1100-148", ["Lisboa 1100-148"]),
    ],
)
def test_a_postcode_right_after_a_place_joins_it(
    det: LocationDetector, text: str, expected: list[str]
) -> None:
    assert places(det, text) == expected
    assert any(f.reason.endswith("+ postcode") for f in det.find(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("we met in Paris 2024", ["Paris"]),  # a year, not a postcode
        ("I drove from Moscow 1500 km", ["Moscow"]),  # a distance
        ("I moved to Berlin 20000 people came", ["Berlin"]),
        ("I moved to Berlin 123456 times", ["Berlin"]),
        ("I moved to Berlin 10115abc", ["Berlin"]),
        ("I moved to Berlin 1011.5", ["Berlin"]),
    ],
)
def test_numbers_after_a_place_that_are_no_postcode(
    det: LocationDetector, text: str, expected: list[str]
) -> None:
    assert places(det, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I read it in the Wall Street Journal", []),  # a street word after a name
        ("we walked down Oxford Road today", []),
        ("I moved to Street last year", ["Street"]),  # the town of Street, Somerset
    ],
)
def test_a_street_word_after_a_name_is_no_town(
    det: LocationDetector, text: str, expected: list[str]
) -> None:
    assert places(det, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Shipping to St. Louis takes two days",
        "flying to Ho Chi Minh City soon",
        "moved to CÔTE D’IVOIRE last year",
        "born in Budapest II. kerület",
        "we live in ΚΆΝΣΑΣ ΣΊΤΥ now",  # a word-final sigma inside the key
        "from Guinea - Bissau and Rio de Janeiro's beaches",
    ],
)
def test_multi_word_place_keys_are_built_word_by_word(text: str) -> None:
    # _longest_place joins the lower-case words and their gaps; that is the key the
    # text itself gives (_key), so the same lexicon places are found.
    tokens = tokenize(text)
    widest = 0
    for i, tok in enumerate(tokens):
        if tok.low not in location._first_words():
            continue
        match = location._longest_place(tokens, i)
        if match is not None:
            j, key = match
            assert key == location._key(text, tok.start, tokens[j - 1].end)
            widest = max(widest, j - i)
    assert widest >= 2
