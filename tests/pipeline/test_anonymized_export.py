"""The anonymized export on a real vault: no canary survives, generalizations show,
ids are random per export, and two exports do not correlate."""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from veil.audit import Action, AuditTrail
from veil.core import EntityType
from veil.errors import AuditError
from veil.pipeline import Analyzer, Veil
from veil.pipeline.anonymized_export import AnonymizedExport, export_analyzer
from veil.pipeline.conversations import ConversationMaps
from veil.storage import TurnStore
from veil.testing import canary_card, canary_email, canary_iban, canary_person, canary_phone
from veil.transform import EMPTY_MAP, TokenEntry, TokenMap

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    analyzer = export_analyzer()
    analyzer.warm_up()
    return analyzer


@pytest.fixture
def veil(tmp_path: Path, analyzer: Analyzer) -> Iterator[Veil]:
    with Veil.embedded(tmp_path / "data", analyzer=analyzer) as front:
        yield front


def export(veil: Veil, analyzer: Analyzer, **kwargs: object) -> list[dict[str, object]]:
    out = io.StringIO()
    AnonymizedExport(veil._vault, analyzer, **kwargs).write(out)  # type: ignore[arg-type]
    return [json.loads(line) for line in out.getvalue().splitlines()]


def seed(veil: Veil) -> tuple[list[str], list[str]]:
    """Three subjects, two conversations each; returns (canaries, birth months)."""
    canaries: list[str] = []
    months: list[str] = []
    for s in range(3):
        subject = f"cust-{secrets.token_hex(4)}"
        canaries.append(subject)
        for c in range(2):
            conversation = f"conv-{secrets.token_hex(4)}"
            canaries.append(conversation)
            name, email, card = canary_person(), canary_email(), canary_card()
            phone, iban = canary_phone(), canary_iban()
            day, month, year = (
                1 + secrets.randbelow(28),
                1 + secrets.randbelow(12),
                1940 + s * 20 + c,
            )
            born = f"{day} {MONTHS[month - 1]} {year}"
            canaries += [name, email, card, phone, iban, born]
            months.append(f"{year}-{month:02d}")
            text = (
                f"Hello, my name is {name} and I was born on {born}. I am 42 years old. "
                f"Card {card}, IBAN {iban}, mail {email}, phone {phone}, postcode SW1A 1AA."
            )
            if c == 0:  # this one went through protect: its values are in the vault map
                veil.protect(text, conversation=conversation, subject=subject)
            veil.record_turn(conversation=conversation, subject=subject, role="user", text=text)
            veil.record_turn(
                conversation=conversation, subject=subject, role="assistant",
                text=f"Thank you {name}, we will call {phone} and write to {email}.",
            )  # fmt: skip
    return canaries, months


def test_no_canary_survives_and_generalizations_show(veil: Veil, analyzer: Analyzer) -> None:
    canaries, months = seed(veil)
    rows = export(veil, analyzer)
    assert len(rows) == 12
    blob = json.dumps(rows, ensure_ascii=False)
    leaked = [value for value in canaries if value in blob]
    assert leaked == []
    for month in months:
        assert month in blob  # dates → year-month
    assert "40-49 years old" in blob  # ages → bands
    assert "postcode SW1." in blob  # postcodes → prefix
    assert {str(row["month"])[:2] for row in rows} == {"20"}
    assert {row["purpose"] for row in rows} == {"ai_assistance"}
    user = next(r for r in rows if r["role"] == "user")
    assert str(user["text"]).startswith("Hello, my name is ")  # readable, realistic


def test_fakes_are_consistent_within_an_export_and_differ_between_exports(
    veil: Veil, analyzer: Analyzer
) -> None:
    email = canary_email()
    for conversation in ("c1", "c2"):
        veil.record_turn(conversation=conversation, subject="s1", role="user", text=f"Mail {email}")
    first, second = export(veil, analyzer), export(veil, analyzer)
    assert first[0]["text"] == first[1]["text"] != f"Mail {email}"
    assert first[0]["subject"] == first[1]["subject"]
    assert first[0]["conversation"] != first[1]["conversation"]
    assert first[0]["text"] != second[0]["text"]  # a fresh key per export
    ids = {r["subject"] for r in first} | {r["conversation"] for r in first}
    assert ids.isdisjoint({r["subject"] for r in second} | {r["conversation"] for r in second})
    assert not ({"s1", "c1", "c2"} & {str(v) for r in first for v in r.values()})


def test_values_known_to_the_vault_are_replaced_even_if_detection_misses_them(
    veil: Veil, analyzer: Analyzer
) -> None:
    odd = f"zq{secrets.token_hex(3)}kappa"  # no detector knows this shape
    assert analyzer.analyze(f"ref {odd} please") == []
    maps = ConversationMaps(veil._vault, veil._vault.store)
    entry = TokenEntry("[USERNAME_1]", odd, EntityType.USERNAME, "id-1", "tag:[{entity}_{n}]:4")
    maps.persist("default", "c1", "s1", EMPTY_MAP, TokenMap([entry]))
    veil.record_turn(conversation="c1", subject="s1", role="user", text=f"ref {odd} please")
    (row,) = export(veil, analyzer)
    assert odd not in str(row["text"])
    assert str(row["text"]).startswith("ref ")


def test_erased_and_excluded_subjects_are_left_out(veil: Veil, analyzer: Analyzer) -> None:
    for subject in ("keep", "gone", "restricted"):
        veil.record_turn(conversation=f"c-{subject}", subject=subject, role="user", text="hi")
    store = TurnStore(veil._vault.store.engine)
    (leftover,) = store.of_conversation("default", "c-gone")
    veil._vault.forget("default", "gone")
    assert store.add(leftover)  # as if an old backup had been restored
    out = io.StringIO()
    summary = AnonymizedExport(
        veil._vault, analyzer, include=lambda tenant, subject: subject != "restricted"
    ).write(out)
    assert summary.as_dict() == {"turns": 1, "conversations": 1, "subjects": 1,
                                 "skipped_erased": 1, "skipped_excluded": 1}  # fmt: skip
    assert len(out.getvalue().splitlines()) == 1


def test_the_export_is_audited_and_refused_without_an_audit_row(
    veil: Veil, analyzer: Analyzer
) -> None:
    veil.record_turn(conversation="c1", subject="s1", role="user", text="hi")
    trail = AuditTrail.from_vault(veil._vault)
    assert len(export(veil, analyzer, audit=trail)) == 1
    (row,) = trail.query(actions=[Action.TURN_READ])
    assert (row.record, row.purpose, row.detail) == (
        "anonymized-export", "analytics", {"export": "anonymized"},
    )  # fmt: skip
    with veil._vault.store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_head")
    with pytest.raises(AuditError):
        export(veil, analyzer, audit=trail)
