"""Conversation turns, stored encrypted under the subject's data key.

Storage layout (``turns``, one row per message)::

    tenant, conversation, seq (1, 2, ... per conversation), subject, role
    envelope = seal(original text,
                    Binding(tenant, subject, record=f"turn:{conversation}:{seq}",
                            field="content"))

The text is the ORIGINAL one (what the customer typed, the reply as the customer saw
it), never the protected form: it is readable only with the subject's key, so
``forget(subject)`` makes every copy unreadable, including backups restored later.
An envelope moved to another conversation, number, subject or tenant fails to open.

Forgotten subjects are treated as ``restore`` treats them: their leftover turns (a
database restored from a backup) are left out of :meth:`TurnLog.turns`, silently;
recording a turn for a forgotten subject raises SubjectForgottenError, like
``protect``. Tampered envelopes raise IntegrityError.

Each turn is recorded for a ``purpose`` (a lower-case identifier, default
``ai_assistance``): retention keeps it as long as the policy allows for that purpose.
:meth:`TurnLog.of_subject` opens everything stored for one subject (access requests);
there a forgotten subject raises, since nothing can be shown for it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from veil.errors import InputError, IntegrityError, StorageError, SubjectForgottenError

if TYPE_CHECKING:
    from veil.storage import StoredTurn, TurnStore
    from veil.storage.database import Hook
    from veil.vault import Binding, Vault

__all__ = ["DEFAULT_PURPOSE", "ROLES", "OpenedTurn", "TurnLog"]

ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})
DEFAULT_PURPOSE = "ai_assistance"  # = veil.storage.turns.DEFAULT_PURPOSE (lazy import)
_PURPOSE = re.compile(r"[a-z][a-z0-9_.-]{0,63}")
_FIELD = "content"
_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class OpenedTurn:
    """One turn with its text opened; the text stays out of ``repr``."""

    conversation: str
    seq: int
    role: str
    purpose: str
    created_at: datetime | None
    text: str = field(repr=False)


def _binding(tenant: str, subject: str, conversation: str, seq: int) -> Binding:
    from veil.vault import Binding

    return Binding(tenant, subject, f"turn:{conversation}:{seq}", _FIELD)


class TurnLog:
    """Seals, stores and opens turns. Thread-safe (holds no mutable state)."""

    def __init__(self, vault: Vault, store: TurnStore) -> None:
        self.vault, self.store = vault, store

    def record(
        self,
        tenant: str,
        conversation: str,
        subject: str,
        role: str,
        text: str,
        *,
        purpose: str = DEFAULT_PURPOSE,
        hooks: Sequence[Hook] = (),
    ) -> int:
        """Seal ``text`` and store it as the conversation's next turn; returns its number.

        The number is bound into the envelope, so a writer that loses the race for it
        seals again under the next free number (up to a few times, then StorageError).
        ``purpose`` is stored in clear beside the envelope (it is policy, not data).
        """
        if role not in ROLES:
            raise InputError(f"a turn's role must be one of {sorted(ROLES)}")
        if not isinstance(text, str):
            raise InputError("a turn's text must be a string")
        if not isinstance(purpose, str) or not _PURPOSE.fullmatch(purpose):
            raise InputError("a turn's purpose must be a lower-case identifier of 1-64 chars")
        from veil.storage import StoredTurn

        for _ in range(_ATTEMPTS):
            seq = self.store.next_seq(tenant, conversation)
            envelope = self.vault.seal(text, _binding(tenant, subject, conversation, seq))
            turn = StoredTurn(tenant, conversation, seq, subject, role, envelope, purpose)
            if self.store.add(turn, hooks=hooks):
                return seq
        raise StorageError("turns.add failed: sequence contention")

    def turns(self, tenant: str, conversation: str) -> list[tuple[str, str]]:
        """``(role, text)`` of every readable turn of ``conversation``, in order."""
        out: list[tuple[str, str]] = []
        for row in self.store.of_conversation(tenant, conversation):
            try:
                text = self.open_turn(row)
            except SubjectForgottenError:
                continue  # erased: nothing left to show, as in restore
            out.append((row.role, text))
        return out

    def of_subject(self, tenant: str, subject: str) -> list[OpenedTurn]:
        """Every turn stored for ``subject``, opened, by conversation and number.

        Raises SubjectForgottenError if the subject was erased but turns remain
        (a restored backup): they cannot be opened, and an export must say so.
        """
        return [
            OpenedTurn(row.conversation, row.seq, row.role, row.purpose, row.created_at, text)
            for row in self.store.of_subject(tenant, subject)
            for text in (self.open_turn(row),)
        ]

    def open_turn(self, row: StoredTurn) -> str:
        """The text of one stored turn (SubjectForgottenError if erased)."""
        text = self.vault.open(
            row.envelope, _binding(row.tenant, row.subject, row.conversation, row.seq)
        )
        if not isinstance(text, str):
            raise IntegrityError("sealed data failed to open")
        return text
