from pathlib import Path

import pytest

from veil.config import load_settings, parse_settings
from veil.core import CustomEntity, EntityType
from veil.errors import ConfigurationError


def test_defaults_without_file() -> None:
    settings = load_settings({})
    assert settings.detection.threshold == 0.5
    assert "GB" in settings.detection.phone_regions


def test_toml_file_from_environment(tmp_path: Path) -> None:
    path = tmp_path / "veil.toml"
    path.write_text(
        """
[detection]
threshold = 0.6
entities = ["PERSON", "EMAIL_ADDRESS"]
allow = ["support@clinic.example"]

[[detection.custom]]
name = "employee"
entity = "EMPLOYEE_ID"
pattern = 'EMP-\\d{6}'

[[detection.deny]]
name = "staff"
entity = "PERSON"
terms = ["Anna Berg"]
""",
        encoding="utf-8",
    )
    det = load_settings({"VEIL_CONFIG": str(path)}).detection
    assert det.threshold == 0.6
    assert det.entities == {EntityType.PERSON, EntityType.EMAIL}
    assert det.custom[0].entity == CustomEntity("EMPLOYEE_ID")
    assert det.deny[0].terms == ("Anna Berg",)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"detection": {"threshold": 2}}, "threshold"),
        ({"detection": {"threshold": "high"}}, "expected a number"),
        ({"detection": {"colour": 1}}, "unknown key"),
        ({"nope": {}}, "unknown section"),
        ({"detection": {"entities": ["PERSN"]}}, "unknown entity"),
        ({"detection": {"custom": [{"name": "x", "entity": "X"}]}}, "missing key"),
        ({"detection": {"deny": [{"name": "x", "entity": "lower", "terms": []}]}}, "upper-case"),
        ({"detection": {"time_expressions": "no"}}, "expected true or false"),
    ],
)
def test_errors_name_the_problem(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        parse_settings(raw)


def test_broken_toml_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "veil.toml"
    path.write_text("[detection\nthreshold=", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"veil\.toml"):
        load_settings({}, path)


def test_time_expressions_can_be_turned_off() -> None:
    assert parse_settings({}).detection.time_expressions is True
    off = parse_settings({"detection": {"time_expressions": False}})
    assert off.detection.time_expressions is False
