"""The retention sweeper on a real embedded vault, audit trail and injected clock.

Hundreds of turns over several tenants and subjects, with ages and purposes spread so
that every case occurs: expired, live, no rule, held by subject, held by tenant, maps
kept by a live turn, subjects left empty (shredded).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from veil.audit import Action, AuditTrail
from veil.core import EntityType
from veil.errors import AuditError, SubjectForgottenError
from veil.pipeline.conversations import ConversationMaps
from veil.pipeline.retention import RetentionSweeper
from veil.pipeline.turns import TurnLog
from veil.policy.retention import (
    ANY_PURPOSE,
    CONVERSATION,
    LegalHold,
    RecordKind,
    RetentionRule,
    expired,
)
from veil.storage import Store, TurnStore
from veil.transform import EMPTY_MAP, TokenEntry, TokenMap
from veil.vault import Vault

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
KEEP = {"ai_assistance": 30, "quality_review": 90, "analytics": 365}
RULES = [
    *(RetentionRule(RecordKind.TURN, CONVERSATION, p, d * DAY) for p, d in KEEP.items()),
    RetentionRule(RecordKind.PSEUDONYM_MAP, CONVERSATION, ANY_PURPOSE, 60 * DAY),
]
PURPOSES = [*KEEP, "unruled"]  # "unruled" has no rule: never deleted
TENANTS = {"clinic": [f"s{i:02d}" for i in range(12)], "bank": ["b0", "b1"]}


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@dataclass
class World:
    vault: Vault
    turns: TurnStore
    log: TurnLog
    clock: Clock
    trail: AuditTrail

    def sweeper(self, **kwargs: object) -> RetentionSweeper:
        return RetentionSweeper(
            self.vault, RULES, audit=self.trail, turns=self.turns, clock=self.clock, **kwargs
        )  # type: ignore[arg-type]


@pytest.fixture
def world(tmp_path: Path) -> World:
    clock = Clock(NOW)
    base = Vault.embedded(tmp_path / "data")
    vault = Vault(Store(base.store.engine, clock=clock), base.ledger, base.keys)
    turns = TurnStore(vault.store.engine, clock=clock)
    trail = AuditTrail.from_vault(vault, clock=clock)
    return World(vault, turns, TurnLog(vault, turns), clock, trail)


def _entry(n: int, value: str) -> TokenEntry:
    return TokenEntry(f"[EMAIL_{n}]", value, EntityType.EMAIL, f"id-{n}", "tag:[{entity}_{n}]:4")


def seed(world: World) -> dict[tuple[str, str, int], tuple[str, str, datetime]]:
    """~340 turns; returns (tenant, conversation, seq) -> (subject, purpose, created)."""
    maps = ConversationMaps(world.vault, world.vault.store)
    seeded: dict[tuple[str, str, int], tuple[str, str, datetime]] = {}
    i = 0
    for tenant, subjects in TENANTS.items():
        for s_index, subject in enumerate(subjects):
            for c_index in range(3):
                conversation = f"{subject}-c{c_index}"
                # s05 and b1 only ever talk for the short purpose, long ago: emptied.
                oldest = 20 + 37 * ((s_index + c_index) % 11)
                for seq in range(1, 9):
                    i += 1
                    age = max(oldest - 11 * (seq - 1), 0) + (i % 3)
                    purpose = PURPOSES[(i * 7 + c_index) % 4]
                    if subject in ("s05", "b1"):
                        age, purpose = 200 + seq, "ai_assistance"
                    world.clock.at = NOW - age * DAY
                    if seq == 1:
                        value = f"{subject}.{c_index}@example.org"
                        before = EMPTY_MAP
                        maps.persist(
                            tenant, conversation, subject, before, TokenMap([_entry(1, value)])
                        )
                    world.log.record(
                        tenant, conversation, subject, "user", f"t{i}", purpose=purpose
                    )
                    seeded[(tenant, conversation, seq)] = (subject, purpose, world.clock.at)
    world.clock.at = NOW
    return seeded


HOLDS = [LegalHold("bank", None, "regulator inquiry")]


def _rule(purpose: str) -> RetentionRule | None:
    days = KEEP.get(purpose)
    return (
        None if days is None else RetentionRule(RecordKind.TURN, CONVERSATION, purpose, days * DAY)
    )


def _held(tenant: str, subject: str) -> bool:
    return tenant == "bank" or (tenant, subject) == ("clinic", "s03")


def _expected_gone(
    seeded: dict[tuple[str, str, int], tuple[str, str, datetime]],
) -> set[tuple[str, str, int]]:
    gone = set()
    for key, (subject, purpose, created) in seeded.items():
        rule = _rule(purpose)
        if rule is not None and expired(created, rule, NOW) and not _held(key[0], subject):
            gone.add(key)
    return gone


def _all_turns(world: World) -> dict[tuple[str, str, int], bytes]:
    out: dict[tuple[str, str, int], bytes] = {}
    after = None
    while page := world.turns.page(after=after, limit=200):
        out.update({(t.tenant, t.conversation, t.seq): t.envelope for t in page})
        after = (page[-1].tenant, page[-1].conversation, page[-1].seq)
    return out


def test_a_sweep_deletes_exactly_the_expired_and_unheld(world: World) -> None:
    seeded = seed(world)
    assert len(seeded) > 300
    world.sweeper().retention.add_hold("clinic", "s03", "claim 2026-04")
    before = _all_turns(world)
    gone = _expected_gone(seeded)
    live = set(seeded) - gone
    assert 50 < len(gone) < len(seeded) - 50  # a real mix

    dry = world.sweeper(holds=HOLDS, batch_size=7).run(dry_run=True)
    assert _all_turns(world) == before  # a dry run deletes nothing
    report = world.sweeper(holds=HOLDS, batch_size=7).run()

    after = _all_turns(world)
    assert set(after) == live  # 100 % of the expired gone, every live one kept ...
    assert all(after[k] == before[k] for k in live)  # ... byte for byte untouched
    for tenant, conversation, seq in sorted(live)[:40]:
        subject = seeded[(tenant, conversation, seq)][0]
        assert [
            t.seq for t in world.log.of_subject(tenant, subject) if t.conversation == conversation
        ]
    held_gone = {k for k in seeded if _held(k[0], seeded[k][0])} - set(after)
    assert held_gone == set()
    assert report.deleted["turns"] == len(gone) == dry.deleted["turns"]
    assert report.held["turns"] > 0
    assert report.held == dry.held
    assert report.shredded_subjects == dry.shredded_subjects == 1  # s05; b1 is held
    assert report.deleted["vault_entries"] == dry.deleted["vault_entries"] > 0


def test_maps_go_only_when_their_conversation_is_dead_and_old(world: World) -> None:
    seeded = seed(world)
    world.sweeper(holds=HOLDS).run()
    remaining = _all_turns(world)
    for tenant, subjects in TENANTS.items():
        for subject in subjects:
            for c_index in range(3):
                conversation = f"{subject}-c{c_index}"
                keys = [k for k in seeded if k[:2] == (tenant, conversation)]
                alive = any(k in remaining for k in keys)
                first_entry_at = seeded[(tenant, conversation, 1)][2]
                old = first_entry_at + 60 * DAY <= NOW
                tokens = world.vault.store.get_tokens(tenant, conversation)
                if _held(tenant, subject) or alive or not old:
                    assert len(tokens) == 1, conversation
                else:
                    assert tokens == [], conversation


def test_emptied_subjects_are_crypto_shredded_and_held_ones_are_not(world: World) -> None:
    seed(world)
    report = world.sweeper(holds=HOLDS).run()
    assert report.shredded_subjects == 1
    assert world.vault.is_forgotten("clinic", "s05")
    assert not world.vault.is_forgotten("bank", "b1")  # empty too, but held
    assert not world.vault.is_forgotten("clinic", "s00")
    with pytest.raises(SubjectForgottenError):
        world.log.record("clinic", "new", "s05", "user", "back again")
    assert world.vault.derive_key("clinic", "x")  # the reserved subjects are untouched
    again = world.sweeper(holds=HOLDS).run()
    assert (again.deleted, again.shredded_subjects) == ({"turns": 0, "vault_entries": 0}, 0)


def test_runs_are_reported_persisted_and_audited(world: World) -> None:
    seed(world)
    sweeper = world.sweeper(holds=HOLDS, batch_size=7)
    report = sweeper.run()
    (stored,) = sweeper.retention.runs()
    assert stored.report == report.as_dict()
    assert stored.finished_at == NOW
    json.dumps(report.as_dict())
    (run_row,) = world.trail.query(actions=[Action.RETENTION_RUN])
    assert run_row.detail["turns"] == report.deleted["turns"]
    assert run_row.detail["run"] == report.run_id
    deletes = world.trail.query(actions=[Action.RETENTION_DELETE], limit=10_000)
    assert sum(int(r.detail.get("turns", 0)) for r in deletes) == report.deleted["turns"]
    assert (
        sum(int(r.detail.get("vault_entries", 0)) for r in deletes)
        == (report.deleted["vault_entries"])
    )
    shreds = [r for r in deletes if r.detail.get("shred")]
    assert [r.subject_hash for r in shreds] == [world.trail.subject_hash("clinic", "s05")]
    assert len({r.subject_hash for r in deletes}) == report.subjects_affected
    # A subject with more expired turns than a batch was deleted in several transactions.
    per_subject: dict[str | None, int] = {}
    for row in deletes:
        per_subject[row.subject_hash] = per_subject.get(row.subject_hash, 0) + 1
    assert max(per_subject.values()) > 2
    for row in deletes:
        assert set(row.detail) <= {"run", "turns", "vault_entries", "shred"}


def test_a_failing_audit_rolls_the_deletion_back(world: World) -> None:
    seed(world)
    before = _all_turns(world)
    with world.vault.store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_head")
    with pytest.raises(AuditError):
        world.sweeper(holds=HOLDS).run()
    assert _all_turns(world) == before
    (unfinished,) = world.sweeper().retention.runs()
    assert unfinished.finished_at is None


def test_released_holds_no_longer_protect(world: World) -> None:
    seeded = seed(world)
    sweeper = world.sweeper()
    hold = sweeper.retention.add_hold("bank", None, "inquiry")
    sweeper.run()
    assert any(k[0] == "bank" for k in _all_turns(world))
    assert sweeper.retention.release_hold(hold)
    sweeper.run()
    bank_left = {k for k in _all_turns(world) if k[0] == "bank"}
    assert bank_left == {k for k in seeded if k[0] == "bank"} - _expected_gone_unheld(seeded)
    assert world.vault.is_forgotten("bank", "b1")


def _expected_gone_unheld(
    seeded: dict[tuple[str, str, int], tuple[str, str, datetime]],
) -> set[tuple[str, str, int]]:
    return {
        key
        for key, (_, purpose, created) in seeded.items()
        if (rule := _rule(purpose)) is not None and expired(created, rule, NOW)
    }


def test_no_rules_delete_nothing(world: World) -> None:
    seed(world)
    before = _all_turns(world)
    report = RetentionSweeper(world.vault, [], audit=world.trail, clock=world.clock).run()
    assert _all_turns(world) == before
    assert report.deleted == {"turns": 0, "vault_entries": 0}
    assert report.shredded_subjects == 0
