"""Vault throughput: seal/open against raw AES-GCM, and token writes per backend.

    python benchmarks/vault_throughput.py [--postgres-url postgresql+psycopg://...] [--seconds 2]

Prints one line per measurement. Numbers are for the machine it runs on; compare runs
on the same machine only.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from veil.storage import ErasureLedger, Store, migrate, open_engine
from veil.vault import Binding, LocalKeyFile, Vault


def rate(label: str, fn: Callable[[], object], seconds: float, size: int = 0) -> float:
    fn()  # warm caches (key unwrap, connection pool)
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(16):
            fn()
        count += 16
    per_s = count / elapsed
    extra = f"  {per_s * size / 2**20:8.1f} MiB/s" if size else ""
    print(f"{label:<44} {per_s:>12,.0f} ops/s{extra}")
    return per_s


def crypto(seconds: float, root: Path) -> None:
    vault = Vault.embedded(root / "crypto")
    for size in (64, 65536):
        crypto_at(size, vault, seconds)


def crypto_at(size: int, vault: Vault, seconds: float) -> None:
    binding = Binding("tenant", "subject", "conv", "<FIELD>")
    payload = os.urandom(size)
    aead = AESGCM(AESGCM.generate_key(bit_length=256))
    nonce = os.urandom(12)
    sealed_raw = aead.encrypt(nonce, payload, b"aad")
    rate(
        f"raw AESGCM encrypt {size} B", lambda: aead.encrypt(nonce, payload, b"aad"), seconds, size
    )
    rate(
        f"raw AESGCM decrypt {size} B",
        lambda: aead.decrypt(nonce, sealed_raw, b"aad"),
        seconds,
        size,
    )
    envelope = vault.seal(payload, binding)
    rate(f"vault.seal {size} B", lambda: vault.seal(payload, binding), seconds, size)
    rate(f"vault.open {size} B", lambda: vault.open(envelope, binding), seconds, size)


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
    rate(f"get_tokens ({label}, 50 tokens)", lambda: store.get_tokens(small), seconds / 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres-url")
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        crypto(args.seconds, root)
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
