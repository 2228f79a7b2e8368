"""The packed integer scorer of the name model (veil.detect._name_tagger)."""

from __future__ import annotations

import gzip
import json
from importlib import resources

import pytest

from veil.detect import _name_tagger
from veil.detect._name_tagger import pack, packable, unpack
from veil.detect._name_tokens import tokenize
from veil.detect.name_model import _ALLOWED, TAGS, NameModel, candidate, features


@pytest.mark.parametrize(
    "rows",
    [
        [[1, -2, 3, -4, 5]],
        [[-30000, 0, 0, 0, 30000], [-30000, -1, 1, 0, 30000], [7, 7, -7, -7, 0]],
        [[-(1 << 23), (1 << 23), -1, 1, 0]] * 40,
    ],
)
def test_packed_rows_add_up_lane_by_lane(rows: list[list[int]]) -> None:
    expected = tuple(sum(col) for col in zip(*rows, strict=True))
    assert unpack(sum(pack(r) for r in rows)) == expected


def test_only_integral_small_weights_are_packed() -> None:
    assert packable({"b": [1, 2, 3, 4, 5], "c": [1.0, 0, -2.0, 0, 0]})
    assert not packable({"b": [0.5, 0, 0, 0, 0]})
    assert not packable({"b": [1 << 30, 0, 0, 0, 0]})


def _tokens_of_every_case() -> list[str]:
    return [
        "My neighbour Zbigniewa brought the parcel.",
        "Dear Mr. O'Neil, your flight from Kurtuluşköy to New York is booked.\nAnna's card",
        "Hi!! I am Jean-Luc van der Berg, based in Brenvik; call 555 0100. Thanks, JOHN SMITH",
        "Sent from Lyon, France. (Dr Ngozi Okonkwo-Adeyemi) ref 12Paris",
        "Anna",
        "anna berg",
        "",
    ]


@pytest.mark.parametrize("text", _tokens_of_every_case())
def test_packed_sums_are_the_integer_sums_of_every_feature(text: str) -> None:
    # The integer per-tag sums straight from features(), whatever the grouping.
    model = NameModel.default()
    packed = model._packed
    assert packed is not None
    tokens = tokenize(text)
    tags = model.tag(tokens, text)
    prev = 0
    for i, tok in enumerate(tokens):
        if not candidate(tok):
            assert tags[i] == (0, 0.0)
            prev = 0
            continue
        feats = features(tokens, i, text)
        names = [*feats, "pt=" + TAGS[prev], "ptc=" + TAGS[prev] + feats[1]]
        sums = [0] * len(TAGS)
        for name in names:
            row = packed.rows.get(name)
            if row is not None:
                sums = [a + b for a, b in zip(sums, unpack(row), strict=True)]
        scores = [s / 1000 for s in sums]
        assert model.scores(feats, prev) == scores
        best, margin = tags[i]
        allowed = _ALLOWED[prev]
        assert best == max(allowed, key=scores.__getitem__)
        assert margin == scores[best] - scores[0]
        prev = best


def test_float_weights_are_tagged_one_token_at_a_time() -> None:
    # A model with fractional weights (experiments) takes the float path, same decoding.
    weights = {"b": [0.5, 0.0, 0.0, 0.0, 0.0], "c=C": [0.0, 1.25, 0.0, 0.0, 0.0]}
    model = NameModel(weights)
    assert model._packed is None
    text = "hello Anna"
    tokens = tokenize(text)
    assert model.tag(tokens, text)[1] == (1, 0.75)
    scaled = NameModel({k: [v * 4 for v in row] for k, row in weights.items()}, scale=4.0)
    assert scaled._packed is not None
    assert scaled.tag(tokens, text) == model.tag(tokens, text)


def test_memoised_sums_survive_a_full_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Please ask Oyelaran to call me back, Anna Berg from Lyon."
    tokens = tokenize(text)
    expected = NameModel.default().tag(tokens, text)
    # A fresh model whose memos hold one entry: every look-up clears and refills them.
    monkeypatch.setattr(_name_tagger, "_MEMO_SIZE", 1)
    model = NameModel(_weights(), scale=1000.0)
    assert model.tag(tokens, text) == expected
    assert model.tag(tokens, text) == expected
    packed = model._packed
    assert packed is not None
    assert len(packed._own) == len(packed._left) == len(packed._right) == 1


def _weights() -> dict[str, list[int]]:
    raw = resources.files("veil").joinpath("data", "model", "names.json.gz").read_bytes()
    weights: dict[str, list[int]] = json.loads(gzip.decompress(raw))["weights"]
    return weights
