"""PERSON detection: names from lexicons, word shape and the words around them.

Offline and model-free: given-name and surname lexicons (many locales), an English
common-word list (so a capitalised ordinary word is not a name without context),
closed word classes (titles, particles, eponyms, calendar words) and cue phrases
("my name is", "Dr.", "my daughter", "Dear"). Each candidate chunk gets a score from
what its words are and what surrounds it; a name accepted once in a message lends
confidence to its other mentions ("Ilsa D. Varkonyi ... early Varkonyi").

Spans cover the name only: a title before it ("Dr.") and a possessive "'s" after
it stay outside; initials, particles and suffixes ("Jr.", "III") are inside.
Numbers never become names: digits are never part of a token.
"""

from __future__ import annotations

from collections.abc import Iterable

from veil.core import EntityType, Finding, Span
from veil.detect import lexicon
from veil.detect._name_chunks import Chunk, kind_of, next_chunk
from veil.detect._name_context import (
    HUMAN_VERBS,
    STRONG_ENDINGS,
    relation_named,
    strong_cue,
    thing_name,
)
from veil.detect._name_message import (
    add_signature,
    lower_mentions,
    merge_last_first,
    propagate_lists,
    propagate_speakers,
)
from veil.detect._name_rules import (
    EPONYMS,
    LOCATION_CUES,
    NAME_CUE_ENDINGS,
    NAME_CUE_WORDS,
    NOT_PERSON_AFTER,
    PERSON_AFTER,
    TITLES,
    phrase_before,
)
from veil.detect._name_tokens import Token, is_sentence_start, shared_tokens
from veil.detect.name_model import merge_model_findings

__all__ = ["PersonDetector"]

# Base score by the letters of kind_of() for the words of a chunk (see _base_score).
_SINGLE = {"F": 0.68, "S": 0.54, "U": 0.42, "A": 0.22, "I": 0.0}
_MIN_SCORE = 0.3  # candidates below this are not reported at all


class PersonDetector:
    """Finds personal names. Cheap to construct; lexicons load on first use.

    ``min_score`` drops weaker candidates before they leave the detector (the
    engine applies its own threshold too).
    """

    def __init__(self, *, min_score: float = _MIN_SCORE, use_model: bool = True) -> None:
        self._min_score = min_score
        self._use_model = use_model

    @property
    def name(self) -> str:
        return "person"

    def find(self, text: str) -> Iterable[Finding]:
        tokens = list(shared_tokens(text))
        scored: list[tuple[Chunk, float, str]] = []
        i = 0
        n = len(tokens)
        while i < n:
            tok = tokens[i]
            if i > 1 and (before := tokens[i - 1].low) not in STRONG_ENDINGS:
                # The common case: no strong cue can end here, and mostly no cue at all.
                cue = _cue_before(tokens, i) if before in _CUE_ENDINGS else None
            elif relation_named(tokens, i):
                scored.append((Chunk(i, i + 1, i + 1, False, True), 0.7, "name after a relative"))
                i += 1
                continue
            elif thing_name(tokens, i):
                cue = None  # "product name Acme Turbo"
            else:
                cue = True if strong_cue(tokens, i) else _cue_before(tokens, i)
            # Lower-case words may be names after a cue; with none, only pairs of
            # words that are names and nothing else ("eva kleist").
            lower = 0.01 if cue is None else (4.5 if cue else 3.0)
            if not (tok.cap or tok.upper or cue) and (
                tok.zipf >= lower or not (tok.first or tok.last)
            ):
                i += 1  # what next_chunk would say: no lower-case name starts here
                continue
            chunk = next_chunk(tokens, i, lowercase=0.0 if tok.cap else lower)
            if chunk is None or (chunk.lowercase and cue is None and not _pair(tokens, chunk)):
                i += 1
                continue
            if chunk.lo != i:
                cue = True if strong_cue(tokens, chunk.lo) else _cue_before(tokens, chunk.lo)
            score, why = _score(text, tokens, chunk, cue)
            scored.append((chunk, score, why))
            i = max(chunk.suffix_hi, i + 1)
        merge_last_first(tokens, scored)
        _propagate(tokens, scored)
        propagate_lists(tokens, scored)
        propagate_speakers(text, tokens, scored)
        lower_mentions(tokens, scored)
        add_signature(text, tokens, scored)
        out: list[Finding] = []
        for chunk, score, why in scored:
            if score < self._min_score:
                continue
            end = tokens[chunk.suffix_hi - 1].end
            if chunk.suffix_hi > chunk.hi and text[end : end + 1] == ".":
                end += 1  # "Jr." keeps its period
            out.append(
                Finding(
                    entity=EntityType.PERSON,
                    span=Span(tokens[chunk.lo].start, end),
                    score=round(min(score, 0.95), 3),
                    detector=self.name,
                    reason=why,
                )
            )
        if self._use_model:
            out = merge_model_findings(text, "PER", out, EntityType.PERSON, self.name)
        return out


