"""The statements every message runs, on a raw DBAPI cursor.

Each customer message reads its conversation's tokens, checks the erasure ledger,
writes new tokens and two turns. Through SQLAlchemy each of those statements cost
several times its own execution (cache-key generation, parameter processing, ORM bulk
bookkeeping); here they are constant SQL in the driver's parameter style, as the
audit trail's appends are (:class:`veil.storage.audit.AuditSql`). A subject's first
seal (ledger secret, data key row) and each block of seals reserved later run here
too. The tables are those of the migrations; the names are constants, never input.

Values go in the form each backend stores: SQLite gets timestamps as the text
SQLAlchemy's ``DateTime`` writes (UTC), so the ORM reads them back unchanged;
PostgreSQL gets aware datetimes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

__all__ = ["HotSql", "KeyRow", "TokenRow", "TurnRow"]

TokenRow = tuple[str, str, str, str, str, bytes]
"""``(tenant, conversation, subject, token, entity, envelope)``"""
TurnRow = tuple[str, str, int, str, str, bytes, str]
"""``(tenant, conversation, seq, subject, role, envelope, purpose)``"""
KeyRow = tuple[str, str, int, bytes, bytes, str, int, int]
"""``(tenant, subject, version, key_id, wrapped, kek_id, kek_version, seal_count)``"""

# Written with "?" placeholders (no statement holds a literal "?"); PostgreSQL's
# driver gets "%s".
_SUBJECT = (
    "INSERT INTO subjects (tenant, subject, created_at) VALUES (?, ?, ?) "
    "ON CONFLICT (tenant, subject) DO NOTHING"
)
_TOKENS = (
    "INSERT INTO vault_entries (tenant, conversation, subject, token, entity, envelope, "
    "created_at) VALUES "
)
_ROW_VALUES = "(?, ?, ?, ?, ?, ?, ?)"
_TOKENS_PER_STATEMENT = 64  # 448 parameters: under every SQLite build's limit
_READ_TOKENS = (
    "SELECT subject, token, entity, envelope FROM vault_entries "
    "WHERE tenant = ? AND conversation = ? ORDER BY token"
)
_LAST_SEQ = "SELECT max(seq) FROM turns WHERE tenant = ? AND conversation = ?"
_COUNT_ROLE = "SELECT count(*) FROM turns WHERE tenant = ? AND conversation = ? AND role = ?"
_TURN = (
    "INSERT INTO turns (tenant, conversation, seq, subject, role, envelope, purpose, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_ERASED = "SELECT 1 FROM ledger_erasures WHERE digest = ?"
# A subject's first seal: its data key row, and its ledger secret. The secret is
# inserted only if no tombstone exists, checked in the same statement (so no
# erasure can slip between a check and the insert), and never over an existing one.
_LATEST_KEY = (
    "SELECT version, key_id, wrapped, kek_id, kek_version, seal_count FROM subject_keys "
    "WHERE tenant = ? AND subject = ? ORDER BY version DESC LIMIT 1"
)
_KEY = (
    "SELECT version, key_id, wrapped, kek_id, kek_version, seal_count FROM subject_keys "
    "WHERE tenant = ? AND subject = ? AND version = ?"
)
_INSERT_KEY = (
    "INSERT INTO subject_keys (tenant, subject, version, key_id, wrapped, kek_id, "
    "kek_version, seal_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_RESERVE = (
    "UPDATE subject_keys SET seal_count = seal_count + ? "
    "WHERE tenant = ? AND subject = ? AND version = ? AND seal_count + ? <= ?"
)
_LEDGER_INSERT = (
    "INSERT INTO ledger_secrets (tenant, subject, secret, created_at) "
    "SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM ledger_erasures WHERE digest = ?) "
    "ON CONFLICT (tenant, subject) DO NOTHING"
)
_LEDGER_READ = (
    "SELECT (SELECT secret FROM ledger_secrets WHERE tenant = ? AND subject = ?), "
    "(SELECT 1 FROM ledger_erasures WHERE digest = ?)"
)
_CONSENTS = (
    "SELECT seq, purpose, granted, notice_version, source, at FROM consent_events "
    "WHERE tenant = ? AND subject = ? ORDER BY seq"
)
_RESTRICTIONS = (
    "SELECT seq, restricted, source, at FROM restriction_events "
    "WHERE tenant = ? AND subject = ? ORDER BY seq"
)


class HotSql:
    """The hot statements of one dialect ("sqlite" or "postgresql")."""

    def __init__(self, dialect: str) -> None:
        self.sqlite = dialect == "sqlite"

        def style(sql: str) -> str:
            return sql if self.sqlite else sql.replace("?", "%s")

        self._subject = style(_SUBJECT)
        self._tokens = [
            style(_TOKENS + ", ".join([_ROW_VALUES] * n)) for n in range(_TOKENS_PER_STATEMENT + 1)
        ]
        self._read_tokens = style(_READ_TOKENS)
        self._last_seq = style(_LAST_SEQ)
        self._count_role = style(_COUNT_ROLE)
        self._turn = style(_TURN)
        self._erased = style(_ERASED)
        self._latest_key = style(_LATEST_KEY)
        self._key = style(_KEY)
        self._insert_key = style(_INSERT_KEY)
        self._reserve = style(_RESERVE)
        self._new_secret = style(_LEDGER_INSERT)
        self._secret = style(_LEDGER_READ)
        self._consents = style(_CONSENTS)
        self._restrictions = style(_RESTRICTIONS)

    def stamp(self, at: datetime) -> Any:
        """``at`` as the backend stores it (an aware datetime is required)."""
        if at.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        if self.sqlite:
            utc = at.astimezone(UTC).replace(tzinfo=None)
            return utc.isoformat(sep=" ", timespec="microseconds")
        return at

    def instant(self, stored: Any) -> datetime:
        """A stored timestamp back as an aware UTC datetime."""
        if isinstance(stored, str):  # SQLite: the text :meth:`stamp` (or SQLAlchemy) wrote
            stored = datetime.fromisoformat(stored)
        if not isinstance(stored, datetime):
            raise TypeError("not a timestamp")
        return stored.replace(tzinfo=UTC) if stored.tzinfo is None else stored.astimezone(UTC)

    def ensure_subjects(self, cursor: Any, pairs: Sequence[tuple[str, str]], at: Any) -> None:
        """Insert each ``(tenant, subject)`` row unless it exists."""
        for tenant, subject in pairs:
            cursor.execute(self._subject, (tenant, subject, at))

    def insert_tokens(self, cursor: Any, rows: Sequence[TokenRow], at: Any) -> None:
        """Insert vault entries, up to 64 per multi-row statement (one round trip to
        PostgreSQL); a duplicate token raises the driver's IntegrityError."""
        for start in range(0, len(rows), _TOKENS_PER_STATEMENT):
            chunk = rows[start : start + _TOKENS_PER_STATEMENT]
            cursor.execute(self._tokens[len(chunk)], [v for row in chunk for v in (*row, at)])

    def tokens(self, cursor: Any, tenant: str, conversation: str) -> list[tuple[Any, ...]]:
        """``(subject, token, entity, envelope)`` of the conversation, by token."""
        cursor.execute(self._read_tokens, (tenant, conversation))
        return list(cursor.fetchall())

    def last_seq(self, cursor: Any, tenant: str, conversation: str) -> int:
        """The highest stored turn number of the conversation (0 if none)."""
        cursor.execute(self._last_seq, (tenant, conversation))
        return _count(cursor)

    def count_role(self, cursor: Any, tenant: str, conversation: str, role: str) -> int:
        """How many turns of ``role`` the conversation has stored."""
        cursor.execute(self._count_role, (tenant, conversation, role))
        return _count(cursor)

    def insert_turn(self, cursor: Any, row: TurnRow, at: Any) -> None:
        """Insert one turn; a taken number raises the driver's IntegrityError."""
        cursor.execute(self._turn, (*row, at))

    def is_erased(self, cursor: Any, digest: bytes) -> bool:
        """Whether the ledger holds a tombstone with ``digest``."""
        cursor.execute(self._erased, (digest,))
        return cursor.fetchone() is not None

    def latest_key(self, cursor: Any, tenant: str, subject: str) -> KeyRow | None:
        """The subject's newest data key row, if any."""
        cursor.execute(self._latest_key, (tenant, subject))
        return _key_row(tenant, subject, cursor.fetchone())

    def key(self, cursor: Any, tenant: str, subject: str, version: int) -> KeyRow | None:
        cursor.execute(self._key, (tenant, subject, version))
        return _key_row(tenant, subject, cursor.fetchone())

    def insert_key(self, cursor: Any, row: KeyRow, at: Any) -> None:
        """Insert a data key row; a taken version or key id raises IntegrityError."""
        cursor.execute(self._insert_key, (*row, at))

    def reserve_seals(
        self, cursor: Any, tenant: str, subject: str, version: int, count: int, limit: int
    ) -> bool:
        """Add ``count`` to the key's seal counter unless that passes ``limit``."""
        cursor.execute(self._reserve, (count, tenant, subject, version, count, limit))
        return bool(cursor.rowcount == 1)

    def insert_secret(
        self, cursor: Any, tenant: str, subject: str, secret: bytes, digest: bytes, at: Any
    ) -> bool:
        """Store ``secret`` as the subject's ledger secret; False (nothing written) if
        the subject already has one or its tombstone ``digest`` is in the ledger."""
        cursor.execute(self._new_secret, (tenant, subject, secret, at, digest))
        return bool(cursor.rowcount == 1)

    def secret(
        self, cursor: Any, tenant: str, subject: str, digest: bytes
    ) -> tuple[bytes | None, bool]:
        """The subject's ledger secret (None if it has none) and whether its
        tombstone ``digest`` is in the ledger, in one round trip."""
        cursor.execute(self._secret, (tenant, subject, digest))
        row = cursor.fetchone()
        found, erased = (None, None) if row is None else row
        return (None if found is None else bytes(found)), erased is not None

    def consents(self, cursor: Any, tenant: str, subject: str) -> list[tuple[Any, ...]]:
        """``(seq, purpose, granted, notice_version, source, at)`` rows, in order
        (``granted`` and ``at`` as the driver returns them)."""
        cursor.execute(self._consents, (tenant, subject))
        return list(cursor.fetchall())

    def restrictions(self, cursor: Any, tenant: str, subject: str) -> list[tuple[Any, ...]]:
        """``(seq, restricted, source, at)`` rows, in order."""
        cursor.execute(self._restrictions, (tenant, subject))
        return list(cursor.fetchall())


def _key_row(tenant: str, subject: str, row: Any) -> KeyRow | None:
    if row is None:
        return None
    version, key_id, wrapped, kek_id, kek_version, seal_count = row
    return (
        tenant,
        subject,
        int(version),
        bytes(key_id),
        bytes(wrapped),
        str(kek_id),
        int(kek_version),
        int(seal_count),
    )


def _count(cursor: Any) -> int:
    """The single number an aggregate returned (0 for NULL or no row)."""
    row = cursor.fetchone()
    return int(row[0] or 0) if row is not None else 0
