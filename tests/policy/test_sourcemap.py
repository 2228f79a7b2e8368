"""The line scanner maps key paths of any valid TOML document to their lines."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veil.errors import ConfigurationError
from veil.policy.loader import parse_policy
from veil.policy.sourcemap import Lines, Reader, decode

DOC = '''\
# a comment with [brackets] and "quotes"
title = "x # not a comment"
when = 1979-05-27 07:32:00Z
"quoted key" = 'literal \\ string'
text = """
multi [line] "with" quotes ""
still = not a key
"""
raw = \'\'\'
[not.a.table]
\'\'\'

[a.b]
c.d = 1
e = { f = 2, g = { h = [1, 2] } }
nested = [[1, 2], [
  3,
  4,
]]

[[fruit]]
name = "apple"

[[fruit.variety]]
name = "red"

[[fruit.variety]]
name = "green"

[[fruit]]
name = "banana"

[[fruit.variety]]
name = "plantain"
'''


def test_lines_of_every_construct() -> None:
    lines = Lines(DOC)
    lines.scan()
    got = lines.lines
    assert got[("title",)] == 2
    assert got[("when",)] == 3
    assert got[("quoted key",)] == 4
    assert got[("text",)] == 5
    assert got[("raw",)] == 9
    assert ("not", "a", "table") not in got
    assert ("still",) not in got
    assert got[("a", "b")] == 13
    assert got[("a", "b", "c", "d")] == 14
    assert got[("a", "b", "e", "g", "h", 1)] == 15
    assert got[("a", "b", "nested", 1, 1)] == 18
    assert got[("fruit", 0)] == 21
    assert got[("fruit", 0, "variety", 1, "name")] == 28
    assert got[("fruit", 1, "name")] == 31
    assert got[("fruit", 1, "variety", 0)] == 33


def test_reader_uses_the_longest_recorded_prefix() -> None:
    _raw, reader = decode(DOC, "doc.toml")
    reader.fail(("fruit", 1, "variety", 0, "colour"), "no colour")
    reader.fail(("missing",), "nowhere")
    assert reader.report() == "doc.toml line 1: nowhere\ndoc.toml line 33: no colour"


def test_report_is_capped() -> None:
    reader = Reader("p.toml", {})
    for i in range(40):
        reader.fail((), f"problem {i:02d}")
    report = reader.report().splitlines()
    assert len(report) == 26
    assert report[-1] == "... and 15 more problem(s)"


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("a = 1\nb = [1,\n\n", 2, "invalid TOML: unclosed array"),
        ('a = 1\n[t]\nx = """never closed\n\n', 3, "invalid TOML: unterminated string"),
        ("a = 1\n\n[t]\nx = 1\ny = 2\nx = 3\n", 6, "invalid TOML: Cannot overwrite"),
        ("a = 1\nb = 2\nc = {\n", 3, "invalid TOML"),
        ("a = 1\nb = 2\nc = { x = 1 ", 3, "invalid TOML"),
        ("a = [1, }\nb = 2\n", 1, "invalid TOML"),
        ("a = { x = 1 ]\nb = 2\n", 1, "invalid TOML"),
    ],
)
def test_syntax_errors_name_a_line(text: str, line: int, reason: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        decode(text, "p.toml")
    assert str(caught.value).startswith(f"p.toml line {line}: {reason}")


_SOURCE = (Path(__file__).parents[2] / "src/veil/policy/default_policy.toml").read_text()


@settings(max_examples=300, deadline=None)
@given(
    at=st.integers(0, len(_SOURCE)),
    cut=st.integers(0, 40),
    insert=st.text(alphabet="[]{}\"'=,.#\n \\abc1", max_size=6),
)
def test_any_broken_policy_gives_one_clear_error(at: int, cut: int, insert: str) -> None:
    text = _SOURCE[:at] + insert + _SOURCE[at + cut :]
    with contextlib.suppress(ConfigurationError):
        parse_policy(text)
        return  # the edit happened to keep the policy valid
    with pytest.raises(ConfigurationError, match=r"^policy\.toml line \d+: "):
        parse_policy(text)
