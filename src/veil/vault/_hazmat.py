"""The symmetric primitives, in one place: AES-256-GCM, HKDF and key wrapping (Ed25519
signing of audit checkpoints is in ``veil.vault.signing``; nothing outside ``vault/``
imports ``cryptography``).

Everything here is deliberately small and sharp: AES-256-GCM with 96-bit nonces and
128-bit tags, HKDF-SHA256, and a key-wrapping helper built on the same AEAD. Callers
above (the envelope format, the vault) never choose nonces: :func:`seal` and
:class:`DataKey` draw a fresh random nonce every time; :func:`encrypt_with_nonce`
exists only so the NIST CAVP vectors can exercise the AEAD the vault uses.

Every failure to authenticate or parse becomes :class:`veil.errors.IntegrityError`
with a fixed message: callers must not learn *why* a ciphertext was rejected.
"""

from __future__ import annotations

import io
import os
import threading

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
    "fresh_nonce",
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
# Below this size a copy of the output costs less than writing it in place (measured:
# the in-place path has ~0.5 us of fixed Python work; a copy costs ~25 ns per KiB).
_IN_PLACE_BYTES = 16 * 1024
_NONCE_BLOCK = 256  # nonces read from the OS per refill


class _Nonces:
    """Fresh random 96-bit nonces, read from the OS CSPRNG 256 at a time.

    One ``os.urandom(12)`` is a system call that costs about as much as encrypting a
    short value, so nonces are read in blocks and kept in one list that is only ever
    extended and popped: ``list.pop`` is atomic, so each nonce is handed out at most
    once, whatever the threads do. A forked child empties the list it inherited
    (``os.register_at_fork``, as the ``random`` module reseeds), so a parent and its
    child never hand out the same nonce.
    """

    __slots__ = ("_lock", "pool")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.pool: list[bytes] = []

    def reset(self) -> None:
        """Drop the nonces inherited over a fork (and a lock held across it)."""
        self._lock = threading.Lock()
        self.pool.clear()

    def refill(self) -> bytes:
        """Read a block into the pool; return one nonce of it."""
        with self._lock:
            if not self.pool:  # another thread may have refilled it meanwhile
                block = os.urandom(NONCE_BYTES * _NONCE_BLOCK)
                self.pool.extend(
                    block[i : i + NONCE_BYTES] for i in range(0, len(block), NONCE_BYTES)
                )
        return fresh_nonce()


_NONCES = _Nonces()
os.register_at_fork(after_in_child=_NONCES.reset)
_take_nonce = _NONCES.pool.pop  # the same list for the life of the process


def fresh_nonce() -> bytes:
    """A random 96-bit nonce never handed out before in this process."""
    try:
        return _take_nonce()
    except IndexError:
        return _NONCES.refill()


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
    nonce = fresh_nonce()
    return nonce, encrypt_with_nonce(key, nonce, plaintext, aad)


class DataKey:
    """A 256-bit data key prepared once for many seals and opens.

    Building the AES key schedule costs more than encrypting a short value, so the
    vault keeps one of these per cached data key. Behaviour is exactly that of the
    module functions: every seal draws a fresh random nonce, and every failure to open
    is the same opaque IntegrityError. A plaintext may be any bytes-like object, so
    callers need not copy it.
    """

    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        self._aead = _aead(key)

    def __repr__(self) -> str:
        return "DataKey(<redacted>)"

    def seal_after(
        self, head: bytes, plaintext: bytes | bytearray | memoryview, aad: bytes
    ) -> bytes:
        """``head || nonce || ciphertext || tag`` as one ``bytes``, under a fresh nonce.

        Large values are encrypted straight into the result: a ``BytesIO`` made from a
        fresh ``bytes`` of the final size is its only holder, so it lends that buffer
        out for writing and ``getvalue()`` hands the same object back, uncopied, once
        no view of it is held (CPython; elsewhere it copies, which is only slower).
        """
        try:
            nonce = _take_nonce()  # fresh_nonce(), inlined: this is the hot path
        except IndexError:
            nonce = _NONCES.refill()
        size = plaintext.nbytes if type(plaintext) is memoryview else len(plaintext)
        if size < _IN_PLACE_BYTES:
            return head + nonce + self._aead.encrypt(nonce, plaintext, aad)
        start = len(head) + NONCE_BYTES
        out = io.BytesIO(bytes(start + size + TAG_BYTES))
        out.write(head)
        out.write(nonce)
        # The views are temporaries: released when the call returns, before getvalue().
        self._aead.encrypt_into(nonce, plaintext, aad, out.getbuffer()[start:])
        return out.getvalue()

    def open_at(self, data: bytes, offset: int, aad: bytes) -> bytes:
        """Open ``data[offset:]`` = ``nonce || ciphertext || tag`` (the inverse of
        :meth:`seal_after` with ``offset = len(head)``); one opaque IntegrityError."""
        start = offset + NONCE_BYTES
        if offset < 0 or len(data) < start + TAG_BYTES:
            raise IntegrityError(_OPAQUE)
        # A view spares copying a large body; for a small one the slice is cheaper.
        body = data[start:] if len(data) < _IN_PLACE_BYTES else memoryview(data)[start:]
        try:
            return self._aead.decrypt(data[offset:start], body, aad)
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
