"""``Veil`` audits every step that touches personal data, and fails when it cannot."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from veil.audit import Action
from veil.errors import AuditError, VeilError
from veil.pipeline import Analyzer, Veil
from veil.testing import canary_email


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.from_settings()


@pytest.fixture
def veil(tmp_path: Path, analyzer: Analyzer) -> Iterator[Veil]:
    with Veil.embedded(tmp_path, analyzer=analyzer) as veil:
        yield veil


def _rows(veil: Veil) -> list[dict[str, object]]:
    assert veil.audit is not None
    return [row.as_dict() for row in veil.audit.query(limit=100)]


def test_issue_restore_read_and_erase_are_audited_without_values(veil: Veil) -> None:
    email, subject = canary_email(), "cust-" + canary_email()
    sent = veil.protect(
        f"mail {email}", conversation="c1", subject=subject, actor="svc-1", purpose="support"
    )
    assert veil.restore(sent.text, conversation="c1", subject=subject) == f"mail {email}"
    veil.turns(conversation="c1", actor="agent-7")
    veil.forget(subject, actor="officer-2")
    rows = _rows(veil)
    assert [r["action"] for r in rows] == [
        Action.TOKEN_ISSUE.value,
        Action.TOKEN_RESTORE.value,
        Action.TURN_READ.value,
        Action.SUBJECT_ERASE.value,
        Action.SUBJECT_ERASE.value,
    ]
    assert [r["detail"] for r in rows[-2:]] == [{"stage": "requested"}, {"stage": "deleted"}]
    issued = rows[0]
    assert issued["actor"] == "svc-1"
    assert issued["purpose"] == "support"
    assert issued["record"] == "c1"
    assert issued["detail"] == {"count": 1, "entities": "EMAIL"}
    assert veil.audit is not None
    assert issued["subject_hash"] == veil.audit.subject_hash("default", subject)
    dumped = json.dumps(rows)
    assert email not in dumped
    assert subject not in dumped
    assert veil.audit.verify().ok


def test_nothing_to_issue_or_restore_writes_no_row(veil: Veil) -> None:
    veil.protect("no personal data here", conversation="c1", subject="s")
    veil.restore("nothing to put back", conversation="c1")
    assert _rows(veil) == []


def test_a_broken_audit_sink_refuses_protect_and_keeps_nothing(veil: Veil) -> None:
    email = canary_email()
    engine = veil._maps.store.engine
    with engine.begin() as conn:  # the sink breaks: its table is gone
        conn.execute(sa.text("ALTER TABLE audit_rows RENAME TO audit_rows_gone"))
    with pytest.raises(VeilError) as caught:
        veil.protect(f"mail {email}", conversation="c1", subject="s")
    assert isinstance(caught.value, AuditError | VeilError)
    assert email not in str(caught.value)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM vault_entries")).scalar_one() == 0
    with pytest.raises(VeilError):
        veil.forget("s")
    assert not veil._vault.is_forgotten("default", "s")  # refused before the ledger moved
