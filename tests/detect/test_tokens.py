"""The word tokenizers of the name and address rules: positions from split() pieces."""

from __future__ import annotations

import re

import pytest

from veil.detect import _address_tokens, _name_tokens

TEXTS = [
    "",
    "   ",
    "John's car, O'Neil and Jean-Luc: 12 Main St.\n\nApt 4b, 84/92 rue d'Ouchy_x",
    "ÉVORA 1000-001 Lisboa; NSW 2000 (FI) 5th Ave 1er étage — İstanbul’s port",
    "trailing words and spaces  ",
    "\n12\n",
]


@pytest.mark.parametrize("text", TEXTS)
def test_name_tokens_match_their_pattern(text: str) -> None:
    pattern = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
    tokens = _name_tokens.tokenize(text)
    matches = list(pattern.finditer(text))
    assert len(tokens) == len(matches)
    prev_end = 0
    for tok, m in zip(tokens, matches, strict=True):
        assert tok.start == m.start()
        assert tok.end == (m.end() - 2 if tok.possessive else m.end())
        assert tok.text == text[tok.start : tok.end]
        assert tok.gap == text[prev_end : m.start()]
        prev_end = m.end()


def test_name_tokens_split_off_a_possessive() -> None:
    (tok,) = _name_tokens.tokenize("Anna’s")
    assert (tok.text, tok.low, tok.end, tok.possessive) == ("Anna", "anna", 4, True)


@pytest.mark.parametrize("text", TEXTS)
def test_address_tokens_match_their_pattern(text: str) -> None:
    pattern = re.compile(r"([^\W_]+(?:['’\-/][^\W_]+)*)|(\n)|([^\w\s]|_)")
    tokens = _address_tokens.tokenize(text)
    matches = list(pattern.finditer(text))
    assert [(t.start, t.end, t.text) for t in tokens] == [
        (m.start(), m.end(), m.group()) for m in matches
    ]
    kinds = {2: _address_tokens.NL, 3: _address_tokens.PUNCT}
    for tok, m in zip(tokens, matches, strict=True):
        if m.lastindex in kinds:
            assert tok.kind == kinds[m.lastindex]
        else:
            assert tok.kind in (_address_tokens.WORD, _address_tokens.NUM, _address_tokens.ALNUM)


def test_address_token_flags() -> None:
    toks = {t.text: t for t in _address_tokens.tokenize("d'Ouchy Roma NSW DHL 12a 12b 5th 84/92 _")}
    assert toks["d'Ouchy"].is_cap
    assert toks["d'Ouchy"].is_title
    assert toks["Roma"].is_title
    assert not toks["DHL"].is_title
    assert toks["NSW"].is_upper_code
    assert toks["DHL"].is_upper_code
    assert toks["12a"].is_house_number
    assert toks["84/92"].is_house_number
    assert toks["84/92"].kind == _address_tokens.NUM
    assert toks["12a"].kind == _address_tokens.ALNUM
    assert toks["5th"].is_ordinal
    assert not toks["12b"].is_ordinal
    assert toks["_"].kind == _address_tokens.PUNCT


def test_address_token_facts_survive_a_full_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Flat 2, 10 Downing Street, London SW1A 2AA"
    expected = [(t.start, t.end, t.kind, t.is_cap) for t in _address_tokens.tokenize(text)]
    monkeypatch.setattr(_address_tokens, "_facts_memo", {})
    monkeypatch.setattr(_address_tokens, "_FACTS_MEMO_SIZE", 1)
    again = [(t.start, t.end, t.kind, t.is_cap) for t in _address_tokens.tokenize(text)]
    assert again == expected
    assert len(_address_tokens._facts_memo) == 1
