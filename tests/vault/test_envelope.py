"""Envelope layout and the canonical binding encoding."""

from __future__ import annotations

import itertools

import pytest

from veil.errors import IntegrityError
from veil.vault import Binding
from veil.vault.envelope import FORMAT_VERSION, HEADER_BYTES, Envelope, encode_fields


def test_binding_encoding_is_unambiguous() -> None:
    splits = [("ab", "c"), ("a", "bc"), ("abc", ""), ("", "abc")]
    encodings = set()
    for (r, f), position in itertools.product(splits, range(3)):
        parts = ["t", "s", "x", "y"]
        parts[position], parts[position + 1] = r or "t", f or "s"
        if not parts[0] or not parts[1]:
            continue
        encodings.add((tuple(parts), Binding(*parts).encode()))
    by_encoding = {enc for _, enc in encodings}
    assert len(by_encoding) == len({parts for parts, _ in encodings})
    assert Binding("t", "s", "ab", "c").encode() != Binding("t", "s", "a", "bc").encode()
    assert Binding("t", "sr", "", "f").encode() != Binding("t", "s", "r", "f").encode()


def test_encode_fields_is_domain_separated_and_length_prefixed() -> None:
    assert encode_fields("d", "ab", "c") != encode_fields("d", "a", "bc")
    assert encode_fields("d1", "x") != encode_fields("d2", "x")
    assert encode_fields("d", "é") == b"\x00\x00\x00\x01d\x00\x00\x00\x02\xc3\xa9"


@pytest.mark.parametrize(
    "args", [("", "s", "r", "f"), ("t", "", "r", "f"), ("t", "s", "r", "x" * 70_000)]
)
def test_binding_validation(args: tuple[str, str, str, str]) -> None:
    with pytest.raises(ValueError, match=r"Binding\."):
        Binding(*args)


def test_binding_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        Binding("t", "s", 5, "f")  # type: ignore[arg-type]


def test_envelope_round_trip_and_layout() -> None:
    env = Envelope(key_id=b"K" * 8, key_version=7, nonce=b"N" * 12, body=b"B" * 20)
    raw = env.to_bytes()
    assert raw[0] == FORMAT_VERSION
    assert raw[1:9] == b"K" * 8
    assert raw[9:13] == (7).to_bytes(4, "big")
    assert raw[13:HEADER_BYTES] == b"N" * 12
    assert Envelope.parse(raw) == env
    binding = Binding("t", "s", "r", "f")
    assert env.aad(binding).endswith(binding.encode())
    assert b"N" * 12 not in env.aad(binding)


@pytest.mark.parametrize(
    "raw", [b"", b"\x01" * 10, b"\x09" + bytes(40), "text", bytes(HEADER_BYTES + 15)]
)
def test_malformed_envelopes_are_opaque(raw: object) -> None:
    with pytest.raises(IntegrityError, match=r"^sealed data failed to open$"):
        Envelope.parse(raw)  # type: ignore[arg-type]
