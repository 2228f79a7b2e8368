"""Gateway overhead: ``veil serve`` in front of a fake upstream that answers instantly.

    python benchmarks/gateway.py [--requests 300] [--concurrency 8] [--workers 1]

Three processes on loopback: the fake OpenAI-compatible upstream (asyncio, kept-alive
connections, one write per answer), ``veil serve`` pointed at it (embedded SQLite
vault), and this client. Latency is measured sequentially with an httpx client, once
calling the fake upstream directly and once through the gateway, with a 500-character
customer message carrying fresh canary values (so new tokens are sealed and written on
every request); the difference is veil's added latency.

Throughput: ``--concurrency`` clients through the gateway, each on its own kept-alive
connection. ``--client asyncio`` (default) drives them from one asyncio loop writing
raw HTTP/1.1, so that the load generator takes little of the cores it shares with
the gateway; ``--client threads`` is the earlier generator (one httpx client thread
each). CPU time per request (user + system, from /proc, over each phase) is printed
for the gateway's processes and, separately, for this client and the fake upstream:
it counts work, so it is far less noisy than a latency on a shared box.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Process

import httpx

from veil.testing import canary_card, canary_email, canary_phone

REPLY = json.dumps(
    {
        "id": "c",
        "object": "chat.completion",
        "created": 1,
        "model": "fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Thank you, [PERSON_1]. Done."},
                "finish_reason": "stop",
            }
        ],
    }
).encode()


ANSWER = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
    + f"content-length: {len(REPLY)}\r\n\r\n".encode()
    + REPLY
)


def _length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


class Instant(asyncio.Protocol):
    """Answers every request at once with REPLY; kept-alive connections."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport, self.buffer = transport, b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            size = end + 4 + _length(self.buffer[:end])
            if len(self.buffer) < size:
                return
            self.buffer = self.buffer[size:]
            self.transport.write(ANSWER)


def run_upstream(port: int) -> None:
    async def serve() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Instant, "127.0.0.1", port)  # TCP_NODELAY is set
        await server.serve_forever()

    asyncio.run(serve())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def message() -> str:
    text = (
        f"Hello, this is Maria Gonzalez. My card {canary_card()} was charged twice for my "
        f"appointment, please refund it. You can reach me at {canary_email()} or on "
        f"{canary_phone()} after five. I have been a patient for years and this is the "
        "first time something like this happened, so I hope it can be sorted out quickly. "
    )
    return (text + "Thanks a lot for your help with this. " * 6)[:500]


def body(i: int) -> dict[str, object]:
    return {"model": "fake", "messages": [{"role": "user", "content": message()}]}


def timed(client: httpx.Client, url: str, n: int, prefix: str = "bench") -> list[float]:
    out = []
    for i in range(n):
        # 50 conversations, so token maps grow as in real chats.
        headers = {"x-veil-conversation": f"{prefix}-{i % 50}", "x-veil-subject": "s"}
        start = time.perf_counter()
        response = client.post(url, json=body(i), headers=headers)
        out.append(time.perf_counter() - start)
        response.raise_for_status()
    return out


async def _load(port: int, clients: int, per: int) -> None:
    """``clients`` kept-alive connections, each sending ``per`` requests in turn."""

    async def client(k: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for i in range(per):
                payload = json.dumps(body(i)).encode()
                head = (
                    f"POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\n"
                    f"content-type: application/json\r\ncontent-length: {len(payload)}\r\n"
                    f"x-veil-conversation: load-{k}-{i % 50}\r\nx-veil-subject: s\r\n\r\n"
                )
                writer.write(head.encode() + payload)
                answer = await reader.readuntil(b"\r\n\r\n")
                await reader.readexactly(_length(answer))
                if not answer.startswith(b"HTTP/1.1 200"):
                    raise SystemExit(f"gateway answered {answer[:12]!r}")
        finally:
            writer.close()

    await asyncio.gather(*(client(k) for k in range(clients)))


def _threads(url: str, clients: int, per: int) -> None:
    def worker(k: int) -> None:
        # Each client its own conversations: concurrent writers to one
        # conversation's token map race on SQLite (and are refused, fail closed).
        with httpx.Client(timeout=30) as client:
            timed(client, url, per, prefix=f"load-{k}")

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def cpu_seconds(root: int) -> float:
    """User + system CPU time of process ``root`` and its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(times.get(pid, 0.0) for pid in tree)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="veil serve --workers")
    parser.add_argument("--client", choices=("asyncio", "threads"), default="asyncio")
    args = parser.parse_args()
    up_port, gw_port = free_port(), free_port()
    upstream = Process(target=run_upstream, args=(up_port,), daemon=True)
    upstream.start()
    assert upstream.pid is not None
    upstream_pid = upstream.pid
    data = tempfile.mkdtemp(prefix="veil-bench-")
    env = os.environ | {"VEIL_UPSTREAM_URL": f"http://127.0.0.1:{up_port}/v1"}
    command = [sys.executable, "-c", "from veil.interfaces.cli import main; main()", "serve"]
    gateway = subprocess.Popen(
        [*command, "--port", str(gw_port), "--data-dir", data, "--workers", str(args.workers)],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(timeout=30) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get(f"http://127.0.0.1:{gw_port}/readyz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("gateway did not start")
                time.sleep(0.1)
            direct_url = f"http://127.0.0.1:{up_port}/v1/chat/completions"
            via_url = f"http://127.0.0.1:{gw_port}/v1/chat/completions"
            timed(client, via_url, 30)  # warm up
            direct = timed(client, direct_url, args.requests)
            cpu = cpu_seconds(gateway.pid)
            via = timed(client, via_url, args.requests)
            sequential_cpu = (cpu_seconds(gateway.pid) - cpu) / args.requests
        added = [v - d for v, d in zip(sorted(via), sorted(direct), strict=True)]
        print(f"direct   p50 {pct(direct, 0.5):7.2f} ms  p99 {pct(direct, 0.99):7.2f} ms")
        print(f"gateway  p50 {pct(via, 0.5):7.2f} ms  p99 {pct(via, 0.99):7.2f} ms")
        print(f"added    p50 {pct(added, 0.5):7.2f} ms  p99 {pct(added, 0.99):7.2f} ms")
        print(f"ratio    p50 {statistics.median(via) / statistics.median(direct):7.1f}x")
        print(f"cpu      {sequential_cpu * 1e3:7.2f} ms per request (sequential)")

        per = max(1, args.requests // args.concurrency)
        total = per * args.concurrency
        cpu, side = cpu_seconds(gateway.pid), own_cpu_seconds() + cpu_seconds(upstream_pid)
        start = time.perf_counter()
        if args.client == "asyncio":
            asyncio.run(_load(gw_port, args.concurrency, per))
        else:
            _threads(via_url, args.concurrency, per)
        elapsed = time.perf_counter() - start
        loaded_cpu = (cpu_seconds(gateway.pid) - cpu) / total
        side_cpu = (own_cpu_seconds() + cpu_seconds(upstream_pid) - side) / total
        clients = f"{args.concurrency} {args.client} clients"
        print(f"throughput {total / elapsed:7.1f} requests/s ({clients})")
        print(f"cpu         {loaded_cpu * 1e3:7.2f} ms per request (under load)")
        print(f"cpu         {side_cpu * 1e3:7.2f} ms per request (client + fake upstream)")
    finally:
        gateway.terminate()
        gateway.wait(timeout=10)
        upstream.terminate()
        threading.Event().wait(0)


if __name__ == "__main__":
    main()
