"""Keyed derivation: identities, per-value seeds and a deterministic random stream.

Every pseudonym starts from one *identity*: HMAC-SHA256 under the tenant key over
(scope kind, scope id, entity label, normalized value), each field length-prefixed so
no two tuples encode alike. The identity decides "same value?" without a central
counter; everything random about a pseudonym (surrogate digits, hash, tag suffix) is
drawn from further HMACs of it, so the same inputs give the same output on any machine,
and two tenants' keys give uncorrelated outputs. Keys are plain bytes handed in by the
caller (the vault owns key storage); this module never logs or reprs them.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from veil.core import Entity
from veil.errors import ConfigurationError
from veil.transform.settings import Scope

__all__ = ["Derivation", "Stream", "TokenContext"]

_MIN_KEY_BYTES = 16


@dataclass(frozen=True, slots=True)
class TokenContext:
    """Who is speaking: the tenant's pseudonym key and the ids a scope may name.

    ``subject_id`` is required only when some entity uses ``Scope.SUBJECT``.
    """

    key: bytes = field(repr=False)
    conversation_id: str
    subject_id: str | None = None

    def __post_init__(self) -> None:
        if len(self.key) < _MIN_KEY_BYTES:
            raise ConfigurationError(f"pseudonym key must be at least {_MIN_KEY_BYTES} bytes")
        if not self.conversation_id:
            raise ConfigurationError("conversation_id must not be empty")

    def scope_id(self, scope: Scope) -> str:
        if scope is Scope.CONVERSATION:
            return self.conversation_id
        if scope is Scope.SUBJECT:
            if not self.subject_id:
                raise ConfigurationError("Scope.SUBJECT needs a subject_id in the TokenContext")
            return self.subject_id
        return ""


def _encode(*parts: str | bytes) -> bytes:
    out = bytearray()
    for part in parts:
        raw = part.encode("utf-8") if isinstance(part, str) else part
        out += len(raw).to_bytes(4, "big") + raw
    return bytes(out)


@dataclass(frozen=True, slots=True)
class Derivation:
    """The keyed functions for one (tenant key, scope) pair."""

    key: bytes = field(repr=False)
    scope: Scope
    scope_id: str

    @classmethod
    def for_scope(cls, context: TokenContext, scope: Scope) -> Derivation:
        return cls(context.key, scope, context.scope_id(scope))

    def _mac(self, *parts: str | bytes) -> bytes:
        return hmac.new(self.key, _encode(*parts), hashlib.sha256).digest()

    def identity(self, entity: Entity, normalized: str, namespace: str = "value") -> str:
        """Hex identity of a normalized value: equal iff (scope, entity, value) equal.

        ``namespace`` keeps kinds of input apart (neutralized look-alikes are
        identified by their literal text, not as values of the entity).
        """
        fields = (self.scope.value, self.scope_id, namespace, entity.label, normalized)
        return self._mac(b"veil/identity/v1", *fields).hex()

    def seed(self, identity: str, purpose: str, attempt: int = 0) -> bytes:
        """Seed for one use of an identity; ``attempt`` re-draws after a collision."""
        return self._mac(b"veil/seed/v1", purpose, identity, str(attempt))

    def scope_seed(self, purpose: str) -> bytes:
        """Seed shared by every value in the scope (e.g. one date shift for all dates)."""
        return self._mac(b"veil/scope-seed/v1", purpose, self.scope.value, self.scope_id)


class Stream:
    """Deterministic integers from a seed (HMAC-SHA256 in counter mode).

    Unlike ``random.Random`` its output is fixed by this code, not by the Python
    version, so surrogates stay stable across upgrades and machines.
    """

    __slots__ = ("_buffer", "_counter", "_seed")

    def __init__(self, seed: bytes) -> None:
        self._seed = seed
        self._counter = 0
        self._buffer = b""

    def _bytes(self, n: int) -> bytes:
        while len(self._buffer) < n:
            block = hmac.new(self._seed, self._counter.to_bytes(8, "big"), hashlib.sha256)
            self._buffer += block.digest()
            self._counter += 1
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    def below(self, n: int) -> int:
        """A uniform-enough integer in ``[0, n)`` (64-bit draw, bias < 2**-40)."""
        if n <= 0:
            raise ValueError("n must be positive")
        return int.from_bytes(self._bytes(8), "big") % n

    def choice(self, options: tuple[str, ...] | str) -> str:
        return options[self.below(len(options))]

    def digit(self) -> str:
        return str(self.below(10))
