"""Tests for veil.detect._phone_regions: a "cannot be valid" must never be wrong."""

from __future__ import annotations

import re

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher, PhoneNumberType

from veil.detect._phone_regions import DigitGroups, plain
from veil.detect.phone import _WRITTEN_TRUNK_ZERO, DEFAULT_REGIONS, _prefix_ok

# Regions sharing a calling code with a default one, or with transform rules.
REGIONS = (*DEFAULT_REGIONS, "AG", "JM", "GG", "JE", "CC", "AR", "JP", "SM", "CH", "AT")
_DIGIT = re.compile(r"\d")


def _unsound(run: str) -> list[str]:
    """Regions the run was declared hopeless for that the matcher reads a valid
    number from (with and without the caller's written-zero rule)."""
    assert plain(run)
    groups = DigitGroups(run)
    wrong: list[str] = []
    for region in REGIONS:
        zero_led = region in _WRITTEN_TRUNK_ZERO
        loose, strict = groups.may_be_valid(region), groups.may_be_valid(region, zero_led=zero_led)
        if loose and strict:
            continue
        for pm in PhoneNumberMatcher(run, region, leniency=Leniency.POSSIBLE):
            valid = phonenumbers.is_valid_number(pm.number)
            if valid and (not loose or _prefix_ok(pm.raw_string, region)):
                wrong.append(region)
    return wrong


def _inside_group(run: str, i: int) -> bool:
    return 0 < i < len(run) and run[i - 1].isdigit() and run[i].isdigit()


def _edges_ok(run: str) -> bool:
    """No hit starts or ends between two digits of a group (the cue check relies on it)."""
    for region in REGIONS:
        for pm in PhoneNumberMatcher(run, region, leniency=Leniency.POSSIBLE):
            if _inside_group(run, pm.start) or _inside_group(run, pm.end):
                return False
    return True


_SEPARATOR = st.sampled_from([" ", "-", ".", "/", "(", ")", " (", ") ", " - ", "  ", "\t"])
_GROUP = st.text(alphabet="0123456789", min_size=1, max_size=6) | st.sampled_from(
    ["0", "00", "011", "1", "44", "49", "55", "90", "0011", "020", "212", "555"]
)


@st.composite
def _runs(draw: st.DrawFn) -> str:
    groups = draw(st.lists(_GROUP, min_size=1, max_size=6))
    run = groups[0]
    for group in groups[1:]:
        run += draw(_SEPARATOR) + group
    return draw(st.sampled_from(["", " ", "("])) + run


@settings(max_examples=300, deadline=None)
@given(_runs())
def test_hopeless_regions_find_no_valid_number(run: str) -> None:
    assert _unsound(run) == []
    assert _edges_ok(run)


def _corpus() -> list[str]:
    """National example numbers of every type in every tested region, and mutations."""
    runs: list[str] = []
    for region in REGIONS:
        for kind in PhoneNumberType.values():
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                runs.append(phonenumbers.format_number(example, PhoneNumberFormat.NATIONAL))
    mutated: list[str] = []
    for run in runs:
        spots = [m.start() for m in _DIGIT.finditer(run)]
        for i, spot in enumerate(spots):
            nxt = str((int(run[spot]) + 3 + i) % 10)
            mutated.append(run[:spot] + nxt + run[spot + 1 :])  # one digit changed
            mutated.append(run[:spot] + run[spot + 1 :])  # one digit dropped
            mutated.append(run[:spot] + nxt + run[spot:])  # one digit added
        mutated.append(run.replace(" ", "-"))
        mutated.append(run.lstrip("0( "))  # trunk zero left out
    return [r for r in dict.fromkeys(runs + mutated) if plain(r) and sum(map(str.isdigit, r)) >= 6]


CORPUS = _corpus()


@pytest.mark.parametrize("chunk", range(8))
def test_hopeless_regions_on_real_looking_numbers(chunk: int) -> None:
    assert all(_unsound(run) == [] for run in CORPUS[chunk::8])


def test_corpus_is_not_vacuous() -> None:
    hopeless = sum(not DigitGroups(run).may_be_valid(r) for run in CORPUS for r in REGIONS)
    assert len(CORPUS) > 500
    assert hopeless > len(CORPUS)  # the check is asked something it can say "no" to


@pytest.mark.parametrize(
    ("run", "region", "expected"),
    [
        ("020 7946 0958", "GB", True),
        ("212-555-0199", "US", True),
        ("212-555-0199", "CA", True),
        ("636 1812", "US", False),  # seven digits not led by 3: no NANP number
        ("636 1812", "ES", False),  # Spain's numbers have nine digits
        ("0 11 44 20 7946 0958", "US", True),  # dialled out of the US: any country
        ("030 1234567", "DE", True),
    ],
)
def test_examples(run: str, region: str, expected: bool) -> None:
    assert DigitGroups(run).may_be_valid(region) is expected


def test_written_zero_rule() -> None:
    assert DigitGroups("794 609 581").may_be_valid("FR")  # a French nsn...
    assert not DigitGroups("794 609 581").may_be_valid("FR", zero_led=True)  # ...unwritten 0
    assert DigitGroups("06 12 34 56 78").may_be_valid("FR", zero_led=True)


def test_unknown_region_may_be_valid() -> None:
    assert DigitGroups("636 1812").may_be_valid("XX")


@pytest.mark.parametrize(("run", "expected"), [("(555) 123-4567", True), ("+44 20", False)])
def test_plain(run: str, expected: bool) -> None:
    assert plain(run) is expected
    assert not plain("555 1234 x12")
    assert not plain("555 1234 #12")
