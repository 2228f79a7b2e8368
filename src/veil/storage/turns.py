"""Conversation turns: each message's sealed text, in order, per (tenant, conversation).

Like the rest of storage this moves opaque bytes: the envelope is sealed and opened
in ``veil.pipeline.turns``. Sequence numbers are allocated by the caller with
:meth:`TurnStore.next_seq` and claimed by :meth:`TurnStore.add`, which inserts the row
and its subject in ONE transaction and answers False when a racing writer took that
number first (the primary key decides), so numbers stay gapless at write time.
Erasing a subject deletes its turns (``Store.erase_subject`` and the foreign key).

Each turn carries the ``purpose`` it was processed for (default
:data:`DEFAULT_PURPOSE`) and the time it was stored, in UTC. :meth:`TurnStore.page`
walks every turn in key order (whole-store jobs such as the anonymized export). The
retention reads and the purge (turns plus the pseudonym maps of their conversations,
``vault_entries``) are here too; what has expired is decided by the caller, who
passes cut-off times: per purpose, and one for every other purpose. Rows of any other
table keyed by the subject (found by their foreign key to ``subjects``, e.g. consent
history) count as the subject's data too: a subject that still has some is not empty.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    column,
    delete,
    false,
    func,
    inspect,
    or_,
    select,
    table,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from veil.errors import StorageError
from veil.storage.database import Hook, Repository
from veil.storage.models import Subject, Turn, VaultEntry

__all__ = [
    "DEFAULT_PURPOSE",
    "MapFacts",
    "StoredTurn",
    "SubjectInventory",
    "TurnGroup",
    "TurnStore",
    "as_utc",
]

DEFAULT_PURPOSE = "ai_assistance"


@dataclass(frozen=True, slots=True)
class StoredTurn:
    """One stored turn; ``envelope`` seals its text. ``created_at`` is set by the
    store (ignored by :meth:`TurnStore.add`, left out of equality)."""

    tenant: str
    conversation: str
    seq: int
    subject: str
    role: str
    envelope: bytes
    purpose: str = DEFAULT_PURPOSE
    created_at: datetime | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class MapFacts:
    """One conversation of a subject's pseudonym map: the subject's entry count there
    and the newest entry of the conversation (any subject's)."""

    conversation: str
    entries: int
    newest: datetime


@dataclass(frozen=True, slots=True)
class TurnGroup:
    """The turns of one (conversation, subject, purpose): the newest one's time."""

    conversation: str
    subject: str
    purpose: str
    newest: datetime


@dataclass(frozen=True, slots=True)
class SubjectInventory:
    """What one subject holds, as far as retention is concerned. ``turn_groups``
    covers every turn (any subject's) of the conversations in ``maps``."""

    expired_turns: tuple[tuple[str, int], ...]  # (conversation, seq)
    turn_count: int
    maps: tuple[MapFacts, ...]
    turn_groups: tuple[TurnGroup, ...]
    other_rows: int = 0  # rows of other tables keyed by the subject (consents, ...)


def as_utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive value (SQLite drops the zone) is taken as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_T, _V, _S = Turn.__table__.c, VaultEntry.__table__.c, Subject.__table__.c
_RESERVED = "veil:"
_CHUNK = 500
_OWN_TABLES = frozenset({"subjects", "subject_keys", "turns", "vault_entries"})
_KEY = {"tenant", "subject"}
_Dependent = tuple[ColumnElement[str], ColumnElement[str]]  # (tenant, subject) columns
_COLUMNS = (
    _T.tenant,
    _T.conversation,
    _T.seq,
    _T.subject,
    _T.role,
    _T.envelope,
    _T.purpose,
    _T.created_at,
)
_OF_CONVERSATION = (
    select(*_COLUMNS)
    .where(_T.tenant == bindparam("tenant"), _T.conversation == bindparam("conversation"))
    .order_by(_T.seq)
)
_OF_SUBJECT = (
    select(*_COLUMNS)
    .where(_T.tenant == bindparam("tenant"), _T.subject == bindparam("subject"))
    .order_by(_T.conversation, _T.seq)
)
_KEY_ORDER = (_T.tenant, _T.conversation, _T.seq)


def _turn(row: Sequence[Any]) -> StoredTurn:
    tenant, conversation, seq, subject, role, envelope, purpose, created_at = row
    return StoredTurn(
        tenant, conversation, seq, subject, role, bytes(envelope), purpose, as_utc(created_at)
    )


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _expired(cutoffs: Mapping[str, datetime], other: datetime | None) -> ColumnElement[bool]:
    clauses = [and_(_T.purpose == p, _T.created_at <= as_utc(c)) for p, c in cutoffs.items()]
    if other is not None:
        rest = _T.created_at <= as_utc(other)
        clauses.append(and_(_T.purpose.not_in(list(cutoffs)), rest) if cutoffs else rest)
    return or_(*clauses) if clauses else false()


class TurnStore(Repository):
    """Repository of the ``turns`` table (application database, ``core@head``)."""

    _label = "turns."
    _dependents: tuple[_Dependent, ...] | None = None

    def next_seq(self, tenant: str, conversation: str) -> int:
        """The number the next turn of ``conversation`` should claim (1 for the first)."""
        with self._raw_read("next_seq") as cursor:
            return self._hot.last_seq(cursor, tenant, conversation) + 1

    def count(self, tenant: str, conversation: str, role: str) -> int:
        """How many turns of ``role`` the conversation has stored."""
        with self._raw_read("count") as cursor:
            return self._hot.count_role(cursor, tenant, conversation, role)

    def add(self, turn: StoredTurn, *, hooks: Sequence[Hook] = ()) -> bool:
        """Insert ``turn`` (and its subject's row) in one transaction, with ``hooks``
        (the audit row) inside it.

        False if its (tenant, conversation, seq) is already taken: the caller must
        take a new number and seal again, since the number is bound into the envelope.
        """
        sql = self._hot
        at = sql.stamp(as_utc(self._now()))  # SQLite keeps the wall time: always UTC
        row = (
            turn.tenant, turn.conversation, turn.seq, turn.subject, turn.role,
            turn.envelope, turn.purpose,
        )  # fmt: skip
        try:
            with self._raw_write("add") as (conn, cursor):
                sql.ensure_subjects(cursor, [(turn.tenant, turn.subject)], at)
                sql.insert_turn(cursor, row, at)
                for hook in hooks:
                    hook(conn)
        except self._dbapi.IntegrityError:
            return False
        return True

    def of_conversation(self, tenant: str, conversation: str) -> list[StoredTurn]:
        """Every stored turn of ``tenant``'s ``conversation``, in order."""
        with self._read("of_conversation") as conn:
            rows = conn.execute(_OF_CONVERSATION, {"tenant": tenant, "conversation": conversation})
            return [_turn(row) for row in rows]

    def of_subject(self, tenant: str, subject: str) -> list[StoredTurn]:
        """Every stored turn of ``subject`` (exports, retention), by conversation and seq."""
        with self._read("of_subject") as conn:
            rows = conn.execute(_OF_SUBJECT, {"tenant": tenant, "subject": subject})
            return [_turn(row) for row in rows]

    def page(
        self, *, after: tuple[str, str, int] | None = None, limit: int = 500
    ) -> list[StoredTurn]:
        """Up to ``limit`` turns of every tenant in key order (tenant, conversation,
        seq), starting after the key ``after``: pass the last turn's key to go on."""
        if limit < 1:
            raise ValueError("limit must be positive")
        query = select(*_COLUMNS).order_by(*_KEY_ORDER).limit(limit)
        if after is not None:
            t, c, n = after
            query = query.where(
                or_(
                    _T.tenant > t,
                    and_(_T.tenant == t, _T.conversation > c),
                    and_(_T.tenant == t, _T.conversation == c, _T.seq > n),
                )
            )
        with self._read("page") as conn:
            return [_turn(row) for row in conn.execute(query)]

    # -- retention -----------------------------------------------------------------

    def retention_candidates(
        self,
        *,
        cutoffs: Mapping[str, datetime],
        other: datetime | None,
        map_cutoff: datetime | None,
        idle_cutoff: datetime | None,
        after: tuple[str, str] | None = None,
        limit: int = 500,
    ) -> list[tuple[str, str]]:
        """Up to ``limit`` subjects, in (tenant, subject) order after ``after``, that
        may have something to delete: an expired turn, a vault entry created before
        ``map_cutoff``, or no turns and no entries while created before
        ``idle_cutoff``. Reserved (``veil:``) tenants and subjects are never listed."""
        own_turns = and_(_T.tenant == _S.tenant, _T.subject == _S.subject)
        own_entries = and_(_V.tenant == _S.tenant, _V.subject == _S.subject)
        reasons: list[ColumnElement[bool]] = [
            select(1).where(own_turns, _expired(cutoffs, other)).exists()
        ]
        if map_cutoff is not None:
            old = _V.created_at <= as_utc(map_cutoff)
            reasons.append(select(1).where(own_entries, old).exists())
        if idle_cutoff is not None:
            owned = [own_turns, own_entries]
            owned += [and_(t == _S.tenant, s == _S.subject) for t, s in self.dependents()]
            empty = [~select(1).where(o).exists() for o in owned]
            reasons.append(and_(*empty, _S.created_at <= as_utc(idle_cutoff)))
        query = (
            select(_S.tenant, _S.subject)
            .where(or_(*reasons), ~_S.tenant.startswith(_RESERVED))
            .where(~_S.subject.startswith(_RESERVED))
            .order_by(_S.tenant, _S.subject)
            .limit(limit)
        )
        if after is not None:
            t, s = after
            query = query.where(or_(_S.tenant > t, and_(_S.tenant == t, _S.subject > s)))
        with self._read("retention_candidates") as conn:
            return [(t, s) for t, s in conn.execute(query)]

    def retention_inventory(
        self, tenant: str, subject: str, *, cutoffs: Mapping[str, datetime], other: datetime | None
    ) -> SubjectInventory:
        """The subject's expired turns, turn count and pseudonym-map facts."""
        mine = and_(_T.tenant == tenant, _T.subject == subject)
        expired_q = select(_T.conversation, _T.seq).where(mine, _expired(cutoffs, other))
        own_q = (
            select(_V.conversation, func.count())
            .where(_V.tenant == tenant, _V.subject == subject)
            .group_by(_V.conversation)
        )
        maps: list[MapFacts] = []
        groups: list[TurnGroup] = []
        with self._read("retention_inventory") as conn:
            rows = conn.execute(expired_q.order_by(_T.conversation, _T.seq))
            expired = tuple((str(c), int(n)) for c, n in rows)
            count = int(conn.execute(select(func.count()).where(mine)).scalar() or 0)
            own = {str(c): int(n) for c, n in conn.execute(own_q)}
            for part in _chunks(sorted(own)):
                newest = conn.execute(
                    select(_V.conversation, func.max(_V.created_at))
                    .where(_V.tenant == tenant, _V.conversation.in_(part))
                    .group_by(_V.conversation)
                )
                maps += [MapFacts(c, own[c], as_utc(at)) for c, at in newest]
                turns = conn.execute(
                    select(_T.conversation, _T.subject, _T.purpose, func.max(_T.created_at))
                    .where(_T.tenant == tenant, _T.conversation.in_(part))
                    .group_by(_T.conversation, _T.subject, _T.purpose)
                )
                groups += [TurnGroup(c, s, p, as_utc(at)) for c, s, p, at in turns]
            others = self._count_dependents(conn, tenant, subject)
        return SubjectInventory(expired, count, tuple(maps), tuple(groups), others)

    def purge(
        self,
        tenant: str,
        subject: str,
        *,
        turns: Sequence[tuple[str, int]],
        conversations: Sequence[str],
        map_cutoff: datetime | None,
        expect_entries: int,
        hooks: Sequence[Hook] = (),
    ) -> tuple[int, int]:
        """Delete the subject's ``turns`` and its vault entries in ``conversations``
        in ONE transaction, then run ``hooks`` in it; returns (turns, entries) deleted.

        The counts must come out as planned (every turn, ``expect_entries`` entries),
        else StorageError and nothing is deleted: the rows changed since they were
        inspected. A conversation with an entry newer than ``map_cutoff`` is never
        cleared (a racing writer made it live again)."""
        with self._write("purge") as conn:
            done = [0, 0]
            if turns:
                one = and_(_T.conversation == bindparam("c"), _T.seq == bindparam("q"))
                result = conn.execute(
                    delete(Turn).where(_T.tenant == tenant, _T.subject == subject, one),
                    [{"c": c, "q": q} for c, q in turns],
                )
                done[0] = int(result.rowcount)
            if conversations and map_cutoff is not None:
                newer = VaultEntry.__table__.alias("newer")
                fresh = select(1).where(
                    newer.c.tenant == tenant,
                    newer.c.conversation == _V.conversation,
                    newer.c.created_at > as_utc(map_cutoff),
                )
                for part in _chunks(conversations):
                    mine = and_(_V.tenant == tenant, _V.subject == subject)
                    result = conn.execute(
                        delete(VaultEntry).where(mine, _V.conversation.in_(part), ~fresh.exists())
                    )
                    done[1] += int(result.rowcount)
            if done != [len(turns), expect_entries]:
                raise _Changed
            for hook in hooks:
                hook(conn)
        return done[0], done[1]

    def remaining(self, tenant: str, subject: str) -> int:
        """How many rows ``subject`` still has: turns, vault entries, and rows of the
        other tables keyed by it."""
        turns = select(func.count()).where(_T.tenant == tenant, _T.subject == subject)
        entries = select(func.count()).where(_V.tenant == tenant, _V.subject == subject)
        with self._read("remaining") as conn:
            found = [int(conn.execute(q).scalar() or 0) for q in (turns, entries)]
            return sum(found) + self._count_dependents(conn, tenant, subject)

    def dependents(self) -> tuple[_Dependent, ...]:
        """The (tenant, subject) columns of every other table with a foreign key to
        ``subjects``; looked up in the database once per store."""
        if self._dependents is None:
            found: list[_Dependent] = []
            with self._read("dependents") as conn:
                inspector = inspect(conn)
                for name in sorted(set(inspector.get_table_names()) - _OWN_TABLES):
                    for fk in inspector.get_foreign_keys(name):
                        cols = fk["referred_columns"], fk["constrained_columns"]
                        pairs = dict(zip(*cols, strict=True))
                        if fk["referred_table"] == "subjects" and set(pairs) == _KEY:
                            t, s = pairs["tenant"], pairs["subject"]
                            other = table(name, column(t), column(s))
                            found.append((other.c[t], other.c[s]))
            self._dependents = tuple(found)
        return self._dependents

    def _count_dependents(self, conn: Connection, tenant: str, subject: str) -> int:
        counts = [
            select(func.count()).where(t == tenant, s == subject) for t, s in self.dependents()
        ]
        return sum(int(conn.execute(q).scalar() or 0) for q in counts)

    @contextmanager
    def _write(self, operation: str) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except _Changed:
            raise StorageError(f"turns.{operation} failed: rows changed meanwhile") from None
        except SQLAlchemyError as exc:
            raise StorageError(f"turns.{operation} failed: {type(exc).__name__}") from None


class _Changed(Exception):
    """Rolls a purge back when its counts differ from the plan."""
