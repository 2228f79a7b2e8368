"""The application store: subjects, wrapped data keys, tombstones and vault entries
(conversation turns: ``veil.storage.turns``).

Callers get frozen records, never ORM objects, and every database failure arrives as
:class:`veil.errors.StorageError` naming the operation, never the row's content. The
store only moves opaque bytes; sealing and unwrapping happen in ``veil.vault``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from veil.errors import StorageError
from veil.storage.database import Hook, Repository
from veil.storage.models import Subject, SubjectKey, Tombstone, Turn

__all__ = ["KeyRecord", "Rewrapped", "Store", "TokenEntry", "ensure_subject"]


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """One stored version of a subject's wrapped data key."""

    tenant: str
    subject: str
    version: int
    key_id: bytes
    wrapped: bytes
    kek_id: str
    kek_version: int
    seal_count: int


@dataclass(frozen=True, slots=True)
class Rewrapped:
    """A data key re-wrapped under another KEK, applied only if ``old`` is still current."""

    old: KeyRecord
    kek_id: str
    kek_version: int
    wrapped: bytes


@dataclass(frozen=True, slots=True)
class TokenEntry:
    """A token issued in a conversation and the envelope sealing its value."""

    tenant: str
    conversation: str
    subject: str
    token: str
    entity: str
    envelope: bytes


def _record(row: SubjectKey) -> KeyRecord:
    return KeyRecord(
        row.tenant,
        row.subject,
        row.version,
        bytes(row.key_id),
        bytes(row.wrapped),
        row.kek_id,
        row.kek_version,
        row.seal_count,
    )


def _ensure_statement(insert: Any) -> Any:
    values: dict[str, Any] = {n: bindparam(n) for n in ("tenant", "subject", "created_at")}
    stmt = insert(Subject).values(**values)
    return stmt.on_conflict_do_nothing(index_elements=["tenant", "subject"])


# Built once per dialect: constructing the statement on every message cost more than
# running it (SQLAlchemy's coercion and cache-key work, ~0.5 ms per call).
_ENSURE = {
    "postgresql": _ensure_statement(postgresql.insert),
    "sqlite": _ensure_statement(sqlite.insert),
}


def ensure_subject(session: Session, tenant: str, subject: str, now: datetime) -> None:
    """Insert the subject's row unless it exists, inside the caller's transaction."""
    stmt = _ENSURE[session.get_bind().dialect.name]
    session.execute(stmt, {"tenant": tenant, "subject": subject, "created_at": now})


