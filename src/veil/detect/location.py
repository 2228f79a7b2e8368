"""LOCATION detection: countries, regions and cities from the shipped place lexicon.

A capitalised word sequence that the lexicon knows ("New York", "Rio de Janeiro",
"München") is a candidate; its score starts from how prominent the place is
(country > region > large city > small town) and moves with context: a preposition
or verb of place before it ("in", "from", "moved to", "live in") or a following
", <place>" raises it; being an ordinary English word ("Nice", "Reading",
"Mobile"), a given name ("Victoria"), the start of a full name ("Paris Hilton") or
preceded by a person cue ("my name is", "Dr.") lowers it. Lower-case places are
taken only right after a place cue and when they are not ordinary words. A place
starts and ends at word boundaries: letters glued to digits or underscores
("25HT63995", "NL14", "paris_88") are part of a code, never a place. A postcode
written right after a place joins its span ("Bjert 6091", see
:mod:`veil.detect._place_postcode`).

Street addresses are a separate detector; it may reuse :func:`veil.detect.lexicon.places`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import cache

from veil.core import EntityType, Finding, Span
from veil.detect import lexicon
from veil.detect._address_data import lexicon as address_lexicon
from veil.detect._name_rules import (
    EPONYMS,
    FUNCTION_WORDS,
    LOCATION_CUES,
    NAME_CUE_WORDS,
    TITLES,
    phrase_before,
)
from veil.detect._name_tokens import Token, is_sentence_start, shared_tokens
from veil.detect._place_cues import foreign, qualifier_end, unknown_place
from veil.detect._place_postcode import postcode_end
from veil.detect.name_model import merge_model_findings

__all__ = ["LocationDetector"]


_MAX_WORDS = 6
_MIN_SCORE = 0.3
# Words too frequent to be read as places at all, whatever the lexicon says.
_NEVER_ZIPF = 5.0
_AMBIGUOUS_ZIPF = 3.0
_PLACE_AFTER_COMMA = frozenset({"country", "region", "continent"})
# log10 population from which a city may be written as a short acronym ("NYC").
_ACRONYM_CITY_POP = 6.5
_CLAUSE_END = frozenset(".!?\n;")
_BLANKS = frozenset(" \t")
# Gaps that may join the words of one place name ("New York", "St. Louis").
_JOINING_GAPS = frozenset({" ", ". ", "-", " - "})


class LocationDetector:
    """Finds countries, regions and cities. Cheap to construct; the lexicon loads lazily."""

    def __init__(self, *, min_score: float = _MIN_SCORE, use_model: bool = True) -> None:
        self._min_score = min_score
        self._use_model = use_model

    @property
    def name(self) -> str:
        return "location"

    def find(self, text: str) -> Iterable[Finding]:
        tokens = list(shared_tokens(text))
        firsts = _first_words()
        out: list[Finding] = []
        i = 0
        n = len(tokens)
        while i < n:
            t = tokens[i]
            # Most words start no place: a set look-up and the case decide.
            match = (
                _longest_place(tokens, i)
                if t.low in firsts and (t.cap or t.upper or _place_cue(tokens, i))
                else None
            )
            if match is None:
                j = unknown_place(tokens, i) if (t.cap or t.upper) and len(t.text) > 2 else i
                if j == i:
                    i += 1
                    continue
                score, why = 0.55, "unknown capitalised name in place context"
            else:
                j, key = match
                score, why = _score(text, tokens, i, j, key)
            start, end = tokens[i].start, qualifier_end(text, tokens[j - 1].end)
            if score >= self._min_score and _whole_words(text, start, end):
                out.append(
                    Finding(
                        entity=EntityType.LOCATION,
                        span=Span(start, end),
                        score=round(min(score, 0.95), 3),
                        detector=self.name,
                        reason=why,
                    )
                )
            i = j
        if self._use_model:
            out = merge_model_findings(text, "LOC", out, EntityType.LOCATION, self.name)
            out = [f for f in out if _whole_words(text, f.start, f.end)]
        # A postcode starts with a space or a tab right after the place.
        return [
            _with_postcode(text, f) if text[f.span.end : f.span.end + 1] in _BLANKS else f
            for f in out
        ]


def _with_postcode(text: str, found: Finding) -> Finding:
    """The town and the postcode written right after it ("Bjert 6091"), as one place."""
    end = postcode_end(text, found.end)
    if end is None:
        return found
    return replace(found, span=Span(found.start, end), reason=found.reason + " + postcode")


def _whole_words(text: str, start: int, end: int) -> bool:
    """False when the span starts or ends inside an alphanumeric run ("HT" in the
    passport number "25HT63995", "FR" in "FR_2"): tokens never hold digits or
    underscores, so a place read there is part of a code, not a word."""
    before = text[start - 1 : start] if start else ""
    after = text[end : end + 1]
    return not (_glued(before) or _glued(after))


def _glued(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


@cache
def _first_words() -> frozenset[str]:
    """First words of multi-word places, so most tokens need only one set lookup."""
    return frozenset(k.split(" ", 1)[0] for k in lexicon.places())


def _key(text: str, start: int, end: int) -> str:
    return " ".join(text[start:end].replace("’", "'").split()).lower()


def _longest_place(tokens: list[Token], i: int) -> tuple[int, str] | None:
    """``(j, key)`` for the longest lexicon place made of tokens ``[i, j)``.

    The caller has checked that token ``i`` may open one: its word is in
    :func:`_first_words`, and it is capitalised or follows a place cue.
    """
    places = lexicon.places()
    key = tokens[i].low
    best = (i + 1, key) if key in places else None
    for j in range(i + 2, min(len(tokens), i + _MAX_WORDS) + 1):
        tok = tokens[j - 1]
        gap = tok.gap
        if gap not in _JOINING_GAPS or tokens[j - 2].possessive:
            break
        # The key of the words so far (see _key): the joining gaps hold no space to
        # squeeze, and lower-casing word by word is lower-casing the whole ("’" and
        # "'" are case-ignorable; a word-final sigma stays final before any gap).
        key = key + gap + tok.low
        if key in places:
            best = (j, key)
    return best


def _place_cue(tokens: list[Token], i: int) -> bool:
    """A place word among the three words before token ``i``, in the same clause."""
    for k in range(i - 1, max(-1, i - 4), -1):
        if not _CLAUSE_END.isdisjoint(tokens[k + 1].gap):
            return False
        if tokens[k].low in LOCATION_CUES:
            return True
    return False


def _prominence(place: lexicon.Place) -> float:
    if place.kind in ("country", "continent"):
        return 0.85
    if place.kind == "region":
        return 0.75
    return 0.55 + min(0.25, max(0.0, place.log_population - 4.0) * 0.1)


def _score(text: str, tokens: list[Token], i: int, j: int, key: str) -> tuple[float, str]:
    place = lexicon.place_entries()[key]
    score = _prominence(place)
    why = f"place lexicon ({place.kind})"
    words = tokens[i:j]
    single = j - i == 1
    tok = tokens[i]
    cue = _place_cue(tokens, i)
    lowercase = not any(t.cap or t.upper for t in words)
    if single and tok.zipf >= _NEVER_ZIPF and not (tok.cap and cue):
        return 0.0, "ordinary word"
    if lowercase and (
        tok.zipf >= _AMBIGUOUS_ZIPF
        or (place.kind == "city" and score < 0.65)
        or (single and (len(tok.text) <= 3 or foreign(tok.low)))
    ):
        return 0.0, "lower-case ordinary word"
    if single and not tok.upper:
        why_not = _not_a_place(tokens, i)
        if why_not:
            return 0.0, why_not
    # Short all-caps words are acronyms ("DNI", "ISA"); only the largest cities are
    # written so ("NYC").
    acronym = single and tok.upper and len(tok.text) <= 3
    if acronym and place.kind == "city" and place.log_population < _ACRONYM_CITY_POP:
        return 0.0, "acronym"
    if single and tok.zipf >= _AMBIGUOUS_ZIPF:
        if j < len(tokens) and tokens[j].low == "of" and tokens[j].gap == " ":
            return 0.0, "ordinary word before 'of'"  # "the University of ..."
        score -= 0.35
        why += ", also an ordinary word"
    elif single and (tok.first or tok.last) and place.kind not in ("country", "continent"):
        score -= 0.2
        why += ", also a name"
    if is_sentence_start(tokens, i, TITLES) and single and (tok.zipf or tok.first or tok.last):
        score -= 0.1
    if cue:
        score += 0.3
        why += " + place cue"
    elif _followed_by_place(text, tokens, j):
        score += 0.2
        why += " + region after comma"
    if _person_context(tokens, i, j):
        return min(score, 0.2), why + ", person context"
    return score, why


def _not_a_place(tokens: list[Token], i: int) -> str:
    """Why a capitalised single word the lexicon lists is no place here, or ''.

    Function words of other languages ("von", "Den") never are; greetings, common
    nouns of other languages ("Hola", "Stadt", "Centro") and eponyms ("Hashimoto")
    are only right after a place preposition or verb.
    """
    low = tokens[i].low
    if low in FUNCTION_WORDS:
        return "function word of another language"
    prev = tokens[i - 1] if i > 0 else None
    if prev is not None and prev.cap and tokens[i].gap == " " and low in _street_words():
        return "street word of a street name"  # "Wall Street", not the town of Street
    direct = i > 0 and tokens[i - 1].low in LOCATION_CUES and tokens[i].gap == " "
    if (foreign(low) or low in EPONYMS) and not direct:
        return "common word of another language"
    return ""


@cache
def _street_words() -> frozenset[str]:
    """Unambiguous street words ("Street", "Road"): a town may bear one as its name."""
    return frozenset(w for w, kind in address_lexicon().suffixes.items() if kind == "strong")


def _followed_by_place(text: str, tokens: list[Token], j: int) -> bool:
    """ "Springfield, Illinois" / "Lyon, France": a region or country after a comma."""
    if j >= len(tokens) or tokens[j].gap.strip() != ",":
        return False
    if not (tokens[j].cap or tokens[j].upper):
        return False  # "Hola, me llamo": a lower-case word is no region here
    for k in range(j + 1, min(len(tokens), j + 3) + 1):
        place = lexicon.place_entries().get(_key(text, tokens[j].start, tokens[k - 1].end))
        if place is not None and place.kind in _PLACE_AFTER_COMMA:
            return True
    return False


def _person_context(tokens: list[Token], i: int, j: int) -> bool:
    """A title or name cue before, or a surname-like capitalised word right after."""
    if i > 0:
        prev = tokens[i - 1]
        if prev.low in TITLES and (prev.cap or prev.upper) and prev.gap.strip() == "":
            return True
        if prev.low in NAME_CUE_WORDS and tokens[i].gap.strip() in ("", ","):
            return True
        words = [t.low for t in tokens[max(0, i - 3) : i]]
        if phrase_before(words) is not None and not _place_cue(tokens, i):
            return True
    if j < len(tokens) and tokens[j].gap == " " and tokens[j].cap:
        nxt = tokens[j]
        return (nxt.last or nxt.first) and nxt.zipf < _AMBIGUOUS_ZIPF
    return False
