"""The symmetric primitives, in one place: AES-256-GCM, HKDF and key wrapping (Ed25519
signing of audit checkpoints is in ``veil.vault.signing``; nothing outside ``vault/``
imports ``cryptography``).

Everything here is deliberately small and sharp: AES-256-GCM with 96-bit nonces and
128-bit tags, HKDF-SHA256, and a key-wrapping helper built on the same AEAD. Callers
above (the envelope format, the vault) choose nonces by calling :func:`seal`, which
draws a fresh random nonce every time; :func:`encrypt_with_nonce` exists only so the
NIST CAVP vectors can exercise the exact code path the vault uses.

Every failure to authenticate or parse becomes :class:`veil.errors.IntegrityError`
with a fixed message: callers must not learn *why* a ciphertext was rejected.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from veil.errors import IntegrityError

__all__ = [
    "KEY_BYTES",
    "NONCE_BYTES",
    "TAG_BYTES",
    "WRAPPED_KEY_BYTES",
    "DataKey",
    "decrypt",
    "derive_key",
    "encrypt_with_nonce",
    "new_key",
    "seal",
    "unwrap_key",
    "wrap_key",
]

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_WRAP_VERSION = b"\x01"
WRAPPED_KEY_BYTES = len(_WRAP_VERSION) + NONCE_BYTES + KEY_BYTES + TAG_BYTES

_OPAQUE = "sealed data failed to open"


def new_key() -> bytes:
    """Return 256 bits from the operating system's CSPRNG."""
    return os.urandom(KEY_BYTES)


def _aead(key: bytes) -> AESGCM:
    if len(key) != KEY_BYTES:
        # Only AES-256 is allowed, even though AESGCM would accept 128/192-bit keys.
        raise IntegrityError(_OPAQUE)
    return AESGCM(key)


def encrypt_with_nonce(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """AES-256-GCM with a caller-chosen 96-bit nonce; returns ciphertext || 128-bit tag.

    Reusing a nonce under one key destroys confidentiality and authenticity. Only the
    test vectors and :func:`seal` call this.
    """
    if len(nonce) != NONCE_BYTES:
        raise IntegrityError(_OPAQUE)
    return _aead(key).encrypt(nonce, plaintext, aad)


def decrypt(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    """Authenticate and decrypt ``ciphertext || tag``; any failure is one opaque error."""
    if len(nonce) != NONCE_BYTES or len(ciphertext) < TAG_BYTES:
        raise IntegrityError(_OPAQUE)
    try:
        return _aead(key).decrypt(nonce, ciphertext, aad)
    except (InvalidTag, ValueError, OverflowError):
        raise IntegrityError(_OPAQUE) from None


def seal(key: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    """Encrypt under a fresh random 96-bit nonce; return ``(nonce, ciphertext || tag)``.

    Random nonces are safe up to 2**32 encryptions per key (NIST SP 800-38D §8.3); the
    vault counts encryptions per data key and rotates well before that bound.
    """
    nonce = os.urandom(NONCE_BYTES)
    return nonce, encrypt_with_nonce(key, nonce, plaintext, aad)


class DataKey:
    """A 256-bit data key prepared once for many seals and opens.

    Building the AES key schedule costs more than encrypting a short value, so the
    vault keeps one of these per cached data key. Behaviour is exactly that of the
    module functions: :meth:`seal` draws a fresh random nonce on every call, and every
    failure is the same opaque IntegrityError. Inputs may be any bytes-like object
    (e.g. a ``memoryview`` slice of an envelope), so callers need not copy them.
    """

    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        self._aead = _aead(key)

    def __repr__(self) -> str:
        return "DataKey(<redacted>)"

    def seal(self, plaintext: bytes | bytearray | memoryview, aad: bytes) -> tuple[bytes, bytes]:
        """Like :func:`seal`: ``(fresh random nonce, ciphertext || tag)``."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce, self._aead.encrypt(nonce, plaintext, aad)

    def open(self, nonce: bytes | memoryview, ciphertext: bytes | memoryview, aad: bytes) -> bytes:
        """Like :func:`decrypt`; any failure is one opaque IntegrityError."""
        if len(nonce) != NONCE_BYTES or len(ciphertext) < TAG_BYTES:
            raise IntegrityError(_OPAQUE)
        try:
            return self._aead.decrypt(nonce, ciphertext, aad)
        except (InvalidTag, ValueError, OverflowError):
            raise IntegrityError(_OPAQUE) from None


def derive_key(secret: bytes, *, salt: bytes, info: bytes) -> bytes:
    """HKDF-SHA256 (RFC 5869) to a 256-bit key, domain-separated by ``info``."""
    if len(secret) < KEY_BYTES:
        raise IntegrityError(_OPAQUE)
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(secret)


def wrap_key(kek: bytes, key: bytes, aad: bytes) -> bytes:
    """Wrap a 256-bit key under ``kek``, bound to ``aad``: ``0x01 || nonce || ct || tag``.

    AES-GCM rather than RFC 3394 key wrap because the wrapped key must be bound to its
    context (tenant, subject, key version, KEK id); RFC 3394 has no associated data.
    """
    if len(key) != KEY_BYTES:
        raise IntegrityError(_OPAQUE)
    nonce, body = seal(kek, key, _WRAP_VERSION + aad)
    return _WRAP_VERSION + nonce + body


def unwrap_key(kek: bytes, wrapped: bytes, aad: bytes) -> bytes:
    """Inverse of :func:`wrap_key`; a wrong KEK, context or any flipped bit raises."""
    if len(wrapped) != WRAPPED_KEY_BYTES or wrapped[:1] != _WRAP_VERSION:
        raise IntegrityError(_OPAQUE)
    nonce = wrapped[1 : 1 + NONCE_BYTES]
    key = decrypt(kek, nonce, wrapped[1 + NONCE_BYTES :], _WRAP_VERSION + aad)
    if len(key) != KEY_BYTES:
        raise IntegrityError(_OPAQUE)
    return key
