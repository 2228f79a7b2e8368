"""A real gateway on 127.0.0.1 in front of a fake upstream that records every byte.

The fake upstream answers like an OpenAI endpoint by echoing, in its reply, every
text it received (message contents, tool-call arguments, tool descriptions), so a
client that reads its own values back proves the restore path, and the recorded
bytes prove what the upstream saw.
"""

from __future__ import annotations

import json
import logging
import select
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from veil.interfaces.api import GatewaySettings, HttpUpstream, Upstream, create_app
from veil.interfaces.api.observability import JsonFormatter
from veil.pipeline import Analyzer, Veil


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    if isinstance(value, dict):
        return [
            t for k, v in value.items() if k not in {"role", "type", "model"} for t in _texts(v)
        ]
    return []


class FakeUpstream:
    """OpenAI-shaped echo server; ``received`` holds every raw request (head + body)."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.bodies: list[bytes] = []
        self.status = 200
        self.piece = 3  # stream chunk size
        self.delay = 0.0
        self.chunk_delay = 0.0  # seconds between stream events
        self.repeat = 1  # the streamed reply is the echo repeated this many times
        self.events_sent = 0
        self.events_planned = 0
        self.disconnected = threading.Event()  # a stream write found the gateway gone
        self.stall = False  # hold every POST, unanswered, until the gateway hangs up
        self.stall_after: int | None = None  # or hold a stream after this many events
        self.stalled = threading.Event()  # a held request has arrived
        self.hung_up = threading.Event()  # the gateway closed a held request's connection
        self.release = threading.Event()  # stop holding (answer normally)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                outer.received.append(self.requestline.encode() + bytes(self.headers))
                self._json({"object": "list", "data": [{"id": "fake", "object": "model"}]})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                raw = self.rfile.read(length)
                outer.received.append(self.requestline.encode() + bytes(self.headers) + raw)
                outer.bodies.append(raw)
                if outer.stall:
                    outer.stalled.set()
                    if _peer_closed(self.connection, outer.release):
                        outer.hung_up.set()
                        self.close_connection = True
                        return
                if outer.delay:
                    time.sleep(outer.delay)
                if outer.status != 200:
                    self._json({"error": {"message": "echo: " + raw.decode()}}, outer.status)
                    return
                body = json.loads(raw)
                reply = "ECHO " + " | ".join(_texts(body.get("messages", [])))
                reply = " ".join([reply] * outer.repeat)
                tools = body.get("tools") or []
                calls = []
                if tools and body["messages"][-1]["role"] == "user":
                    arguments = json.dumps({"echo": _texts(body["messages"][-1])})
                    name = tools[0]["function"]["name"]
                    calls = [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": name, "arguments": arguments},
                        }
                    ]
                if body.get("stream"):
                    try:
                        self._stream(reply, calls)
                    except OSError:  # the gateway hung up: recorded by send()
                        self.close_connection = True
                else:
                    message: dict[str, Any] = {"role": "assistant", "content": reply}
                    if calls:
                        message["tool_calls"] = calls
                    choices = [
                        {"index": i, "message": message, "finish_reason": "stop"}
                        for i in range(int(body.get("n") or 1))
                    ]
                    self._json(
                        {
                            "id": "c1",
                            "object": "chat.completion",
                            "created": 1,
                            "model": "fake",
                            "choices": choices,
                        }
                    )

            def _json(self, obj: object, status: int = 200) -> None:
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, reply: str, calls: list[dict[str, Any]]) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("connection", "close")
                self.end_headers()
                base = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "f"}

                def send(delta: dict[str, Any], finish: str | None = None) -> None:
                    event = base | {
                        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]
                    }
                    if outer.chunk_delay:
                        time.sleep(outer.chunk_delay)
                    if outer.events_sent == outer.stall_after:
                        outer.stalled.set()
                        if _peer_closed(self.connection, outer.release):
                            outer.hung_up.set()
                            raise OSError("the gateway hung up")
                    try:
                        self.wfile.write(b"data: " + json.dumps(event).encode() + b"\n\n")
                        self.wfile.flush()
                    except OSError:
                        outer.disconnected.set()
                        raise
                    outer.events_sent += 1

                outer.events_planned = 1 + -(-len(reply) // outer.piece)
                send({"role": "assistant", "content": ""})
                for at in range(0, len(reply), outer.piece):
                    send({"content": reply[at : at + outer.piece]})
                for i, call in enumerate(calls):
                    head = {
                        "index": i,
                        "id": call["id"],
                        "type": "function",
                        "function": {"name": call["function"]["name"], "arguments": ""},
                    }
                    send({"tool_calls": [head]})
                    args = call["function"]["arguments"]
                    for at in range(0, len(args), 4):
                        send(
                            {
                                "tool_calls": [
                                    {"index": i, "function": {"arguments": args[at : at + 4]}}
                                ]
                            }
                        )
                send({}, "tool_calls" if calls else "stop")
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def all_bytes(self) -> bytes:
        return b"".join(self.received)

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def _peer_closed(connection: socket.socket, release: threading.Event) -> bool:
    """Wait, without answering, until the peer closes ``connection`` (True) or
    ``release`` is set (False); at most 30 s."""
    deadline = time.monotonic() + 30
    while not release.is_set() and time.monotonic() < deadline:
        readable, _, _ = select.select([connection], [], [], 0.05)
        if readable:
            try:
                return connection.recv(1, socket.MSG_PEEK) == b""
            except OSError:
                return True
    return False


class Served:
    """A FastAPI app served by uvicorn on a random loopback port, in a thread."""

    def __init__(self, app: FastAPI) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_config=None, access_log=False, lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("gateway did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class LogCapture(logging.Handler):
    """Everything logged, both as emitted (JSON) and fully formatted with tracebacks."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self._json = JsonFormatter()
        self._full = logging.Formatter("%(name)s %(message)s")
        self._logged = threading.Condition()

    def emit(self, record: logging.LogRecord) -> None:
        with self._logged:
            self.lines.append(self._json.format(record))
            self.lines.append(self._full.format(record))
            self._logged.notify_all()

    def wait_for(self, *parts: str, timeout: float = 10) -> dict[str, Any]:
        """The first JSON line that holds every one of ``parts``, once it is logged."""

        def found() -> dict[str, Any] | None:
            for line in self.lines:
                if line.startswith("{") and all(p in line for p in parts):
                    decoded: dict[str, Any] = json.loads(line)
                    return decoded
            return None

        with self._logged:
            if not self._logged.wait_for(lambda: found() is not None, timeout):
                raise AssertionError(f"nothing logged with {parts}")
            line = found()
            assert line is not None
            return line

    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    found = Analyzer.from_settings()
    found.warm_up()
    return found


