"""Cues right around a name (veil.detect._name_context), through the person detector."""

from __future__ import annotations

import pytest

from veil.detect.person import PersonDetector

# The rules alone: the name model has its own tests and would blur what these prove.
DETECTOR = PersonDetector(use_model=False)


def names(text: str) -> list[str]:
    return [text[f.start : f.end] for f in DETECTOR.find(text) if f.score >= 0.5]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("hi, ur agent oluchi was super helpful yesterday", "oluchi"),
        ("I'm writing on behalf of my mother amy de huisman, born 1996", "amy de huisman"),
        ("our new baby lori o. rosario was born last week", "lori o. rosario"),
        ("i'm his mom, janet", "janet"),
        ("my son mark needs his vaccination record", "mark"),
        ("my daughter may has had a fever since Sunday", "may"),
        ("wladimir schomber here. got a text that my account", "wladimir schomber"),
        ("kyc failed twice. name semsinisa sakarya-arsoy", "semsinisa sakarya-arsoy"),
        ("i was referred by prof. owoyemi-soyinka for an mri", "owoyemi-soyinka"),
        ("Ciset lives on Rua Mina 50.", "Ciset"),
        ("Zak shouted at the crowd", "Zak"),
        ('"I am glad it worked," says Becker.', "Becker"),
        ("Hanne I. Kreutzmann from Can Capital is the keynote speaker", "Hanne I. Kreutzmann"),
        ("Aisha Al Mansouri", "Aisha Al Mansouri"),
        ("name: benjamin a seiler", "benjamin a seiler"),
        ("Silvia J Krenova\n\nAirport tower controller", "Silvia J Krenova"),
    ],
)
def test_cued_names(text: str, name: str) -> None:
    assert name in names(text)


@pytest.mark.parametrize(
    "text",
    [
        "My son has Down syndrome.",
        "my agent said no",
        "my doctor prescribed antibiotics",
        "my wife and i want to cancel",
        "my husband's amoxicillin prescription",
        "my daughter allready paid",
        "The product name Acme Turbo is great.",
        "my user name is not working",
        "name change request for my account",
        "Everyone shouted at the screen.",
        "Production began on Monday.",
        "She said Yes to the offer",
        "I. Then we left.",
        "hi, its me again",
        "we had a lot of fun on Sunday",
    ],
)
def test_cues_leave_ordinary_words_alone(text: str) -> None:
    assert names(text) == []
