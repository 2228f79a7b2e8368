"""Front-door round trip and batched token writes.

    python benchmarks/roundtrip.py [--messages 500] [--postgres-url postgresql+psycopg://...]

1. ``Veil.protect`` + ``Veil.restore`` of 500-character messages on the embedded vault
   (SQLite), vault write included: p50/p99 over ``--messages`` messages, each with five
   fresh canary values (five new tokens sealed and written), spread over 50
   conversations so token maps grow as in real chats. Measured twice: with the real
   analyzer, and with detection replaced by its precomputed result, to show what the
   transform + vault + storage part costs on its own. Each is run twice: "cold" (the
   process meets every pseudonym name for the first time) and "steady" (new
   conversations, the same tag names: as in a gateway that has been running).
2. A chat client that resends the history: request k protects all k user messages
   so far (as the gateway does), 10 turns per conversation; the cost of the 10th
   request with the analyzer's result cache on and off.
3. Token writes/s: ``put_token`` (one commit per token) against ``put_tokens`` (one
   commit per batch), store only and seal + store, on SQLite and PostgreSQL (also
   with ``durable=True``: every commit fsynced).

Numbers are for the machine it runs on; compare runs on the same machine only.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from veil.core import Finding
from veil.pipeline import Analyzer, Veil
from veil.storage import ErasureLedger, Store, TokenEntry, migrate, open_engine
from veil.testing import canary_card, canary_email, canary_iban, canary_phone
from veil.vault import Binding, LocalKeyFile, Vault

WARM = "warm up the tenant key"
WARM_VALUE = "warm up the subject: jane.doe@example.org"
NAMES = ("Maria Gonzalez", "John Smith", "Aiko Tanaka", "Olu Adeyemi", "Lena Fischer")


def message(i: int) -> str:
    text = (
        f"Hello, this is {NAMES[i % len(NAMES)]} again. My card {canary_card()} was charged "
        f"twice yesterday for the same order, so please refund it to my account "
        f"{canary_iban()}. You can reach me at {canary_email()} or on {canary_phone()} "
        "any time after five. I have been a customer for years and this is the first "
        "time something like this happened, so I hope it can be sorted out quickly. "
    )
    return (text + "Thanks a lot for your help with this. " * 4)[:500]


class Precomputed(Analyzer):
    """Detection already done: isolates the cost of everything after it."""

    def __init__(self, real: Analyzer, texts: list[str]) -> None:
        self._found = {text: real.analyze(text) for text in [*texts, WARM, WARM_VALUE]}

    def analyze(self, text: str) -> list[Finding]:
        return self._found[text]


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1e3
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1e3
    return f"p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   (n={len(ordered)})"


def roundtrip(root: Path, analyzer: Analyzer, texts: list[str], label: str) -> None:
    with Veil.embedded(root / uuid.uuid4().hex, analyzer=analyzer) as veil:
        veil.protect(WARM, conversation="warm", subject="warm")
        # A subject's first seal creates its ledger secret and data key (two fsynced
        # commits); that one-off cost is reported apart from the steady state.
        first = []
        for n in range(50):
            start = time.perf_counter()
            veil.protect(WARM_VALUE, conversation=f"warm-{n}", subject=f"subject-{n}")
            first.append(time.perf_counter() - start)
        # A fresh process compiles each pseudonym's pattern the first time it meets
        # it ([EMAIL_7] ...); a running gateway has met the tag names long before.
        # "cold" is the first pass, "steady" a second pass over new conversations.
        passes = {}
        for name in ("cold", "steady"):
            samples, tokens = [], 0
            for i, text in enumerate(texts):
                conversation = f"{name}-{i % 50}"
                start = time.perf_counter()
                sent = veil.protect(text, conversation=conversation, subject=f"subject-{i % 50}")
                back = veil.restore(sent.text, conversation=conversation)
                samples.append(time.perf_counter() - start)
                tokens += len(sent.issued)
                if back != text:
                    raise SystemExit("round trip mismatch")
            passes[name] = (samples, tokens)
    for name, (samples, tokens) in passes.items():
        print(
            f"round trip, {label + ', ' + name:<28} {percentiles(samples)}  "
            f"{tokens / len(texts):.1f} new tokens/msg"
        )
    print(f"  first protect of a new subject   {percentiles(first)}")


def history(root: Path, texts: list[str], turns: int = 10) -> None:
    for entries in (0, 4096):
        analyzer = Analyzer.from_settings(cache_entries=entries)
        analyzer.warm_up()
        last = []
        with Veil.embedded(root / uuid.uuid4().hex, analyzer=analyzer) as veil:
            for c in range(len(texts) // turns):
                sent = texts[c * turns : (c + 1) * turns]
                for k in range(1, turns + 1):
                    start = time.perf_counter()
                    for text in sent[:k]:
                        veil.protect(text, conversation=f"h-{c}", subject=f"subject-{c}")
                    if k == turns:
                        last.append(time.perf_counter() - start)
        state = "on" if entries else "off"
        print(f"history resend, request {turns}, cache {state:<3}   {percentiles(last)}")


def rate(label: str, write: Callable[[], int], seconds: float) -> None:
    write()  # warm connection pool and key caches
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        count += write()
    print(f"{label:<52} {count / elapsed:>10,.0f} token writes/s")


def writes(label: str, vault: Vault, seconds: float) -> None:
    store = vault.store
    envelope = vault.seal("jane@example.com", Binding("t", "s", "c", "f"))
    conversation = uuid.uuid4().hex
    counter = itertools.count()

    def single() -> int:
        store.put_token("t", conversation, "s", f"<S_{next(counter)}>", "EMAIL", envelope)
        return 1

    def batched(size: int, seal: bool) -> Callable[[], int]:
        def write() -> int:
            conv = uuid.uuid4().hex
            rows = []
            for i in range(size):
                token = f"<T_{i}>"
                env = vault.seal(f"value {i}", Binding("t", "s", conv, token)) if seal else envelope
                rows.append(TokenEntry("t", conv, "s", token, "EMAIL", env))
            store.put_tokens(rows)
            return size

        return write

    rate(f"{label}: put_token, one commit each", single, seconds)
    for size in (5, 50):
        rate(f"{label}: put_tokens, {size} per commit", batched(size, False), seconds)
        rate(f"{label}: seal + put_tokens, {size} per commit", batched(size, True), seconds)
    threaded(f"{label}: seal + put_tokens, 5 per commit, 4 threads", batched(5, True), seconds)


def threaded(label: str, write: Callable[[], int], seconds: float, threads: int = 4) -> None:
    """The same writes from several threads of one process (a server's request pool):
    the database can overlap their commits, which one thread's loop cannot."""
    write()
    counts = [0] * threads
    stop = time.perf_counter() + seconds

    def loop(k: int) -> None:
        while time.perf_counter() < stop:
            counts[k] += write()

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(loop, range(threads)))
    elapsed = time.perf_counter() - start
    print(f"{label:<52} {sum(counts) / elapsed:>10,.0f} token writes/s")


