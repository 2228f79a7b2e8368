"""The audit trail: append events to the gapless, hash-chained, MACed log.

``record``/``record_many`` run their own transaction (retried a bounded number of
times when SQLite reports a busy database or PostgreSQL a serialization failure);
``hook``/``append`` run INSIDE a caller's transaction, so the rows commit or roll
back with the change they record, and any failure there raises
:class:`~veil.errors.AuditError` without a retry: the caller's change must fail.

An append locks the one-row head first (see ``veil.storage.audit``), reads
``(seq, hash)``, computes the new rows, inserts them in one ``executemany`` and
moves the head. Every failure is an ``AuditError`` whose message names counts and
positions, never a value; the subject id is replaced by an HMAC under a per-tenant
key before anything is stored.
"""

from __future__ import annotations

import contextlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from veil.audit.chain import Columns, at_text, event_columns, head_mac, row_digest, row_mac
from veil.audit.checkpoint import Checkpoint, sign_checkpoint
from veil.audit.events import Action, AuditEvent
from veil.audit.rows import AuditRow, select_rows
from veil.audit.verify import VerifyReport, authentic_head, verify_trail
from veil.errors import AuditError, StorageError
from veil.storage.audit import AuditSql, CheckpointLedger
from veil.storage.database import Hook, utcnow, write_lock

if TYPE_CHECKING:
    from veil.vault import CheckpointSigner, Vault

__all__ = ["MAC_PURPOSE", "SUBJECT_PURPOSE", "TRAIL_TENANT", "AuditTrail"]

TRAIL_TENANT = "veil:audit"
MAC_PURPOSE = "audit-mac/v1"
SUBJECT_PURPOSE = "audit-subject/v1"
_BUSY = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED (extended codes share the low byte)
_RETRY_STATES = {"40001", "40P01", "55P03"}  # serialization, deadlock, lock timeout


