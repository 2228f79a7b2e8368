"""Staff views of stored conversations: masked by default, unmasked with a purpose.

``masked`` opens a conversation's turns and replaces every detected value with its
type (``[EMAIL]``), for agents and supervisors who need the conversation, not the
customer's data. ``unmasked`` returns the original text; the caller (the API) has
already checked the permission and the MFA step-up, and a purpose is mandatory. Both
are audited — one row per subject in the conversation, so a subject's access report
lists every staff read — BEFORE any text is returned; a failed audit refuses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from veil.audit.events import Action, AuditEvent
from veil.errors import InputError, SubjectForgottenError
from veil.pipeline.turns import TurnLog

if TYPE_CHECKING:
    from veil.core import Finding
    from veil.pipeline.front import Veil

__all__ = ["TranscriptTurn", "Transcripts"]

_PURPOSE = re.compile(r"[a-z][a-z0-9_]{0,63}")


@dataclass(frozen=True, slots=True)
class TranscriptTurn:
    """One turn as staff see it; the text stays out of ``repr``."""

    seq: int
    role: str
    text: str = field(repr=False)


class Transcripts:
    """Masked and unmasked reads of stored turns, audited. Thread-safe."""

    def __init__(self, veil: Veil) -> None:
        from veil.storage import TurnStore

        self._veil = veil
        self._log = TurnLog(veil.vault, TurnStore(veil.vault.store.engine))

    def masked(
        self, tenant: str, conversation: str, *, actor: str, role: str = ""
    ) -> list[TranscriptTurn]:
        """The turns with every detected value replaced by ``[TYPE]``."""
        turns, subjects = self._open(tenant, conversation)
        self._audit(Action.TURN_READ, tenant, conversation, subjects, actor, role, "", len(turns))
        analyzer = self._veil.analyzer
        return [TranscriptTurn(seq, who, _mask(analyzer.analyze(t), t)) for seq, who, t in turns]

    def unmasked(
        self, tenant: str, conversation: str, *, actor: str, role: str, purpose: str
    ) -> list[TranscriptTurn]:
        """The original turns; ``purpose`` (a lower-case identifier) is mandatory."""
        if not isinstance(purpose, str) or not _PURPOSE.fullmatch(purpose):
            raise InputError("unmasking needs a purpose: a lower-case identifier")
        turns, subjects = self._open(tenant, conversation)
        self._audit(
            Action.VALUE_UNMASK, tenant, conversation, subjects, actor, role, purpose, len(turns)
        )
        return [TranscriptTurn(seq, who, text) for seq, who, text in turns]

    def _open(self, tenant: str, conversation: str) -> tuple[list[tuple[int, str, str]], list[str]]:
        turns: list[tuple[int, str, str]] = []
        subjects: dict[str, None] = {}
        for row in self._log.store.of_conversation(tenant, conversation):
            try:
                text = self._log.open_turn(row)
            except SubjectForgottenError:
                continue  # erased: nothing left to show
            turns.append((row.seq, row.role, text))
            subjects[row.subject] = None
        return turns, list(subjects)

    def _audit(
        self,
        action: Action,
        tenant: str,
        conversation: str,
        subjects: list[str],
        actor: str,
        role: str,
        purpose: str,
        count: int,
    ) -> None:
        trail = self._veil.audit
        if trail is None:
            return
        whose: list[str | None] = list(subjects) if subjects else [None]
        detail = {"turns": count}
        trail.record_many(
            [
                AuditEvent(action, actor=actor, role=role, tenant=tenant, subject=s,
                           record=conversation, purpose=purpose, detail=detail)
                for s in whose
            ]
        )  # fmt: skip


def _mask(findings: list[Finding], text: str) -> str:
    """``text`` with each finding (sorted, non-overlapping) replaced by its type."""
    out: list[str] = []
    cursor = 0
    for finding in findings:
        out.append(text[cursor : finding.span.start])
        out.append(f"[{finding.entity.label}]")
        cursor = finding.span.end
    out.append(text[cursor:])
    return "".join(out)
