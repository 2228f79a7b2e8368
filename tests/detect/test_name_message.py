"""Names across a whole message (veil.detect._name_message), through the person detector."""

from __future__ import annotations

import pytest

from veil.detect.person import PersonDetector

# The rules alone: the name model has its own tests and would blur what these prove.
DETECTOR = PersonDetector(use_model=False)


def names(text: str) -> list[str]:
    return [text[f.start : f.end] for f in DETECTOR.find(text) if f.score >= 0.5]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Return label please. Name ROGERS, Olivia, Hauptweg 2", ["ROGERS, Olivia"]),
        ("Patient: Newman, Jacob\nDOB: 24.8.1965", ["Newman, Jacob"]),
        ("Appt request: Simon, Tamas\n26.2.1999", ["Simon, Tamas"]),
        ("order 784. name kiss-kis, ibolya, viale segre 12", ["kiss-kis, ibolya"]),
        (
            "They had 6: Gaetane, Hannah, Anthony, Derek, Anna and Andre",
            ["Gaetane", "Hannah", "Anthony", "Derek", "Anna", "Andre"],
        ),
        ("Ella: What a wife.\nDestiny: Remember me?", ["Ella", "Destiny"]),
        ("my name is borna jerkovic but everyone calls me borna", ["borna jerkovic", "borna"]),
    ],
)
def test_message_wide_names(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("can you confirm this is the right account for the refund? - iwo", "iwo"),
        ("please tell her thx! - yun wen", "yun wen"),
        ("Thank you,\nmary thompson-powell", "mary thompson-powell"),
        ("pedido a: Calle Sol 14, 08073 Barcelona\nGracias, margarita", "margarita"),
        ("do you need it for the registration? bienvenida", "bienvenida"),
    ],
)
def test_lower_case_signature_ends_the_message(text: str, name: str) -> None:
    assert names(text)[-1:] == [name]


@pytest.mark.parametrize(
    "text",
    [
        "see you soon - bye",
        "can you help? thanks",
        "It works now. ok",
        "Thanks,\nthe support team",
        "is your service down? sorry",
        "Apples, Oranges and Bananas are on sale.",
        "Subject: Refund\nCustomer: hello\nAgent: hi",
    ],
)
def test_no_names_from_sign_offs_lists_or_labels(text: str) -> None:
    assert names(text) == []


def test_place_and_country_are_not_surname_and_given_name() -> None:
    assert all(", " not in n for n in names("I moved from Paris, France to Berlin, Germany"))
    # Outside a form field a surname-like word before a comma stays apart.
    assert "Simon, Tamas" not in names("I met Simon, Tamas and Eva yesterday")