@contextmanager
def postgres_vault(url: str, root: Path, *, durable: bool = False) -> Iterator[Vault]:
    schema = f"veil_bench_{uuid.uuid4().hex[:12]}"
    engine = open_engine(url, schema=schema, durable=durable)
    try:
        migrate(engine, "core")
        ledger = open_engine(f"sqlite:///{root / 'pg-ledger.db'}", durable=True)
        migrate(ledger, "ledger")
        yield Vault(Store(engine), ErasureLedger(ledger), LocalKeyFile(root / "pg.keys"))
    finally:
        engine.dispose()
        admin = sa.create_engine(url)
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--postgres-url")
    args = parser.parse_args()
    texts = [message(i) for i in range(args.messages)]
    assert all(len(t) == 500 for t in texts)
    analyzer = Analyzer.from_settings(cache_entries=0)  # detection measured afresh
    analyzer.warm_up()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        detect = []
        for text in texts:
            start = time.perf_counter()
            analyzer.analyze(text)
            detect.append(time.perf_counter() - start)
        print(f"detection alone, {'':<23} {percentiles(detect)}")
        roundtrip(root, analyzer, texts, "full (SQLite)")
        roundtrip(root, Precomputed(analyzer, texts), texts, "detection excluded (SQLite)")
        history(root, texts)
        writes("SQLite WAL", Vault.embedded(root / "writes"), args.seconds)
        if args.postgres_url:
            with postgres_vault(args.postgres_url, root) as vault:
                writes("PostgreSQL", vault, args.seconds)
            # VEIL_DATABASE_DURABLE=true: every commit waits for the disk.
            with postgres_vault(args.postgres_url, root, durable=True) as vault:
                writes("PostgreSQL, durable", vault, args.seconds)


if __name__ == "__main__":
    main()
