"""A small statistical tagger for person and place names (averaged perceptron).

It complements the lexicon rules of :mod:`veil.detect.person` and
:mod:`veil.detect.location`: it reads word shape, affixes, lexicon membership and
the words around each token, so it can tag a name that no list knows ("based in
Kurtuluşköy", "my colleague Zbigniewa"). Tags are BIO over the tokens of
:func:`~veil.detect._name_tokens.tokenize`, decoded greedily left to right with the
previous tag as a feature.

The weights are trained at development time by ``tools/train_name_model.py`` on
synthetic messages only (never on benchmark rows) and shipped as
``veil/data/model/names.json.gz``; they load on first use. Inference is pure Python.
Only "candidate" tokens are scored (capitalised, all-caps, or a lower-case word that a
name or place list knows or that is not an ordinary English word); every other token
is ``O``, which keeps the cost to a few dictionary look-ups per name-like word.
The shipped weights are integers with one scale: they are summed exactly, in groups
memoised across messages (a token's own features, a neighbour word's features), and
a score is the integer sum divided by the scale (:mod:`veil.detect._name_tagger`).
"""

from __future__ import annotations

import gzip
import json
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cache, lru_cache
from importlib import resources
from operator import attrgetter

from veil.core import EntityType, Finding, Span
from veil.detect._name_features import Message, candidate, features
from veil.detect._name_spans import MIN_MARGIN, TaggedSpan, plausible, trim
from veil.detect._name_tagger import PackedTagger, packable, unpack
from veil.detect._name_tokens import Token, shared_tokens
from veil.errors import ConfigurationError

__all__ = [
    "TAGS",
    "NameModel",
    "TaggedSpan",
    "candidate",
    "features",
    "merge_model_findings",
    "tagged_spans",
]

TAGS = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC")
_MODEL_FILE = "names.json.gz"


def _allowed(prev_tag: int, tag: int) -> bool:
    # I-PER (2) only after B-PER/I-PER; I-LOC (4) only after B-LOC/I-LOC.
    if tag == 2:
        return prev_tag in (1, 2)
    if tag == 4:
        return prev_tag in (3, 4)
    return True


# Tags allowed after each tag, in index order (max() keeps the first of equal scores).
_ALLOWED = tuple(tuple(k for k in range(len(TAGS)) if _allowed(p, k)) for p in range(len(TAGS)))


class NameModel:
    """BIO tagger over :data:`TAGS`; ``weights`` maps a feature to one weight per tag.

    A score is the per-tag sum of the weights of a token's features divided by
    ``scale``. Integer weights (the shipped model) are summed exactly, in packed
    groups (:mod:`veil.detect._name_tagger`); other weights (experiments) are summed
    as floats in feature order, one token at a time.
    """

    def __init__(self, weights: Mapping[str, Sequence[float]], *, scale: float = 1.0) -> None:
        self._scale = scale
        self._packed = PackedTagger(weights, scale) if packable(weights) else None
        # Float weights: one row of per-tag weights per feature; zip() turns the rows
        # into per-tag columns in C, and all-zero rows add nothing and are dropped.
        self._rows: dict[str, tuple[float, ...]] = (
            {}
            if self._packed is not None
            else {k: tuple(v / scale for v in row) for k, row in weights.items() if any(row)}
        )

    @classmethod
    def default(cls) -> NameModel:
        """The shipped model (loaded once, then shared)."""
        return _default_model()

    def scores(self, feats: Sequence[str], prev_tag: int) -> list[float]:
        """Per-tag scores for one token given its features and the previous tag."""
        pt = TAGS[prev_tag]
        names = [*feats, "pt=" + pt, "ptc=" + pt + feats[1]]
        if self._packed is not None:
            return [s / self._scale for s in unpack(self._packed.sum(names))]
        columns = zip(*filter(None, map(self._rows.get, names)), strict=True)
        return list(map(sum, columns)) or [0.0] * len(TAGS)

    def tag(self, tokens: Sequence[Token], text: str) -> list[tuple[int, float]]:
        """``(tag index, margin over O)`` for every token, greedily left to right."""
        if self._packed is not None:
            return self._packed.tag(tokens, text)
        out: list[tuple[int, float]] = []
        prev = 0
        message: Message | None = None
        for i, tok in enumerate(tokens):
            if not candidate(tok):
                out.append((0, 0.0))
                prev = 0
                continue
            if message is None:
                message = Message(tokens, text)
            s = self.scores(message.features(i), prev)
            best = max(_ALLOWED[prev], key=s.__getitem__)
            out.append((best, s[best] - s[0]))
            prev = best
        return out

    def spans(self, tokens: Sequence[Token], text: str) -> list[TaggedSpan]:
        """Entity spans from :meth:`tag`."""
        found: list[TaggedSpan] = []
        lo, kind, total = -1, "", 0.0
        tags = self.tag(tokens, text)
        for i, (t, margin) in enumerate([*tags, (0, 0.0)]):
            if lo >= 0 and t not in (2, 4):
                found.append(TaggedSpan(lo, i, kind, total / (i - lo)))
                lo = -1
            if t in (1, 3):
                lo, kind, total = i, TAGS[t][2:], margin
            elif t in (2, 4):
                total += margin
        return found


