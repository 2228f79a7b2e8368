"""Key-encryption keys (KEKs): the small protocol the vault wraps data keys with, and
the two software providers.

A provider holds one or more KEKs, newest first. The newest wraps new data keys;
older ones only unwrap until :meth:`veil.vault.Vault.rewrap` has moved every data key
off them, after which an operator retires them. Providers are passed in, never looked
up: configuration (paths, base64 key material) is read by ``veil.interfaces`` and
handed over as plain values. Nothing here reads the environment.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import stat
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from veil.errors import ConfigurationError, VaultError
from veil.vault import _hazmat
from veil.vault.envelope import encode_fields

__all__ = ["EnvKeyProvider", "KekRef", "KeyProvider", "LocalKeyFile"]

_FILE_FORMAT = 1


@dataclass(frozen=True, slots=True, order=True)
class KekRef:
    """Names one KEK: a provider-scoped ``id`` and a ``version`` that grows on rotation."""

    id: str
    version: int


@runtime_checkable
class KeyProvider(Protocol):
    """Where KEKs live. Implementations must be safe to call from several threads."""

    def keks(self) -> Sequence[KekRef]:
        """Every usable KEK, newest first; never empty."""
        ...

    def wrap(self, kek: KekRef, key: bytes) -> bytes:
        """Encrypt a 256-bit data key under ``kek``."""
        ...

    def unwrap(self, kek: KekRef, wrapped: bytes) -> bytes:
        """Recover a data key; tampering raises IntegrityError, an absent KEK VaultError."""
        ...


def _aad(kek: KekRef) -> bytes:
    return encode_fields("veil.kek-wrap.v1", kek.id, str(kek.version))


class _SoftwareKeks:
    """Shared wrap/unwrap for providers that hold raw KEK bytes in memory."""

    def _material(self) -> dict[KekRef, bytes]:
        raise NotImplementedError

    def keks(self) -> Sequence[KekRef]:
        return tuple(sorted(self._material(), key=lambda k: k.version, reverse=True))

    def _key(self, kek: KekRef) -> bytes:
        material = self._material().get(kek)
        if material is None:
            raise VaultError(f"KEK {kek.id} v{kek.version} is not available")
        return material

    def wrap(self, kek: KekRef, key: bytes) -> bytes:
        return _hazmat.wrap_key(self._key(kek), key, _aad(kek))

    def unwrap(self, kek: KekRef, wrapped: bytes) -> bytes:
        return _hazmat.unwrap_key(self._key(kek), wrapped, _aad(kek))


class EnvKeyProvider(_SoftwareKeks):
    """KEKs given as base64 text, e.g. the value of ``VEIL_KEK`` read by the interfaces.

    ``value`` holds one or more base64-encoded 32-byte keys separated by commas, newest
    first; the last one is version 1.
    """

    def __init__(self, value: str, *, kek_id: str = "env") -> None:
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not parts:
            raise ConfigurationError("no key-encryption key given")
        keys: dict[KekRef, bytes] = {}
        for index, part in enumerate(parts):
            try:
                raw = base64.b64decode(part, validate=True)
            except (binascii.Error, ValueError):
                raise ConfigurationError(f"KEK #{index + 1} is not valid base64") from None
            if len(raw) != _hazmat.KEY_BYTES:
                raise ConfigurationError(f"KEK #{index + 1} must decode to 32 bytes")
            keys[KekRef(kek_id, len(parts) - index)] = raw
        self._keys = keys

    def _material(self) -> dict[KekRef, bytes]:
        return self._keys

    def __repr__(self) -> str:
        return f"EnvKeyProvider(<{len(self._keys)} keys>)"


class LocalKeyFile(_SoftwareKeks):
    """KEKs in a local JSON file, the embedded default.

    The file is created on first use with mode 0600 and one fresh KEK. A file that the
    group or others may read is refused: a leaked KEK plus a database copy is a breach.
    :meth:`add_kek` and :meth:`retire` rewrite the file atomically (temp file, fsync,
    rename), so a crash leaves either the old or the new list, never a torn one.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._keys: dict[KekRef, bytes] | None = None

    def __repr__(self) -> str:
        return f"LocalKeyFile({str(self.path)!r})"

    def _material(self) -> dict[KekRef, bytes]:
        with self._lock:
            if self._keys is None:
                self._keys = self._load_or_create()
            return self._keys

    def _load_or_create(self) -> dict[KekRef, bytes]:
        if not self.path.exists():
            kek_id = secrets.token_hex(4)
            keys = {KekRef(kek_id, 1): _hazmat.new_key()}
            self._write(keys, create=True)
            return keys
        mode = self.path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigurationError(
                f"key file {self.path} is accessible by group or others; run chmod 600"
            )
        try:
            doc = json.loads(self.path.read_text("utf-8"))
            if doc["format"] != _FILE_FORMAT:
                raise ConfigurationError(f"key file {self.path} has unknown format")
            keys = {
                KekRef(str(doc["id"]), int(k["version"])): base64.b64decode(k["key"])
                for k in doc["keks"]
            }
        except (KeyError, TypeError, ValueError):
            raise ConfigurationError(f"key file {self.path} is malformed") from None
        if not keys or any(len(v) != _hazmat.KEY_BYTES for v in keys.values()):
            raise ConfigurationError(f"key file {self.path} holds no valid key")
        return keys

    def _write(self, keys: dict[KekRef, bytes], *, create: bool = False) -> None:
        ordered = sorted(keys.items(), key=lambda item: item[0].version, reverse=True)
        doc = {
            "format": _FILE_FORMAT,
            "id": ordered[0][0].id,
            "keks": [
                {"version": ref.version, "key": base64.b64encode(raw).decode("ascii")}
                for ref, raw in ordered
            ],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(doc, handle, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            if create and self.path.exists():
                raise ConfigurationError(f"key file {self.path} appeared concurrently")
            os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def add_kek(self) -> KekRef:
        """Generate a new KEK and make it the newest; returns its reference."""
        keys = dict(self._material())
        newest = max(keys, key=lambda k: k.version)
        ref = KekRef(newest.id, newest.version + 1)
        keys[ref] = _hazmat.new_key()
        with self._lock:
            self._write(keys)
            self._keys = keys
        return ref

    def retire(self, kek: KekRef) -> None:
        """Delete an old KEK for good. Call only after ``Vault.rewrap()`` completed."""
        keys = dict(self._material())
        if kek not in keys:
            raise VaultError(f"KEK {kek.id} v{kek.version} is not available")
        if kek == self.keks()[0]:
            raise VaultError("the newest KEK cannot be retired")
        del keys[kek]
        with self._lock:
            self._write(keys)
            self._keys = keys
