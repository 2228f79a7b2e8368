"""verify names the first bad row and the kind of problem; concurrent appends are fine."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from veil.audit import Action, AuditEvent, AuditTrail, Problem
from veil.audit.verify import verify_trail
from veil.testing import canary_email


def _fill(trail: AuditTrail, n: int = 10) -> None:
    trail.record_many([AuditEvent(Action.TURN_READ, record=f"r{i}") for i in range(n)])


def _tamper(engine: Engine, sql: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(sql))


def test_clean_trail_verifies(trail: AuditTrail) -> None:
    assert trail.verify().ok
    _fill(trail)
    report = trail.verify()
    assert (report.ok, report.rows, report.head_seq, report.problem) == (True, 10, 10, None)
    assert "ok" in str(report)


def test_first_bad_row_is_named(trail: AuditTrail, engine: Engine) -> None:
    _fill(trail)
    _tamper(engine, "UPDATE audit_rows SET actor = 'eve' WHERE seq IN (4, 7)")
    report = trail.verify()
    assert (report.ok, report.problem, report.seq, report.rows) == (False, Problem.HASH, 4, 3)
    assert report.as_dict() == {
        "ok": False, "rows": 3, "head_seq": 10, "problem": "hash", "seq": 4, "checkpoints": 0,
    }  # fmt: skip


def test_each_kind_of_damage(trail: AuditTrail, engine: Engine) -> None:
    _fill(trail)
    cases = [
        ("DELETE FROM audit_rows WHERE seq = 5", Problem.GAP, 5),
        ("DELETE FROM audit_rows WHERE seq >= 9", Problem.TRUNCATED, 9),
        ("UPDATE audit_rows SET prev_hash = hash WHERE seq = 2", Problem.PREV_HASH, 2),
        ("UPDATE audit_rows SET mac = hash WHERE seq = 6", Problem.MAC, 6),
        ("UPDATE audit_head SET mac = hash", Problem.HEAD_MAC, 10),
        ("UPDATE audit_head SET hash = '00'", Problem.HEAD_MISMATCH, 10),
        ("DELETE FROM audit_head", Problem.HEAD_MISSING, None),
    ]
    if engine.dialect.name == "sqlite":  # dynamic typing lets a column hold anything
        cases.append(("UPDATE audit_rows SET highlight = 7 WHERE seq = 3", Problem.MALFORMED, 3))
    else:
        _tamper(engine, "ALTER TABLE audit_rows ALTER COLUMN detail DROP NOT NULL")
        cases.append(("UPDATE audit_rows SET detail = NULL WHERE seq = 3", Problem.MALFORMED, 3))
    with engine.connect() as conn:
        for sql, problem, seq in cases:
            conn.execute(sa.text(sql))
            report = verify_trail(conn, trail.mac_key)
            conn.rollback()
            assert (report.problem, report.seq) == (problem, seq), sql
    assert trail.verify().ok


def test_report_never_holds_a_value(trail: AuditTrail, engine: Engine) -> None:
    email = canary_email()
    trail.record(AuditEvent(Action.TOKEN_ISSUE, tenant="t", subject=email, record=email))
    _tamper(engine, "UPDATE audit_rows SET purpose = 'x'")
    report = trail.verify()
    assert not report.ok
    assert email not in str(report)
    assert email not in repr(report.as_dict())


def test_verify_while_writers_append(trail: AuditTrail) -> None:
    _fill(trail, 500)
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            trail.record(AuditEvent(Action.TURN_READ))

    writer = threading.Thread(target=write)
    writer.start()
    try:
        reports = [trail.verify() for _ in range(5)]
    finally:
        stop.set()
        writer.join()
    assert all(r.ok for r in reports), reports
    assert trail.verify().rows >= reports[-1].rows >= 500
