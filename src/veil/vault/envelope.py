"""The sealed-value format and the context every sealed value is bound to.

An envelope is, byte for byte::

    format    1 byte   0x02 text (UTF-8) or 0x03 bytes; 0x01 = format 1 (below)
    key id    8 bytes  random identifier of the data key (DEK) that sealed it
    key ver   4 bytes  big-endian DEK version of the subject
    nonce    12 bytes  random, drawn per envelope
    body      n bytes  AES-256-GCM ciphertext || 16-byte tag

Format 1 (still opened, no longer written) put a kind byte in front of the plaintext;
format 2 moves it into the authenticated first byte, so neither sealing nor opening
copies the payload to add or strip it. The associated data is the header without the
nonce (which GCM authenticates by
itself) followed by the canonical encoding of the :class:`Binding`, so an envelope
opens only for the tenant, subject, record and field it was sealed for, and no header
bit can be changed without detection.

This module parses and builds bytes; it never sees a key. A malformed envelope raises
the same opaque :class:`veil.errors.IntegrityError` as a forged one.
"""

from __future__ import annotations

import dataclasses
import struct
from dataclasses import dataclass

from veil.errors import IntegrityError
from veil.vault._hazmat import NONCE_BYTES, TAG_BYTES

__all__ = [
    "FORMAT_BYTES",
    "FORMAT_TEXT",
    "FORMAT_VERSION",
    "HEADER_BYTES",
    "KEY_ID_BYTES",
    "LEGACY_FORMAT",
    "PREFIX_BYTES",
    "Binding",
    "Envelope",
    "encode_fields",
    "key_prefix",
    "unpack",
]

LEGACY_FORMAT = 1
FORMAT_TEXT = 2
FORMAT_BYTES = 3
FORMAT_VERSION = FORMAT_BYTES  # what Envelope writes unless told otherwise
_FORMATS = frozenset({LEGACY_FORMAT, FORMAT_TEXT, FORMAT_BYTES})
KEY_ID_BYTES = 8
_HEADER = struct.Struct(f">B{KEY_ID_BYTES}sI{NONCE_BYTES}s")
_AAD_HEADER = struct.Struct(f">B{KEY_ID_BYTES}sI")
HEADER_BYTES = _HEADER.size
PREFIX_BYTES = _AAD_HEADER.size
_MAX_FIELD = 2**16 - 1
_LENGTH = struct.Struct(">I")
_OPAQUE = "sealed data failed to open"


def encode_fields(domain: str, *fields: str) -> bytes:
    """Encode strings unambiguously: each is UTF-8, prefixed with its 4-byte length.

    ``("ab", "c")`` and ``("a", "bc")`` encode differently, and the ``domain`` keeps an
    encoding made for one purpose (binding, key wrapping) from being valid for another.
    """
    out = bytearray()
    for text in (domain, *fields):
        raw = text.encode("utf-8")
        out += _LENGTH.pack(len(raw))
        out += raw
    return bytes(out)


_BINDING_DOMAIN = encode_fields("veil.binding.v1")


def key_prefix(key_id: bytes, key_version: int, fmt: int = FORMAT_VERSION) -> bytes:
    """The envelope bytes before the nonce, which are also the start of the AAD.

    Fixed per (data key, format), so the vault computes it once per key rather than
    per value.
    """
    return _AAD_HEADER.pack(fmt, key_id, key_version)


def unpack(data: bytes | bytearray | memoryview) -> tuple[int, bytes, bytes]:
    """``(key version, key id, envelope as bytes)``, checking only the layout.

    Unlike :meth:`Envelope.parse` this does not copy the body out: callers slice a
    ``memoryview`` of the returned bytes (prefix ``[:PREFIX_BYTES]``, nonce
    ``[PREFIX_BYTES:HEADER_BYTES]``, body ``[HEADER_BYTES:]``). Anything malformed
    raises the same opaque IntegrityError.
    """
    if type(data) is not bytes:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise IntegrityError(_OPAQUE)
        data = bytes(data)  # a private copy: the caller may mutate its buffer meanwhile
    if len(data) < HEADER_BYTES + TAG_BYTES or data[0] not in _FORMATS:
        raise IntegrityError(_OPAQUE)
    _, key_id, key_version = _AAD_HEADER.unpack_from(data)
    return key_version, key_id, data


@dataclass(frozen=True, slots=True)
class Binding:
    """Where a sealed value belongs: the associated data of its envelope.

    ``tenant`` and ``subject`` pick the data key; ``record`` (a conversation, a turn, a
    row id) and ``field`` (a column or token name) pin the value to one place, so a
    ciphertext copied elsewhere, even within the same subject, refuses to open.
    """

    tenant: str
    subject: str
    record: str
    field: str
    # The canonical encoding, built once while validating: a binding is immutable and
    # is often reused for many values, so seal/open should not re-encode it.
    _encoded: bytes = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        out = bytearray(_BINDING_DOMAIN)
        for name in ("tenant", "subject", "record", "field"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise TypeError(f"Binding.{name} must be str")
            raw = value.encode("utf-8")
            if len(raw) > _MAX_FIELD:
                raise ValueError(f"Binding.{name} is longer than {_MAX_FIELD} bytes")
            out += _LENGTH.pack(len(raw))
            out += raw
        if not self.tenant or not self.subject:
            raise ValueError("Binding.tenant and Binding.subject must be non-empty")
        object.__setattr__(self, "_encoded", bytes(out))

    def encode(self) -> bytes:
        """The canonical, length-prefixed byte encoding used as associated data:
        ``encode_fields("veil.binding.v1", tenant, subject, record, field)``."""
        return self._encoded


@dataclass(frozen=True, slots=True)
class Envelope:
    """A parsed envelope. ``aad(binding)`` is what the AEAD must authenticate."""

    key_id: bytes
    key_version: int
    nonce: bytes
    body: bytes
    format: int = FORMAT_VERSION

    @property
    def header(self) -> bytes:
        return _HEADER.pack(self.format, self.key_id, self.key_version, self.nonce)

    def aad(self, binding: Binding) -> bytes:
        return self.associated_data(self.key_id, self.key_version, binding, self.format)

    @staticmethod
    def associated_data(
        key_id: bytes, key_version: int, binding: Binding, fmt: int = FORMAT_VERSION
    ) -> bytes:
        """What the AEAD authenticates besides the nonce: format, key id/version, binding."""
        return key_prefix(key_id, key_version, fmt) + binding.encode()

    def to_bytes(self) -> bytes:
        return self.header + self.body

    @classmethod
    def parse(cls, data: bytes) -> Envelope:
        """Split an envelope into its fields; anything unexpected is an IntegrityError."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise IntegrityError(_OPAQUE)
        raw = bytes(data)
        if len(raw) < HEADER_BYTES + TAG_BYTES or raw[0] not in _FORMATS:
            raise IntegrityError(_OPAQUE)
        fmt, key_id, key_version, nonce = _HEADER.unpack_from(raw)
        return cls(key_id, key_version, nonce, raw[HEADER_BYTES:], fmt)
