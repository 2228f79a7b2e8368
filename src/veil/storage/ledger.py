"""The erasure ledger: per-subject secrets and tombstones, outside the main database.

Why a second store: a backup of the application database holds wrapped data keys. If
everything needed to unwrap them also sat in that backup (or in KEKs that survive
erasure), restoring the backup after ``forget`` would bring the subject back. Each
subject's wrapped keys therefore also depend on a random secret kept here; ``erase``
deletes that secret and records a tombstone in the same transaction. The ledger is
tiny (one 32-byte secret per subject) and must be backed up separately with a
retention no longer than the erasure deadline, or replicated instead of backed up.

On SQLite every commit is fsynced, deleted rows are zeroed (``secure_delete``) and the
WAL is truncated after an erasure, so the secret does not linger in the files.
"""

from __future__ import annotations

import os

from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError

from veil.errors import StorageError, SubjectForgottenError
from veil.storage.database import Repository, checkpoint
from veil.storage.models import LedgerErasure, LedgerSecret

__all__ = ["ErasureLedger"]

SECRET_BYTES = 32


class ErasureLedger(Repository):
    """Repository over the ledger database (migrated to ``ledger@head``)."""

    _label = "ledger "

    def is_erased(self, digest: bytes) -> bool:
        with self._raw_read("is_erased") as cursor:
            return self._hot.is_erased(cursor, digest)

    def secret(self, tenant: str, subject: str, digest: bytes, *, create: bool) -> bytes | None:
        """The subject's secret; with ``create``, make one if none exists yet.

        Raises SubjectForgottenError for an erased subject, so a secret can never be
        re-created for it. ``digest`` is the subject's tombstone digest.

        Creating is one write transaction, committed (fsynced) before this returns: a
        statement that inserts the new secret unless the subject has one or is
        tombstoned, and only if it inserted nothing a read of what is there.
        """
        sql = self._hot
        if not create:
            with self._raw_read("secret") as cursor:
                found, erased = sql.secret(cursor, tenant, subject, digest)
        else:
            fresh = os.urandom(SECRET_BYTES)
            at = sql.stamp(self._now())
            try:
                with self._raw_tx("secret") as cursor:
                    if sql.insert_secret(cursor, tenant, subject, fresh, digest, at):
                        found, erased = fresh, False
                    else:
                        found, erased = sql.secret(cursor, tenant, subject, digest)
            except self._dbapi.IntegrityError:
                raise StorageError("ledger secret failed: IntegrityError") from None
        if erased:
            raise SubjectForgottenError("the subject was erased")
        if create and found is None:
            # Not inserted, yet neither a secret nor a tombstone is there: only a
            # deletion outside ``erase`` (which always leaves a tombstone) can do that.
            raise StorageError("ledger secret failed: contention")
        return found

    def erase(self, tenant: str, subject: str, digest: bytes) -> None:
        """Destroy the subject's secret and record the tombstone, atomically. Idempotent."""
        with self._tx("erase") as s:
            s.execute(
                delete(LedgerSecret).where(
                    LedgerSecret.tenant == tenant, LedgerSecret.subject == subject
                )
            )
            if s.get(LedgerErasure, digest) is None:
                s.add(LedgerErasure(digest=digest, forgotten_at=self._now()))
        try:
            checkpoint(self.engine)
        except SQLAlchemyError as exc:
            raise StorageError(f"ledger checkpoint failed: {type(exc).__name__}") from None
