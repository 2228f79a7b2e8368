"""Data keys (DEKs): creation, wrapping, caching, counting and re-wrapping.

A stored DEK is wrapped twice, and both layers are needed to recover it::

    wrapped = 0x01 || nonce || AES-GCM(swk, provider.wrap(KEK, dek), aad)
    swk     = HKDF-SHA256(ledger secret of (tenant, subject), info=tenant, subject)
    aad     = tenant, subject, DEK version, key id, KEK id, KEK version

The inner layer is the KEK provider's (software, or inside an HSM); the outer layer
ties the DEK to the subject's ledger secret, which ``forget`` destroys. The AAD pins
a wrapped key to its row, so rows cannot be swapped between subjects or versions.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from veil.errors import IntegrityError, SubjectForgottenError, VaultError
from veil.storage import ErasureLedger, KeyRecord, Rewrapped, Store
from veil.vault import _hazmat
from veil.vault.envelope import (
    FORMAT_BYTES,
    FORMAT_TEXT,
    KEY_ID_BYTES,
    encode_fields,
    key_prefix,
)
from veil.vault.keys import KekRef, KeyProvider

__all__ = ["DataKeys", "SealingKey", "subject_digest"]

_WRAP_FORMAT = b"\x01"
_CACHE_ENTRIES = 4096
# A key that uses up its reserved block within one cache period gets a block twice as
# large next time, up to this multiple of ``reserve_block``: busy keys then touch the
# database rarely, while a crash still overcounts by at most that many seals.
_MAX_BLOCK_GROWTH = 64


def subject_digest(tenant: str, subject: str) -> bytes:
    """The tombstone identity of a subject: SHA-256 of its canonical encoding."""
    return hashlib.sha256(encode_fields("veil.tombstone.v1", tenant, subject)).digest()


class _Unread:
    """Marks a ledger secret not read yet (None means read, and absent)."""


_UNREAD = _Unread()


@dataclass(frozen=True, slots=True)
class SealingKey:
    """A DEK ready to seal: ``text_prefix`` / ``bytes_prefix`` are the envelope
    header up to the nonce for a text or a bytes value."""

    version: int
    key_id: bytes
    cipher: _hazmat.DataKey
    text_prefix: bytes
    bytes_prefix: bytes


def _sealing_key(version: int, key_id: bytes, dek: bytes) -> SealingKey:
    return SealingKey(
        version,
        key_id,
        _hazmat.DataKey(dek),
        key_prefix(key_id, version, FORMAT_TEXT),
        key_prefix(key_id, version, FORMAT_BYTES),
    )


@dataclass(slots=True)
class _Sealing:
    """A reserved block of ``block`` seals: ``next(used)`` hands out each at most once
    (atomic under the GIL), so sealing needs no lock until the block runs out."""

    key: SealingKey
    block: int
    loaded_at: float
    used: itertools.count[int] = field(default_factory=itertools.count)


class DataKeys:
    """Hands out DEKs for sealing (counted) and opening (cached for ``cache_seconds``)."""

    def __init__(
        self,
        store: Store,
        ledger: ErasureLedger,
        keys: KeyProvider,
        *,
        max_seals: int,
        reserve_block: int,
        cache_seconds: float,
        clock: Callable[[], float],
    ) -> None:
        self._store, self._ledger, self._keys = store, ledger, keys
        self._max_seals, self._block = max_seals, reserve_block
        self._ttl, self._clock = cache_seconds, clock
        self._lock = threading.RLock()
        self._sealing: dict[tuple[str, str], _Sealing] = {}
        self._opening: OrderedDict[tuple[str, str, int], tuple[bytes, _hazmat.DataKey, float]] = (
            OrderedDict()
        )

    # -- wrapping ----------------------------------------------------------------

    def _outer(self, secret: bytes, rec: KeyRecord) -> tuple[bytes, bytes]:
        swk = _hazmat.derive_key(
            secret, salt=b"", info=encode_fields("veil.subject-wrap.v1", rec.tenant, rec.subject)
        )
        aad = encode_fields(
            "veil.dek.v1",
            rec.tenant,
            rec.subject,
            str(rec.version),
            rec.key_id.hex(),
            rec.kek_id,
            str(rec.kek_version),
        )
        return swk, aad

    def _wrap(self, secret: bytes, rec: KeyRecord, dek: bytes) -> bytes:
        swk, aad = self._outer(secret, rec)
        inner = self._keys.wrap(KekRef(rec.kek_id, rec.kek_version), dek)
        nonce, body = _hazmat.seal(swk, inner, _WRAP_FORMAT + aad)
        return _WRAP_FORMAT + nonce + body

    def _unwrap(self, rec: KeyRecord, secret: bytes | _Unread | None = _UNREAD) -> bytes:
        """The DEK of ``rec``. ``secret``: the subject's ledger secret if the caller
        has just read it (with the erasure check, :meth:`_ledger_secret`)."""
        if isinstance(secret, _Unread):
            secret = self._ledger_secret(rec.tenant, rec.subject)
        if secret is None:
            # Rows without a ledger secret come from a database restored from a backup
            # whose subject was created after the ledger lost it: nothing can open them.
            raise VaultError("no ledger secret for this subject")
        w = rec.wrapped
        if w[:1] != _WRAP_FORMAT:
            raise IntegrityError("sealed data failed to open")
        swk, aad = self._outer(secret, rec)
        nonce, body = w[1 : 1 + _hazmat.NONCE_BYTES], w[1 + _hazmat.NONCE_BYTES :]
        inner = _hazmat.decrypt(swk, nonce, body, _WRAP_FORMAT + aad)
        return self._keys.unwrap(KekRef(rec.kek_id, rec.kek_version), inner)

    def _ledger_secret(self, tenant: str, subject: str) -> bytes | None:
        """The subject's ledger secret (None if it has none), read with the erasure
        check in one round trip: an erased subject raises SubjectForgottenError."""
        return self._ledger.secret(tenant, subject, subject_digest(tenant, subject), create=False)

    # -- sealing -----------------------------------------------------------------

    def for_sealing(self, tenant: str, subject: str) -> SealingKey:
        """The key to seal one value with; counts that encryption."""
        cached = self._sealing.get((tenant, subject))
        if (
            cached is not None
            and next(cached.used) < cached.block
            and self._clock() - cached.loaded_at <= self._ttl
        ):
            return cached.key  # a seal taken from the block reserved in the database
        return self._for_sealing_slow(tenant, subject)

    def _for_sealing_slow(self, tenant: str, subject: str) -> SealingKey:
        slot = (tenant, subject)
        with self._lock:
            cached = self._sealing.get(slot)
            now = self._clock()
            if cached is None or now - cached.loaded_at > self._ttl:
                cached = self._reserve(tenant, subject, now, None)
            elif next(cached.used) < cached.block:
                return cached.key  # another thread renewed the block meanwhile
            else:
                cached = self._reserve(tenant, subject, now, cached)
            next(cached.used)  # this seal
            self._sealing[slot] = cached
            return cached.key

    def _reserve(self, tenant: str, subject: str, now: float, spent: _Sealing | None) -> _Sealing:
        """Reserve a block of seals. ``spent`` is this process's still-fresh key whose
        block ran out: its DEK is reused if it is still the latest, and the block grows."""
        digest = subject_digest(tenant, subject)
        want = self._block
        if spent is not None:
            want = min(spent.block * 2, self._block * _MAX_BLOCK_GROWTH)
        for _ in range(8):
            rec = self._store.latest_key(tenant, subject)
            secret: bytes | _Unread | None = _UNREAD
            if rec is not None:
                # Checked before any seal is reserved. A subject with no key yet goes
                # straight to _create, whose ledger write refuses a tombstoned one.
                secret = self._ledger_secret(tenant, subject)
            if rec is not None and rec.seal_count < self._max_seals:
                block = min(want, self._max_seals - rec.seal_count)
                if self._store.reserve_seals(tenant, subject, rec.version, block, self._max_seals):
                    if (
                        spent is not None
                        and spent.key.version == rec.version
                        and spent.key.key_id == rec.key_id
                    ):
                        # Same row, unwrapped less than cache_seconds ago: the erasure
                        # check above is all a fresh unwrap would add.
                        return _Sealing(spent.key, block, spent.loaded_at)
                    key = _sealing_key(rec.version, rec.key_id, self._unwrap(rec, secret))
                    return _Sealing(key, block, now)
                continue  # another writer took the last seals: look again
            created = self._create(tenant, subject, digest, 1 if rec is None else rec.version + 1)
            if created is not None:
                new, dek = created
                key = _sealing_key(new.version, new.key_id, dek)
                return _Sealing(key, new.seal_count, now)
        raise VaultError("could not reserve a data key under contention")

    def _create(
        self, tenant: str, subject: str, digest: bytes, version: int
    ) -> tuple[KeyRecord, bytes] | None:
        secret = self._ledger.secret(tenant, subject, digest, create=True)
        if secret is None:
            raise VaultError("the ledger did not create a subject secret")
        kek = self._keys.keks()[0]
        dek = _hazmat.new_key()
        block = min(self._block, self._max_seals)
        rec = KeyRecord(
            tenant, subject, version, os.urandom(KEY_ID_BYTES), b"", kek.id, kek.version, block
        )
        rec = replace(rec, wrapped=self._wrap(secret, rec, dek))
        return (rec, dek) if self._store.add_key(rec) else None

    # -- tenant secrets --------------------------------------------------------------

    def root_key(self, tenant: str, subject: str) -> bytes:
        """The raw version-1 DEK of ``subject``, created on first use.

        For a reserved subject that is never sealed under (``Vault.derive_key``): the
        key is then not an AES key at all but a secret to derive from. It is stored
        like any DEK (wrapped by the KEK and the subject's ledger secret), so it is
        never in clear at rest, ``rewrap`` moves it and ``forget`` would shred it.
        Version 1 is pinned so that every process and every call derives alike.
        """
        digest = subject_digest(tenant, subject)
        for _ in range(3):
            secret = self._ledger_secret(tenant, subject)  # raises if erased
            rec = self._store.get_key(tenant, subject, 1)
            if rec is not None:
                return self._unwrap(rec, secret)
            created = self._create(tenant, subject, digest, 1)
            if created is not None:
                return created[1]
            # Another process created it between our read and write: read theirs.
        raise VaultError("could not establish a tenant secret under contention")

    # -- opening -----------------------------------------------------------------

    def for_opening(
        self, tenant: str, subject: str, version: int, key_id: bytes
    ) -> _hazmat.DataKey:
        """The DEK that sealed an envelope; erased subjects raise SubjectForgottenError."""
        slot = (tenant, subject, version)
        # Read without the lock: entries are immutable tuples, replaced whole under it.
        # A hit is not moved to the end, so the cache evicts the key loaded longest ago
        # (each is reloaded every cache_seconds anyway).
        hit = self._opening.get(slot)
        if hit is None or self._clock() - hit[2] > self._ttl:
            hit = self._load_for_opening(slot)
        if hit[0] != key_id:
            raise IntegrityError("sealed data failed to open")
        return hit[1]

    def _load_for_opening(self, slot: tuple[str, str, int]) -> tuple[bytes, _hazmat.DataKey, float]:
        tenant, subject, version = slot
        with self._lock:
            now = self._clock()
            hit = self._opening.get(slot)
            if hit is not None and now - hit[2] <= self._ttl:
                return hit  # another thread loaded it meanwhile
            secret = self._ledger_secret(tenant, subject)  # raises if erased
            rec = self._store.get_key(tenant, subject, version)
            if rec is None:
                raise IntegrityError("sealed data failed to open")
            hit = (rec.key_id, _hazmat.DataKey(self._unwrap(rec, secret)), now)
            self._opening.pop(slot, None)  # re-inserted last: the newest load
            self._opening[slot] = hit
            while len(self._opening) > _CACHE_ENTRIES:
                self._opening.popitem(last=False)
            return hit

    def evict(self, tenant: str, subject: str) -> None:
        with self._lock:
            self._sealing.pop((tenant, subject), None)
            for slot in [s for s in self._opening if s[:2] == (tenant, subject)]:
                del self._opening[slot]

    # -- rotation ----------------------------------------------------------------

    def rewrap(self, batch_size: int, progress: Callable[[int], None] | None) -> int:
        """Move every DEK onto the newest KEK, one committed batch at a time."""
        newest = self._keys.keks()[0]
        total = 0
        while batch := self._store.keys_not_under(newest.id, newest.version, limit=batch_size):
            changes: list[Rewrapped] = []
            for rec in batch:
                try:
                    secret = self._ledger_secret(rec.tenant, rec.subject)
                except SubjectForgottenError:
                    # Left over from an interrupted forget or a restored backup: finish it.
                    digest = subject_digest(rec.tenant, rec.subject)
                    self._store.erase_subject(rec.tenant, rec.subject, digest)
                    continue
                if secret is None:
                    raise VaultError("no ledger secret for this subject")
                dek = self._unwrap(rec, secret)
                moved = replace(rec, kek_id=newest.id, kek_version=newest.version)
                changes.append(
                    Rewrapped(rec, newest.id, newest.version, self._wrap(secret, moved, dek))
                )
            total += self._store.apply_rewraps(changes)
            if progress is not None:
                progress(total)
        return total
