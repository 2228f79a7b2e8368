"""``verify``: check the whole trail and name the FIRST bad row and what is wrong.

Checked, in ``seq`` order: the sequence is gapless from 1; each row's ``prev_hash`` is
the previous row's ``hash``; ``hash`` matches the row's content; the MAC verifies
under the trail's key. Then the head: it must be authentic (its own MAC), point at
the last row, and no row may lie beyond it. Finally each checkpoint: its signature
must verify, the row at its ``seq`` must carry its ``hash``, and the head must not be
below it (a truncated tail or a database rolled back to an older copy).

What only a checkpoint can catch: a copy of the database that is older but whole
(rows and head both authentic, just fewer of them, down to the empty trail the
migration creates). Rows appended after the newest checkpoint can be cut off with
such a copy undetected, so take checkpoints often and keep them outside the database.

The report is value-free: positions, counts and a :class:`Problem`, never a column's
content. Rows appended while ``verify`` runs are checked too: it keeps reading until
the head it started from stops moving.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.engine import Connection

from veil.audit.chain import at_text, head_mac, row_digest
from veil.audit.checkpoint import Checkpoint
from veil.errors import AuditError
from veil.storage.audit import GENESIS_HASH, AuditSql

__all__ = ["Problem", "VerifyReport", "authentic_head", "verify_trail"]

_PAGE = 5000


class Problem(StrEnum):
    """What is wrong at the reported ``seq``."""

    GAP = "gap"  # the row with this seq is missing (deleted, or seqs reordered)
    TRUNCATED = "truncated"  # rows from this seq on are missing though the head names them
    MALFORMED = "malformed"  # a column holds an impossible type or value
    PREV_HASH = "prev_hash"  # the chain link to the previous row is broken
    HASH = "hash"  # the row's content does not match its hash (edited)
    MAC = "mac"  # the MAC does not verify (edited or re-chained without the key)
    HEAD_MISSING = "head_missing"  # the head row is gone
    HEAD_MAC = "head_mac"  # the head is not authentic
    HEAD_MISMATCH = "head_mismatch"  # the head does not name the last row
    EXTRA_ROWS = "extra_rows"  # rows beyond the head (inserted)
    CHECKPOINT_SIGNATURE = "checkpoint_signature"  # a checkpoint is forged or altered
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"  # the row at a checkpoint's seq differs
    CHECKPOINT_BEYOND_HEAD = "checkpoint_beyond_head"  # rows lost: tail cut or rollback


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """``ok`` or the first ``problem`` and the ``seq`` it was found at. ``rows`` counts
    rows that verified; ``head_seq`` is the head the check ended on."""

    ok: bool
    rows: int
    head_seq: int | None
    problem: Problem | None = None
    seq: int | None = None
    checkpoints: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "head_seq": self.head_seq,
            "problem": None if self.problem is None else self.problem.value,
            "seq": self.seq,
            "checkpoints": self.checkpoints,
        }

    def __str__(self) -> str:
        if self.ok:
            return (
                f"ok: {self.rows} rows, head at seq {self.head_seq}, {self.checkpoints} checkpoints"
            )
        return f"TAMPERED: {self.problem} at seq {self.seq} ({self.rows} rows verified before it)"


class _Bad(Exception):
    def __init__(self, problem: Problem, seq: int | None, verified: int | None = None) -> None:
        self.problem, self.seq, self.verified = problem, seq, verified


def verify_trail(
    conn: Connection,
    mac_key: bytes,
    *,
    checkpoints: Sequence[Checkpoint] = (),
    public_key: bytes | None = None,
    page: int = _PAGE,
) -> VerifyReport:
    """Verify the trail visible to ``conn`` (inside its transaction, if any).

    ``public_key`` is the trusted checkpoint key; without it each checkpoint is only
    checked against the key it carries.
    """
    sql = AuditSql(conn.dialect.name)
    cursor = conn.connection.cursor()
    state = _Scan(sql, cursor, mac_key, checkpoints)
    try:
        for cp in checkpoints:
            if not cp.signature_valid(public_key):
                raise _Bad(Problem.CHECKPOINT_SIGNATURE, cp.seq)
        state.run(page)
    except _Bad as bad:
        rows = state.verified if bad.verified is None else bad.verified
        return VerifyReport(False, rows, state.head_seq, bad.problem, bad.seq)
    finally:
        cursor.close()
    return VerifyReport(True, state.verified, state.head_seq, checkpoints=len(checkpoints))


def authentic_head(conn: Connection, mac_key: bytes) -> tuple[int, str]:
    """The head ``(seq, hash)`` after checking its MAC and that it names the last row
    (cheap: two reads); AuditError otherwise. What a checkpoint may be taken of."""
    sql = AuditSql(conn.dialect.name)
    cursor = conn.connection.cursor()
    try:
        head = sql.read_head(cursor)
        if head is None:
            raise AuditError("audit head is missing")
        seq, hash_, mac, highest, lowest = head
        if type(seq) is not int or (highest, lowest) != ((None, None) if seq == 0 else (seq, 1)):
            raise AuditError("audit head does not name the last row; run verify")
        expected = "" if seq == 0 else head_mac(mac_key, seq, hash_)
        if not isinstance(mac, str) or not hmac.compare_digest(mac, expected):
            raise AuditError("audit head is not authentic; run verify")
        if seq:
            last = sql.page(cursor, seq - 1, 1)
            if not last or last[0][13] != hash_:
                raise AuditError("audit head does not name the last row; run verify")
        return seq, hash_
    finally:
        cursor.close()


class _Scan:
    def __init__(
        self, sql: AuditSql, cursor: Any, key: bytes, checkpoints: Sequence[Checkpoint]
    ) -> None:
        self.sql, self.cursor, self.key = sql, cursor, key
        self.pins: dict[int, list[str]] = {}
        for cp in checkpoints:
            self.pins.setdefault(cp.seq, []).append(cp.hash)
        self.verified = 0
        self.prev = GENESIS_HASH
        self.head_seq: int | None = None

    def _head(self) -> tuple[Any, Any, Any, Any, Any]:
        head = self.sql.read_head(self.cursor)
        if head is None:
            raise _Bad(Problem.HEAD_MISSING, None)
        if type(head[0]) is not int or head[0] < 0:
            raise _Bad(Problem.HEAD_MISMATCH, None)
        return head

    def run(self, page: int) -> None:
        if any(h != GENESIS_HASH for h in self.pins.get(0, ())):
            raise _Bad(Problem.CHECKPOINT_MISMATCH, 0)
        head = self._head()
        while True:
            self.head_seq = head[0]
            self._rows(head[0], page)
            again = self._head()
            if again == head:
                break
            head = again  # appended meanwhile: check the new rows too
        seq, hash_, mac, highest, lowest = head
        if lowest is not None and (type(lowest) is not int or lowest < 1):
            raise _Bad(Problem.EXTRA_ROWS, None)  # a row before seq 1
        if highest is not None and (type(highest) is not int or highest > seq):
            raise _Bad(Problem.EXTRA_ROWS, seq + 1)
        if hash_ != self.prev:
            raise _Bad(Problem.HEAD_MISMATCH, seq)
        expected = "" if seq == 0 else head_mac(self.key, seq, self.prev)
        if not isinstance(mac, str) or not hmac.compare_digest(mac, expected):
            raise _Bad(Problem.HEAD_MAC, seq)
        if self.pins and max(self.pins) > seq:
            raise _Bad(Problem.CHECKPOINT_BEYOND_HEAD, seq + 1)

    def _rows(self, target: int, page: int) -> None:
        sql, cursor, key, pins = self.sql, self.cursor, self.key, self.pins
        digest_of, mac_of, compare = row_digest, hmac.digest, hmac.compare_digest
        flags = _FLAGS
        expected, prev = self.verified + 1, self.prev
        while expected <= target:
            rows = sql.page(cursor, expected - 1, min(page, target - expected + 1))
            if not rows:
                raise _Bad(Problem.TRUNCATED, expected, expected - 1)
            for row in rows:
                (seq, at, action, outcome, actor, role, tenant, subject, record, purpose,
                 detail, highlight, prev_hash, hash_, mac) = row  # fmt: skip
                if seq != expected:
                    raise _Bad(Problem.GAP, expected, expected - 1)
                try:
                    if type(at) is not str:
                        at = at_text(_datetime(at))
                    digest = digest_of(
                        prev, seq, at, action, outcome, actor, role, tenant, subject, record,
                        purpose, detail, flags[highlight],
                    )  # fmt: skip
                except (TypeError, ValueError, AttributeError, KeyError):
                    raise _Bad(Problem.MALFORMED, seq, expected - 1) from None
                if prev_hash != prev:
                    raise _Bad(Problem.PREV_HASH, seq, expected - 1)
                if digest.hex() != hash_:
                    raise _Bad(Problem.HASH, seq, expected - 1)
                if type(mac) is not str or not compare(mac_of(key, digest, "sha256").hex(), mac):
                    raise _Bad(Problem.MAC, seq, expected - 1)
                if pins and seq in pins and any(h != hash_ for h in pins[seq]):
                    raise _Bad(Problem.CHECKPOINT_MISMATCH, seq, expected - 1)
                prev = hash_
                expected += 1
            self.verified, self.prev = expected - 1, prev


_FLAGS = {0: False, 1: True}  # also matches False/True: SQLite stores 0/1, PostgreSQL bool


def _datetime(value: Any) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError("not a timestamp")
    return value
