"""The vault: seal and open personal values, forget subjects, rotate keys.

Key hierarchy (top to bottom)::

    KEK            KeyProvider: local key file, base64 from config, or an HSM
    ledger secret  one per (tenant, subject), in the erasure ledger (NOT the main DB)
    DEK            one per (tenant, subject, version), wrapped by both of the above
    envelope       AES-256-GCM under the DEK, bound to (tenant, subject, record, field)

A tenant's derived keys (``derive_key``) hang off the same hierarchy: the DEK of the
reserved subject ``veil:derive`` is the tenant's secret, HKDF-expanded per purpose.

Threat model of erasure (``forget``)
------------------------------------
Goal: after ``forget(tenant, subject)`` returns, no party holding what the system still
holds (the KEKs, the live databases) plus ANY copy of the application database made
earlier (backups, replicas, a stolen disk image) can recover the subject's values.

* Every DEK needs the subject's ledger secret to unwrap. ``forget`` first deletes that
  secret and writes a tombstone in the ledger (one transaction, fsynced, WAL
  truncated, deleted pages zeroed); only then does it delete the subject's rows from
  the main database. A crash in between leaves the subject already unreadable, and
  ``forget`` or ``rewrap`` finishes the job.
* A restored old database still holds the wrapped DEKs, but the secret that wrapped
  them is gone and the KEKs alone cannot open them. Independently of the
  cryptography, the ledger's tombstone list is checked before any unwrap, so the
  vault answers ``SubjectForgottenError`` instead of trying.
* KEKs are deliberately NOT per subject: they are long-lived, often in an HSM, and
  rotated on their own schedule (``rewrap``).

Assumptions and limits, stated so operators can meet them: the ledger lives outside
the application database and its backups; if the ledger itself is backed up, those
copies must expire within the erasure deadline (or the ledger is replicated, not
backed up). Loss of the ledger loses every subject's data: treat it like a key store.
Flash wear-levelling and filesystem journals may keep deleted blocks that SQLite's
``secure_delete`` cannot reach; full-disk encryption is the answer there. Other
processes' in-memory key caches honour ``forget`` within ``key_cache_seconds``.

GCM limits: random 96-bit nonces are safe for 2**32 encryptions per key. Each DEK
counts encryptions in the database (reserved in blocks, so a crash can only overcount;
a key that exhausts its block within ``key_cache_seconds`` gets a doubled block, up to
64 x ``reserve_block``) and a new DEK version starts when ``max_seals_per_key`` is
reached.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from veil.errors import IntegrityError, VaultError
from veil.storage import ErasureLedger, Store, migrate, open_engine
from veil.storage.database import Hook
from veil.vault import _hazmat
from veil.vault.datakeys import DataKeys, subject_digest
from veil.vault.envelope import (
    FORMAT_BYTES,
    FORMAT_TEXT,
    PREFIX_BYTES,
    Binding,
    encode_fields,
    unpack,
)
from veil.vault.keys import KeyProvider, LocalKeyFile

__all__ = ["DEFAULT_MAX_SEALS", "DERIVE_SUBJECT", "Vault"]

# Half the NIST SP 800-38D bound for random nonces, so reserved-but-unused seals and
# concurrent writers can never push a key past 2**32 encryptions.
DEFAULT_MAX_SEALS = 2**31
# The reserved subject whose data key is each tenant's derivation secret. It never
# seals anything: one key is never both an AES-GCM key and an HKDF input.
DERIVE_SUBJECT = "veil:derive"
_BYTES, _TEXT = b"\x00", b"\x01"  # format 1's kind bytes
_BYTES_LIKE = (bytes, bytearray, memoryview)


class Vault:
    """Seals values under per-subject data keys. Thread-safe; cheap to construct.

    ``store`` is the application database, ``ledger`` the erasure ledger (a different
    database), ``keys`` the KEK provider. ``clock`` is a monotonic seconds source.
    """

    def __init__(
        self,
        store: Store,
        ledger: ErasureLedger,
        keys: KeyProvider,
        *,
        max_seals_per_key: int = DEFAULT_MAX_SEALS,
        reserve_block: int = 1024,
        key_cache_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 1 <= max_seals_per_key <= 2**32:
            raise ValueError("max_seals_per_key must be within [1, 2**32]")
        if reserve_block < 1:
            raise ValueError("reserve_block must be positive")
        self.store, self.ledger, self.keys = store, ledger, keys
        self._dek = DataKeys(
            store,
            ledger,
            keys,
            max_seals=max_seals_per_key,
            reserve_block=reserve_block,
            cache_seconds=key_cache_seconds,
            clock=clock,
        )

    @classmethod
    def embedded(
        cls,
        directory: str | Path,
        *,
        max_seals_per_key: int = DEFAULT_MAX_SEALS,
        reserve_block: int = 1024,
        key_cache_seconds: float = 30.0,
    ) -> Vault:
        """The zero-configuration vault: ``veil.db``, ``veil-ledger.db`` and
        ``veil.keys`` inside ``directory``, all mode 0600, migrated on open."""
        root = Path(directory)
        root.mkdir(parents=True, exist_ok=True)
        engines = []
        for name, durable in (("veil.db", False), ("veil-ledger.db", True)):
            # Create the file 0600 before SQLite does: its -wal/-shm copy the mode.
            os.close(os.open(root / name, os.O_CREAT | os.O_WRONLY, 0o600))
            engines.append(open_engine(f"sqlite:///{root / name}", durable=durable))
        main, ledger = engines
        migrate(main, "core")
        migrate(ledger, "ledger")
        return cls(
            Store(main),
            ErasureLedger(ledger),
            LocalKeyFile(root / "veil.keys"),
            max_seals_per_key=max_seals_per_key,
            reserve_block=reserve_block,
            key_cache_seconds=key_cache_seconds,
        )

    def seal(self, value: str | bytes, binding: Binding) -> bytes:
        """Encrypt ``value`` for ``binding``; returns a self-describing envelope.

        Raises SubjectForgottenError if the subject was erased: an erased subject id
        is never reused, callers must allocate a new one.
        """
        if isinstance(value, str):
            plaintext: bytes | bytearray | memoryview = value.encode("utf-8")
            text = True
        elif isinstance(value, _BYTES_LIKE):
            plaintext, text = value, False
        else:
            raise TypeError("only str or bytes can be sealed")
        if binding.subject == DERIVE_SUBJECT:
            raise VaultError("this subject id is reserved")
        key = self._dek.for_sealing(binding.tenant, binding.subject)
        prefix = key.text_prefix if text else key.bytes_prefix
        # The payload is not copied: a large one is encrypted straight into the envelope.
        return key.cipher.seal_after(prefix, plaintext, prefix + binding.encode())

    def open(self, envelope: bytes, binding: Binding) -> str | bytes:
        """Decrypt an envelope sealed for exactly this ``binding``.

        Any tampering, a wrong binding or an unknown key is one IntegrityError; an
        erased subject is SubjectForgottenError.
        """
        if binding.subject == DERIVE_SUBJECT:
            raise VaultError("this subject id is reserved")
        version, key_id, raw = unpack(envelope)
        cipher = self._dek.for_opening(binding.tenant, binding.subject, version, key_id)
        plaintext = cipher.open_at(raw, PREFIX_BYTES, raw[:PREFIX_BYTES] + binding.encode())
        fmt = raw[0]  # authenticated: it is part of the associated data
        if fmt == FORMAT_BYTES:
            return plaintext
        if fmt == FORMAT_TEXT:
            return _text(plaintext)
        # Format 1: the kind is the first plaintext byte.
        kind = plaintext[:1]
        if kind == _BYTES:
            return plaintext[1:]
        if kind == _TEXT:
            return _text(memoryview(plaintext)[1:])
        raise IntegrityError("sealed data failed to open")

    def derive_key(self, tenant: str, purpose: str) -> bytes:
        """A 256-bit key for ``purpose`` within ``tenant``; the same on every call and
        in every process sharing this vault, different for any other (tenant, purpose).

        HKDF-SHA256 from the tenant's random secret, which is held like a data key of
        the reserved subject ``veil:derive`` (wrapped by the KEK and a ledger secret,
        created on first use, moved by :meth:`rewrap`, never stored in clear). The
        derived key itself is never stored: callers cache it if they need to.
        """
        if not tenant or not purpose:
            raise ValueError("tenant and purpose must be non-empty")
        secret = self._dek.root_key(tenant, DERIVE_SUBJECT)
        info = encode_fields("veil.tenant-derive.v1", tenant, purpose)
        return _hazmat.derive_key(secret, salt=b"", info=info)

    def forget(self, tenant: str, subject: str, *, hooks: Sequence[Hook] = ()) -> None:
        """Crypto-shred a subject: destroy its ledger secret, tombstone it, delete its
        keys and vault entries. Idempotent; see the module docstring for guarantees.
        ``hooks`` run in the application database's deleting transaction."""
        digest = subject_digest(tenant, subject)
        self.ledger.erase(tenant, subject, digest)
        self._dek.evict(tenant, subject)
        self.store.erase_subject(tenant, subject, digest, hooks=hooks)

    def is_forgotten(self, tenant: str, subject: str) -> bool:
        return self.ledger.is_erased(subject_digest(tenant, subject))

    def rewrap(
        self, *, batch_size: int = 256, progress: Callable[[int], None] | None = None
    ) -> int:
        """Re-wrap every data key under the provider's newest KEK.

        Each batch commits on its own and each row is compare-and-swapped, so the run
        can be killed at any point and simply started again; a finished run is a no-op.
        Returns how many keys this call moved; ``progress`` gets the running total.
        """
        return self._dek.rewrap(batch_size, progress)


def _text(plaintext: bytes | memoryview) -> str:
    try:
        return str(plaintext, "utf-8")
    except UnicodeDecodeError:
        raise IntegrityError("sealed data failed to open") from None
