"""Conversation turns: each message's sealed text, in order, per (tenant, conversation).

Like the rest of storage this moves opaque bytes: the envelope is sealed and opened
in ``veil.pipeline.turns``. Sequence numbers are allocated by the caller with
:meth:`TurnStore.next_seq` and claimed by :meth:`TurnStore.add`, which inserts the row
and its subject in ONE transaction and answers False when a racing writer took that
number first (the primary key decides), so numbers stay gapless at write time.
Erasing a subject deletes its turns (``Store.erase_subject`` and the foreign key).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError as DbIntegrityError
from sqlalchemy.exc import SQLAlchemyError

from veil.errors import StorageError
from veil.storage.database import Repository
from veil.storage.models import Turn
from veil.storage.repository import ensure_subject

__all__ = ["StoredTurn", "TurnStore"]


@dataclass(frozen=True, slots=True)
class StoredTurn:
    """One stored turn; ``envelope`` seals its text."""

    tenant: str
    conversation: str
    seq: int
    subject: str
    role: str
    envelope: bytes


_TURNS = Turn.__table__.c
_LAST = select(func.max(_TURNS.seq)).where(
    _TURNS.tenant == bindparam("tenant"), _TURNS.conversation == bindparam("conversation")
)
_OF_CONVERSATION = (
    select(_TURNS.seq, _TURNS.subject, _TURNS.role, _TURNS.envelope)
    .where(_TURNS.tenant == bindparam("tenant"), _TURNS.conversation == bindparam("conversation"))
    .order_by(_TURNS.seq)
)
_OF_SUBJECT = (
    select(_TURNS.conversation, _TURNS.seq, _TURNS.role, _TURNS.envelope)
    .where(_TURNS.tenant == bindparam("tenant"), _TURNS.subject == bindparam("subject"))
    .order_by(_TURNS.conversation, _TURNS.seq)
)


class TurnStore(Repository):
    """Repository of the ``turns`` table (application database, ``core@head``)."""

    _label = "turns."

    def next_seq(self, tenant: str, conversation: str) -> int:
        """The number the next turn of ``conversation`` should claim (1 for the first)."""
        with self._read("next_seq") as conn:
            last = conn.execute(_LAST, {"tenant": tenant, "conversation": conversation}).scalar()
        return int(last or 0) + 1

    def add(self, turn: StoredTurn) -> bool:
        """Insert ``turn`` (and its subject's row) in one transaction.

        False if its (tenant, conversation, seq) is already taken: the caller must
        take a new number and seal again, since the number is bound into the envelope.
        """
        try:
            with self._sessions.begin() as s:
                now = self._now()
                ensure_subject(s, turn.tenant, turn.subject, now)
                s.execute(
                    insert(Turn).values(
                        tenant=turn.tenant,
                        conversation=turn.conversation,
                        seq=turn.seq,
                        subject=turn.subject,
                        role=turn.role,
                        envelope=turn.envelope,
                        created_at=now,
                    )
                )
        except DbIntegrityError:
            return False
        except SQLAlchemyError as exc:
            raise StorageError(f"turns.add failed: {type(exc).__name__}") from None
        return True

    def of_conversation(self, tenant: str, conversation: str) -> list[StoredTurn]:
        """Every stored turn of ``tenant``'s ``conversation``, in order."""
        with self._read("of_conversation") as conn:
            rows = conn.execute(_OF_CONVERSATION, {"tenant": tenant, "conversation": conversation})
            return [
                StoredTurn(tenant, conversation, seq, subject, role, bytes(envelope))
                for seq, subject, role, envelope in rows
            ]

    def of_subject(self, tenant: str, subject: str) -> list[StoredTurn]:
        """Every stored turn of ``subject`` (exports, retention), by conversation and seq."""
        with self._read("of_subject") as conn:
            rows = conn.execute(_OF_SUBJECT, {"tenant": tenant, "subject": subject})
            return [
                StoredTurn(tenant, conversation, seq, subject, role, bytes(envelope))
                for conversation, seq, role, envelope in rows
            ]
