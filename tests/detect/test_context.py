from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from veil.detect import context
from veil.detect.context import words_after, words_before

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
WORDY = st.text(alphabet="ab' ’_-.\nÄé1", max_size=120)


@settings(max_examples=300, deadline=None)
@given(text=WORDY, pos=st.integers(0, 130), count=st.integers(0, 6))
def test_remembered_windows_equal_a_fresh_scan(text: str, pos: int, count: int) -> None:
    before = [w.lower() for w in _WORD.findall(text[max(0, pos - 60) : pos])[-count:]]
    after = [w.lower() for w in _WORD.findall(text[pos : pos + 40])[:count]]
    for _ in range(2):  # the second call reads the memo
        assert words_before(text, pos, count=count) == before
        assert words_after(text, pos, count=count) == after


def test_callers_get_copies_of_remembered_words() -> None:
    text = "please call my Mobile 555 0100"
    words = words_before(text, 22, count=3)
    words.append("changed")
    assert words_before(text, 22, count=3) == ["call", "my", "mobile"]


def test_memo_of_one_text_is_bounded() -> None:
    text = "a b " * 3000
    for pos in range(context.MEMO_LIMIT + 10):
        words_before(text, pos, count=1)
    assert len(context._windows(text)) <= context.MEMO_LIMIT
    assert words_before(text, 7, count=2) == ["a", "b"]
