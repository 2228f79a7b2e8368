"""Word tokens with the few facts the name and place rules look at.

A token is a run of letters that may contain inner apostrophes and hyphens
(``O'Neil``, ``Jean-Luc``); a trailing possessive ``'s`` is split off so that
``John's`` yields the token ``John`` with ``possessive=True``. Digits and
underscores never belong to a token, so numbers can never become names.

The pattern has no nested or overlapping quantifiers: it runs in linear time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from veil.detect import lexicon

__all__ = ["SENTENCE_END", "Token", "is_sentence_start", "shared_tokens", "tokenize"]

_SPLIT = re.compile(r"([^\W\d_]+(?:['’\-][^\W\d_]+)*)")
_POSSESSIVE = ("'s", "’s", "'S", "’S")
# Characters that end a sentence (or a line of a form) before the next token.
SENTENCE_END = frozenset('.!?:;\n\r\t•|>"“”()[]')


@dataclass(slots=True)
class Token:
    """One word of the text; ``start``/``end`` index the normalized input."""

    start: int
    end: int
    text: str
    low: str
    gap: str  # the characters between the previous token and this one
    cap: bool  # first letter upper-case, not an all-caps acronym
    upper: bool  # all letters upper-case and at least two of them
    possessive: bool
    zipf: float  # English word frequency, 0.0 for words that are not common
    first: bool  # in the given-name lexicon
    last: bool  # in the surname lexicon


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into :class:`Token` objects, in order."""
    words = _words_memo
    out: list[Token] = []
    append = out.append
    # split() with one capturing group alternates gaps and words in C; positions
    # follow from their lengths, with no match object per word.
    parts = iter(_SPLIT.split(text))
    end = 0
    # Pairs of (text before, token); the text after the last token is left over.
    for gap, raw in zip(parts, parts, strict=False):
        info = words.get(raw)
        if info is None:
            if len(words) >= _WORDS_MEMO_SIZE:
                words.clear()  # a crude bound; frequent words come back at once
            info = words[raw] = _word_facts(raw)
        start = end + len(gap)
        end = start + len(raw)
        word, low, cap, upper, possessive, zipf, first, last = info
        # Positional, in field order: start end text low gap cap upper possessive
        # zipf first last.
        append(
            Token(
                start,
                end - 2 if possessive else end,
                word,
                low,
                gap,
                cap,
                upper,
                possessive,
                zipf,
                first,
                last,
            )
        )
    return out


# Everything a token's own characters decide, memoised per matched word: a message
# costs one dict look-up per word instead of the string tests and three lexicon look-ups.
_WordFacts = tuple[str, str, bool, bool, bool, float, bool, bool]
_words_memo: dict[str, _WordFacts] = {}
_WORDS_MEMO_SIZE = 20_000


def _word_facts(raw: str) -> _WordFacts:
    """(word, lower-case word, cap, upper, possessive, Zipf, given name, surname) of a
    matched word; ``word`` drops a trailing possessive "'s"."""
    word = raw
    possessive = word.endswith(_POSSESSIVE) and len(word) > 3
    if possessive:
        word = word[:-2]
    low = word.lower().replace("’", "'")
    upper = len(word) > 1 and word.isupper()
    zipf, first, last = _facts(low)
    return word, low, word[0].isupper() and not upper, upper, possessive, zipf, first, last


def _facts(low: str) -> tuple[float, bool, bool]:
    """(Zipf frequency, given name, surname) of a lower-case word."""
    return (
        lexicon.word_frequencies().get(low, 0.0),
        low in lexicon.first_names(),
        low in lexicon.surnames(),
    )


@lru_cache(maxsize=4)
def shared_tokens(text: str) -> tuple[Token, ...]:
    """:func:`tokenize` for the last few texts, shared by the person and place
    detectors and the name model, which all read the same message. Callers must
    not modify the tokens."""
    return tuple(tokenize(text))


def is_sentence_start(tokens: Sequence[Token], i: int, abbreviations: frozenset[str]) -> bool:
    """True if token ``i`` opens a sentence, a line, a quote or a list item.

    A period after an abbreviation in ``abbreviations`` (titles like "Dr") or after a
    single-letter initial does not end a sentence.
    """
    if i == 0:
        return True
    gap = tokens[i].gap
    if SENTENCE_END.isdisjoint(gap):
        return False
    prev = tokens[i - 1]
    return not (gap.strip() == "." and (prev.low in abbreviations or len(prev.text) == 1))
