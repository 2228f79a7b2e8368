"""Vault throughput: seal/open against raw AES-GCM, and token writes per backend.

    python benchmarks/vault_throughput.py [--postgres-url postgresql+psycopg://...]
        [--seconds 2] [--rounds 5] [--crypto-only]

Prints one line per measurement. Numbers are for the machine it runs on; compare runs
on the same machine only. The crypto section runs ``--rounds`` rounds, each measuring
raw AESGCM and the vault back to back, and reports medians plus the median of the
per-round ratios vault/raw, which holds up on a noisy machine better than a ratio of
two medians taken minutes apart. ``--crypto-only`` runs just that section (seal/open).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from veil.storage import ErasureLedger, Store, migrate, open_engine
from veil.vault import Binding, LocalKeyFile, Vault


def measure(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``fn`` over about ``seconds`` of wall time."""
    fn()  # warm caches (key unwrap, connection pool)
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(16):
            fn()
        count += 16
    return count / elapsed


def report(label: str, per_s: float, size: int = 0) -> None:
    extra = f"  {per_s * size / 2**20:8.1f} MiB/s" if size else ""
    print(f"{label:<44} {per_s:>12,.0f} ops/s{extra}")


def rate(label: str, fn: Callable[[], object], seconds: float, size: int = 0) -> float:
    per_s = measure(fn, seconds)
    report(label, per_s, size)
    return per_s


def crypto(seconds: float, rounds: int, root: Path) -> None:
    vault = Vault.embedded(root / "crypto")
    for size in (64, 65536):
        crypto_at(size, vault, seconds, rounds)


def crypto_at(size: int, vault: Vault, seconds: float, rounds: int) -> None:
    """Raw AESGCM (one cached key, fixed nonce: the cipher alone) against the vault."""
    binding = Binding("tenant", "subject", "conv", "<FIELD>")
    payload = os.urandom(size)
    aead = AESGCM(AESGCM.generate_key(bit_length=256))
    nonce = os.urandom(12)
    sealed_raw = aead.encrypt(nonce, payload, b"aad")
    envelope = vault.seal(payload, binding)
    assert vault.open(envelope, binding) == payload
    cases: dict[str, Callable[[], object]] = {
        f"raw AESGCM encrypt {size} B": lambda: aead.encrypt(nonce, payload, b"aad"),
        f"vault.seal {size} B": lambda: vault.seal(payload, binding),
        f"raw AESGCM decrypt {size} B": lambda: aead.decrypt(nonce, sealed_raw, b"aad"),
        f"vault.open {size} B": lambda: vault.open(envelope, binding),
    }
    runs: dict[str, list[float]] = {label: [] for label in cases}
    for _ in range(rounds):
        for label, fn in cases.items():
            runs[label].append(measure(fn, seconds / rounds))
    for label, values in runs.items():
        report(f"{label} (median of {rounds})", statistics.median(values), size)
    labels = list(cases)
    for vault_label, raw_label in ((labels[1], labels[0]), (labels[3], labels[2])):
        ratios = [v / r for v, r in zip(runs[vault_label], runs[raw_label], strict=True)]
        name = vault_label.split()[0] + "/raw"
        print(
            f"ratio {name} {size} B".ljust(44)
            + f" {statistics.median(ratios):>12.0%}"
            + f"   (rounds: {' '.join(f'{r:.0%}' for r in ratios)})"
        )


def tokens(label: str, store: Store, vault: Vault, seconds: float) -> None:
    binding = Binding("tenant", "subject", "conv", "<F>")
    envelope = vault.seal("jane@example.com", binding)
    conversation = uuid.uuid4().hex
    counter = iter(range(10**9))

    def write() -> None:
        store.put_token(
            "tenant", conversation, "subject", f"<T_{next(counter)}>", "EMAIL", envelope
        )

    rate(f"put_token ({label}, one commit each)", write, seconds)
    small = uuid.uuid4().hex
    for i in range(50):
        store.put_token("tenant", small, "subject", f"<T_{i}>", "EMAIL", envelope)
    rate(f"get_tokens ({label}, 50 tokens)", lambda: store.get_tokens("tenant", small), seconds / 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres-url")
    parser.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="crypto rounds (median)")
    parser.add_argument(
        "--crypto-only", action="store_true", help="only seal/open against raw AES-GCM"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        crypto(args.seconds, args.rounds, root)
        if args.crypto_only:
            return
        vault = Vault.embedded(root / "sqlite")
        tokens("SQLite WAL", vault.store, vault, args.seconds)
        if args.postgres_url:
            schema = f"veil_bench_{uuid.uuid4().hex[:12]}"
            engine = open_engine(args.postgres_url, schema=schema)
            try:
                migrate(engine, "core")
                ledger = open_engine(f"sqlite:///{root / 'ledger.db'}", durable=True)
                migrate(ledger, "ledger")
                pg_vault = Vault(Store(engine), ErasureLedger(ledger), LocalKeyFile(root / "k"))
                tokens("PostgreSQL", pg_vault.store, pg_vault, args.seconds)
            finally:
                engine.dispose()
                admin = sa.create_engine(args.postgres_url)
                with admin.begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                admin.dispose()


if __name__ == "__main__":
    main()
