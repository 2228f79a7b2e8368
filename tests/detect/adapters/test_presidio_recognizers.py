import pytest
from presidio_analyzer import Pattern, PatternRecognizer

from veil.core import CustomEntity, EntityType
from veil.detect.adapters.presidio_recognizers import PresidioDetector
from veil.errors import ConfigurationError


def test_pattern_recognizers_without_a_model() -> None:
    recognizers = [
        PatternRecognizer(
            supported_entity="EMPLOYEE_ID", patterns=[Pattern("emp", r"EMP-\d{6}", 0.8)]
        ),
        PatternRecognizer(supported_entity="EMAIL_ADDRESS", deny_list=["helpdesk"]),
    ]
    found = sorted(
        PresidioDetector(recognizers).find("EMP-123456 wrote to helpdesk"), key=lambda f: f.start
    )
    assert [(f.entity, f.start, f.end) for f in found] == [
        (CustomEntity("EMPLOYEE_ID"), 0, 10),
        (EntityType.EMAIL, 20, 28),
    ]
    assert found[0].score == pytest.approx(0.8)


def test_needs_something_to_run() -> None:
    with pytest.raises(ConfigurationError):
        PresidioDetector()
