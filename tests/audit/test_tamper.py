"""1,000 random mutations of the audit table, each one caught by ``verify``.

A 200-row trail is built once, with a signed checkpoint of its head in the ledger and
authentic snapshots of earlier heads (what an older copy of the database holds). Each
mutation runs inside a transaction on one connection, ``verify`` runs on that same
connection, and the transaction is rolled back: the base table is never rebuilt.
The attacker edits, deletes, inserts, swaps, truncates, rolls back and re-chains with
correctly recomputed hashes, but never has the MAC key or the signing key.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from veil.audit import Action, AuditEvent, AuditTrail, Checkpoint, Outcome, Problem
from veil.audit.chain import at_text, head_mac, row_digest, row_mac
from veil.audit.verify import verify_trail
from veil.vault import CheckpointSigner

ROWS = 200
COLUMNS = (
    "seq", "at", "action", "outcome", "actor", "role", "tenant", "subject_hash", "record",
    "purpose", "detail", "highlight", "prev_hash", "hash", "mac",
)  # fmt: skip
WRONG_KEY = b"w" * 32


class Base:
    def __init__(self, trail: AuditTrail, engine: Engine) -> None:
        rng = random.Random(7)
        self.snapshots: list[tuple[int, str, str]] = []
        for i in range(ROWS // 10):
            trail.record_many(
                [
                    AuditEvent(
                        rng.choice(list(Action)),
                        rng.choice(list(Outcome)),
                        actor=f"user-{rng.randrange(9)}",
                        role=rng.choice(["", "agent", "admin"]),
                        tenant=rng.choice(["acme", "globex"]),
                        subject=rng.choice([None, f"subject-{rng.randrange(50)}"]),
                        record=f"conv:{rng.randrange(1000)}",
                        purpose=rng.choice(["", "support", "billing"]),
                        detail=rng.choice([{}, {"n": rng.randrange(5), "why": "rule"}]),
                        highlight=rng.random() < 0.1,
                    )
                    for _ in range(10)
                ]
            )
            if i % 5 == 4 and (i + 1) * 10 < ROWS:  # older than the checkpoint
                with engine.connect() as conn:
                    self.snapshots.append(tuple(conn.execute(sa.text(  # type: ignore[arg-type]
                        "SELECT seq, hash, mac FROM audit_head")).one()))  # fmt: skip
        self.signer = CheckpointSigner.generate()
        self.checkpoint = trail.checkpoint(self.signer)  # also appends row 201
        assert self.checkpoint.seq == ROWS
        self.total = ROWS + 1


def _q(conn: Connection, sql: str, **params: Any) -> Any:
    return conn.execute(sa.text(sql), params)


def _row(conn: Connection, seq: int) -> dict[str, Any]:
    return dict(_q(conn, f"SELECT * FROM audit_rows WHERE seq = {seq}").mappings().one())


def _changed(column: str, value: Any, rng: random.Random) -> Any:
    if column == "at":
        delta = timedelta(microseconds=rng.choice([1, -1, 1000, 3600 * 10**6]))
        if isinstance(value, str):
            return at_text(datetime.fromisoformat(value + "+00:00") + delta)
        return value + delta
    if column == "highlight":
        return not bool(value)
    if column == "subject_hash":
        return "ab" * 32 if value is None else rng.choice([None, value[::-1], value[:-1] + "0"])
    if column in ("prev_hash", "hash", "mac"):
        i = rng.randrange(64)
        return value[:i] + ("0" if value[i] != "0" else "1") + value[i + 1 :]
    if column == "detail":
        doc = json.loads(value)
        doc["x"] = rng.randrange(10)
        return json.dumps(doc, sort_keys=True, separators=(",", ":"))
    if column == "action" and rng.random() < 0.5:
        return Action.TOKEN_ISSUE.value if value != Action.TOKEN_ISSUE.value else "turn.read"
    if value and rng.random() < 0.5:
        return value[:-1]  # shorter: tests the length prefixes
    return value + rng.choice(["x", ":", "~", "0"])


def _rechain(conn: Connection, start: int, end: int, key: bytes) -> None:
    """Recompute prev_hash/hash (and MACs under a WRONG key) from ``start`` on."""
    prev = _row(conn, start - 1)["hash"] if start > 1 else "0" * 64
    for seq in range(start, end + 1):
        r = _row(conn, seq)
        at = r["at"] if isinstance(r["at"], str) else at_text(r["at"])
        digest = row_digest(
            prev, seq, at, r["action"], r["outcome"], r["actor"], r["role"], r["tenant"],
            r["subject_hash"], r["record"], r["purpose"], r["detail"], bool(r["highlight"]),
        )  # fmt: skip
        _q(
            conn,
            "UPDATE audit_rows SET prev_hash = :p, hash = :h, mac = :m WHERE seq = :s",
            p=prev, h=digest.hex(), m=row_mac(key, digest), s=seq,
        )  # fmt: skip
        prev = digest.hex()
    _q(conn, "UPDATE audit_head SET seq = :s, hash = :h, mac = :m", s=end, h=prev,
       m=head_mac(key, end, prev))  # fmt: skip


def _mutate(conn: Connection, base: Base, rng: random.Random) -> tuple[str, int | None]:
    """Apply one random mutation; returns its kind and the first seq it must be named
    at (None where several answers are right)."""
    n = base.total
    kind = rng.choice(
        ["edit", "edit", "edit", "delete", "insert", "swap", "truncate", "rollback",
         "rechain", "head", "wipe"]
    )  # fmt: skip
    seq = rng.randrange(1, n + 1)
    if kind == "edit":
        column = rng.choice(COLUMNS)
        if column == "seq":
            _q(conn, f"UPDATE audit_rows SET seq = {seq + 10_000} WHERE seq = {seq}")
            return "edit:seq", seq
        old = _row(conn, seq)[column]
        new = _changed(column, old, rng)
        assert new != old
        _q(conn, f"UPDATE audit_rows SET {column} = :v WHERE seq = :s", v=new, s=seq)
        return f"edit:{column}", seq
    if kind == "delete":
        _q(conn, f"DELETE FROM audit_rows WHERE seq = {seq}")
        return kind, seq
    if kind == "insert":
        r = _row(conn, seq)
        r["seq"] = rng.choice([n + 1, n + 2, 0, -seq])
        names = ", ".join(r)
        _q(conn, f"INSERT INTO audit_rows ({names}) VALUES ({', '.join(':' + k for k in r)})", **r)
        return kind, None
    if kind == "swap":
        other = rng.choice([s for s in range(1, n + 1) if s != seq])
        _q(conn, f"UPDATE audit_rows SET seq = -1 WHERE seq = {seq}")
        _q(conn, f"UPDATE audit_rows SET seq = {seq} WHERE seq = {other}")
        _q(conn, f"UPDATE audit_rows SET seq = {other} WHERE seq = -1")
        return kind, min(seq, other)
    if kind == "truncate":
        keep = rng.randrange(0, n)
        _q(conn, f"DELETE FROM audit_rows WHERE seq > {keep}")
        if rng.random() < 0.5:  # and point the head at the new last row, without the key
            last = _row(conn, keep)["hash"] if keep else "0" * 64
            _q(conn, "UPDATE audit_head SET seq = :s, hash = :h", s=keep, h=last)
        return kind, None
    if kind == "rollback":  # an older copy: authentic rows and head, fewer of them
        old_seq, old_hash, old_mac = rng.choice(base.snapshots)
        _q(conn, f"DELETE FROM audit_rows WHERE seq > {old_seq}")
        _q(conn, "UPDATE audit_head SET seq = :s, hash = :h, mac = :m",
           s=old_seq, h=old_hash, m=old_mac)  # fmt: skip
        return kind, None
    if kind == "rechain":
        column = rng.choice(["actor", "tenant", "detail", "at", "highlight", "subject_hash"])
        old = _row(conn, seq)[column]
        _q(conn, f"UPDATE audit_rows SET {column} = :v WHERE seq = :s",
           v=_changed(column, old, rng), s=seq)  # fmt: skip
        if rng.random() < 0.3:
            _q(conn, f"DELETE FROM audit_rows WHERE seq > {n - 5}")  # and cut the tail
            n -= 5
        if n >= seq:
            _rechain(conn, seq, n, WRONG_KEY)
        return kind, None
    if kind == "head":
        column = rng.choice(["seq", "hash", "mac"])
        if column == "seq":
            _q(conn, f"UPDATE audit_head SET seq = {rng.choice([n - 1, n + 1, 0])}")
        else:
            old = _q(conn, f"SELECT {column} FROM audit_head").scalar_one()
            _q(conn, f"UPDATE audit_head SET {column} = :v", v=_changed(column, old, rng))
        return kind, None
    _q(conn, "DELETE FROM audit_rows")  # wipe: the empty trail, as the migration left it
    _q(conn, "UPDATE audit_head SET seq = 0, hash = :h, mac = ''", h="0" * 64)
    return kind, None


def _run(trail: AuditTrail, engine: Engine, mutations: int) -> Counter[str]:
    base = Base(trail, engine)
    pins: list[Checkpoint] = [base.checkpoint]
    key, public = trail.mac_key, base.signer.public_key_bytes()
    rng = random.Random(20261123)
    kinds: Counter[str] = Counter()
    with engine.connect() as conn:
        clean = verify_trail(conn, key, checkpoints=pins, public_key=public)
        assert clean.ok, clean
        assert clean.rows == base.total
        conn.rollback()
        for i in range(mutations):
            kind, seq = _mutate(conn, base, rng)
            report = verify_trail(conn, key, checkpoints=pins, public_key=public)
            conn.rollback()
            assert not report.ok, (i, kind)
            if seq is not None:
                assert report.seq == seq, (i, kind, report)
            kinds[kind.split(":")[0]] += 1
            if kind.startswith("edit:"):
                kinds[kind] += 1
        after = verify_trail(conn, key, checkpoints=pins, public_key=public)
        assert after.ok
        assert after.rows == base.total
    return kinds


def test_1000_random_mutations_are_all_detected(
    make_trail: Callable[..., AuditTrail], engine: Engine, backend: str
) -> None:
    kinds = _run(make_trail(), engine, 1000 if backend == "sqlite" else 200)
    for kind in ("edit", "delete", "insert", "swap", "truncate", "rollback", "rechain", "head"):
        assert kinds[kind] >= 5, kinds
    if backend == "sqlite":
        assert all(kinds[f"edit:{c}"] for c in COLUMNS), kinds


def test_rollback_is_caught_only_by_the_checkpoint(trail: AuditTrail, engine: Engine) -> None:
    base = Base(trail, engine)
    old_seq, old_hash, old_mac = base.snapshots[0]
    with engine.connect() as conn:
        _q(conn, f"DELETE FROM audit_rows WHERE seq > {old_seq}")
        _q(conn, "UPDATE audit_head SET seq = :s, hash = :h, mac = :m",
           s=old_seq, h=old_hash, m=old_mac)  # fmt: skip
        assert verify_trail(conn, trail.mac_key).ok  # the chain alone cannot tell
        report = verify_trail(conn, trail.mac_key, checkpoints=[base.checkpoint])
        assert (report.problem, report.seq) == (Problem.CHECKPOINT_BEYOND_HEAD, old_seq + 1)
        conn.rollback()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_forged_checkpoint_is_refused(trail: AuditTrail, engine: Engine, backend: str) -> None:
    base = Base(trail, engine)
    forged = CheckpointSigner.generate()
    fake = Checkpoint(base.checkpoint.seq, base.checkpoint.hash, base.checkpoint.at,
                      forged.public_key_bytes(), base.checkpoint.signature)  # fmt: skip
    with engine.connect() as conn:
        report = verify_trail(conn, trail.mac_key, checkpoints=[fake],
                              public_key=base.signer.public_key_bytes())  # fmt: skip
    assert report.problem is Problem.CHECKPOINT_SIGNATURE
