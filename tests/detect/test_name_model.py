"""The statistical name tagger and how the person/place detectors use it."""

from __future__ import annotations

import pytest

from veil.core import EntityType
from veil.detect._name_spans import TaggedSpan, trim
from veil.detect._name_tokens import tokenize
from veil.detect.location import LocationDetector
from veil.detect.name_model import TAGS, NameModel, candidate, features, tagged_spans
from veil.detect.person import PersonDetector


def found(text: str, *, model: bool = True) -> list[tuple[str, str]]:
    dets = (PersonDetector(use_model=model), LocationDetector(use_model=model))
    return sorted(
        (text[f.start : f.end], f.label) for d in dets for f in d.find(text) if f.score >= 0.5
    )


def test_default_model_loads_and_tags() -> None:
    model = NameModel.default()
    assert model is NameModel.default()
    assert TAGS[0] == "O"
    text = "My neighbour Zbigniewa brought the parcel."
    tokens = tokenize(text)
    tags = model.tag(tokens, text)
    assert len(tags) == len(tokens)
    assert [TAGS[t] for t, _ in tags][2] == "B-PER"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("My neighbour Zbigniewa brought the parcel.", "Zbigniewa"),
        ("Please ask Oyelaran to call me back.", "Oyelaran"),
    ],
)
def test_model_finds_names_the_rules_miss(text: str, name: str) -> None:
    assert (name, "PERSON") not in found(text, model=False)
    assert (name, "PERSON") in found(text)


def test_model_finding_has_value_free_reason_and_moderate_score() -> None:
    text = "Please ask Oyelaran to call me back."
    findings = [f for f in PersonDetector().find(text) if "model" in f.reason]
    assert len(findings) == 1
    f = findings[0]
    assert f.entity is EntityType.PERSON
    assert 0.5 <= f.score <= 0.8
    assert "oyelaran" not in f.reason.lower()


@pytest.mark.parametrize(
    "text",
    [
        "The Premium Account fee is too high.",
        "Order REF 12345 was never delivered.",
        "He has Parkinson's disease and Crohn's.",
        "Ich habe eine Frage zur Rechnung vom Montag.",
        "I bought a Zentrovax charger from Amazon.",
        "Take 500 mg twice daily, version 1.2.3, code E11.9.",
        "The card ending in 4242 was charged $19.99 on Monday.",
        "i live in hope",
        "please mark it as paid, i will check tomorrow",
    ],
)
def test_no_names_in_ordinary_text(text: str) -> None:
    assert found(text) == []


def test_rule_findings_are_kept_and_not_merged() -> None:
    text = "Sr. García y Sra. López llegaron."
    names = [text[f.start : f.end] for f in PersonDetector().find(text) if f.score >= 0.5]
    assert names == ["García", "López"]


def test_titles_stay_outside_the_span() -> None:
    text = "Can Dr. Abernathy-Quist see my son Tiberiu on Friday?"
    assert found(text) == [("Abernathy-Quist", "PERSON"), ("Tiberiu", "PERSON")]


def test_candidates_skip_ordinary_lower_case_words() -> None:
    tokens = {t.text: t for t in tokenize("it was paid yesterday by Zbigniewa")}
    assert not candidate(tokens["paid"])
    assert not candidate(tokens["yesterday"])
    assert candidate(tokens["Zbigniewa"])


def test_features_are_value_strings_and_unknown_hides_lexicon() -> None:
    text = "Thanks Anna"
    tokens = tokenize(text)
    seen = features(tokens, 1, text)
    hidden = features(tokens, 1, text, unknown=frozenset({1}))
    assert "w=anna" in seen
    assert "w=anna" not in hidden
    assert any(f.startswith("lx=F") for f in seen)
    assert not any(f.startswith("lx=F") for f in hidden)


def _reference_tag(model: NameModel, text: str) -> list[tuple[int, float]]:
    """Greedy decoding straight from the definition: features() and scores()."""
    tokens = tokenize(text)
    out: list[tuple[int, float]] = []
    prev = 0
    for i, tok in enumerate(tokens):
        if not candidate(tok):
            out.append((0, 0.0))
            prev = 0
            continue
        s = model.scores(features(tokens, i, text), prev)
        allowed = [k for k in range(len(TAGS)) if not (k == 2 and prev not in (1, 2))]
        allowed = [k for k in allowed if not (k == 4 and prev not in (3, 4))]
        best = max(allowed, key=s.__getitem__)
        out.append((best, s[best] - s[0]))
        prev = best
    return out


