"""PersonDetector: names in many shapes, and the many capitalised things that are not names."""

from __future__ import annotations

import pytest

from veil.core import EntityType
from veil.detect.base import Detector
from veil.detect.person import PersonDetector

THRESHOLD = 0.5  # the engine's default cut-off


@pytest.fixture(scope="module")
def det() -> PersonDetector:
    return PersonDetector()


def names(det: PersonDetector, text: str) -> list[str]:
    return [text[f.start : f.end] for f in det.find(text) if f.score >= THRESHOLD]


def test_protocol_and_metadata(det: PersonDetector) -> None:
    assert isinstance(det, Detector)
    assert det.name == "person"
    findings = list(det.find("Please call John Smith tomorrow."))
    assert findings
    assert all(f.entity is EntityType.PERSON for f in findings)
    assert all(f.detector == "person" and 0.0 <= f.score <= 1.0 for f in findings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Please call John Smith tomorrow.", ["John Smith"]),
        ("my name is Rubén and I need help", ["Rubén"]),
        ("hi, this is jane", ["jane"]),
        ("Can I ask for Priya at the front desk?", ["Priya"]),
        ("my name is john smith", ["john smith"]),
        ("Mr. Smith called, then Mrs O'Neil.", ["Smith", "O'Neil"]),
        ("I saw Dr. Will Black on Monday.", ["Will Black"]),
        ("Sr. García y Sra. López", ["García", "López"]),
        ("Herr Müller und Frau Schmidt", ["Müller", "Schmidt"]),
        ("A letter from J. R. Smith arrived.", ["J. R. Smith"]),
        ("The book by Ilsa D. Varkonyi is long.", ["Ilsa D. Varkonyi"]),
        ("Signed: John Smith Jr. today", ["John Smith Jr."]),
        ("We met Jean-Luc Picard and Jan van der Berg.", ["Jean-Luc Picard", "Jan van der Berg"]),
        (
            "Ask Maria de la Cruz or Mohammed bin Salman.",
            ["Maria de la Cruz", "Mohammed bin Salman"],
        ),
        ("Account holder: Smith, John", ["Smith, John"]),
        ("Krisztián Szöllösy wrote to Łukasz Nowak.", ["Krisztián Szöllösy", "Łukasz Nowak"]),
        ("I spoke with Zoë yesterday.", ["Zoë"]),
        ("my daughter Hope is sick", ["Hope"]),
        ("The patient Rose Hill was admitted.", ["Rose Hill"]),
        ("Is John's card blocked?", ["John"]),
        ("Thanks, Mark", ["Mark"]),
        ("Priya: my card was declined", ["Priya"]),
        ("What's your last name? Boyle", ["Boyle"]),
        (
            "A book by Ilsa D. Varkonyi. Early Varkonyi is best.",
            ["Ilsa D. Varkonyi", "Varkonyi"],
        ),
        ("follow up with eva kleist next week", ["eva kleist"]),
    ],
)
def test_finds_names(det: PersonDetector, text: str, expected: list[str]) -> None:
    assert names(det, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "He has Parkinson's disease and Crohn's.",
        "My son has Down syndrome; grandma had Alzheimer.",
        "Dear Customer, your order 12345 ships on Monday.",
        "May I change my appointment to June?",
        "Will you help me? Hope so.",
        "I take Lipitor 20 mg and metformin 500 mg daily.",
        "Order #A-12345, version 1.2.3, room 204, ICD-10 E11.9.",
        "Card ending in 4242, tracking 1Z999AA10123456784 at 2024-01-05 10:30.",
        "I moved to Victoria last year.",
        "The iPhone 12 and Windows 10 from Apple and Microsoft.",
        "I live in Nice and work in Reading.",
        "Thank You For Contacting Customer Service",
        "this is great, i am fine",
        "Please transfer $1,250.00 to my Savings Account.",
    ],
)
def test_not_names(det: PersonDetector, text: str) -> None:
    assert names(det, text) == []


def test_reasons_never_quote_the_text(det: PersonDetector) -> None:
    text = "my name is Zorblax Quenthorpe, ask Priya or Mr. Smith"
    findings = list(det.find(text))
    assert len(findings) >= 3
    for f in findings:
        assert f.reason
        for word in ("zorblax", "quenthorpe", "priya", "smith"):
            assert word not in f.reason.lower()


def test_context_lifts_ambiguous_names(det: PersonDetector) -> None:
    bare = {f.score for f in det.find("Will you call?")}
    cued = [f.score for f in det.find("my son Will")]
    assert max(bare, default=0.0) < THRESHOLD <= max(cued)


@pytest.mark.parametrize(
    "text",
    [
        "A" * 100_000,
        "9" * 100_000,
        ". " * 50_000,
        "Mr. " * 25_000,
        "van " * 25_000,
        "John " * 20_000,
    ],
)
def test_hostile_input_completes(det: PersonDetector, text: str) -> None:
    list(det.find(text))


def test_one_megabyte_of_mixed_text(det: PersonDetector) -> None:
    chunk = "Hi, this is jane. Mr. O'Neil paid 42.50 EUR to Smith, John at 10:30 in Paris! "
    text = chunk * (1_000_000 // len(chunk))
    findings = list(det.find(text))
    assert len(findings) > 1000


# --- Other languages: particles inside names, nouns and function words outside ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jan van der Berg called yesterday", ["Jan van der Berg"]),
        ("María de la Cruz lives in Madrid", ["María de la Cruz"]),
        ("Leonardo da Vinci painted it", ["Leonardo da Vinci"]),
        ("Goedemorgen, mijn naam is Jan de Vries", ["Jan de Vries"]),
        ("Olá, o meu nome é João da Silva", ["João da Silva"]),
        ("Ich heiße Jürgen Müller und wohne in Berlin", ["Jürgen Müller"]),
        ("Ich habe einen Termin bei Herrn Becker", ["Becker"]),
        ("Guten Tag, hier ist Sabine Schneider", ["Sabine Schneider"]),
    ],
)
def test_names_with_particles_and_foreign_text(
    det: PersonDetector, text: str, expected: list[str]
) -> None:
    assert names(det, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # German capitalises every noun; several are rare surnames in the lexicon.
        "Hallo, ich habe eine Frage zu meiner Rechnung vom letzten Monat.",
        "Der Termin beim Arzt war am Montag.",
        "Sehr geehrte Damen und Herren, anbei die Unterlagen.",
        "Meine Bestellung ist nicht angekommen.",
        "Die Versichertennummer steht auf der Karte.",
        "Neue Lieferadresse: siehe unten",
        "Die Zahlung ist seit einer Woche offen, die Erstattung fehlt.",
        "Mi DNI caduca pronto",
        "Est-ce que vous pouvez m'aider?",
        "Reference ORD please",  # a short all-caps acronym
    ],
)
def test_foreign_nouns_and_greetings_are_not_names(det: PersonDetector, text: str) -> None:
    assert names(det, text) == []
