"""Presidio's operators: parameters, defaults, and refusals that never quote values."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest

from veil.errors import InputError
from veil.interfaces.api.anonymizers import Operator, operator_from

KEY = b"k" * 32


def apply(config: dict[str, Any], value: str = "555-0100", key: bytes | None = KEY) -> str:
    return operator_from(config).apply(value, "PHONE_NUMBER", key=key)


def test_replace_defaults_to_the_entity_type() -> None:
    assert apply({"type": "replace", "new_value": "ANONYMIZED"}) == "ANONYMIZED"
    assert apply({"type": "replace"}) == "<PHONE_NUMBER>"
    assert apply({"type": "replace", "new_value": ""}) == "<PHONE_NUMBER>"


def test_redact_and_keep() -> None:
    assert apply({"type": "redact"}) == ""
    assert apply({"type": "keep"}) == "555-0100"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"masking_char": "*", "chars_to_mask": 4, "from_end": True}, "555-****"),
        ({"masking_char": "#", "chars_to_mask": 3, "from_end": False}, "###-0100"),
        ({"masking_char": "*", "chars_to_mask": 99, "from_end": False}, "********"),
        ({"masking_char": "*", "chars_to_mask": 0}, "555-0100"),
        ({"masking_char": "*", "chars_to_mask": -2}, "555-0100"),
        ({}, "********"),
    ],
)
def test_mask(params: dict[str, Any], expected: str) -> None:
    assert apply({"type": "mask", **params}) == expected


def test_hash_is_presidios_unkeyed_sha() -> None:
    value = "jane@example.org"
    assert apply({"type": "hash"}, value) == hashlib.sha256(value.encode()).hexdigest()
    sha512 = apply({"type": "hash", "hash_type": "sha512"}, value)
    assert sha512 == hashlib.sha512(value.encode()).hexdigest()


def test_keyed_hash_needs_the_key() -> None:
    value = "jane@example.org"
    keyed = apply({"type": "keyed_hash"}, value)
    assert keyed == hmac.new(KEY, value.encode(), hashlib.sha256).hexdigest()
    assert keyed != hashlib.sha256(value.encode()).hexdigest()
    assert apply({"type": "keyed_hash"}, value, key=b"x" * 32) != keyed
    with pytest.raises(InputError):
        apply({"type": "keyed_hash"}, value, key=None)


@pytest.mark.parametrize(
    "config",
    [
        {"type": "encrypt", "key": "SECRET-VALUE"},
        {"type": "custom"},
        {},
        "SECRET-VALUE",
        {"type": "hash", "hash_type": "md5"},
        {"type": "hash", "salt": "SECRET-VALUE"},
        {"type": "mask", "masking_char": "**"},
        {"type": "mask", "chars_to_mask": "4"},
        {"type": "mask", "chars_to_mask": True},
        {"type": "mask", "from_end": "yes"},
        {"type": "replace", "new_value": 5},
    ],
)
def test_bad_configs_are_refused_without_echo(config: Any) -> None:
    with pytest.raises(InputError) as caught:
        operator_from(config)
    assert "SECRET" not in str(caught.value)


def test_operator_names() -> None:
    assert operator_from({"type": "mask"}) == Operator("mask")