def _pair(tokens: list[Token], chunk: Chunk) -> bool:
    """Two or three lower-case words (particles aside), the first a given name, none
    a place: "eva kleist", "josef von der hendriks"."""
    words = tokens[chunk.lo : chunk.hi]
    size = sum(t.low not in _PARTICLE_SKIP for t in words)
    return 2 <= size <= 3 and words[0].first and words[0].low not in lexicon.places()


def _cue_before(tokens: list[Token], i: int) -> bool | None:
    """Strength of a name cue phrase ending right before token ``i`` (same clause)."""
    if i == 0 or tokens[i - 1].low not in _CUE_ENDINGS:
        return None  # most words: no cue can end here
    words: list[str] = []
    for k in range(i - 1, max(-1, i - 4), -1):
        if not _CLAUSE_END.isdisjoint(tokens[k + 1].gap):
            break
        words.insert(0, tokens[k].low)
    cue = phrase_before(words)
    after_name = tokens[i - 1].low in _NAME_WORDS
    if cue is None and after_name and any(ch in ":?" for ch in tokens[i].gap):
        return True  # "Name: John Smith", "What's your last name? Boyle"
    return cue


_NAME_WORDS = frozenset({"name", "surname", "names"})
_CLAUSE_END = frozenset(".!?\n")
_SPEECH = frozenset({"says", "said", "asks", "asked", "replied", "wrote", "added", "explained"})
_CUE_ENDINGS = NAME_CUE_ENDINGS | _NAME_WORDS


def _base_score(kinds: str) -> tuple[float, str]:
    if len(kinds) == 1:
        return _SINGLE.get(kinds, 0.0), "single word, lexicon " + kinds
    strong = sum(k in "FS" for k in kinds)
    weak = sum(k in "UI" for k in kinds)
    amb = kinds.count("A")
    if strong >= 2:
        return 0.92, "given name + surname lexicons"
    if strong == 1 and weak:
        return 0.86, "name lexicon + name-shaped word"
    if "I" in kinds and strong + amb + weak >= 2:
        return 0.78, "initials + name-shaped word"
    if strong == 1:
        return 0.74, "name lexicon + ambiguous name word"
    if kinds.count("U") >= 1 and weak + amb >= 2:
        return (0.56 if amb == 0 else 0.5), "capitalised name-shaped words"
    return 0.34, "capitalised words that are also common words"


