"""The AuditTrail contract on SQLite and PostgreSQL: append, hook, query, fail closed."""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from veil.audit import Action, AuditEvent, AuditTrail, Outcome
from veil.errors import AuditError
from veil.storage import Store, TokenEntry
from veil.testing import canary_email, canary_person


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def test_record_returns_gapless_seqs_and_rows_chain(trail: AuditTrail) -> None:
    assert trail.record(AuditEvent(Action.AUTH_LOGIN, actor="ana")) == 1
    assert trail.record_many([AuditEvent(Action.TURN_READ)] * 3) == 4
    assert trail.record_many([]) == 4
    rows = trail.query()
    assert [r.seq for r in rows] == [1, 2, 3, 4]
    assert rows[0].prev_hash == "0" * 64
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash
    mac = hmac.new(trail.mac_key, bytes.fromhex(rows[0].hash), hashlib.sha256).hexdigest()
    assert rows[0].mac == mac
    assert trail.verify().ok


def test_row_carries_every_field_and_hashes_the_subject(
    make_trail: Callable[..., AuditTrail],
) -> None:
    clock = Clock()
    trail = make_trail(clock=clock)
    subject = canary_email()
    event = AuditEvent(
        Action.VALUE_UNMASK,
        Outcome.DENIED,
        actor="u-7",
        role="agent",
        tenant="acme",
        subject=subject,
        record="conv:9",
        purpose="support",
        detail={"entities": 2, "type": "EMAIL", "step_up": True},
        highlight=True,
    )
    trail.record(event)
    (row,) = trail.query()
    assert row.at == clock.now
    assert (row.action, row.outcome, row.actor, row.role) == (
        Action.VALUE_UNMASK,
        Outcome.DENIED,
        "u-7",
        "agent",
    )
    assert (row.tenant, row.record, row.purpose, row.highlight) == (
        "acme",
        "conv:9",
        "support",
        True,
    )
    assert row.detail == {"entities": 2, "type": "EMAIL", "step_up": True}
    assert row.subject_hash == trail.subject_hash("acme", subject)
    assert row.subject_hash != trail.subject_hash("other", subject)  # keyed per tenant
    assert subject not in repr(row)


def test_no_canary_reaches_the_audit_table(trail: AuditTrail, engine: Engine) -> None:
    canaries = [canary_email() for _ in range(5)] + [canary_person() for _ in range(5)]
    trail.record_many(
        [AuditEvent(Action.TOKEN_ISSUE, tenant="t", subject=c, record="conv:1") for c in canaries]
    )
    with engine.connect() as conn:
        dump = repr(conn.execute(sa.text("SELECT * FROM audit_rows")).all())
        dump += repr(conn.execute(sa.text("SELECT * FROM audit_head")).all())
    assert dump.count("conv:1") == len(canaries)  # the dump really holds the rows
    for canary in canaries:
        assert canary not in dump
    assert len(trail.query(subject=("t", canaries[3]))) == 1


def test_query_filters(make_trail: Callable[..., AuditTrail]) -> None:
    clock = Clock()
    trail = make_trail(clock=clock)
    trail.record(AuditEvent(Action.AUTH_LOGIN, actor="ana", tenant="a"))
    trail.record(AuditEvent(Action.TURN_READ, actor="bo", tenant="a", subject="s1"))
    trail.record(AuditEvent(Action.TURN_READ, actor="ana", tenant="b", subject="s1"))
    trail.record(AuditEvent(Action.ACCESS_DENIED, actor="bo", tenant="b"))
    seqs = lambda rows: [r.seq for r in rows]  # noqa: E731
    assert seqs(trail.query(tenant="a")) == [1, 2]
    assert seqs(trail.query(actions={Action.TURN_READ, Action.ACCESS_DENIED})) == [2, 3, 4]
    assert seqs(trail.query(actor="bo")) == [2, 4]
    assert seqs(trail.query(subject=("b", "s1"))) == [3]
    assert seqs(trail.query(after_seq=1, limit=2)) == [2, 3]
    second = trail.query()[1].at
    assert seqs(trail.query(since=second)) == [2, 3, 4]
    assert seqs(trail.query(until=second)) == [1]
    # the same instant in another zone selects the same rows
    plus2 = timezone(timedelta(hours=2))
    assert seqs(
        trail.query(since=second.astimezone(plus2), until=second + timedelta(seconds=2))
    ) == [
        2,
        3,
    ]