@cache
def _default_model() -> NameModel:
    try:
        raw = resources.files("veil").joinpath("data", "model", _MODEL_FILE).read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"model file {_MODEL_FILE} is missing from the package") from exc
    data = json.loads(gzip.decompress(raw))
    if data.get("tags") != list(TAGS):
        raise ConfigurationError(f"model file {_MODEL_FILE} has unexpected tags")
    return NameModel(data["weights"], scale=float(data["scale"]))


@lru_cache(maxsize=4)
def tagged_spans(text: str) -> tuple[tuple[TaggedSpan, ...], tuple[Token, ...]]:
    """Model spans and the tokens they index, for the default model.

    Cached for the last few texts: the person and location detectors both ask for
    the same message, and the model runs once.
    """
    tokens = shared_tokens(text)
    return tuple(NameModel.default().spans(tokens, text)), tokens


# Margin at which a model-only span is reported (see ``_name_spans``), and the
# margin at which its score reaches the top of the model's range.
_FULL_MARGIN = 30.0
_RULE_THRESHOLD = 0.5  # a rule finding at least this sure is left as it is


def merge_model_findings(
    text: str, kind: str, found: list[Finding], entity: EntityType, detector: str
) -> list[Finding]:
    """``found`` (rule findings) plus the model's ``kind`` spans the rules missed.

    A model span never overrides a rule finding that would pass the engine (it may
    only widen a single one); it replaces weaker rule findings it overlaps. Scores
    run from 0.5 to 0.8 with the model's margin, so a model-only name never outranks
    a strong rule or a checksum. Returned findings are sorted by start.
    """
    spans, tokens = tagged_spans(text)
    found = sorted(found, key=_by_span)
    if all(tagged.kind != kind for tagged in spans):
        return found  # nothing to add: the rule findings, sorted
    starts = [f.span.start for f in found]
    dropped: set[int] = set()
    extra: list[Finding] = []
    for tagged in spans:
        span = trim(tokens, tagged) if tagged.kind == kind else None
        if span is None or not plausible(tokens, span):
            continue
        start, end = tokens[span.lo].start, tokens[span.hi - 1].end
        # Rule findings of one detector barely overlap each other: look back a few.
        k = bisect_left(starts, end) - 1
        hits: list[int] = []
        while k >= 0 and len(hits) < 8 and found[k].end > start:
            if k not in dropped:
                hits.append(k)
            k -= 1
        strong = [found[k] for k in hits if found[k].score >= _RULE_THRESHOLD]
        if len(strong) > 1:
            continue  # two names the rules kept apart stay apart
        dropped.update(hits)
        if strong:
            # The rules found the name; the model may only widen it ("Anna" -> "Anna Wozniak").
            best = strong[0]
            outside = [
                t for t in tokens[span.lo : span.hi] if t.start < best.start or t.end > best.end
            ]
            if any(not (t.cap or t.upper) for t in outside):
                extra.append(best)  # widen only over capitalised words
                continue
            lo, hi = min(start, best.start), max(end, best.end)
            if (lo, hi) == (best.start, best.end):
                extra.append(best)  # the model span lies inside the rule finding
            else:
                extra.append(replace(best, span=Span(lo, hi), reason=best.reason + " + model"))
            continue
        score = 0.5 + 0.3 * min(1.0, (span.margin - MIN_MARGIN) / (_FULL_MARGIN - MIN_MARGIN))
        extra.append(
            Finding(
                entity=entity,
                span=Span(start, end),
                score=round(score, 3),
                detector=detector,
                reason="name model (perceptron, word shape + context)",
            )
        )
    kept = [f for k, f in enumerate(found) if k not in dropped]
    return sorted(kept + extra, key=_by_span)


# (start, end) of a finding, read in C.
_by_span = attrgetter("span.start", "span.end")
