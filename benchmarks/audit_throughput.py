"""Audit trail throughput: events appended per second, and verify time for a big trail.

    python benchmarks/audit_throughput.py [--postgres-url postgresql+psycopg://...]
        [--rounds 5] [--events 5000] [--verify-rows 1000000]

Prints medians over ``--rounds``. Appends are measured as single ``record()`` calls
(one transaction per event) and as ``record_many`` batches of 100; verify runs over a
trail of ``--verify-rows`` rows (built with batches of 10,000 first, which takes a
while for a million rows). Targets (issue 6): >= 10,000 events/s on SQLite, verify of
1,000,000 rows <= 10 s. Numbers are for the machine it runs on.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from veil.audit import Action, AuditEvent, AuditTrail
from veil.storage import migrate, open_engine

MAC_KEY = b"benchmark-mac-key-0123456789abcdef"


def subject_key(tenant: str) -> bytes:
    return (tenant.encode() + b"\x00" * 32)[:32]


def events(n: int, offset: int = 0) -> list[AuditEvent]:
    return [
        AuditEvent(
            Action.TURN_READ,
            actor=f"agent-{i % 17}",
            role="agent",
            tenant="acme",
            subject=f"customer-{(offset + i) % 5000}",
            record=f"conv:{offset + i}",
            purpose="support",
            detail={"entities": i % 7, "reason": "reply"},
        )
        for i in range(n)
    ]


def median_rate(label: str, rounds: int, count: int, run: Callable[[], None]) -> float:
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        rates.append(count / (time.perf_counter() - start))
    value = statistics.median(rates)
    print(f"{label:<52} {value:>10,.0f} events/s   (median of {rounds})")
    return value


def appends(trail: AuditTrail, label: str, rounds: int, n: int) -> None:
    singles = events(n)
    batches = [events(100, k * 100) for k in range(n // 100)]

    def single() -> None:
        for event in singles:
            trail.record(event)

    def batched() -> None:
        for batch in batches:
            trail.record_many(batch)

    trail.record(singles[0])  # warm the pool and the subject-key path
    median_rate(f"{label}: record() one event per transaction", rounds, n, single)
    median_rate(f"{label}: record_many() batches of 100", rounds, n, batched)


def verify_big(trail: AuditTrail, label: str, rows: int, rounds: int) -> None:
    have = trail.verify(use_ledger=False).rows
    start = time.perf_counter()
    while have < rows:
        step = min(10_000, rows - have)
        trail.record_many(events(step, have))
        have += step
    print(f"{label}: built a trail of {have:,} rows in {time.perf_counter() - start:.1f} s")
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        report = trail.verify(use_ledger=False)
        times.append(time.perf_counter() - start)
        assert report.ok, report
    print(
        f"{label}: verify {report.rows:,} rows{'':<22} {statistics.median(times):>10.2f} s"
        f"         (median of {rounds}; {report.rows / statistics.median(times):,.0f} rows/s)"
    )


def sqlite_engine(root: Path, name: str) -> Engine:
    engine = open_engine(f"sqlite:///{root / name}.db")
    migrate(engine, "core")
    return engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--verify-rows", type=int, default=1_000_000)
    parser.add_argument("--verify-rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        engine = sqlite_engine(root, "append")
        appends(AuditTrail(engine, mac_key=MAC_KEY, subject_key=subject_key), "sqlite",
                args.rounds, args.events)  # fmt: skip
        engine.dispose()
        if args.postgres_url:
            schema = f"veil_bench_{uuid.uuid4().hex[:12]}"
            pg = open_engine(args.postgres_url, schema=schema)
            try:
                migrate(pg, "core")
                trail = AuditTrail(pg, mac_key=MAC_KEY, subject_key=subject_key)
                appends(trail, "postgresql", args.rounds, args.events)
            finally:
                pg.dispose()
                admin = sa.create_engine(args.postgres_url)
                with admin.begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                admin.dispose()
        engine = sqlite_engine(root, "verify")
        trail = AuditTrail(engine, mac_key=MAC_KEY, subject_key=subject_key)
        verify_big(trail, "sqlite", args.verify_rows, args.verify_rounds)
        engine.dispose()


if __name__ == "__main__":
    main()
