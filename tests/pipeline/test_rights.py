"""The data-subject request workflow on a real embedded vault, audit trail and consent
registry: verification first, erasure that survives a restored backup, rectification,
restriction, overdue requests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from veil.audit import Action, AuditTrail
from veil.errors import InputError, PolicyError, SubjectForgottenError
from veil.pipeline import Analyzer, Veil
from veil.pipeline.rights import DataSubjectRequests
from veil.pipeline.rights_export import SubjectExporter, TrailAccesses
from veil.pipeline.rights_requests import Correction, Law, RequestKind, RequestStatus
from veil.pipeline.turns import TurnLog
from veil.policy.consent import ConsentRegistry
from veil.storage import TurnStore, checkpoint
from veil.storage.consents import ConsentStore
from veil.storage.rights import RetentionStore
from veil.testing import canary_card, canary_email, canary_person, canary_phone
from veil.vault import Vault

T0 = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


@dataclass
class Setup:
    directory: Path
    vault: Vault
    veil: Veil
    trail: AuditTrail
    registry: ConsentRegistry
    rights: DataSubjectRequests
    clock: Clock

    def close(self) -> None:
        self.vault.store.engine.dispose()
        self.vault.ledger.engine.dispose()


def build(directory: Path, analyzer: Analyzer, clock: Clock) -> Setup:
    vault = Vault.embedded(directory)
    trail = AuditTrail.from_vault(vault)
    registry = ConsentRegistry(ConsentStore(vault.store.engine))
    exporter = SubjectExporter(vault, consents=registry, accesses=TrailAccesses(trail))
    rights = DataSubjectRequests(
        vault, audit=trail, exporter=exporter, restrictor=registry, clock=clock
    )
    veil = Veil(analyzer, vault, map_cache_seconds=0)
    return Setup(directory, vault, veil, trail, registry, rights, clock)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    analyzer = Analyzer.from_settings()
    analyzer.warm_up()
    return analyzer


@pytest.fixture
def setup(tmp_path: Path, analyzer: Analyzer) -> Iterator[Setup]:
    built = build(tmp_path / "data", analyzer, Clock())
    yield built
    built.close()


def seed(setup: Setup, subject: str) -> list[str]:
    """One conversation for ``subject`` full of canaries; returns the canaries."""
    values = [canary_person(), canary_email(), canary_card(), canary_phone()]
    name, email, card, phone = values
    text = f"Hi, my name is {name}. Card {card}, mail {email}, phone {phone}."
    conversation = f"conv-{subject}"
    setup.veil.protect(text, conversation=conversation, subject=subject)
    setup.veil.record_turn(conversation=conversation, subject=subject, role="user", text=text)
    setup.veil.record_turn(
        conversation=conversation, subject=subject, role="assistant", text=f"Thanks {name}!"
    )
    return values


def opened(setup: Setup, kind: RequestKind, subject: str = "alice", law: Law = Law.GDPR) -> str:
    return setup.rights.open("default", subject, kind, law, actor="dpo").id


def verified(setup: Setup, kind: RequestKind, subject: str = "alice") -> str:
    request_id = opened(setup, kind, subject)
    setup.rights.verify(request_id, method="id_document", verifier="dpo")
    return request_id


def rows(setup: Setup, *actions: Action) -> list[object]:
    return list(setup.trail.query(actions=list(actions), limit=10_000))


# -- verification first ----------------------------------------------------------------


def test_nothing_is_executed_before_identity_verification(setup: Setup) -> None:
    seed(setup, "alice")
    token = setup.vault.store.get_tokens("default", "conv-alice")[0]
    rights = setup.rights
    actions = {
        RequestKind.ACCESS: lambda rid: rights.export(rid, actor="dpo"),
        RequestKind.ERASURE: lambda rid: rights.erase(rid, actor="dpo"),
        RequestKind.RECTIFICATION: lambda rid: rights.rectify(
            rid, [Correction("conv-alice", token.token, "new")], actor="dpo"
        ),
        RequestKind.RESTRICTION: lambda rid: rights.restrict(rid, actor="dpo"),
    }
    for kind, act in actions.items():
        request_id = opened(setup, kind)
        with pytest.raises(PolicyError, match="not verified"):
            act(request_id)
        assert rights.get(request_id).status is RequestStatus.RECEIVED
        other = next(k for k in actions if k is not kind)
        with pytest.raises(InputError, match=f"is a {kind.value} request"):
            actions[other](request_id)
    assert not setup.vault.is_forgotten("default", "alice")
    assert not setup.registry.status("default", "alice").restricted
    assert setup.vault.store.get_tokens("default", "conv-alice")[0].envelope == token.envelope
    executed = (Action.SUBJECT_EXPORT, Action.SUBJECT_ERASE, Action.SUBJECT_RECTIFY,
                Action.SUBJECT_RESTRICT)  # fmt: skip
    assert rows(setup, *executed) == []
    rejected = verified(setup, RequestKind.ACCESS)
    rights.reject(rejected, reason="manifestly_unfounded", actor="dpo")
    with pytest.raises(PolicyError):
        rights.export(rejected, actor="dpo")


def test_the_request_moves_through_its_states_with_times_and_audit(setup: Setup) -> None:
    seed(setup, "alice")
    request_id = opened(setup, RequestKind.ACCESS)
    request = setup.rights.get(request_id)
    assert (request.status, request.received_at, request.due_at) == (
        RequestStatus.RECEIVED, T0, datetime(2026, 2, 28, 9, 0, tzinfo=UTC),
    )  # fmt: skip
    setup.clock.at = T0 + timedelta(days=2)
    request = setup.rights.verify(request_id, method="id_document", verifier="agent-7")
    assert (request.status, request.verified_at, request.verifier) == (
        RequestStatus.VERIFIED, T0 + timedelta(days=2), "agent-7",
    )  # fmt: skip
    assert request.verification_method == "id_document"
    with pytest.raises(PolicyError):
        setup.rights.verify(request_id, method="id_document", verifier="agent-7")
    setup.clock.at = T0 + timedelta(days=3)
    export = setup.rights.export(request_id, actor="dpo")
    assert export.counts()["turns"] == 2
    done = setup.rights.get(request_id)
    assert (done.status, done.closed_at) == (RequestStatus.COMPLETED, T0 + timedelta(days=3))
    with pytest.raises(PolicyError):
        setup.rights.export(request_id, actor="dpo")
    statuses = [r.detail.get("status") for r in rows(setup, Action.DSAR_UPDATE)]  # type: ignore[attr-defined]
    assert statuses == ["verified", "completed"]
    (opened_row,) = rows(setup, Action.DSAR_OPEN)
    assert opened_row.subject_hash == setup.trail.subject_hash("default", "alice")  # type: ignore[attr-defined]
    (export_row,) = rows(setup, Action.SUBJECT_EXPORT)
    assert export_row.detail["turns"] == 2  # type: ignore[attr-defined]


def test_bad_codes_and_unknown_requests_are_refused(setup: Setup) -> None:
    request_id = opened(setup, RequestKind.ACCESS)
    with pytest.raises(InputError):
        setup.rights.verify(request_id, method="Looked at the passport of Maria", verifier="x")
    with pytest.raises(InputError):
        setup.rights.reject(request_id, reason="", actor="dpo")
    with pytest.raises(InputError):
        setup.rights.get("nope")
    with pytest.raises(InputError):
        setup.rights.open("default", "", RequestKind.ACCESS, Law.GDPR, actor="dpo")


def test_overdue_lists_open_requests_past_their_due_date(setup: Setup) -> None:
    gdpr = opened(setup, RequestKind.ACCESS, "alice")
    ccpa = setup.rights.open("default", "bob", RequestKind.ACCESS, Law.CCPA, actor="dpo").id
    closed = opened(setup, RequestKind.ERASURE, "carol")
    setup.rights.reject(closed, reason="duplicate", actor="dpo")
    assert [r.id for r in setup.rights.pending()] == [gdpr, ccpa]
    assert setup.rights.overdue(T0 + timedelta(days=28)) == []
    assert [r.id for r in setup.rights.overdue(T0 + timedelta(days=29))] == [gdpr]
    assert [r.id for r in setup.rights.overdue(T0 + timedelta(days=46))] == [gdpr, ccpa]


# -- erasure -------------------------------------------------------------------------------


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()}


def test_erasure_leaves_no_plaintext_and_survives_restoring_an_old_backup(
    tmp_path: Path, analyzer: Analyzer
) -> None:
    directory = tmp_path / "data"
    setup = build(directory, analyzer, Clock())
    alice, bob = seed(setup, "alice"), seed(setup, "bob")
    setup.registry.restrict("default", "alice", source="web-form")
    checkpoint(setup.vault.store.engine)
    backup = tmp_path / "backup.db"
    shutil.copy(directory / "veil.db", backup)  # taken BEFORE the erasure

    request_id = verified(setup, RequestKind.ERASURE)
    done = setup.rights.erase(request_id, actor="dpo")
    assert done.status is RequestStatus.COMPLETED
    assert done.subject.startswith("veil:erased:")  # the id does not outlive the erasure
    assert setup.vault.is_forgotten("default", "alice")
    (erase_row,) = rows(setup, Action.SUBJECT_ERASE)
    assert erase_row.subject_hash == setup.trail.subject_hash("default", "alice")  # type: ignore[attr-defined]
    setup.close()

    for name, raw in {**_files(directory), "backup.db": backup.read_bytes()}.items():
        for value in [*alice, *bob]:  # sealed everywhere, even in the old backup
            assert value.encode() not in raw, name
            assert value.encode("utf-16-le") not in raw, name
    for name, raw in _files(directory).items():
        assert b"alice" not in raw, name  # nor the subject id in the live files

    # Restore the old database beside the current ledger and key file.
    for leftover in directory.glob("veil.db-*"):
        leftover.unlink()
    shutil.copy(backup, directory / "veil.db")
    restored = build(directory, analyzer, Clock())
    log = TurnLog(restored.vault, TurnStore(restored.vault.store.engine))
    assert len(log.store.of_subject("default", "alice")) == 2  # the rows are back ...
    with pytest.raises(SubjectForgottenError):  # ... but nothing can open them
        log.of_subject("default", "alice")
    with pytest.raises(SubjectForgottenError):
        restored.veil.protect("hello again", conversation="conv-alice", subject="alice")
    with pytest.raises(SubjectForgottenError):
        restored.veil.record_turn(conversation="c", subject="alice", role="user", text="hi")
    assert alice[1] not in restored.veil.restore("[EMAIL_1]", conversation="conv-alice")
    assert [t.text for t in log.of_subject("default", "bob")][1] == f"Thanks {bob[0]}!"
    restored.close()


def test_erasure_is_refused_while_a_legal_hold_covers_the_subject(setup: Setup) -> None:
    seed(setup, "alice")
    holds = RetentionStore(setup.vault.store.engine)
    hold = holds.add_hold("default", "alice", "pending claim")
    request_id = verified(setup, RequestKind.ERASURE)
    with pytest.raises(PolicyError, match="legal hold"):
        setup.rights.erase(request_id, actor="dpo")
    assert not setup.vault.is_forgotten("default", "alice")
    assert rows(setup, Action.SUBJECT_ERASE) == []
    holds.release_hold(hold)
    setup.rights.erase(request_id, actor="dpo")
    assert setup.vault.is_forgotten("default", "alice")
    assert [h.subject for h in holds.holds(active=False)] == [setup.rights.get(request_id).subject]


def test_other_requests_of_an_erased_subject_cannot_reach_it(setup: Setup) -> None:
    seed(setup, "alice")
    access, first, second = (
        verified(setup, kind) for kind in (RequestKind.ACCESS, RequestKind.ERASURE,
                                           RequestKind.ERASURE)
    )  # fmt: skip
    setup.rights.erase(first, actor="dpo")
    assert setup.rights.get(access).subject == setup.rights.get(first).subject
    with pytest.raises(PolicyError, match="was erased"):
        setup.rights.export(access, actor="dpo")
    assert setup.rights.erase(second, actor="dpo").status is RequestStatus.COMPLETED
    assert len(rows(setup, Action.SUBJECT_ERASE)) == 1
    with pytest.raises(InputError, match="reserved"):
        setup.rights.open("default", "veil:erased:x", RequestKind.ACCESS, Law.GDPR, actor="d")


# -- rectification and restriction ----------------------------------------------------


def test_rectification_reseals_one_pseudonym_and_audits_no_value(setup: Setup) -> None:
    name, email, _, _ = seed(setup, "alice")
    seed(setup, "bob")
    tokens = {t.token: t for t in setup.vault.store.get_tokens("default", "conv-alice")}
    assert setup.veil.restore("[EMAIL_1]", conversation="conv-alice") == email
    fixed = canary_email()
    request_id = verified(setup, RequestKind.RECTIFICATION)
    with pytest.raises(InputError, match="no pseudonym"):
        setup.rights.rectify(request_id, [Correction("conv-bob", "[EMAIL_1]", fixed)], actor="dpo")
    done = setup.rights.rectify(
        request_id, [Correction("conv-alice", "[EMAIL_1]", fixed)], actor="dpo"
    )
    assert done.status is RequestStatus.COMPLETED
    assert setup.veil.restore("[EMAIL_1] / [PERSON_1]", conversation="conv-alice") == (
        f"{fixed} / {name}"
    )
    after = {t.token: t for t in setup.vault.store.get_tokens("default", "conv-alice")}
    assert after["[EMAIL_1]"].envelope != tokens["[EMAIL_1]"].envelope
    assert after["[PERSON_1]"].envelope == tokens["[PERSON_1]"].envelope
    (row,) = rows(setup, Action.SUBJECT_RECTIFY)
    assert row.detail == {"conversation": "conv-alice", "token": "[EMAIL_1]", "entity": "EMAIL"}  # type: ignore[attr-defined]
    every = repr(setup.trail.query(limit=10_000))
    assert email not in every
    assert fixed not in every


def test_restriction_goes_through_the_registry_with_its_audit_row(setup: Setup) -> None:
    seed(setup, "alice")
    request_id = verified(setup, RequestKind.RESTRICTION)
    done = setup.rights.restrict(request_id, actor="dpo")
    assert done.status is RequestStatus.COMPLETED
    status = setup.registry.status("default", "alice")
    assert status.restricted
    assert status.restriction is not None
    assert status.restriction.source == f"dsar:{request_id}"
    (row,) = rows(setup, Action.SUBJECT_RESTRICT)
    assert row.record == f"dsar:{request_id}"  # type: ignore[attr-defined]
