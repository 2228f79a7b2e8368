"""The retention sweeper: delete what has expired, crypto-shred subjects left empty.

::

    sweeper = RetentionSweeper(vault, rules, audit=AuditTrail.from_vault(vault))
    report = sweeper.run()                 # the server's background task calls this
    report = sweeper.run(dry_run=True)     # counts only, nothing deleted

One run, for a clock reading ``now`` (``veil.policy.retention`` decides):

1. every turn older than the rule for its (category, purpose) is deleted;
2. a conversation's pseudonym map (its vault entries) is deleted once no live turn is
   left in the conversation and its newest entry is older than the map rule;
3. a subject with nothing left (no turns, no vault entries, no rows in any other table
   keyed by it, such as consent history) is crypto-shredded with ``Vault.forget``, so
   copies in old backups become unreadable too. Its id can never be used again: a
   returning customer needs a new subject id. A subject that still has other rows is
   left alone ("crypto-shredding where possible").

Legal holds (those passed in plus those stored with ``RetentionStore.add_hold``) block
every deletion and shredding for what they cover; reserved ``veil:`` ids are never
touched. Work is done per subject, each deletion in its own transaction of at most
``batch_size`` turns, with its ``RETENTION_DELETE`` audit row written in that same
transaction; a shred is audited just before ``forget`` (which has its own, two-database
commit). The run ends by storing its :class:`RetentionReport` in ``retention_runs``
together with the ``RETENTION_RUN`` audit row. Any error stops the run and raises: what
was committed stays done, the run row stays unfinished, and the next run goes on. A
deletion that finds the rows changed under it (a racing writer) raises StorageError
and rolls back; a subject that gained data since it was inspected is not shredded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from veil.audit.events import Action, AuditEvent
from veil.policy.retention import CONVERSATION, Holds, LegalHold, RetentionRule, RetentionRules
from veil.policy.retention import expired as is_expired

if TYPE_CHECKING:
    from veil.storage import TurnStore
    from veil.storage.database import Hook
    from veil.storage.rights import RetentionStore
    from veil.storage.turns import SubjectInventory
    from veil.vault import Vault

__all__ = ["Auditor", "RetentionReport", "RetentionSweeper"]

RECORD_KINDS = ("turns", "vault_entries")
_PURPOSE = "retention"


class Auditor(Protocol):
    """What the rights and retention workflows need of ``veil.audit.AuditTrail``."""

    def record(self, event: AuditEvent) -> int: ...

    def hook(self, *events: AuditEvent) -> Hook: ...


@dataclass(frozen=True, slots=True)
class RetentionReport:
    """What one run did (or, with ``dry_run``, would do). Counts only, no ids."""

    run_id: int
    dry_run: bool
    started_at: datetime
    finished_at: datetime
    deleted: Mapping[str, int]
    held: Mapping[str, int]
    shredded_subjects: int
    subjects_affected: int

    def as_dict(self) -> dict[str, object]:
        """JSON-serializable (times in ISO 8601)."""
        return {
            "run_id": self.run_id,
            "dry_run": self.dry_run,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "deleted": dict(self.deleted),
            "held": dict(self.held),
            "shredded_subjects": self.shredded_subjects,
            "subjects_affected": self.subjects_affected,
        }


@dataclass(slots=True)
class _Tally:
    deleted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RECORD_KINDS, 0))
    held: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RECORD_KINDS, 0))
    shredded: int = 0
    affected: int = 0


@dataclass(frozen=True, slots=True)
class _Run:
    id: int
    now: datetime
    dry_run: bool
    holds: Holds
    cutoffs: dict[str, datetime]
    other: datetime | None
    map_rule: RetentionRule | None
    tally: _Tally


class RetentionSweeper:
    """Runs retention over the vault's database; see the module docstring."""

    def __init__(
        self,
        vault: Vault,
        rules: Iterable[RetentionRule],
        *,
        audit: Auditor,
        holds: Iterable[LegalHold] = (),
        turns: TurnStore | None = None,
        retention: RetentionStore | None = None,
        category: str = CONVERSATION,
        clock: Callable[[], datetime] | None = None,
        batch_size: int = 500,
        actor: str = "system:retention",
    ) -> None:
        from veil.storage import TurnStore
        from veil.storage.database import utcnow
        from veil.storage.rights import RetentionStore

        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        engine = vault.store.engine
        self._vault, self._audit = vault, audit
        self._rules = RetentionRules(rules)
        self._holds = tuple(holds)
        self._turns = turns if turns is not None else TurnStore(engine)
        self.retention = retention if retention is not None else RetentionStore(engine)
        self._category, self._batch, self._actor = category, batch_size, actor
        self._clock = clock if clock is not None else utcnow

    def run(self, *, dry_run: bool = False, now: datetime | None = None) -> RetentionReport:
        """Sweep once at ``now`` (default: the clock); returns the stored report."""
        now = now if now is not None else self._clock()
        cutoffs, other = self._rules.turn_cutoffs(self._category, now)
        map_rule = self._rules.map_rule(self._category)
        shortest = self._rules.shortest()
        stored = [
            LegalHold(h.tenant, None if h.subject is None else frozenset({h.subject}), h.reason)
            for h in self.retention.holds()
        ]
        run_id = self.retention.start_run(now, dry_run=dry_run)
        run = _Run(
            run_id, now, dry_run, Holds([*self._holds, *stored]), cutoffs, other, map_rule, _Tally()
        )
        after: tuple[str, str] | None = None
        while True:
            page = self._turns.retention_candidates(
                cutoffs=cutoffs,
                other=other,
                map_cutoff=None if map_rule is None else now - map_rule.keep,
                idle_cutoff=None if shortest is None else now - shortest,
                after=after,
                limit=self._batch,
            )
            for tenant, subject in page:
                self._sweep(run, tenant, subject)
            if len(page) < self._batch:
                break
            after = page[-1]
        tally = run.tally
        report = RetentionReport(
            run_id, dry_run, now, self._clock(), dict(tally.deleted), dict(tally.held),
            tally.shredded, tally.affected,
        )  # fmt: skip
        detail = {"run": run_id, "dry_run": dry_run, "subjects": tally.affected,
                  "shredded_subjects": tally.shredded,
                  **tally.deleted,
                  **{f"held_{k}": v for k, v in tally.held.items()}}  # fmt: skip
        event = self._event(Action.RETENTION_RUN, detail=detail)
        self.retention.finish_run(
            run_id, report.finished_at, report.as_dict(), hooks=[self._audit.hook(event)]
        )
        return report

    def _sweep(self, run: _Run, tenant: str, subject: str) -> None:
        inventory = self._turns.retention_inventory(
            tenant, subject, cutoffs=run.cutoffs, other=run.other
        )
        maps = self._expired_maps(run, tenant, inventory)
        turns = inventory.expired_turns
        entries = sum(m.entries for m in inventory.maps if m.conversation in maps)
        tally = run.tally
        if run.holds.covers(tenant, subject):
            tally.held["turns"] += len(turns)
            tally.held["vault_entries"] += entries
            return
        held_back = inventory.other_rows + sum(m.entries for m in inventory.maps) - entries
        left = inventory.turn_count - len(turns) + held_back
        if turns or entries or left == 0:
            tally.affected += 1
        if run.dry_run:
            tally.deleted["turns"] += len(turns)
            tally.deleted["vault_entries"] += entries
            tally.shredded += left == 0
            return
        chunks = [turns[i : i + self._batch] for i in range(0, len(turns), self._batch)] or [()]
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            convs = sorted(maps) if last else []
            want = entries if last else 0
            if not chunk and not want:
                break  # nothing to delete, only (perhaps) to shred
            detail = {"run": run.id, "turns": len(chunk), "vault_entries": want}
            event = self._event(
                Action.RETENTION_DELETE, tenant=tenant, subject=subject, detail=detail
            )
            done = self._turns.purge(
                tenant,
                subject,
                turns=chunk,
                conversations=convs,
                map_cutoff=None if run.map_rule is None else run.now - run.map_rule.keep,
                expect_entries=want,
                hooks=[self._audit.hook(event)],
            )
            tally.deleted["turns"] += done[0]
            tally.deleted["vault_entries"] += done[1]
        if left == 0:
            self._shred(run, tenant, subject)

    def _expired_maps(self, run: _Run, tenant: str, inventory: SubjectInventory) -> set[str]:
        """The subject's map conversations that have no live turn and expired maps."""
        if run.map_rule is None:
            return set()
        rules, category, now = self._rules, self._category, run.now
        live = {
            g.conversation
            for g in inventory.turn_groups
            if not rules.turn_expired(category, g.purpose, g.newest, now)
            or run.holds.covers(tenant, g.subject)
        }
        return {
            m.conversation
            for m in inventory.maps
            if m.conversation not in live and is_expired(m.newest, run.map_rule, now)
        }

    def _shred(self, run: _Run, tenant: str, subject: str) -> None:
        if self._turns.remaining(tenant, subject):
            return  # it gained data since it was inspected: live again, keep it
        detail = {"run": run.id, "shred": True}
        event = self._event(Action.RETENTION_DELETE, tenant=tenant, subject=subject, detail=detail)
        self._audit.record(event)  # before the act: an unaudited shred must not happen
        self._vault.forget(tenant, subject)
        run.tally.shredded += 1

    def _event(
        self,
        action: Action,
        *,
        tenant: str = "",
        subject: str | None = None,
        detail: Mapping[str, str | int | bool],
    ) -> AuditEvent:
        return AuditEvent(
            action,
            actor=self._actor,
            tenant=tenant,
            subject=subject,
            record=f"retention-run:{detail['run']}",
            purpose=_PURPOSE,
            detail=detail,
        )
