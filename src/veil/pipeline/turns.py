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
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from veil.errors import InputError, IntegrityError, StorageError, SubjectForgottenError

if TYPE_CHECKING:
    from veil.storage import TurnStore
    from veil.vault import Binding, Vault

__all__ = ["ROLES", "TurnLog"]

ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})
_FIELD = "content"
_ATTEMPTS = 5


def _binding(tenant: str, subject: str, conversation: str, seq: int) -> Binding:
    from veil.vault import Binding

    return Binding(tenant, subject, f"turn:{conversation}:{seq}", _FIELD)


class TurnLog:
    """Seals, stores and opens turns. Thread-safe (holds no mutable state)."""

    def __init__(self, vault: Vault, store: TurnStore) -> None:
        self.vault, self.store = vault, store

    def record(self, tenant: str, conversation: str, subject: str, role: str, text: str) -> int:
        """Seal ``text`` and store it as the conversation's next turn; returns its number.

        The number is bound into the envelope, so a writer that loses the race for it
        seals again under the next free number (up to a few times, then StorageError).
        """
        if role not in ROLES:
            raise InputError(f"a turn's role must be one of {sorted(ROLES)}")
        if not isinstance(text, str):
            raise InputError("a turn's text must be a string")
        from veil.storage import StoredTurn

        for _ in range(_ATTEMPTS):
            seq = self.store.next_seq(tenant, conversation)
            envelope = self.vault.seal(text, _binding(tenant, subject, conversation, seq))
            turn = StoredTurn(tenant, conversation, seq, subject, role, envelope)
            if self.store.add(turn):
                return seq
        raise StorageError("turns.add failed: sequence contention")

    def turns(self, tenant: str, conversation: str) -> list[tuple[str, str]]:
        """``(role, text)`` of every readable turn of ``conversation``, in order."""
        out: list[tuple[str, str]] = []
        for row in self.store.of_conversation(tenant, conversation):
            binding = _binding(tenant, row.subject, conversation, row.seq)
            try:
                text = self.vault.open(row.envelope, binding)
            except SubjectForgottenError:
                continue  # erased: nothing left to show, as in restore
            if not isinstance(text, str):
                raise IntegrityError("sealed data failed to open")
            out.append((row.role, text))
        return out