@pytest.mark.parametrize(
    "text",
    [
        "My neighbour Zbigniewa brought the parcel.",
        "Dear Mr. O'Neil, your flight from Kurtuluşköy to New York is booked.\nAnna's card 4242",
        "Hi!! I am Jean-Luc van der Berg, based in Brenvik; call 555 0100. Thanks, JOHN SMITH",
        "Sent from Lyon, France. (Dr Ngozi Okonkwo-Adeyemi) ref 12Paris",
        "",
    ],
)
def test_fast_tagging_is_exactly_the_reference(text: str) -> None:
    # The tagger memoises per-token sums; margins must stay the same floats, twice.
    model = NameModel.default()
    expected = _reference_tag(model, text)
    assert model.tag(tokenize(text), text) == expected
    assert model.tag(tokenize(text), text) == expected


def test_scores_add_every_feature_row_in_order() -> None:
    weights = {
        "b": [0.1, 0.2, 0.0, 0.0, -0.3],
        "w=anna": [0.0, 1.5, 0.0, 0.0, 0.0],
        "pt=O": [0.7, 0.0, 0.0, 0.0, 0.0],
        "ptc=Oc=C": [0.0, 0.0, 0.0, 0.25, 0.0],
    }
    model = NameModel(weights)
    assert model.scores(["b", "c=C", "w=anna"], 0) == [0.1 + 0.7, 0.2 + 1.5, 0.0, 0.25, -0.3]
    assert model.scores(["nothing", "c=l"], 1) == [0.0] * 5


def test_tagged_spans_is_shared_between_detectors() -> None:
    text = "My neighbour Zbigniewa brought the parcel."
    assert tagged_spans(text) is tagged_spans(text)


@pytest.mark.parametrize("unit", ["a", "A", "Zz ", "Anna ", "1", ". ", "\n", "-"])
def test_hostile_input_completes(unit: str) -> None:
    text = unit * 100_000
    list(PersonDetector().find(text))
    list(LocationDetector().find(text))


def test_one_megabyte_of_mixed_text() -> None:
    chunk = "Hi, I am Zbigniewa from Kurtuluşköy. Order REF 12345, call Oyelaran on Monday. "
    text = chunk * (1_000_000 // len(chunk))
    people = list(PersonDetector().find(text))
    assert len(people) >= 2 * (len(text) // len(chunk))


# --- Model-only spans: function words of other languages never at the edges ---


@pytest.mark.parametrize(
    "text",
    [
        "ich wohne in der Stadt",  # the model reads "der Stadt" as a place after "in"
        "Ich heiße Jürgen und wohne in der Nähe",
        "vivo en la ciudad",
        "mi lavadora stürzt ständig ab",
        "das Gerät funktioniert nicht mehr",
        "el pedido llegó en zł",
    ],
)
def test_model_spans_never_start_or_end_with_foreign_function_words(text: str) -> None:
    assert [s for s, label in found(text) if label == "LOCATION"] == []
    for span, _ in found(text):
        first, last = span.split()[0].lower(), span.split()[-1].lower()
        assert first not in ("der", "la", "en", "in", "das", "el")
        assert last not in ("der", "la", "en", "in", "das", "el")


def test_trim_keeps_particles_inside_a_name() -> None:
    text = "meet anna van der berg and der Stadt"
    tokens = tokenize(text)
    name = TaggedSpan(1, 5, "PER", 40.0)  # anna van der berg
    assert trim(tokens, name) == name
    particles_first = TaggedSpan(2, 5, "PER", 40.0)  # van der berg
    assert trim(tokens, particles_first) == particles_first
    place = TaggedSpan(6, 8, "LOC", 40.0)  # der Stadt
    assert trim(tokens, place) is None  # "der" cut, "Stadt" is a common noun
    article = TaggedSpan(6, 8, "PER", 40.0)
    assert trim(tokens, article) is None
    noun = tokenize("das Gerät")  # an article and a noun, not "Das" the surname
    assert trim(noun, TaggedSpan(0, 2, "PER", 40.0)) is None
    greeting = tokenize("Hola Zbigniewa")
    trimmed = trim(greeting, TaggedSpan(0, 2, "PER", 10.0))
    assert trimmed is not None
    assert (trimmed.lo, trimmed.hi) == (1, 2)
    lower = tokenize("stürzt ständig")
    assert trim(lower, TaggedSpan(0, 2, "PER", 40.0)) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hola, soy Zbigniewa Kowalczyk", [("Zbigniewa Kowalczyk", "PERSON")]),
        ("Mein Nachbar Zbigniew Brzęczyszczykiewicz hilft", None),
    ],
)
def test_model_names_in_foreign_text_still_found(
    text: str, expected: list[tuple[str, str]] | None
) -> None:
    got = found(text)
    if expected is None:
        assert any(label == "PERSON" and "Zbigniew" in s for s, label in got)
    else:
        assert got == expected