class Store(Repository):
    """Repository over the application database (already migrated to ``core@head``)."""

    def _ensure_subject(self, session: Session, tenant: str, subject: str) -> None:
        ensure_subject(session, tenant, subject, self._now())

    # -- data keys ---------------------------------------------------------------

    # The four statements of a subject's first seal and of each block of seals run on
    # the raw cursor (see veil.storage.hot): through ORM sessions they cost ~1 ms.

    def latest_key(self, tenant: str, subject: str) -> KeyRecord | None:
        with self._raw_read("latest_key") as cursor:
            row = self._hot.latest_key(cursor, tenant, subject)
        return None if row is None else KeyRecord(*row)

    def get_key(self, tenant: str, subject: str, version: int) -> KeyRecord | None:
        with self._raw_read("get_key") as cursor:
            row = self._hot.key(cursor, tenant, subject, version)
        return None if row is None else KeyRecord(*row)

    def add_key(self, record: KeyRecord) -> bool:
        """Insert a new key version (and its subject row); False if that version exists."""
        sql = self._hot
        at = sql.stamp(self._now())
        row = (
            record.tenant,
            record.subject,
            record.version,
            record.key_id,
            record.wrapped,
            record.kek_id,
            record.kek_version,
            record.seal_count,
        )
        try:
            with self._raw_tx("add_key") as cursor:
                sql.ensure_subjects(cursor, [(record.tenant, record.subject)], at)
                sql.insert_key(cursor, row, at)
        except self._dbapi.IntegrityError:
            return False
        return True

    def reserve_seals(
        self, tenant: str, subject: str, version: int, count: int, limit: int
    ) -> bool:
        """Atomically add ``count`` to the key's seal counter unless that passes ``limit``."""
        with self._raw_tx("reserve_seals") as cursor:
            return self._hot.reserve_seals(cursor, tenant, subject, version, count, limit)

    def keys_not_under(self, kek_id: str, kek_version: int, *, limit: int) -> list[KeyRecord]:
        """Up to ``limit`` keys wrapped under any KEK other than the one given."""
        other = or_(SubjectKey.kek_id != kek_id, SubjectKey.kek_version != kek_version)
        with self._tx("keys_not_under") as s:
            rows = s.scalars(
                select(SubjectKey)
                .where(other)
                .order_by(SubjectKey.tenant, SubjectKey.subject, SubjectKey.version)
                .limit(limit)
            )
            return [_record(r) for r in rows]

    def count_keys_under(self, kek_id: str, kek_version: int) -> int:
        with self._tx("count_keys_under") as s:
            return (
                s.scalar(
                    select(func.count())
                    .select_from(SubjectKey)
                    .where(SubjectKey.kek_id == kek_id, SubjectKey.kek_version == kek_version)
                )
                or 0
            )

    def apply_rewraps(self, changes: Sequence[Rewrapped]) -> int:
        """Swap wrappings in one transaction, each only if the row is unchanged since read.

        Compare-and-swap keeps re-wrapping idempotent and safe to run twice at once.
        """
        done = 0
        with self._tx("apply_rewraps") as s:
            for change in changes:
                old = change.old
                result = s.execute(
                    update(SubjectKey)
                    .where(
                        and_(
                            SubjectKey.tenant == old.tenant,
                            SubjectKey.subject == old.subject,
                            SubjectKey.version == old.version,
                            SubjectKey.kek_id == old.kek_id,
                            SubjectKey.kek_version == old.kek_version,
                        )
                    )
                    .values(
                        wrapped=change.wrapped,
                        kek_id=change.kek_id,
                        kek_version=change.kek_version,
                    )
                    .execution_options(synchronize_session=False)
                )
                done += result.rowcount  # type: ignore[attr-defined]
        return done

    # -- erasure -----------------------------------------------------------------

    def erase_subject(
        self, tenant: str, subject: str, digest: bytes, *, hooks: Sequence[Hook] = ()
    ) -> None:
        """Delete the subject with its keys, vault entries and turns; record a
        tombstone; run ``hooks`` in the same transaction."""
        with self._tx("erase_subject") as s:
            # The foreign keys cascade too; deleting turns explicitly does not depend
            # on the connection having enforced them.
            s.execute(delete(Turn).where(Turn.tenant == tenant, Turn.subject == subject))
            s.execute(delete(Subject).where(Subject.tenant == tenant, Subject.subject == subject))
            if s.get(Tombstone, digest) is None:
                s.add(Tombstone(digest=digest, forgotten_at=self._now()))
            _run(hooks, s)

    def is_tombstoned(self, digest: bytes) -> bool:
        with self._tx("is_tombstoned") as s:
            return s.get(Tombstone, digest) is not None

    # -- vault entries -----------------------------------------------------------

    def put_token(
        self,
        tenant: str,
        conversation: str,
        subject: str,
        token: str,
        entity: str,
        envelope: bytes,
    ) -> None:
        """Store a token's sealed value. A token is issued once per (tenant,
        conversation): reusing one raises StorageError rather than silently replacing
        its value."""
        self.put_tokens([TokenEntry(tenant, conversation, subject, token, entity, envelope)])

    def put_tokens(self, entries: Sequence[TokenEntry], *, hooks: Sequence[Hook] = ()) -> None:
        """Store many tokens in ONE transaction: all of them, or none.

        The batched form of :meth:`put_token` (one commit per message instead of one
        per token); a token already issued in its tenant's conversation, including
        twice within ``entries``, fails the whole batch with StorageError. ``hooks``
        run in the same transaction (an error there rolls the tokens back). An empty
        batch is a no-op.
        """
        if not entries:
            return
        sql = self._hot
        at = sql.stamp(self._now())
        rows = [
            (e.tenant, e.conversation, e.subject, e.token, e.entity, e.envelope) for e in entries
        ]
        subjects = list(dict.fromkeys((e.tenant, e.subject) for e in entries))
        try:
            if not hooks:
                with self._raw_tx("put_tokens") as cursor:
                    sql.ensure_subjects(cursor, subjects, at)
                    sql.insert_tokens(cursor, rows, at)
                return
            with self._raw_write("put_tokens") as (conn, cursor):
                sql.ensure_subjects(cursor, subjects, at)
                sql.insert_tokens(cursor, rows, at)
                for hook in hooks:
                    hook(conn)
        except self._dbapi.IntegrityError:
            # One name on every driver (psycopg's would be UniqueViolation).
            raise StorageError("put_tokens failed: IntegrityError") from None

    def get_token_rows(self, tenant: str, conversation: str) -> list[tuple[str, str, str, bytes]]:
        """:meth:`get_tokens` as bare ``(subject, token, entity, envelope)`` tuples, for
        the token map every protect and restore loads (a record per row cost as much
        as reading the rows)."""
        with self._raw_read("get_tokens") as cursor:
            rows = self._hot.tokens(cursor, tenant, conversation)
        return [(subject, token, entity, bytes(blob)) for subject, token, entity, blob in rows]

    def get_tokens(self, tenant: str, conversation: str) -> list[TokenEntry]:
        """Every token ``tenant`` issued in ``conversation``, in token order; never
        another tenant's, whatever conversation ids it chose."""
        return [
            TokenEntry(tenant, conversation, subject, token, entity, envelope)
            for subject, token, entity, envelope in self.get_token_rows(tenant, conversation)
        ]


def _run(hooks: Sequence[Hook], session: Session) -> None:
    if hooks:
        connection = session.connection()
        for hook in hooks:
            hook(connection)
