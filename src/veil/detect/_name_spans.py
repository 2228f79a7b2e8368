"""Which spans of the name model may be reported, and where they end.

The tagger in :mod:`veil.detect.name_model` reads word shape and context; these
rules hold what is known for sure about words: titles, calendar and chat words,
eponyms and frequent words of other languages are never part of a model-only name,
and function words of other languages ("der", "la", "em") never open or close one
unless they are particles inside a person's name ("van der Berg").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from veil.detect._name_rules import (
    CALENDAR,
    EPONYMS,
    FOREIGN_WORDS,
    FUNCTION_WORDS,
    NOT_NAME,
    NOT_PERSON_AFTER,
    PARTICLES,
    PLACE_NOUNS,
    TITLES,
    foreign_noun_shape,
)
from veil.detect._name_tokens import Token, is_sentence_start

__all__ = ["MIN_MARGIN", "TaggedSpan", "plausible", "trim"]


@dataclass(frozen=True, slots=True)
class TaggedSpan:
    """Tokens ``[lo, hi)`` tagged ``kind`` ("PER" or "LOC"); ``margin`` is the mean
    perceptron margin of the entity tags over ``O`` (higher is surer)."""

    lo: int
    hi: int
    kind: str
    margin: float


# Margin (mean score of the entity tag over ``O``) at which a model-only span is
# reported. Lower-case spans and ordinary English words need a far surer model: the synthetic
# training data cannot cover every way a common word ("bill", "reading") is used.
MIN_MARGIN = 4.0
_MIN_MARGIN_RISKY = 20.0
_MIN_MARGIN_LOWER = 30.0
# A span containing one of these is not a name on the model's word alone (see _never).
_NEVER = NOT_NAME | FOREIGN_WORDS | CALENDAR | TITLES | EPONYMS
_COMMON_ZIPF = 3.0  # a word at least this frequent reads as an ordinary English word


def _edge_word(tokens: Sequence[Token], k: int, hi: int, kind: str) -> bool:
    """Whether token ``k``, at one edge of a model span, is a function word of another
    language to cut off ("der" in "in der Stadt", "Der" opening "Der Termin").

    Tokens ``(k, hi)`` are the ones after it inside the span. In a person's name a particle
    stays when a listed name follows it inside the span ("van der Berg"), and so does a
    word a name list knows ("Lei", "Son"); a capitalised word stays unless it opens
    a sentence ("La Paz" mid-sentence).
    """
    tok = tokens[k]
    if tok.low not in FUNCTION_WORDS or tok.upper:
        return False
    if kind == "PER" and (tok.first or tok.last):
        return False  # "Lei", "Son": part of a name
    if (
        kind == "PER"
        and tok.low in PARTICLES
        and any(t.first or t.last for t in tokens[k + 1 : hi])
    ):
        return False  # "van der Berg", "von der becker"
    return not tok.cap or (
        is_sentence_start(tokens, k, TITLES)
        and tok.low not in PARTICLES
        and not (tok.first or tok.last)
    )


def trim(tokens: Sequence[Token], span: TaggedSpan) -> TaggedSpan | None:
    """``span`` without words that are never names (:func:`_never`) or function words
    of other languages at its edges ("Hola Maria" -> "Maria"), or ``None`` when
    nothing is left. Such a word inside the span still rejects it (:func:`plausible`).

    A span that loses a lower-case word at its start is dropped unless a name list
    knows what is left (a person; never a place): the model read "der Nähe" or
    "das Gerät" as one unit, and a real place after an article ("in der Schweiz")
    is in the lexicon, so the rules find it. A lower-case remainder after a cut
    never-word ("stürzt ständig") is dropped too.
    """
    lo, hi, kind = span.lo, span.hi, span.kind
    while lo < hi and (_never(tokens[lo], kind) or _edge_word(tokens, lo, hi, kind)):
        lo += 1
    while lo < hi and (_never(tokens[hi - 1], kind) or _edge_word(tokens, hi - 1, hi, kind)):
        hi -= 1
    if lo >= hi:
        return None
    if lo == span.lo and hi == span.hi:
        return span  # nothing cut
    left = tokens[lo:hi]
    cut = any(_never(t, kind) for t in (*tokens[span.lo : lo], *tokens[hi : span.hi]))
    if cut and not any(t.cap or t.upper for t in left):
        return None  # what is left of "stürzt ständig" is no name on its own
    article = any(not t.cap for t in tokens[span.lo : lo])
    if article and (kind == "LOC" or not any(t.first or t.last for t in left)):
        return None  # an article and a capitalised noun
    return TaggedSpan(lo, hi, kind, span.margin)


def _never(tok: Token, kind: str) -> bool:
    """A word never part of a model-only name: a title, a calendar or chat word, an
    eponym, a frequent word of another language (lower-case settlement nouns
    like "ciudad" for places)."""
    low = tok.low
    if low in _NEVER:
        return True
    if foreign_noun_shape(low) and not tok.first:
        return True
    return kind == "LOC" and low in PLACE_NOUNS and not tok.cap


def plausible(tokens: Sequence[Token], span: TaggedSpan) -> bool:
    """Whether a model span may be reported at all, by what the rules know for sure.

    Titles, calendar words, chat words and frequent words of other languages
    (:data:`FOREIGN_WORDS`) are never names here; an eponym or a word like
    "disease"/"Inc" after the span makes it a condition or organisation. Spans that
    are often not names (lower case, ordinary English words, a lone all-caps word)
    need a far larger margin: the synthetic training data cannot cover every way
    "bill", "reading" or "REF" is used. Single letters and short acronyms never pass.
    """
    words = tokens[span.lo : span.hi]
    kind = span.kind
    person = kind == "PER"
    common: list[Token] = []  # ordinary English words (an eponym is a never-word)
    shown = False  # a capitalised or all-caps word
    for t in words:
        if _never(t, kind):
            return False
        if t.cap or t.upper:
            shown = True
        elif t.zipf >= _COMMON_ZIPF and not (
            t.low in PARTICLES or (person and (t.first or t.last))
        ):
            return False  # an ordinary lower-case word inside ("code E")
        if t.zipf >= _COMMON_ZIPF:
            common.append(t)
    if len(words) == 1 and (len(words[0].text) < 2 or (words[0].upper and len(words[0].text) < 5)):
        return False  # single letters and short acronyms are not names
    if len(words) == 1 and len(words[0].text) < 3 and not words[0].cap:
        return False  # "zł", "km": a lone lower-case two-letter word is no name
    if not person and len(words[-1].text) < 2:
        return False  # places do not end in a single letter
    if person:
        nxt = tokens[span.hi] if span.hi < len(tokens) else None
        if nxt is not None and nxt.low in NOT_PERSON_AFTER and "\n" not in nxt.gap:
            return False
    if not shown:
        # Lower case: only very sure spans; an ordinary word only as a person's name
        # that a name list knows ("i live in hope" names no place).
        ordinary = bool(common) and (kind == "LOC" or any(not (t.first or t.last) for t in common))
        return not ordinary and span.margin >= _MIN_MARGIN_LOWER
    risky = bool(common) or (len(words) == 1 and words[0].upper)
    return span.margin >= (_MIN_MARGIN_RISKY if risky else MIN_MARGIN)
