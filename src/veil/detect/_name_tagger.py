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
# What the features reading a token's left neighbours read: (the word two back, ""
# at the start, the word before, the token's case code).
_LeftKey = tuple[str, str, str]
# What the features reading its right neighbours read: (the word after, its gap,
# the word two ahead or "" at the end, the token's case code).
_RightKey = tuple[str, str, str, str]
# The tag and margin of a token left outside any name (margins are x - x = 0.0).
_OUTSIDE = (0, 0.0)


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
        # The context sums of the first and the last token of a message.
        self._first = row("w-1=<s>", 0) + row("w-2=<s>", 0)
        self._last = row("w+1=</s>", 0) + row("w+2=</s>", 0)
        self._gaps: dict[str, str] = {}
        self._own: dict[_OwnKey, int] = {}
        self._left: dict[_LeftKey, int] = {}
        self._right: dict[_RightKey, int] = {}

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

    def _left_sum(self, key: _LeftKey, before: Token) -> int:
        """The packed sum of the features that read the words before a token: its left
        neighbour alone ("w-1", "c-1", "lx-1", "t1"), with the token's case ("w-1c")
        and with the word before it ("w-2", "w-21"); memoised by what they read."""
        if len(self._left) >= _MEMO_SIZE:
            self._left.clear()
        p2low, _, case = key
        low = before.low
        names = ["w-1=" + low, "c-1=" + _case(before), "lx-1=" + _lex(before)]
        names += ["t1=True" if low in TITLES else "t1=False", "w-1c=" + low + case]
        names += ["w-2=" + p2low, "w-21=" + p2low + "_" + low] if p2low else ["w-2=<s>"]
        packed = self._left[key] = self.sum(names)
        return packed

    def _right_sum(self, key: _RightKey, after: Token) -> int:
        """The packed sum of the features that read the words after a token: its right
        neighbour alone ("w+1", "c+1", "lx+1"), with its gap ("g+1"), with the token's
        case ("w+1c") and the word after it ("w+2"); memoised by what they read."""
        if len(self._right) >= _MEMO_SIZE:
            self._right.clear()
        _, gap, n2low, case = key
        low = after.low
        names = ["w+1=" + low, "c+1=" + _case(after), "lx+1=" + _lex(after)]
        names += ["g+1=" + self._gap_code(gap), "w+1c=" + low + case]
        names.append("w+2=" + n2low if n2low else "w+2=</s>")
        packed = self._right[key] = self.sum(names)
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
        left, right, own_sums, gaps = self._left, self._right, self._own, self._gaps
        prev_rows, scale = self._prev, self._scale
        last = len(tokens) - 1
        for i, tok in enumerate(tokens):
            if not (tok.cap or tok.upper or candidate(tok)):
                append(_OUTSIDE)
                prev = 0
                continue
            case = "U" if tok.upper else "C" if tok.cap else "l"
            start, end, gap = tok.start, tok.end, tok.gap
            dig = (
                text[end : end + 3].lstrip(" ")[:1].isdigit()
                or text[start - 2 if start > 1 else 0 : start].strip()[-1:].isdigit()
            )
            opens = i == 0 or (
                not _SENTENCE_END.isdisjoint(gap) and is_sentence_start(tokens, i, TITLES)
            )
            key = (tok.text, gaps.get(gap) or self._gap_code(gap), opens, tok.possessive, dig)
            total = own_sums.get(key)
            if total is None:
                total = self._own_sum(tok, key)
            total += prev_rows[prev, case]
            if i:
                before = tokens[i - 1]
                lkey = (tokens[i - 2].low if i > 1 else "", before.text, case)
                context = left.get(lkey)
                total += self._left_sum(lkey, before) if context is None else context
            else:
                total += self._first
            if i < last:
                after = tokens[i + 1]
                rkey = (after.text, after.gap, tokens[i + 2].low if i + 1 < last else "", case)
                context = right.get(rkey)
                total += self._right_sum(rkey, after) if context is None else context
            else:
                total += self._last
            l0, l1, l2, l3, l4 = _UNPACK((total + _BIAS).to_bytes(_BYTES, "little"))
            # The best tag allowed after ``prev``, the first of equal scores winning (as
            # max() over name_model._ALLOWED): I-PER (2) only after B-PER/I-PER, I-LOC
            # (4) only after B-LOC/I-LOC. The biased lanes order as the sums do.
            best, top = 0, l0
            if l1 > top:
                best, top = 1, l1
            if (prev == 1 or prev == 2) and l2 > top:
                best, top = 2, l2
            if l3 > top:
                best, top = 3, l3
            if prev >= 3 and l4 > top:
                best, top = 4, l4
            if best:
                # As the per-tag scores would give it: each sum divided by the scale,
                # then the difference (the bias cancels in each sum's own subtraction).
                append((best, (top - _HALF) / scale - (l0 - _HALF) / scale))
            else:
                append(_OUTSIDE)
            prev = best
        return out
