from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from veil.detect import _phrases
from veil.detect._phrases import Phrases, Surroundings
from veil.detect.context import MEMO_LIMIT

ACCOUNT = Phrases({"account number", "acct", "sort code"})


def test_phrases_are_found_before_and_after() -> None:
    text = "My account number: 12345678, sort code 12-34-56 please"
    start = text.index("1234")
    assert ACCOUNT.before(text, start) == "account number"
    assert ACCOUNT.near("order 42 shipped", 6, 8) is None
    where = Surroundings(text)
    assert ACCOUNT.around(where, start, start + 8) == "account number"
    assert ACCOUNT.search(where.after(start + 8)) == "sort code"


def test_windows_of_one_text_are_shared_between_readers() -> None:
    text = "acct 998877"
    Surroundings(text).before(5)
    memo = _phrases._grams(text)
    assert memo[(5, 5, True)] == frozenset({"acct"})
    # Another reader with another word count gets its own entry, not the first one's.
    assert Surroundings(text, before=1).before(5) == frozenset({"acct"})
    assert (5, 1, True) in memo


def test_shared_windows_are_bounded() -> None:
    text = "1 " * (MEMO_LIMIT + 50)
    where = Surroundings(text)
    for pos in range(0, 2 * (MEMO_LIMIT + 20), 2):
        where.before(pos)
    assert len(_phrases._grams(text)) <= MEMO_LIMIT
    assert where.before(4) == frozenset({"1", "1 1"})


def test_ngrams_are_every_run_of_one_to_three_words() -> None:
    words = ["a", "b", "c", "d"]
    assert _phrases._ngrams(words) == frozenset(
        {"a", "b", "c", "d", "a b", "b c", "c d", "a b c", "b c d"}
    )
    assert _phrases._ngrams(["x"]) == frozenset({"x"})
    assert _phrases._ngrams([]) == frozenset()
    assert _phrases._ngrams(["x", "y"]) == frozenset({"x", "y", "x y"})


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.sampled_from(["account", "number", "sort", "code", "acct", "x"])))
def test_matching_words_equals_searching_their_phrases(words: list[str]) -> None:
    phrases = Phrases({"account number", "acct", "sort code", "account", "code x number"})
    assert phrases._match(words) == phrases.search(_phrases._ngrams(words))
