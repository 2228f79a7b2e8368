import pytest

from veil.core import CustomEntity, EntityType
from veil.detect.custom import DenyListDetector, RegexDetector
from veil.errors import ConfigurationError

EMPLOYEE = CustomEntity("EMPLOYEE_ID")


def test_regex_detector_flags_named_group_only() -> None:
    d = RegexDetector("emp", EMPLOYEE, r"EMP-(?P<value>\d{6})")
    [finding] = list(d.find("badge EMP-123456 issued"))
    assert (finding.start, finding.end) == (10, 16)
    assert finding.entity == EMPLOYEE
    assert "123456" not in finding.reason


def test_regex_context_required() -> None:
    d = RegexDetector("emp", EMPLOYEE, r"\b\d{6}\b", context=["employee"])
    assert list(d.find("order 123456 shipped")) == []
    assert len(list(d.find("my employee number is 123456"))) == 1


def test_backreferences_are_refused_at_load() -> None:
    with pytest.raises(ConfigurationError, match="invalid pattern"):
        RegexDetector("bad", EMPLOYEE, r"(a+)+\1")


def test_regex_is_linear_on_hostile_input() -> None:
    d = RegexDetector("evil", EMPLOYEE, r"(a+)+b")
    assert list(d.find("a" * 100_000)) == []


def test_deny_list_whole_words_adjacent_and_case_insensitive() -> None:
    d = DenyListDetector("staff", EntityType.PERSON, ["Anna Berg", "Bo"])
    spans = [(x.start, x.end) for x in d.find("Bo Anna Berg, bo. Bob and bonanza")]
    assert spans == [(0, 2), (3, 12), (14, 16)]


def test_empty_deny_list_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        DenyListDetector("staff", EntityType.PERSON, [" "])
