"""The access export: exactly one subject's data, as JSON and as escaped HTML."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from veil.audit import AuditTrail
from veil.pipeline import Analyzer, Veil
from veil.pipeline.rights_export import FORMAT, SubjectExporter, TrailAccesses, plain
from veil.policy.consent import ConsentRegistry
from veil.policy.loader import parse_policy
from veil.storage.consents import ConsentStore
from veil.storage.database import utcnow
from veil.testing import canary_card, canary_email, canary_iban, canary_person, canary_phone
from veil.vault import Vault

POLICY = parse_policy(
    (Path(__file__).parents[2] / "src/veil/policy/default_policy.toml").read_text()
)


@dataclass
class Setup:
    vault: Vault
    veil: Veil
    registry: ConsentRegistry
    exporter: SubjectExporter


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    analyzer = Analyzer.from_settings()
    analyzer.warm_up()
    return analyzer


@pytest.fixture
def setup(tmp_path: Path, analyzer: Analyzer) -> Iterator[Setup]:
    vault = Vault.embedded(tmp_path / "data")
    trail = AuditTrail.from_vault(vault)
    registry = ConsentRegistry(ConsentStore(vault.store.engine))
    exporter = SubjectExporter(vault, consents=registry, accesses=TrailAccesses(trail))
    yield Setup(vault, Veil(analyzer, vault), registry, exporter)
    vault.store.engine.dispose()
    vault.ledger.engine.dispose()


@dataclass
class Seeded:
    canaries: list[str]
    texts: dict[str, list[str]]  # conversation -> turn texts
    issued: dict[str, dict[str, str]]  # conversation -> token -> value


def seed(setup: Setup, subject: str) -> Seeded:
    canaries: list[str] = []
    texts: dict[str, list[str]] = {}
    issued: dict[str, dict[str, str]] = {}
    for n in range(2):
        name, email, card = canary_person(), canary_email(), canary_card()
        phone, iban = canary_phone(), canary_iban()
        canaries += [name, email, card, phone, iban]
        conversation = f"{subject}-conv-{n}"
        message = f"I am {name}, card {card}, IBAN {iban}. Mail {email} or call {phone}."
        done = setup.veil.protect(message, conversation=conversation, subject=subject)
        issued[conversation] = {e.pseudonym: e.value for e in done.token_map}
        reply = f"Thank you {name}, we will call {phone}."
        for role, text in (("user", message), ("assistant", reply)):
            setup.veil.record_turn(conversation=conversation, subject=subject, role=role, text=text)
        texts[conversation] = [message, reply]
    setup.registry.grant(
        POLICY, "default", subject, "analytics", source="web-form", notice_version="2026-01"
    )
    setup.registry.restrict("default", subject, source="web-form")
    return Seeded(canaries, texts, issued)


def test_an_export_holds_exactly_the_subjects_data(setup: Setup) -> None:
    alice, bob = seed(setup, "alice"), seed(setup, "bob")
    export = setup.exporter.export("default", "alice", at=utcnow())
    doc = json.loads(export.to_json())
    assert doc["format"] == FORMAT
    assert (doc["tenant"], doc["subject"]) == ("default", "alice")
    got = {c["conversation"]: [t["text"] for t in c["turns"]] for c in doc["conversations"]}
    assert got == alice.texts
    assert [t["role"] for t in doc["conversations"][0]["turns"]] == ["user", "assistant"]
    assert {t["purpose"] for c in doc["conversations"] for t in c["turns"]} == {"ai_assistance"}
    pseudonyms: dict[str, dict[str, str]] = {}
    for p in doc["pseudonyms"]:
        pseudonyms.setdefault(p["conversation"], {})[p["token"]] = p["value"]
    assert pseudonyms == alice.issued
    assert len(alice.issued["alice-conv-0"]) >= 5
    assert [(c["purpose"], c["granted"]) for c in doc["consents"]] == [("analytics", True)]
    assert [r["restricted"] for r in doc["restrictions"]] == [True]
    assert all(c["subject"] == "alice" for c in doc["consents"])
    html = export.to_html()
    for value in alice.canaries:
        assert value in export.to_json()
        assert value in html
    for value in bob.canaries:  # nothing of the other subject
        assert value not in export.to_json()
        assert value not in html
    assert "bob" not in export.to_json()
    assert export.counts() == {"conversations": 2, "turns": 4, "pseudonyms": len(doc["pseudonyms"]),
                               "consents": 1, "restrictions": 1, "accesses": 0}  # fmt: skip
    assert "Mail" not in repr(export)


def test_accesses_come_from_the_audit_trail(setup: Setup) -> None:
    from veil.audit import Action, AuditEvent

    trail = AuditTrail.from_vault(setup.vault)
    seed(setup, "alice")
    read = AuditEvent(Action.TURN_READ, actor="agent-7", role="support", tenant="default",
                      subject="alice", record="alice-conv-0", purpose="quality_review")  # fmt: skip
    trail.record(read)
    trail.record(AuditEvent(Action.TURN_READ, actor="agent-9", tenant="default", subject="bob"))
    doc = setup.exporter.export("default", "alice", at=utcnow()).as_dict()
    assert [(a["actor"], a["action"], a["purpose"]) for a in doc["accesses"]] == [
        ("agent-7", "turn.read", "quality_review")
    ]
    json.dumps(doc)


def test_the_html_report_escapes_what_the_customer_typed(setup: Setup) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    setup.veil.record_turn(conversation="c1", subject="alice", role="user", text=hostile)
    html = setup.exporter.export("default", "alice", at=utcnow()).to_html()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_a_subject_with_nothing_stored_gets_an_empty_export(setup: Setup) -> None:
    export = setup.exporter.export("default", "nobody", at=utcnow())
    doc = export.as_dict()
    assert doc["conversations"] == doc["pseudonyms"] == doc["consents"] == []
    assert "No conversations are stored." in export.to_html()


def test_plain_refuses_sealed_bytes() -> None:
    with pytest.raises(TypeError, match="bytes"):
        plain({"envelope": b"\x01sealed"})
