"""Tests for veil.detect.username."""

from __future__ import annotations

import pytest

from veil.core import EntityType
from veil.detect.base import Detector
from veil.detect.username import UsernameDetector


def found(text: str) -> list[str]:
    return [text[f.start : f.end] for f in UsernameDetector().find(text) if f.score >= 0.5]


def test_is_a_detector() -> None:
    detector = UsernameDetector()
    assert isinstance(detector, Detector)
    assert detector.name == "username"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thanks @jane_doe99!", "jane_doe99"),
        ("ping @jane.doe about it", "jane.doe"),
        ("my username is jdoe_77", "jdoe_77"),
        ("Username: isabel99", "isabel99"),
        ("user name = j.smith", "j.smith"),
        ("login: jdoe", "jdoe"),
        ("user id: 48213", "48213"),
        ("my gamertag is xXSniperXx", "xXSniperXx"),
        ("screen name - cool_cat", "cool_cat"),
        ("account name 'mary_k'", "mary_k"),
        ("my handle is jdoe_77.", "jdoe_77"),
        ("Benutzername: hans_m", "hans_m"),
    ],
)
def test_positives(text: str, expected: str) -> None:
    assert found(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "email jane@example.com",
        "login: jane@example.com",
        "write to @example.com",
        "@everyone hi",
        "meet @ 5",
        "login failed again",
        "please handle it",
        "we handle complaints daily",
        "My login is not working",
        "username is incorrect",
        "Nick is here",
        "order #12345",
        "price 5@10",
    ],
)
def test_negatives(text: str) -> None:
    assert found(text) == []


def test_one_finding_per_handle_and_value_free_reason() -> None:
    findings = list(UsernameDetector().find("my username is @jdoe_77"))
    assert len(findings) == 1
    (f,) = findings
    assert f.entity is EntityType.USERNAME
    assert f.reason
    assert "jdoe" not in f.reason


@pytest.mark.parametrize(
    "text",
    ["@" * 100_000, "@a" * 50_000, "a" * 100_000, "username: " * 10_000, "_" * 100_000],
)
def test_hostile_input_completes(text: str) -> None:
    list(UsernameDetector().find(text))


def test_megabyte_of_mixed_text() -> None:
    chunk = "hey @jane_doe99, my username is jdoe_77 and login failed. "
    n = 1_000_000 // len(chunk)
    assert len(list(UsernameDetector().find(chunk * n))) == 2 * n