class AuditTrail:
    """Appends and reads audit rows on ``engine`` (migrated to ``core@head``).

    ``mac_key`` (≥ 32 bytes) authenticates rows and must not live in the database;
    ``subject_key(tenant)`` returns the key that subject ids are hashed with. ``ledger``
    is the erasure-ledger engine where signed checkpoints are kept (optional).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        mac_key: bytes,
        subject_key: Callable[[str], bytes],
        clock: Callable[[], datetime] = utcnow,
        ledger: Engine | None = None,
        attempts: int = 8,
    ) -> None:
        if not isinstance(mac_key, bytes) or len(mac_key) < 32:
            raise AuditError("the audit MAC key must be at least 32 bytes")
        if attempts < 1:
            raise ValueError("attempts must be positive")
        self.engine, self.ledger = engine, ledger
        self._mac_key, self._subject_key, self._now = mac_key, subject_key, clock
        self._attempts = attempts
        self._sql = AuditSql(engine.dialect.name)
        self._dbapi_error: type[Exception] = engine.dialect.loaded_dbapi.Error

    @classmethod
    def from_vault(cls, vault: Vault, *, clock: Callable[[], datetime] = utcnow) -> AuditTrail:
        """A trail on the vault's database, keys derived by the vault, checkpoints in
        its erasure ledger. Subject keys are derived once per tenant and cached."""
        cache: dict[str, bytes] = {}
        lock = threading.Lock()

        def subject_key(tenant: str) -> bytes:
            with lock:
                key = cache.get(tenant)
            if key is None:
                key = vault.derive_key(tenant, SUBJECT_PURPOSE)
                with lock:
                    cache[tenant] = key
            return key

        return cls(
            vault.store.engine,
            mac_key=vault.derive_key(TRAIL_TENANT, MAC_PURPOSE),
            subject_key=subject_key,
            clock=clock,
            ledger=vault.ledger.engine,
        )

    @property
    def mac_key(self) -> bytes:
        """The row MAC key, for the verifier. Never log or store it."""
        return self._mac_key

    def subject_hash(self, tenant: str, subject: str) -> str:
        """The hex HMAC that rows store instead of ``subject``."""
        try:
            key = self._subject_key(tenant)
        except AuditError:
            raise
        except Exception as exc:  # a key source failing must stop the audited step
            raise AuditError(f"subject key unavailable: {type(exc).__name__}") from None
        return hmac.digest(key, subject.encode(), "sha256").hex()

    # -- appending -----------------------------------------------------------------

    def record(self, event: AuditEvent) -> int:
        """Append one event in its own transaction; returns its ``seq``."""
        return self.record_many((event,))

    def record_many(self, events: Sequence[AuditEvent]) -> int:
        """Append ``events`` in ONE own transaction; returns the last ``seq``."""
        prepared = self._prepare(events)
        for attempt in range(self._attempts):
            try:
                raw = self.engine.raw_connection()
            except SQLAlchemyError as exc:
                raise AuditError(f"audit append failed: {type(exc).__name__}") from None
            try:
                with write_lock(self.engine):  # queued behind this process's writers
                    cursor = raw.cursor()
                    seq = self._write(cursor, prepared)
                    cursor.close()
                    raw.commit()
                return seq
            except self._dbapi_error as exc:
                _rollback(raw)
                if not _retryable(exc) or attempt + 1 == self._attempts:
                    raise AuditError(f"audit append failed: {type(exc).__name__}") from None
            except BaseException:
                _rollback(raw)
                raise
            finally:
                raw.close()
            time.sleep((1 + secrets.randbelow(20)) / 1000 * (attempt + 1))
        raise AuditError("audit append failed: contention")  # pragma: no cover

    def hook(self, *events: AuditEvent) -> Hook:
        """A Hook appending ``events`` inside the caller's transaction. The events are
        checked now, so a malformed one fails before the caller's change starts."""
        prepared = self._prepare(events)

        def _hook(conn: Connection) -> None:
            self._append_prepared(conn, prepared)

        return _hook

    def append(self, conn: Connection, events: Sequence[AuditEvent]) -> int:
        """Append ``events`` inside the transaction of ``conn``; returns the last
        ``seq``. Raises AuditError (never retries): the caller's change must roll back."""
        return self._append_prepared(conn, self._prepare(events))

    def _append_prepared(self, conn: Connection, prepared: Sequence[Columns]) -> int:
        try:
            cursor = conn.connection.cursor()
            try:
                return self._write(cursor, prepared)
            finally:
                cursor.close()
        except (SQLAlchemyError, self._dbapi_error) as exc:
            raise AuditError(f"audit append failed: {type(exc).__name__}") from None

    def _write(self, cursor: Any, prepared: Sequence[Columns]) -> int:
        sql = self._sql
        head = sql.lock_head(cursor)
        if head is None:
            raise AuditError("audit head is missing")
        seq, prev = head
        if not prepared:
            return int(seq)
        now = self._now()
        at = at_text(now)  # refuses a naive clock
        stored = at if sql.sqlite else now.astimezone(UTC)
        key = self._mac_key
        rows = []
        for values in prepared:
            seq += 1
            digest = row_digest(prev, seq, at, *values)
            hash_ = digest.hex()
            rows.append((seq, stored, *values, prev, hash_, row_mac(key, digest)))
            prev = hash_
        sql.insert_rows(cursor, rows)
        if sql.set_head(cursor, seq, prev, head_mac(key, seq, prev)) != 1:
            raise AuditError("audit head is missing")
        return int(seq)

    def _prepare(self, events: Sequence[AuditEvent]) -> list[Columns]:
        prepared = []
        for index, event in enumerate(events):
            try:
                prepared.append(self._prepare_one(event))
            except AuditError as exc:
                raise AuditError(f"audit event #{index + 1}: {exc}") from None
        return prepared

    def _prepare_one(self, event: AuditEvent) -> Columns:
        if not isinstance(event, AuditEvent):
            raise AuditError("not an AuditEvent")
        if event.subject is not None and not isinstance(event.subject, str):
            raise AuditError("subject must be a string")
        tenant = event.tenant if isinstance(event.tenant, str) else ""
        subject = None if event.subject is None else self.subject_hash(tenant, event.subject)
        return event_columns(event, subject)

    # -- checkpoints and verification ------------------------------------------------

    def checkpoint(self, signer: CheckpointSigner, *, actor: str = "system") -> Checkpoint:
        """Sign the current head, store the checkpoint in the ledger (if the trail has
        one) and record an ``audit.checkpoint`` event. The head must be authentic and
        name its last row; run :meth:`verify` first to vouch for the whole chain."""
        try:
            with self.engine.connect() as conn:
                seq, hash_ = authentic_head(conn, self._mac_key)
        except SQLAlchemyError as exc:
            raise AuditError(f"audit checkpoint failed: {type(exc).__name__}") from None
        checkpoint = sign_checkpoint(signer, seq, hash_, self._now())
        if self.ledger is not None:
            try:
                CheckpointLedger(self.ledger).add(checkpoint.to_ledger())
            except StorageError as exc:
                raise AuditError(f"audit checkpoint failed: {exc}") from None
        self.record(AuditEvent(Action.AUDIT_CHECKPOINT, actor=actor, record=f"audit:{seq}"))
        return checkpoint

    def latest_checkpoint(self) -> Checkpoint | None:
        """The ledger's checkpoint with the highest ``seq`` (None without a ledger)."""
        if self.ledger is None:
            return None
        try:
            row = CheckpointLedger(self.ledger).latest()
        except StorageError as exc:
            raise AuditError(f"audit checkpoint read failed: {exc}") from None
        return None if row is None else Checkpoint.from_ledger(row)

    def verify(
        self,
        *,
        checkpoints: Sequence[Checkpoint] = (),
        public_key: bytes | None = None,
        use_ledger: bool = True,
    ) -> VerifyReport:
        """Verify every row, the head, the given checkpoints and (``use_ledger``) the
        ledger's latest one. ``public_key`` is the trusted checkpoint signer."""
        pins = list(checkpoints)
        if use_ledger and (latest := self.latest_checkpoint()) is not None:
            pins.append(latest)
        try:
            with self.engine.connect() as conn:
                report = verify_trail(conn, self._mac_key, checkpoints=pins, public_key=public_key)
                conn.rollback()
                return report
        except (SQLAlchemyError, self._dbapi_error) as exc:
            raise AuditError(f"audit verify failed: {type(exc).__name__}") from None

    # -- reading -------------------------------------------------------------------

    def query(
        self,
        *,
        tenant: str | None = None,
        actions: Collection[Action] | None = None,
        subject: tuple[str, str] | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after_seq: int = 0,
        limit: int = 1000,
    ) -> list[AuditRow]:
        """Rows matching every filter given, in ``seq`` order, after ``after_seq``.
        ``subject`` is ``(tenant, subject id)``, matched by its hash; ``since`` is
        inclusive and ``until`` exclusive."""
        subject_hash = None if subject is None else self.subject_hash(*subject)
        if subject is not None and tenant is None:
            tenant = subject[0]
        try:
            with self.engine.connect() as conn:
                return select_rows(
                    conn,
                    tenant=tenant,
                    actions=None if actions is None else [Action(a).value for a in actions],
                    subject_hash=subject_hash,
                    actor=actor,
                    since=since,
                    until=until,
                    after_seq=after_seq,
                    limit=limit,
                )
        except SQLAlchemyError as exc:
            raise AuditError(f"audit query failed: {type(exc).__name__}") from None


def _rollback(raw: Any) -> None:
    with contextlib.suppress(Exception):  # a broken connection is discarded by close()
        raw.rollback()


def _retryable(exc: Exception) -> bool:
    """A busy/locked SQLite database or a PostgreSQL serialization-class failure:
    the whole own transaction may simply run again."""
    orig = exc
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _BUSY
    return getattr(orig, "sqlstate", None) in _RETRY_STATES
