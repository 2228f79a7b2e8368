"""Property tests for veil.ingest.normalize: the offset map holds for arbitrary text."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from veil.core import Span
from veil.ingest import normalize
from veil.ingest._characters import is_invisible

# Characters the rules act on, mixed into arbitrary text so every rule is exercised often.
_INTERESTING = (
    "\u200b\u200c\u200d\u2060\ufeff\u180e\u00ad\u202a\u202e\u2066\u2069\u200e\u200f"
    "\ufe0f\u20e3\u034f\U000e0041"  # invisibles
    "\u0301\u0308\u0323\u0327\u1161\u11a8"  # combining
    "ﬁﬂ½¾…㎏ǆ\ufdfa"  # expansions
    "４１＠ａＺ𝐀𝟗²①❶٣"  # NFKC and digits
    "\u00a0\u2009\u3000\u2028\u2029\u0085"  # spaces and separators
    "‐–—−‘’“”«»´″"  # dashes and quotes
    "аеорсхуіАВЕКМНОРСТХΑΒΕΟΡοαЗб"  # look-alikes
    "Москваθλ"  # genuine Cyrillic and Greek
    "\ud800\udc80\udfff"  # lone surrogates
)

_CHARS = st.one_of(
    st.characters(exclude_categories=()),  # any code point, surrogates included
    st.sampled_from(_INTERESTING),
    st.sampled_from("abcxyz019 @.-'\n"),
)
TEXTS = st.text(alphabet=_CHARS, max_size=80)


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[Span]]:
    text = draw(TEXTS)
    size = len(normalize(text).text)
    bounds = st.integers(min_value=0, max_value=size)
    spans = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        a, b = draw(bounds), draw(bounds)
        spans.append(Span(min(a, b), max(a, b)))
    return text, spans


@given(text_and_spans())
def test_mapped_spans_are_within_the_original(case: tuple[str, list[Span]]) -> None:
    text, spans = case
    result = normalize(text)
    for span in spans:
        mapped = result.to_original(span)
        assert 0 <= mapped.start <= mapped.end <= len(text)
        assert (len(mapped) == 0) == (len(span) == 0)


@given(text_and_spans())
def test_mapping_is_monotonic(case: tuple[str, list[Span]]) -> None:
    text, spans = case
    result = normalize(text)
    ordered = sorted(spans)
    mapped = [result.to_original(span) for span in ordered]
    for index in range(len(ordered) - 1):
        first, second = ordered[index], ordered[index + 1]
        m1, m2 = mapped[index], mapped[index + 1]
        assert first.start <= second.start
        assert m1.start <= m2.start
        if first.end <= second.end and len(first) and len(second):
            assert m1.end <= m2.end


@given(TEXTS)
def test_every_character_maps_inside_its_neighbours(text: str) -> None:
    result = normalize(text)
    previous = Span(0, 0)
    for index in range(len(result.text)):
        mapped = result.to_original(Span(index, index + 1))
        assert len(mapped) >= 1
        # Consecutive characters map to the same original range (an expansion) or to
        # ranges that follow each other without overlap.
        assert mapped == previous or mapped.start >= previous.end
        previous = mapped


@given(TEXTS)
def test_full_span_covers_the_original_up_to_removed_edges(text: str) -> None:
    result = normalize(text)
    mapped = result.to_original(Span(0, len(result.text)))
    # Only removed characters may lie outside the full span.
    assert all(is_invisible(c) for c in text[: mapped.start])
    assert all(is_invisible(c) for c in text[mapped.end :])
    if text and not is_invisible(text[0]) and not is_invisible(text[-1]):
        assert mapped == Span(0, len(text))


@given(TEXTS)
def test_normalized_text_has_no_invisible_characters(text: str) -> None:
    result = normalize(text)
    assert not any(unicodedata.category(c) == "Cf" for c in result.text)


@given(TEXTS)
def test_length_is_kept_without_removals_or_expansions(text: str) -> None:
    result = normalize(text)
    if result._starts is None:
        assert len(result.text) == len(text)
        span = Span(0, len(text))
        assert result.to_original(span) == span


@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=200))
def test_ascii_is_identity(text: str) -> None:
    result = normalize(text)
    assert result.text == text
    assert not result.changed
    assert result.to_original(Span(0, len(text))) == Span(0, len(text))


@settings(max_examples=50)
@given(st.text(alphabet=st.sampled_from("abcdé \u200bﬁ４"), min_size=1, max_size=30))
def test_mapped_original_renormalizes_to_the_same_characters(text: str) -> None:
    # For an alphabet without context-dependent rules, the original characters behind a
    # span normalize to that span's text, widened to whole expansions.
    result = normalize(text)
    for start in range(len(result.text)):
        for end in range(start + 1, len(result.text) + 1):
            mapped = result.to_original(Span(start, end))
            again = normalize(text[mapped.start : mapped.end]).text
            assert result.text[start:end] in again
