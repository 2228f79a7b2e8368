"""What the name model reads: which tokens it scores and the features of each.

:func:`features` defines the model's input; the order of its list is part of the
model (scores add the weights of the features in that order). :class:`Message`
computes the per-token facts of one message once; the tagger in
:mod:`veil.detect.name_model` reads a token's own features (:func:`own_features`,
which depend only on an :data:`OwnKey`) and its neighbours' (:meth:`Message.context`)
separately, so the weights of the first can be summed once per distinct key.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from veil.detect import lexicon
from veil.detect._name_rules import PARTICLES, TITLES
from veil.detect._name_tokens import Token, is_sentence_start

__all__ = ["Message", "OwnKey", "candidate", "features", "own_features"]


def candidate(tok: Token) -> bool:
    """Tokens the model scores; all others are ``O`` without looking."""
    return (
        tok.cap
        or tok.upper
        or tok.first
        or tok.last
        or tok.zipf == 0.0
        or tok.low in PARTICLES
        or tok.low in lexicon.places()
    )


def _shape(word: str) -> str:
    out: list[str] = []
    for ch in word:
        c = "X" if ch.isupper() else "x" if ch.isalpha() else ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)[:5]


def _case(tok: Token) -> str:
    return "U" if tok.upper else "C" if tok.cap else "l"


def _lex(tok: Token, *, known: bool = True) -> str:
    """Lexicon facts as one short code: given name, surname, place kind, Zipf bucket."""
    if not known:
        return f"---z{int(tok.zipf)}"
    return _lex_code(tok.low, tok.first, tok.last, tok.zipf)


@lru_cache(maxsize=16_384)
def _lex_code(low: str, first: bool, last: bool, zipf: float) -> str:
    place = lexicon.place_entries().get(low)
    kind = "-" if place is None else place.kind[:2] + str(min(7, int(place.log_population)))
    return f"{'F' if first else '-'}{'S' if last else '-'}{kind}z{int(zipf)}"


def _gap(gap: str) -> str:
    g = gap.strip(" \u00a0")
    if not g:
        return "sp" if gap else "none"
    for ch, code in (("\n", "nl"), (",", "cm"), (":", "co"), (".", "pd"), ("(", "pa")):
        if ch in g:
            return code
    return "ot"


def features(
    tokens: Sequence[Token], i: int, text: str, *, unknown: frozenset[int] = frozenset()
) -> list[str]:
    """Tag-independent features of token ``i``.

    ``unknown`` (training only) lists token indices to present as words no lexicon
    knows, so the model also learns to read names that are in no list.
    """
    message = _last_message[0]
    if message is None or not (
        message.tokens is tokens and message.text == text and message.unknown == unknown
    ):
        # Training asks for every token of a message in turn: reuse its facts.
        message = _last_message[0] = Message(tokens, text, unknown)
    return message.features(i)


_last_message: list[Message | None] = [None]


class Message:
    """The tokens of one message with the facts their features read, computed once.

    A token's case, lexicon code and gap code are read by itself and by both
    neighbours; they are computed once per message, not once per reader.
    """

    __slots__ = ("cases", "gaps", "lexes", "lows", "text", "tokens", "unknown")

    def __init__(
        self, tokens: Sequence[Token], text: str, unknown: frozenset[int] = frozenset()
    ) -> None:
        self.tokens = tokens
        self.text = text
        self.unknown = unknown
        self.lows = [t.low for t in tokens]
        self.cases = [_case(t) for t in tokens]
        self.gaps = [_gap(t.gap) for t in tokens]
        self.lexes = [_lex(t, known=k not in unknown) for k, t in enumerate(tokens)]

    def own_key(self, i: int) -> OwnKey:
        """Everything the features of token ``i`` itself depend on (see :func:`own_features`)."""
        text = self.text
        tok = self.tokens[i]
        start, end = tok.start, tok.end
        after = text[end : end + 3].lstrip(" ")
        dig = after[:1].isdigit() or text[max(0, start - 2) : start].strip()[-1:].isdigit()
        return (
            tok.text,
            tok.low,
            self.cases[i],
            i not in self.unknown,
            self.lexes[i],
            self.gaps[i],
            is_sentence_start(self.tokens, i, TITLES),
            tok.possessive,
            dig,
        )

    def context(self, i: int) -> list[str]:
        """The features of token ``i`` that read its neighbours (after :func:`own_features`)."""
        lows, cases = self.lows, self.cases
        n = len(lows)
        case = cases[i]
        if i > 0:
            plow = lows[i - 1]
            f = ["w-1=" + plow, "c-1=" + cases[i - 1], "w-1c=" + plow + case]
            f += ["lx-1=" + self.lexes[i - 1], "t1=True" if plow in TITLES else "t1=False"]
            if i > 1:
                f += ["w-2=" + lows[i - 2], "w-21=" + lows[i - 2] + "_" + plow]
            else:
                f.append("w-2=<s>")
        else:
            f = ["w-1=<s>", "w-2=<s>"]
        if i + 1 < n:
            nlow = lows[i + 1]
            f += ["w+1=" + nlow, "c+1=" + cases[i + 1], "g+1=" + self.gaps[i + 1]]
            f += ["lx+1=" + self.lexes[i + 1], "w+1c=" + nlow + case]
            f.append("w+2=" + lows[i + 2] if i + 2 < n else "w+2=</s>")
        else:
            f += ["w+1=</s>", "w+2=</s>"]
        return f

    def features(self, i: int) -> list[str]:
        """See :func:`features`; the order of the list is part of the model."""
        return own_features(self.own_key(i)) + self.context(i)


# (word, lower-case word, case code, word known, lexicon code, gap code, sentence
# start, possessive, digit next to it)
OwnKey = tuple[str, str, str, bool, str, str, bool, bool, bool]


def own_features(key: OwnKey) -> list[str]:
    """The features of a token that read only the token and its own gap; they come
    first in :func:`features`, so their weights can be summed once per key."""
    word, low, case, known, code, gap, start, possessive, dig = key
    f = ["b", "c=" + case, "sh=" + _shape(word), "len=" + str(min(len(low), 9))]
    if known:
        f.append("w=" + low)
    f += ["p2=" + low[:2], "p3=" + low[:3], "s2=" + low[-2:], "s3=" + low[-3:], "s4=" + low[-4:]]
    f += ["lx=" + code, "lxc=" + code + case, "g=" + gap]
    if start:
        f += ["ss", "ssc=" + case]
    if possessive:
        f.append("pos")
    if dig:
        f.append("dig")
    return f
