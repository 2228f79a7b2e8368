"""The canonical encoding is unambiguous, and every column changes the hash."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from veil.audit.chain import at_text, canonical_detail, head_mac, row_digest, row_mac
from veil.errors import AuditError

STATIC = ("turn.read", "ok", "ana", "agent", "acme", None, "conv:1", "support", "{}", False)
AT = "2026-01-01 00:00:00.000000"


def _digest(*columns: object, prev: str = "0" * 64, seq: int = 7, at: str = AT) -> bytes:
    return row_digest(prev, seq, at, *columns)  # type: ignore[arg-type]


def test_shifting_text_between_columns_changes_the_hash() -> None:
    assert _digest("a", "bc", *STATIC[2:]) != _digest("ab", "c", *STATIC[2:])
    # a length prefix cannot be forged from inside a value
    assert _digest("1:a", "", *STATIC[2:]) != _digest("", "1:a", *STATIC[2:])
    assert _digest(*STATIC, prev="a", seq=12) != _digest(*STATIC, prev="a1", seq=2)


def test_none_and_empty_subject_differ() -> None:
    empty = list(STATIC)
    empty[5] = ""
    assert _digest(*STATIC) != _digest(*empty)
    marker = list(STATIC)
    marker[5] = "\x1e"  # the None marker itself, as a value: refused, never confused
    with pytest.raises(ValueError, match="separator"):
        _digest(*marker)


def test_every_column_enters_the_hash() -> None:
    base = _digest(*STATIC)
    assert _digest(*STATIC, prev="1" * 64) != base
    assert _digest(*STATIC, seq=8) != base
    assert _digest(*STATIC, at="2026-01-01 00:00:00.000001") != base
    for i in range(len(STATIC)):
        changed = list(STATIC)
        changed[i] = (not STATIC[i]) if isinstance(STATIC[i], bool) else f"{STATIC[i]}x"
        assert _digest(*changed) != base, i


def test_hash_is_sha256_of_the_documented_encoding_and_mac_is_keyed() -> None:
    digest = _digest(*STATIC)
    material = "\x1f".join(
        ["veil.audit.row.v1", "0" * 64, "7", AT, "turn.read", "ok", "ana", "agent", "acme",
         "\x1e", "conv:1", "support", "{}", "0"]
    )  # fmt: skip
    assert digest == hashlib.sha256(material.encode()).digest()
    assert row_mac(b"k" * 32, digest) != row_mac(b"j" * 32, digest)
    assert head_mac(b"k" * 32, 1, digest.hex()) != row_mac(b"k" * 32, digest)


@pytest.mark.parametrize("column", range(9))
@pytest.mark.parametrize("char", ["\x1f", "\x1e"])
def test_separators_inside_values_are_refused(column: int, char: str) -> None:
    changed = list(STATIC)
    changed[column] = f"a{char}b"
    with pytest.raises(ValueError, match="separator"):
        _digest(*changed)
    with pytest.raises(ValueError, match="separator"):
        _digest(*STATIC, prev=char)


def test_at_text_is_utc_with_microseconds() -> None:
    at = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert at_text(at) == "2026-03-04 05:06:07.000000"
    assert at_text(at.astimezone(timezone(timedelta(hours=-5)))) == at_text(at)
    with pytest.raises(AuditError):
        at_text(datetime(2026, 3, 4))


def test_canonical_detail_is_sorted_and_typed() -> None:
    assert canonical_detail({"b": 1, "a": "x", "c": True}) == '{"a":"x","b":1,"c":true}'
    for bad in ({"f": 1.0}, {"n": None}, {"l": [1]}, {1: "x"}):
        with pytest.raises(AuditError):
            canonical_detail(bad)  # type: ignore[arg-type]
