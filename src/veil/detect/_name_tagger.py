"""The name model's fast scorer for integer weights (the shipped model).

The shipped weights are integers with one scale for all. A feature's five per-tag
weights are packed into one Python int, one 32-bit lane per tag, so a single C-level
``sum()`` adds whole rows, and integer sums are exact in any order and grouping. That
lets the tagger add a token's features in groups memoised across messages: its own
features (:func:`~veil.detect._name_features.own_features`), the features that read
only its left or right neighbour word, and the few that read a pair of words. The
per-tag sums are exactly those of adding every feature of
:func:`~veil.detect._name_features.features` one by one; a score is that integer
divided by the scale once.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence

from veil.detect._name_features import _case, _gap, _lex, candidate, own_features
from veil.detect._name_rules import TITLES
from veil.detect._name_tokens import SENTENCE_END as _SENTENCE_END
from veil.detect._name_tokens import Token, is_sentence_start

__all__ = ["PackedTagger", "pack", "packable", "unpack"]

_TAGS = 5
_LANE = 32
# Every lane biased by half its range: a biased sum has no negative lane, so
# the lanes read back independently (no borrows between them).
_BIAS = sum(1 << (_LANE - 1) << (k * _LANE) for k in range(_TAGS))
_HALF = 1 << (_LANE - 1)
_UNPACK = struct.Struct("<5I").unpack
_BYTES = _TAGS * _LANE // 8
# A token has fewer than 64 features: weights below 2**24 keep every sum in its lane.
_MAX_WEIGHT = 1 << 24
# Distinct words (or own-feature keys) whose packed sums stay memoised.
_MEMO_SIZE = 10_000
_GAP_CODES = ("sp", "none", "nl", "cm", "co", "pd", "pa", "ot")

# Tags allowed after each tag, in index order (max() keeps the first of equal scores):
# I-PER (2) only after B-PER/I-PER, I-LOC (4) only after B-LOC/I-LOC.
_ALLOWED = ((0, 1, 3), (0, 1, 2, 3), (0, 1, 2, 3), (0, 1, 3, 4), (0, 1, 3, 4))
_PREV_TAGS = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC")


def packable(weights: Mapping[str, Sequence[float]]) -> bool:
    """True when every weight is an integer small enough to pack."""
    return all(
        float(v).is_integer() and abs(v) < _MAX_WEIGHT and len(row) == _TAGS
        for row in weights.values()
        for v in row
    )


def pack(row: Sequence[float]) -> int:
    """Five integer per-tag weights as one int (signed lanes; see :func:`unpack`)."""
    return sum(int(v) << (k * _LANE) for k, v in enumerate(row))


def unpack(packed: int) -> tuple[int, ...]:
    """The five per-tag sums of a sum of :func:`pack` results."""
    return tuple(v - _HALF for v in _UNPACK((packed + _BIAS).to_bytes(_BYTES, "little")))


# What a token's own features read besides its word: (word, gap code, opens a
# sentence, possessive, digit next to it).
_OwnKey = tuple[str, str, bool, bool, bool]


class PackedTagger:
    """Greedy BIO decoding over packed integer weights; see the module docstring."""

    def __init__(self, weights: Mapping[str, Sequence[float]], scale: float) -> None:
        self.rows: dict[str, int] = {k: pack(row) for k, row in weights.items() if any(row)}
        self._scale = scale
        row = self.rows.get
        self._prev = {
            (prev, case): row("pt=" + pt, 0) + row("ptc=" + pt + "c=" + case, 0)
            for prev, pt in enumerate(_PREV_TAGS)
            for case in "UCl"
        }
        self._next_gap = {code: row("g+1=" + code, 0) for code in _GAP_CODES}
        self._gaps: dict[str, str] = {}
        self._own: dict[_OwnKey, int] = {}
        self._left: dict[str, int] = {}
        self._right: dict[str, int] = {}

    def sum(self, names: list[str]) -> int:
        """The packed sum of the rows of ``names`` (unknown features add nothing)."""
        return sum(map(self.rows.get, names, [0] * len(names)))

    def _gap_code(self, gap: str) -> str:
        code = self._gaps.get(gap)
        if code is None:
            if len(self._gaps) >= _MEMO_SIZE:
                self._gaps.clear()
            code = self._gaps[gap] = _gap(gap)
        return code

    def _word(self, memo: dict[str, int], tok: Token, side: str) -> int:
        """The features of a neighbour that read only it ("w-1", "c-1", "lx-1", "t1"
        on the left; "w+1", "c+1", "lx+1" on the right), memoised per word."""
        packed = memo.get(tok.text)
        if packed is None:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            low, case, lex = tok.low, _case(tok), _lex(tok)
            names = ["w" + side + "1=" + low, "c" + side + "1=" + case, "lx" + side + "1=" + lex]
            if side == "-":
                names.append("t1=True" if low in TITLES else "t1=False")
            packed = memo[tok.text] = self.sum(names)
        return packed

    def _own_sum(self, tok: Token, key: _OwnKey) -> int:
        """The packed sum of a token's :func:`own_features`, memoised by what they read
        (the word decides its lower case, case code and lexicon code)."""
        if len(self._own) >= _MEMO_SIZE:
            self._own.clear()
        word, gap, opens, possessive, dig = key
        own = (word, tok.low, _case(tok), True, _lex(tok), gap, opens, possessive, dig)
        packed = self._own[key] = self.sum(own_features(own))
        return packed

    def tag(self, tokens: Sequence[Token], text: str) -> list[tuple[int, float]]:
        """``(tag index, margin over O)`` for every token, greedily left to right."""
        out: list[tuple[int, float]] = []
        append = out.append
        prev = 0
        row, left, right = self.rows.get, self._left, self._right
        prev_rows, next_gap, scale = self._prev, self._next_gap, self._scale
        own_sums, gap_code = self._own, self._gap_code
        n = len(tokens)
        for i, tok in enumerate(tokens):
            if not (tok.cap or tok.upper or candidate(tok)):
                append((0, 0.0))
                prev = 0
                continue
            case = "U" if tok.upper else "C" if tok.cap else "l"
            start, end, gap = tok.start, tok.end, tok.gap
            dig = (
                text[end : end + 3].lstrip(" ")[:1].isdigit()
                or text[max(0, start - 2) : start].strip()[-1:].isdigit()
            )
            opens = i == 0 or (
                not _SENTENCE_END.isdisjoint(gap) and is_sentence_start(tokens, i, TITLES)
            )
            key = (tok.text, gap_code(gap), opens, tok.possessive, dig)
            own = own_sums.get(key)
            if own is None:
                own = self._own_sum(tok, key)
            total = own + prev_rows[prev, case]
            if i > 0:
                before = tokens[i - 1]
                plow = before.low
                total += self._word(left, before, "-") + row("w-1c=" + plow + case, 0)
                if i > 1:
                    p2low = tokens[i - 2].low
                    total += row("w-2=" + p2low, 0) + row("w-21=" + p2low + "_" + plow, 0)
                else:
                    total += row("w-2=<s>", 0)
            else:
                total += row("w-1=<s>", 0) + row("w-2=<s>", 0)
            if i + 1 < n:
                after = tokens[i + 1]
                total += self._word(right, after, "+") + row("w+1c=" + after.low + case, 0)
                total += next_gap[gap_code(after.gap)]
                total += row("w+2=" + tokens[i + 2].low if i + 2 < n else "w+2=</s>", 0)
            else:
                total += row("w+1=</s>", 0) + row("w+2=</s>", 0)
            lanes = _UNPACK((total + _BIAS).to_bytes(_BYTES, "little"))
            best = max(_ALLOWED[prev], key=lanes.__getitem__)
            # As the per-tag scores would give it: each sum divided by the scale, then
            # the difference (the bias cancels in each sum's own subtraction).
            append((best, (lanes[best] - _HALF) / scale - (lanes[0] - _HALF) / scale))
            prev = best
        return out