def _score(text: str, tokens: list[Token], chunk: Chunk, cue: bool | None) -> tuple[float, str]:
    words = tokens[chunk.lo : chunk.hi]
    kinds = "".join(
        kind_of(t)
        for t in words
        if t.low not in _PARTICLE_SKIP and not (chunk.lowercase and len(t.text) == 1)
    )
    kinds = kinds or "X"
    score, why = _base_score(kinds)
    if chunk.lowercase:
        if cue is None:
            return 0.6, "lower-case given name + name word"
        score = 0.85 if cue else 0.7
        return (score if kinds.strip("FS") == "" else score - 0.15), "lower-case name after cue"
    starts = is_sentence_start(tokens, chunk.lo, TITLES) and not chunk.title
    if starts and len(kinds) == 1:
        score -= 0.12 if kinds in "AUS" else 0.06
    elif starts:
        score -= 0.1 if kinds[0] == "A" else 0.03
    nxt = tokens[chunk.suffix_hi] if chunk.suffix_hi < len(tokens) else None
    prev = tokens[chunk.lo - 1] if chunk.lo > 0 and not chunk.title else None
    # Conditions ("Crohn's", "Parkinson's disease"), organisations, addresses.
    after_blocks = (
        nxt is not None
        and nxt.low in NOT_PERSON_AFTER
        and nxt.gap.strip() in ("", "'s", "’s")
        and "\n" not in nxt.gap
        and not (nxt.low in ("dr", "st") and "." in nxt.gap)
    )
    eponym = any(t.low in EPONYMS for t in words) or (
        words[-1].possessive and nxt is not None and nxt.low in ("disease", "syndrome")
    )
    if chunk.title:
        return max(score, 0.9), "honorific before name"
    if cue is True:
        return max(score, 0.9), "strong name cue phrase"
    if eponym or after_blocks:
        return 0.0, "medical eponym or organisation/address word"
    if kinds == "X":
        return 0.0, "not a name"
    if cue is False:
        score += 0.3
        why += " + cue phrase"
    elif (
        prev is not None
        and prev.low in NAME_CUE_WORDS
        and tokens[chunk.lo].gap.strip() in ("", ",")
    ):
        score += 0.35
        why += " + context word"
    if nxt is not None and nxt.gap == " " and len(kinds) == 1 and kinds in "FSUA":
        if nxt.low in HUMAN_VERBS:
            score = max(score + 0.25, 0.55)
            why += " + verb of a person"
        elif nxt.low in PERSON_AFTER:
            score += 0.12
    elif prev is not None and prev.low in _SPEECH and len(kinds) == 1 and kinds in "FSUA":
        score += 0.3  # 'says Becker.'
        why += " + speech verb"
    if _speaker_label(text, tokens, chunk):
        score += 0.3
        why += " + speaker label"
    low = " ".join(t.low for t in words)
    if prev is not None and prev.low in LOCATION_CUES and low in lexicon.places():
        return min(score, 0.25 if kinds in ("F", "S") else 0.1), "place after location cue"
    if _digit_next_to(text, tokens[chunk.lo].start, tokens[chunk.hi - 1].end):
        score -= 0.3
    if len(words) == 1 and words[0].upper and len(words[0].text) <= 3 and cue is None:
        score -= 0.3  # "ORD", "PIN": a short all-caps word alone is an acronym
    return score, why


_PARTICLE_SKIP = frozenset({"van", "von", "der", "den", "de", "del", "della", "di", "da", "la"})


def _speaker_label(text: str, tokens: list[Token], chunk: Chunk) -> bool:
    """A chat transcript line "Priya: ..." (the name opens the line, a colon follows)."""
    starts_line = chunk.lo == 0 or "\n" in tokens[chunk.lo].gap
    end = tokens[chunk.hi - 1].end
    return starts_line and text[end : end + 2].strip()[:1] == ":"


def _digit_next_to(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 2) : start].strip()
    after = text[end : end + 2].strip()
    return (before[-1:].isdigit()) or (after[:1].isdigit())


def _propagate(tokens: list[Token], scored: list[tuple[Chunk, float, str]]) -> None:
    """A word accepted as part of a name makes its other mentions names too."""
    known = {
        tokens[k].low
        for chunk, score, _ in scored
        if score >= 0.6
        for k in range(chunk.lo, chunk.hi)
        if len(tokens[k].low) > 2 and kind_of(tokens[k]) in "FSUA"
    }
    for idx, (chunk, score, why) in enumerate(scored):
        repeats = any(tokens[k].low in known for k in range(chunk.lo, chunk.hi))
        eligible = why != "place after location cue" and (score > 0.0 or why.startswith("capit"))
        if score < 0.6 and repeats and eligible:
            scored[idx] = (chunk, max(score, 0.7), "repeats a name found in the message")