@pytest.fixture
def veil(tmp_path: Path, analyzer: Analyzer) -> Iterator[Veil]:
    with Veil.embedded(tmp_path / "vault", analyzer=analyzer) as made:
        yield made


@pytest.fixture
def fake_upstream() -> Iterator[FakeUpstream]:
    fake = FakeUpstream()
    yield fake
    fake.close()


@pytest.fixture
def logs() -> Iterator[LogCapture]:
    capture = LogCapture()
    loggers = [logging.getLogger(n) for n in ("veil", "uvicorn", "uvicorn.error", "httpx")]
    levels = [log.level for log in loggers]
    for log in loggers:
        log.addHandler(capture)
        log.setLevel(logging.DEBUG)
    yield capture
    for log, level in zip(loggers, levels, strict=True):
        log.removeHandler(capture)
        log.setLevel(level)


def serve(veil: Veil, upstream: Upstream | None, **overrides: Any) -> Served:
    settings = GatewaySettings(**overrides)
    return Served(create_app(settings, veil, upstream))


HASH_KEY = b"k" * 32


@pytest.fixture
def gateway(
    veil: Veil, analyzer: Analyzer, fake_upstream: FakeUpstream, logs: LogCapture
) -> Iterator[Served]:
    # The fake upstream stands for a processor the built-in policy lets receive every
    # category (pseudonymized), so each field's round trip can be checked; the
    # minimization of the "upstream" recipient has its own tests (test_purposes.py).
    settings = GatewaySettings(
        upstream_url=fake_upstream.url, upstream_retries=0, recipient="assistant"
    )
    app = create_app(settings, veil, HttpUpstream(settings), analyzer=analyzer, hash_key=HASH_KEY)
    served = Served(app)
    yield served
    served.close()


def leaked(blob: bytes | str, values: list[str]) -> list[str]:
    """The values (or their space-free / JSON-escaped forms) that occur in ``blob``."""
    text = blob.decode("utf-8", "replace") if isinstance(blob, bytes) else blob
    forms = set(values) | {v.replace(" ", "") for v in values}
    return sorted(f for f in forms if f in text or json.dumps(f)[1:-1] in text)
