import pytest
import spacy

from veil.core import EntityType
from veil.detect.adapters.spacy_ner import SpacyDetector
from veil.errors import ConfigurationError


@pytest.fixture
def nlp() -> spacy.language.Language:
    pipeline = spacy.blank("en")
    ruler = pipeline.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "PERSON", "pattern": "Jane Doe"},
            {"label": "GPE", "pattern": "Leeds"},
            {"label": "ORG", "pattern": "Acme"},
        ]
    )
    return pipeline


def test_maps_labels_and_drops_unmapped(nlp: spacy.language.Language) -> None:
    found = list(SpacyDetector(nlp).find("Jane Doe from Leeds works at Acme"))
    assert [(f.entity, f.start, f.end) for f in found] == [
        (EntityType.PERSON, 0, 8),
        (EntityType.LOCATION, 14, 19),
    ]
    assert all(f.detector == "spacy" and "spaCy entity" in f.reason for f in found)


def test_missing_model_is_a_one_line_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="never downloads"):
        SpacyDetector.load("xx_no_such_model")


def test_rejects_non_pipeline() -> None:
    with pytest.raises(ConfigurationError):
        SpacyDetector(object())
