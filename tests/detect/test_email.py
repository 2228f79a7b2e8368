"""Tests for veil.detect.email."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veil.core import EntityType
from veil.detect import email
from veil.detect.base import Detector
from veil.detect.email import EmailDetector


def spans(text: str) -> list[str]:
    return [text[f.start : f.end] for f in EmailDetector().find(text)]


def test_is_a_detector() -> None:
    detector = EmailDetector()
    assert isinstance(detector, Detector)
    assert detector.name == "email"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to jane.doe@example.com please", "jane.doe@example.com"),
        ("tag: jane+news@mail.example.co.uk.", "jane+news@mail.example.co.uk"),
        ("Jane Doe <jane_doe99@sub.example.org>", "jane_doe99@sub.example.org"),
        ("link mailto:info@clinic.de?subject=x", "info@clinic.de"),
        ("josé@bücher.de", "josé@bücher.de"),
        ("reach me at Bob.Smith@Example.COM, thanks", "Bob.Smith@Example.COM"),
        ("jane@example.com.Thanks for the help", "jane@example.com"),
    ],
)
def test_plain_addresses(text: str, expected: str) -> None:
    assert spans(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it is jane dot doe at gmail dot com ok", "jane dot doe at gmail dot com"),
        ("jane.doe [at] gmail [dot] com", "jane.doe [at] gmail [dot] com"),
        ("mail jane(at)example(dot)org", "jane(at)example(dot)org"),
        ("try jane at gmail.com", "jane at gmail.com"),
        ("JANE AT YAHOO DOT CO DOT UK", "JANE AT YAHOO DOT CO DOT UK"),
        ("jane {at} example {dot} de", "jane {at} example {dot} de"),
        ("contact me at jane dot doe at gmail dot com", "jane dot doe at gmail dot com"),
        ("my email is bob at acme.org", "bob at acme.org"),
    ],
)
def test_obfuscated_addresses(text: str, expected: str) -> None:
    assert spans(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "meet at home dot",
        "meet at home dot com",
        "I work at google.com",
        "see you at noon.",
        "jane at the office dot then lunch",
        "user@localhost",
        "price is 5 @ 10 dollars",
        "@jane_doe99 hi",
        "version 1.2.3 at 500 mg",
        "look at example.com for details",
    ],
)
def test_negatives(text: str) -> None:
    assert spans(text) == []


def test_scores_and_reasons_are_value_free() -> None:
    text = "jane.doe@example.com or jane at gmail.com"
    findings = list(EmailDetector().find(text))
    assert [f.entity for f in findings] == [EntityType.EMAIL, EntityType.EMAIL]
    assert findings[0].score >= 0.9
    assert 0.5 <= findings[1].score < findings[0].score
    for f in findings:
        assert f.reason
        assert "jane" not in f.reason
        assert "example" not in f.reason
        assert "gmail" not in f.reason


def test_unknown_tld_scores_lower() -> None:
    (finding,) = EmailDetector().find("ops@host.internal")
    assert 0.5 <= finding.score < 0.9


@pytest.mark.parametrize(
    "text",
    [
        "a" * 100_000,
        "a." * 50_000,
        "a@" * 50_000,
        "a at " * 20_000,
        " dot " * 20_000,
        "[at]" * 25_000,
        "x" * 64 + "@" + "b." * 50_000,
    ],
)
def test_hostile_input_completes(text: str) -> None:
    list(EmailDetector().find(text))


def test_megabyte_of_mixed_text() -> None:
    chunk = "Hi, mail jane.doe@example.com or bob at gmail dot com; call 555-0100. "
    text = chunk * (1_000_000 // len(chunk))
    findings = list(EmailDetector().find(text))
    assert len(findings) == 2 * (1_000_000 // len(chunk))


def test_at_sign_pre_check_never_hides_an_address() -> None:
    """The obfuscated pattern holds an at-sign form, so the cheap scan finds one
    wherever the full pattern matches; texts without one give nothing."""
    from veil.detect import email

    samples = [
        "jane dot doe at gmail dot com",
        "jane [at] example [dot] org",
        "write to jane (AT) example.com",
        "jane<@>example<.>com",
        "jane\tat\tgmail.com",
    ]
    for text in samples:
        assert email._OBFUSCATED.search(text) is not None
        assert email._AT_ONLY.search(text) is not None
        assert spans(text)
    assert email._AT_ONLY.search("meet me later, that is all") is None
    assert spans("meet me later, that is all; mail jane.doe@example.com") == [
        "jane.doe@example.com"
    ]


@settings(max_examples=400, deadline=None)
@given(
    text=st.lists(
        st.sampled_from([*"ab1_-+.@ \t[](){}<>", "at", "dot", "AT", ".com", ".org", "x" * 45]),
        max_size=40,
    ).map("".join)
)
def test_possessive_runs_match_exactly_what_backtracking_runs_match(text: str) -> None:
    # The patterns without the possessive "+" are the reference: giving characters
    # of a run back can never lead to a match, so both find the same matches.
    for pattern in (email._PLAIN, email._OBFUSCATED):
        reference = re.compile(pattern.pattern.replace("}+", "}"), pattern.flags)
        assert reference.pattern != pattern.pattern
        got = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
        assert got == [(m.span(), m.groupdict()) for m in reference.finditer(text)]
