"""Staff reads of stored conversations: masked by default, unmasked with a purpose."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from veil.audit import Action
from veil.errors import AuditError, InputError
from veil.pipeline import Analyzer, Veil
from veil.pipeline.transcripts import Transcripts
from veil.testing import canary_email, canary_phone


@pytest.fixture
def veil(tmp_path: Path) -> Iterator[Veil]:
    with Veil.embedded(tmp_path, analyzer=Analyzer.from_settings()) as veil:
        yield veil


def test_masked_hides_values_and_is_audited_per_subject(veil: Veil) -> None:
    email, phone = canary_email(), canary_phone()
    veil.record_turn(conversation="c", subject="s1", role="user", text=f"mail {email}")
    veil.record_turn(conversation="c", subject="s1", role="assistant", text=f"call {phone}?")
    views = Transcripts(veil).masked("default", "c", actor="agent-1", role="agent")
    assert [(t.seq, t.role) for t in views] == [(1, "user"), (2, "assistant")]
    joined = " ".join(t.text for t in views)
    assert email not in joined
    assert phone not in joined
    assert "[EMAIL]" in joined
    assert "[PHONE]" in joined
    assert veil.audit is not None
    rows = veil.audit.query(actions=[Action.TURN_READ])
    assert len(rows) == 1
    assert rows[0].actor == "agent-1"
    assert rows[0].subject_hash == veil.audit.subject_hash("default", "s1")


def test_unmasked_needs_a_purpose_and_leaves_a_highlightable_row(veil: Veil) -> None:
    email = canary_email()
    veil.record_turn(conversation="c", subject="s1", role="user", text=f"mail {email}")
    transcripts = Transcripts(veil)
    for bad in ("", "Because I want to", f"x {email}"):
        with pytest.raises(InputError) as caught:
            transcripts.unmasked("default", "c", actor="sup-1", role="supervisor", purpose=bad)
        assert email not in str(caught.value)
    views = transcripts.unmasked(
        "default", "c", actor="sup-1", role="supervisor", purpose="complaint"
    )
    assert views[0].text == f"mail {email}"
    assert veil.audit is not None
    (row,) = veil.audit.query(actions=[Action.VALUE_UNMASK])
    assert (row.purpose, row.role, row.detail) == ("complaint", "supervisor", {"turns": 1})


def test_no_text_leaves_when_the_audit_cannot_be_written(veil: Veil) -> None:
    veil.record_turn(conversation="c", subject="s1", role="user", text="hello")
    with veil.vault.store.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE audit_rows RENAME TO gone")
    with pytest.raises(AuditError):
        Transcripts(veil).masked("default", "c", actor="agent-1")
