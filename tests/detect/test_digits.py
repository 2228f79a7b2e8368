from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veil.detect import _digits
from veil.detect._digits import NumberCandidate, grouped_numbers

# Digit groups, separators and a few letters: every branch of the candidate search.
NUMBERISH = st.text(alphabet="0123456789 -.x/", max_size=80)
BOUNDS = [(6, 17, 4, None), (7, 20, 6, None), (12, 19, 6, None), (8, 18, 6, {9, 11, 13})]


def lazy(
    text: str, lo: int, hi: int, groups: int, lengths: set[int] | None, seps: str
) -> list[NumberCandidate]:
    return list(_digits._grouped(text, seps, lo, hi, groups, lengths))


@settings(max_examples=300, deadline=None)
@given(text=NUMBERISH, seps=st.sampled_from([" -", " -."]))
def test_shared_candidates_equal_a_search_with_the_callers_bounds(text: str, seps: str) -> None:
    for lo, hi, groups, lengths in BOUNDS:
        shared = list(
            grouped_numbers(
                text,
                min_digits=lo,
                max_digits=hi,
                separators=seps,
                max_groups=groups,
                lengths=lengths,
            )
        )
        assert shared == lazy(text, lo, hi, groups, lengths, seps)


@pytest.mark.parametrize(
    ("lo", "hi", "groups"),
    [(3, 17, 4), (6, 25, 6), (6, 17, 8)],  # outside the shared bounds: searched directly
)
def test_bounds_outside_the_shared_list_still_find_everything(
    lo: int, hi: int, groups: int
) -> None:
    text = "call 12 34 56 78 90 12 34 56 78 90 123 or 4111-1111-1111-1111-1111-1111"
    found = list(grouped_numbers(text, min_digits=lo, max_digits=hi, max_groups=groups))
    assert found == lazy(text, lo, hi, groups, None, " -")
    assert any(len(c.digits) < 6 or len(c.digits) > 20 or len(c.groups) > 6 for c in found)


def test_long_text_is_searched_lazily_not_shared() -> None:
    text = "12 " * (_digits._SHARED_TEXT // 3 + 10)
    _digits._shared_grouped.cache_clear()
    first = next(grouped_numbers(text, min_digits=6, max_digits=17))
    assert first == NumberCandidate(0, 8, "121212", (2, 2, 2), " ")
    assert _digits._shared_grouped.cache_info().currsize == 0


def test_digit_count_of_codes_counts_ascii_digits_only() -> None:
    text = "ref AB-12-٣4x9 and X1Y2Z3"
    codes = {m.group(): digits for m, _, digits in _digits._codes(text)}
    assert codes == {"ref": 0, "AB-12": 2, "4x9": 2, "and": 0, "X1Y2Z3": 3}


CODEISH = st.text(alphabet="ab0 1-.Z_é٣", max_size=60)


@settings(max_examples=300, deadline=None)
@given(text=CODEISH)
def test_codes_with_digits_are_those_of_the_whole_token_list(text: str) -> None:
    def plain(codes: tuple[tuple[re.Match[str], int, int], ...]) -> list[tuple[int, int, int]]:
        return [(m.start(), m.end(), digits) for m, _, digits in codes if digits > 0]

    assert plain(_digits._digit_codes(text)) == plain(_digits._codes(text))


def test_codes_with_digits_skip_runs_without_one() -> None:
    text = "my-long-word and ab-12-cd, then x-y"
    assert [m.group() for m, _, _ in _digits._digit_codes(text)] == ["ab-12-cd"]


def reference(text: str, seps: str, lo: int, hi: int, groups: int) -> list[NumberCandidate]:
    """Every run of whole groups, tested for glue at both ends (no shortcuts)."""
    out = []
    for run in _digits._RUN[seps].finditer(text):
        if _digits.looks_like_date(run.group()):
            continue
        spans = [(m.start(), m.end()) for m in re.finditer("[0-9]+", text[: run.end()])]
        spans = [(s, e) for s, e in spans if s >= run.start()]
        for i in range(len(spans)):
            for j in range(i, min(len(spans), i + groups)):
                chosen = spans[i : j + 1]
                seps_used = {text[e] for _, e in chosen[:-1]}
                digits = "".join(text[s:e] for s, e in chosen)
                if len(seps_used) > 1 or not lo <= len(digits) <= hi:
                    continue
                start, end = chosen[0][0], chosen[-1][1]
                if _digits.is_glued(text, start, end):
                    continue
                sizes = tuple(e - s for s, e in chosen)
                out.append(NumberCandidate(start, end, digits, sizes, "".join(seps_used)))
    return out


@settings(max_examples=300, deadline=None)
@given(text=NUMBERISH, seps=st.sampled_from([" -", " -."]))
def test_candidates_are_every_unglued_run_of_whole_groups(text: str, seps: str) -> None:
    assert lazy(text, 6, 20, 6, None, seps) == reference(text, seps, 6, 20, 6)
