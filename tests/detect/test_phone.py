"""Tests for veil.detect.phone."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberMatcher

from veil.core import EntityType, Finding
from veil.detect import phone
from veil.detect.base import Detector
from veil.detect.phone import DEFAULT_REGIONS, PhoneDetector

THRESHOLD = 0.5  # the engine's default cut-off


def found(text: str, detector: PhoneDetector | None = None) -> list[str]:
    findings = (detector or PhoneDetector()).find(text)
    return [text[f.start : f.end] for f in findings if f.score >= THRESHOLD]


def test_is_a_detector() -> None:
    detector = PhoneDetector()
    assert isinstance(detector, Detector)
    assert detector.name == "phone"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call me on +44 20 7946 0958 tomorrow", "+44 20 7946 0958"),
        ("+1 212-555-0199 ext. 12 is the desk", "+1 212-555-0199 ext. 12"),
        ("desk 212-555-0199 x123.", "212-555-0199 x123"),
        ("call 555.123.4567 now", "555.123.4567"),
        ("(555) 123-4567", "(555) 123-4567"),
        ("mobile: 020 7946 0958", "020 7946 0958"),
        ("Tel. 030 1234567", "030 1234567"),
        ("+49 30 1234567", "+49 30 1234567"),
        ("portable 06 12 34 56 78", "06 12 34 56 78"),
        ("+33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("whatsapp +91 98765 43210", "+91 98765 43210"),
        ("0044 20 7946 0958", "0044 20 7946 0958"),
        ("+41 (0)69 979 80 58", "+41 (0)69 979 80 58"),
        ("cell (11) 91234-5678", "(11) 91234-5678"),
        ("reach me at 0612345678", "0612345678"),
    ],
)
def test_positives(text: str, expected: str) -> None:
    assert found(text) == [expected]


def test_two_numbers_in_one_run() -> None:
    text = "call 555-123-4567 / 555-987-6543"
    assert found(text) == ["555-123-4567", "555-987-6543"]


def test_context_raises_score() -> None:
    plain = next(iter(PhoneDetector().find("020 7946 0958")))
    with_context = next(iter(PhoneDetector().find("phone 020 7946 0958")))
    assert with_context.score > plain.score
    assert "context" in with_context.reason


def test_deduplicated_across_regions() -> None:
    findings = list(PhoneDetector().find("number 06 12 34 56 78"))
    assert len(findings) == 1
    assert findings[0].entity is EntityType.PHONE


def test_regions_restrict_national_formats() -> None:
    text = "ring 030 1234567"
    assert found(text, PhoneDetector(regions=("DE",))) == ["030 1234567"]
    assert found("+49 30 1234567", PhoneDetector(regions=("US",))) == ["+49 30 1234567"]


@pytest.mark.parametrize(
    "text",
    [
        "order 12345678",
        "order #12345678 shipped",
        "tracking 9400 1000 0000 0000 0000 00",
        "tracking number 1Z999AA10123456784",
        "card 4111 1111 1111 1111",
        "card ending in 4242",
        "IBAN DE89 3704 0044 0532 0130 00",
        "on 2024-03-05",
        "at 2024-03-05T10:00:00Z",
        "at 2024-03-05 10:30",
        "born 05/03/1984",
        "12.10.2024",
        "costs 1.234.567 EUR",
        "$5551234567",
        "paid 1234567 USD",
        "ip 192.168.1.10",
        "version 1.2.3",
        "take 500 mg",
        "code E11.9",
        "room 1204",
        "the 1990-1995 period",
        "invoice 2024 0012 3456",
        "1 2 3 4 5 6 7 8 9 10 11 12",
        "reference 020 7946 0958",
        "my social security number is 123-45-6789",
        "zip 90210-1234",
    ],
)
def test_negatives(text: str) -> None:
    assert found(text) == []


def test_reasons_are_value_free() -> None:
    text = "call +44 20 7946 0958 or 212-555-0199"
    findings = list(PhoneDetector().find(text))
    assert len(findings) == 2
    for f in findings:
        assert f.reason
        assert not any(ch.isdigit() for ch in f.reason)


@pytest.mark.parametrize(
    "text",
    ["1" * 100_000, "1 " * 50_000, "1-" * 50_000, "+" * 100_000, "(1) " * 25_000, "1." * 50_000],
)
def test_hostile_input_completes(text: str) -> None:
    list(PhoneDetector().find(text))


def test_megabyte_of_mixed_text() -> None:
    chunk = "Order 12345678 shipped; call +44 20 7946 0958 after 5pm on 2024-03-05. "
    text = chunk * (1_000_000 // len(chunk))
    findings = list(PhoneDetector().find(text))
    assert len(findings) == 1_000_000 // len(chunk)


def test_first_region_with_a_valid_whole_number_names_it() -> None:
    # US is tried first, but a UK number written with its trunk 0 is only valid in GB.
    (finding,) = PhoneDetector().find("call 020 7946 0958")
    assert finding.reason.startswith("valid national number (phonenumbers, region GB)")
    (finding,) = PhoneDetector().find("call 212-555-0199 today")
    assert "region US" in finding.reason


def test_later_regions_still_checked_when_earlier_ones_are_weak() -> None:
    # Not valid in the US or GB: the German reading must still be found.
    (finding,) = PhoneDetector().find("ring 030 1234567")
    assert "region DE" in finding.reason
    assert finding.score >= THRESHOLD


@pytest.mark.parametrize("text", ["", "abc", "12345", "1 2 3 4 5", "room 12, floor 345"])
def test_fewer_than_six_digits_finds_nothing(text: str) -> None:
    assert list(PhoneDetector().find(text)) == []


def test_warm_up_leaves_results_unchanged() -> None:
    detector = PhoneDetector(regions=("GB", "DE"))
    text = "call 020 7946 0958 or 030 1234567"
    before = list(detector.find(text))
    detector.warm_up()
    assert list(detector.find(text)) == before


_SAMPLES = [
    "at 636 1812 Rue De La Gare",
    "call me at 636 1812",
    "636 1812 is the number",
    "order 4521 8810 34 shipped",
    "flat 12, 1045 8823 Main Rd",
    "mobile 78 651 450 or office 416 60 039",
    "ring 555 123 4567 or 555.123.4567 tomorrow",
    "(555) 123-4567 / 636 1812 / 020 7946 0958",
    "tel 1234567 / 7654321",
    "invoice 2024 0012 3456, call 030 1234567",
    "0044 20 7946 0958 and 00 1 212 555 0199",
    "the 12345 6789 thing, then 98765-43210 and 11 91234-5678",
    "ticket 55 7788 9911 — whatsapp 91 98765 43210",
    "house 636 1812, telephone: 06 12 34 56 78",
    "x" * 58 + " call 0 1234 5678",
    "cellphone" + " 1" * 3 + " 636 1812",
    "321 654 9870 ext 12, 321-654-9870 #4",
]


def _over(findings: list[Finding], floor: float) -> list[tuple[int, int, float, str]]:
    return [(f.start, f.end, f.score, f.reason) for f in findings if f.score >= floor]


@pytest.mark.parametrize("floor", [0.3, 0.45, 0.5, 0.55, 0.6, 0.7, 0.9])
@pytest.mark.parametrize("text", _SAMPLES)
def test_min_score_keeps_every_finding_over_it(text: str, floor: float) -> None:
    everything = list(PhoneDetector().find(text))
    cheap = list(PhoneDetector(min_score=floor).find(text))
    assert _over(cheap, floor) == _over(everything, floor)


def _matcher_calls(monkeypatch: pytest.MonkeyPatch, detector: PhoneDetector, text: str) -> int:
    calls: list[str] = []
    real = phone.PhoneNumberMatcher

    def counting(run: str, region: str, **kwargs: Any) -> PhoneNumberMatcher:
        calls.append(region)
        return real(run, region, **kwargs)

    monkeypatch.setattr(phone, "PhoneNumberMatcher", counting)
    list(detector.find(text))
    return len(calls)


def test_hopeless_runs_skip_the_matcher(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "at 636 1812 Rue De La Gare"
    # A possible German or Italian number at most; most regions are skipped.
    cheap = _matcher_calls(monkeypatch, PhoneDetector(min_score=THRESHOLD), text)
    assert 0 < cheap <= len(DEFAULT_REGIONS) // 2


def _exhaustive(monkeypatch: pytest.MonkeyPatch, text: str) -> list[Finding]:
    """Every region asked about every run: no region passed over for a whole-run hit."""
    with monkeypatch.context() as m:
        m.setattr(phone, "_ceiling", lambda run, best: None)
        return list(PhoneDetector().find(text))


# Runs where a later region's valid number outranks the whole-run hit that earlier
# regions were passed over for, so that their hits elsewhere in the run count again.
_OUTRANKED = [
    "call 97170 - 8 - 34968 / 6898",
    "Phone: 96 / 606 18742.9 - 3125",
    "4136 / 8 - 744 8735.350",
]


@pytest.mark.parametrize("text", _SAMPLES + _OUTRANKED)
def test_passing_over_regions_changes_nothing(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    assert list(PhoneDetector().find(text)) == _exhaustive(monkeypatch, text)


def test_a_whole_run_hit_spares_regions_that_cannot_beat_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "Phone:\n9469 9966\n"  # a telephone word: even invalid hits count
    assert _matcher_calls(monkeypatch, PhoneDetector(min_score=THRESHOLD), text) < 5
    with monkeypatch.context() as m:
        m.setattr(phone, "_ceiling", lambda run, best: None)
        every = _matcher_calls(m, PhoneDetector(min_score=THRESHOLD), text)
    assert every == len(DEFAULT_REGIONS)


_GROUP = st.text("0123456789", min_size=1, max_size=5)
_RUN = st.lists(
    st.tuples(_GROUP, st.sampled_from([" ", "-", ".", " - ", "/", ") "])), min_size=2, max_size=5
).map(lambda parts: "".join(g + sep for g, sep in parts).rstrip(" -./)"))


@settings(max_examples=150, deadline=None)
@given(
    before=st.sampled_from(["", "call ", "Phone:\n", "order ", "(", "tel 0", "+", "00"]),
    run=_RUN,
    after=st.sampled_from(["", " today", " (mobile)", " ext 12", " / 020 7946 0958"]),
)
def test_passing_over_regions_changes_nothing_anywhere(before: str, run: str, after: str) -> None:
    text = before + run + after
    with pytest.MonkeyPatch.context() as m:
        assert list(PhoneDetector().find(text)) == _exhaustive(m, text)


@pytest.mark.parametrize(
    "text",
    [
        "call 636 1812",  # a telephone word lifts even an invalid hit to the threshold
        "at 636 1812 (home phone)",
        "at 136-181-2000 today",  # north-american grouping: 0.5 without any word
        # Context windows are cut by characters: only a hit starting at "2345678"
        # sees "phone" (the run's start sees "lephone")...
        "ab telephone" + " " * 52 + ":1 2345678 zz",
        # ...and only one ending after "1" sees "tel" (the run's end sees "telephones").
        "at 1 2345678" + " " * 29 + "telephones",
    ],
)
def test_runs_that_may_reach_the_threshold_keep_every_region(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.setattr(phone, "_ceiling", lambda run, best: None)
    assert _matcher_calls(monkeypatch, PhoneDetector(min_score=THRESHOLD), text) == len(
        DEFAULT_REGIONS
    )
