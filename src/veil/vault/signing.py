"""Ed25519 signing of audit checkpoints: a signing key file and a verify function.

The key file holds the raw 32-byte private key, base64 in a small JSON document. It
is created on first use with mode 0600 (written to a temporary file, fsynced, then
linked into place so two processes racing to create it end up with ONE key), and a
file that the group or others may access is refused, like the vault's key file.

Only the public key leaves this module; verifiers need nothing else.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from veil.errors import ConfigurationError

__all__ = ["PUBLIC_KEY_BYTES", "SIGNATURE_BYTES", "CheckpointSigner", "verify_signature"]

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
_FORMAT = "veil.ed25519.v1"


class CheckpointSigner:
    """Signs with one Ed25519 private key. Thread-safe; the key never leaves it."""

    def __init__(self, private_key: bytes) -> None:
        if len(private_key) != 32:
            raise ConfigurationError("an Ed25519 private key is 32 bytes")
        self._key = Ed25519PrivateKey.from_private_bytes(private_key)
        self._public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def __repr__(self) -> str:
        return f"CheckpointSigner(public_key={self._public.hex()[:16]}…)"

    @classmethod
    def generate(cls) -> CheckpointSigner:
        """A signer with a fresh key held in memory only (tests, ephemeral use)."""
        return cls(secrets.token_bytes(32))

    @classmethod
    def load_or_create(cls, path: str | os.PathLike[str]) -> CheckpointSigner:
        """The signer whose key is in ``path``; the file is created (mode 0600, a new
        random key) if it does not exist yet."""
        path = Path(path)
        if not path.exists():
            _create(path, secrets.token_bytes(32))
        return cls(_read(path))

    def sign(self, data: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``data``."""
        return self._key.sign(data)

    def public_key_bytes(self) -> bytes:
        """The raw 32-byte public key."""
        return self._public


def verify_signature(public_key: bytes, data: bytes, signature: bytes) -> bool:
    """True iff ``signature`` is a valid Ed25519 signature of ``data`` under
    ``public_key``; malformed keys or signatures are simply False."""
    if len(public_key) != PUBLIC_KEY_BYTES or len(signature) != SIGNATURE_BYTES:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def _read(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise ConfigurationError(f"cannot read signing key {path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigurationError(
            f"signing key {path} is accessible by group or others; run chmod 600"
        )
    try:
        doc = json.loads(path.read_text("utf-8"))
        if doc["format"] != _FORMAT:
            raise ConfigurationError(f"signing key {path} has an unknown format")
        raw = base64.b64decode(doc["key"], validate=True)
    except (OSError, KeyError, TypeError, ValueError, binascii.Error):
        raise ConfigurationError(f"signing key {path} is malformed") from None
    if len(raw) != 32:
        raise ConfigurationError(f"signing key {path} is malformed")
    return raw


def _create(path: Path, raw: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"format": _FORMAT, "key": base64.b64encode(raw).decode("ascii")}
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(doc, handle)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # fails if another process created the key first
        except FileExistsError:
            return
    finally:
        tmp.unlink(missing_ok=True)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
