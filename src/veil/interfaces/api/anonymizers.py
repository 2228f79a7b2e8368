"""Presidio's anonymizer operators, for ``POST /anonymize``.

Each operator turns one detected value into its replacement, with Presidio's
parameter names and defaults:

* ``replace`` — ``new_value``; missing or empty gives ``<ENTITY_TYPE>``;
* ``redact`` — the value is removed;
* ``mask`` — ``masking_char`` (one character, default ``*``), ``chars_to_mask``
  (default: all), ``from_end`` (default false);
* ``hash`` — ``hash_type`` ``sha256`` (default) or ``sha512``: Presidio's UNKEYED hash,
  so anyone can confirm a guessed value (a phone number, a card) by hashing it.
  ``md5`` and ``salt`` are refused rather than silently changed;
* ``keyed_hash`` — veil's addition: HMAC with the same ``hash_type`` under a key the
  gateway holds (derived per tenant by the vault), so a guess cannot be confirmed
  without the key; equal values still hash equal within a tenant;
* ``keep`` — the value stays.

Parameters are checked before any text is touched; error messages name the
parameter, never the value or the entity text.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from veil.errors import InputError

__all__ = ["OPERATORS", "Operator", "operator_from"]

OPERATORS = ("replace", "redact", "mask", "hash", "keyed_hash", "keep")
_HASHES = {"sha256": hashlib.sha256, "sha512": hashlib.sha512}


@dataclass(frozen=True, slots=True)
class Operator:
    """One configured operator; ``apply`` needs the key only for ``keyed_hash``."""

    name: str
    new_value: str = ""
    masking_char: str = "*"
    chars_to_mask: int | None = None
    from_end: bool = False
    hash_type: str = "sha256"

    def apply(self, value: str, entity_type: str, *, key: bytes | None) -> str:
        if self.name == "replace":
            return self.new_value or f"<{entity_type}>"
        if self.name == "redact":
            return ""
        if self.name == "keep":
            return value
        if self.name == "mask":
            count = len(value) if self.chars_to_mask is None else self.chars_to_mask
            count = max(0, min(len(value), count))
            if self.from_end:
                return value[: len(value) - count] + self.masking_char * count
            return self.masking_char * count + value[count:]
        digest = _HASHES[self.hash_type]
        if self.name == "hash":
            return digest(value.encode("utf-8")).hexdigest()
        if key is None:
            raise InputError("keyed_hash is not available: this gateway holds no hash key")
        return hmac.new(key, value.encode("utf-8"), digest).hexdigest()


def operator_from(config: Any) -> Operator:
    """An :class:`Operator` from Presidio's ``{"type": ..., **params}``; raises InputError."""
    if not isinstance(config, Mapping):
        raise InputError("each anonymizer must be an object")
    name = config.get("type")
    if name not in OPERATORS:
        supported = ", ".join(OPERATORS)
        raise InputError(f"an anonymizer has an unsupported type (supported: {supported})")
    if name == "replace":
        return Operator(name, new_value=_string(config, "new_value", ""))
    if name == "mask":
        char = _string(config, "masking_char", "*")
        if len(char) != 1:
            raise InputError("mask 'masking_char' must be a single character")
        count = config.get("chars_to_mask")
        if count is not None and (not isinstance(count, int) or isinstance(count, bool)):
            raise InputError("mask 'chars_to_mask' must be an integer")
        end = config.get("from_end", False)
        if not isinstance(end, bool):
            raise InputError("mask 'from_end' must be a boolean")
        return Operator(name, masking_char=char, chars_to_mask=count, from_end=end)
    if name in {"hash", "keyed_hash"}:
        if "salt" in config:
            raise InputError("hash 'salt' is not supported; use the keyed_hash type")
        kind = _string(config, "hash_type", "sha256")
        if kind not in _HASHES:
            raise InputError("'hash_type' must be sha256 or sha512")
        return Operator(name, hash_type=kind)
    return Operator(name)


def _string(config: Mapping[str, Any], key: str, default: str) -> str:
    value = config.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InputError(f"anonymizer parameter {key!r} must be a string")
    return value
