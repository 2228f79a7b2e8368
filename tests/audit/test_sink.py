"""A broken audit sink fails closed: ``record`` raises AuditError, and a caller's change
made with ``hook`` rolls back with the audit row that could not be written."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from veil.audit import Action, AuditEvent, AuditTrail
from veil.errors import AuditError
from veil.storage import Store, TokenEntry, migrate, open_engine

MAC_KEY = b"m" * 32


def _trail(engine: Engine) -> AuditTrail:
    return AuditTrail(engine, mac_key=MAC_KEY, subject_key=lambda _t: b"s" * 32)


def _token(n: int) -> TokenEntry:
    return TokenEntry("t", "conv", "subj", f"[EMAIL_{n}]", "EMAIL", b"sealed")


def _break_sink(engine: Engine) -> None:
    """Make every insert into audit_rows fail, and nothing else."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(sa.text(
                "CREATE TRIGGER audit_sink_down BEFORE INSERT ON audit_rows "
                "BEGIN SELECT RAISE(ABORT, 'sink down'); END"
            ))  # fmt: skip
        else:
            conn.execute(sa.text(
                "ALTER TABLE audit_rows ADD CONSTRAINT sink_down CHECK (false) NOT VALID"
            ))  # fmt: skip


def test_broken_sink_rolls_back_the_callers_change(engine: Engine) -> None:
    trail, store = _trail(engine), Store(engine)
    store.put_tokens([_token(1)], hooks=[trail.hook(AuditEvent(Action.TOKEN_ISSUE))])
    _break_sink(engine)
    with pytest.raises(AuditError):
        trail.record(AuditEvent(Action.TURN_READ))
    with pytest.raises(AuditError):
        store.put_tokens([_token(2)], hooks=[trail.hook(AuditEvent(Action.TOKEN_ISSUE))])
    assert [e.token for e in store.get_tokens("t", "conv")] == ["[EMAIL_1]"]
    store.put_tokens([_token(3)])  # without the audit hook the same change goes through
    assert len(store.get_tokens("t", "conv")) == 2
    assert [r.seq for r in trail.query()] == [1]
    assert trail.verify().ok


@pytest.mark.parametrize("backend", ["sqlite"])
def test_read_only_database_raises_audit_error(tmp_path: Path, backend: str) -> None:
    path = tmp_path / "ro.db"
    writable = open_engine(f"sqlite:///{path}")
    migrate(writable, "core")
    _trail(writable).record(AuditEvent(Action.TURN_READ))
    writable.dispose()
    read_only = open_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    trail = _trail(read_only)
    with pytest.raises(AuditError, match="OperationalError"):
        trail.record(AuditEvent(Action.TURN_READ))
    with pytest.raises(AuditError), read_only.begin() as conn:
        trail.append(conn, [AuditEvent(Action.TURN_READ)])
    assert [r.seq for r in trail.query()] == [1]  # still readable, nothing half-written
    read_only.dispose()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_full_disk_raises_and_rolls_back(engine: Engine, backend: str) -> None:
    trail, store = _trail(engine), Store(engine)
    store.put_tokens([_token(1)], hooks=[trail.hook(AuditEvent(Action.TOKEN_ISSUE))])
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
    engine.dispose()

    @event.listens_for(engine, "connect")
    def _full(dbapi_conn: object, _record: object) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")  # type: ignore[attr-defined]

    # A big (value-free) detail needs new pages; the token row fits in a page that
    # already exists, so only the audit write hits the "full disk".
    big = AuditEvent(Action.TOKEN_ISSUE, detail={"pad": "x" * 8000})
    with pytest.raises(AuditError, match="OperationalError"):
        trail.record(big)
    with pytest.raises(AuditError):
        store.put_tokens([_token(2)], hooks=[trail.hook(big)])
    assert [e.token for e in store.get_tokens("t", "conv")] == ["[EMAIL_1]"]
    store.put_tokens([_token(3)])  # the change alone still fits: the audit row failed
    assert len(store.get_tokens("t", "conv")) == 2
    assert trail.verify().ok