def test_hook_commits_and_rolls_back_with_the_change(trail: AuditTrail, engine: Engine) -> None:
    store = Store(engine)
    entry = TokenEntry("t", "conv", "subj", "[EMAIL_1]", "EMAIL", b"sealed")
    store.put_tokens([entry], hooks=[trail.hook(AuditEvent(Action.TOKEN_ISSUE, tenant="t"))])
    assert [r.action for r in trail.query()] == [Action.TOKEN_ISSUE]

    def failing(_conn: object) -> None:
        raise AuditError("boom")

    second = TokenEntry("t", "conv", "subj", "[EMAIL_2]", "EMAIL", b"sealed")
    with pytest.raises(AuditError):
        store.put_tokens(
            [second], hooks=[trail.hook(AuditEvent(Action.TOKEN_ISSUE, tenant="t")), failing]
        )
    assert [e.token for e in store.get_tokens("t", "conv")] == ["[EMAIL_1]"]
    assert len(trail.query()) == 1  # the audit row rolled back with the tokens
    assert trail.record(AuditEvent(Action.TURN_READ)) == 2  # no gap left behind
    assert trail.verify().ok


def test_append_in_a_caller_transaction(trail: AuditTrail, engine: Engine) -> None:
    with engine.begin() as conn:
        assert trail.append(conn, [AuditEvent(Action.TURN_WRITE)] * 2) == 2
        assert trail.append(conn, []) == 2

    def failing_change() -> None:
        with engine.begin() as conn:
            trail.append(conn, [AuditEvent(Action.TURN_WRITE)])
            raise RuntimeError("the caller's change fails")

    with pytest.raises(RuntimeError):
        failing_change()
    assert [r.seq for r in trail.query()] == [1, 2]


def test_a_missing_head_fails_closed(trail: AuditTrail, engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_head"))
    with pytest.raises(AuditError, match="head is missing"):
        trail.record(AuditEvent(Action.TURN_READ))
    with pytest.raises(AuditError), engine.begin() as conn:
        trail.append(conn, [AuditEvent(Action.TURN_READ)])


@pytest.mark.parametrize(
    "event",
    [
        AuditEvent(Action.TURN_READ, actor="x" * 256),
        AuditEvent(Action.TURN_READ, detail={"f": 1.5}),  # type: ignore[dict-item]
        AuditEvent(Action.TURN_READ, detail={"nested": {"a": 1}}),  # type: ignore[dict-item]
        AuditEvent("no.such.action"),  # type: ignore[arg-type]
        AuditEvent(Action.TURN_READ, tenant="\ud800"),
        AuditEvent(Action.TURN_READ, record="a\x1fb"),
        AuditEvent(Action.TURN_READ, purpose="\x1e"),
    ],
)
def test_malformed_events_are_refused_before_any_write(
    trail: AuditTrail, event: AuditEvent
) -> None:
    with pytest.raises(AuditError) as caught:
        trail.record_many([AuditEvent(Action.TURN_READ), event])
    assert "#2" in str(caught.value)
    with pytest.raises(AuditError):
        trail.hook(event)
    assert trail.query() == []


def test_naive_clock_and_short_key_are_refused(make_trail: Callable[..., AuditTrail]) -> None:
    with pytest.raises(AuditError):
        make_trail(mac_key=b"short")
    trail = make_trail(clock=lambda: datetime(2026, 1, 1))
    with pytest.raises(AuditError, match="timezone"):
        trail.record(AuditEvent(Action.TURN_READ))
    assert trail.query() == []


def test_a_failing_subject_key_fails_closed(make_trail: Callable[..., AuditTrail]) -> None:
    def no_key(_tenant: str) -> bytes:
        raise KeyError("vault down")

    trail = make_trail(subject_key=no_key)
    with pytest.raises(AuditError, match="subject key"):
        trail.record(AuditEvent(Action.TURN_READ, subject="s"))
    assert trail.record(AuditEvent(Action.TURN_READ)) == 1  # no subject, no key needed
