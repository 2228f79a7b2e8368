"""Hostile requests against a real gateway on loopback: size, count, depth, encoding.

Every case must end in a clear 4xx whose body names the problem but never the
submitted values, with nothing forwarded to the (recording) fake upstream and no
traceback in the logs. Oversized bodies must be refused without being held: the
server process' peak memory while refusing a 10 MB body stays far below 10 MB.
"""

from __future__ import annotations

import json
import socket
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from veil.interfaces.api import GatewaySettings, HttpUpstream, create_app
from veil.pipeline import Veil
from veil.testing import canary_card, canary_email, canary_person

from .conftest import FakeUpstream, LogCapture, Served  # noqa: TID252

TEN_MB = 10 * 1024 * 1024
PIECE = 64 * 1024
# The default body limit is 1 MB, so the server may legitimately buffer up to ~1 MB
# (plus one socket read and uvicorn's 64 KiB flow-control window) before it refuses.
# 5 MB leaves room for allocator and tracing noise while staying at half the body
# size: a server that read the whole body before refusing could not pass.
MEMORY_BOUND = 5 * 1024 * 1024
CHAT = "/v1/chat/completions"


@pytest.fixture
def values() -> list[str]:
    return [canary_email(), canary_card(), canary_person()]


def error_of(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert isinstance(body, dict)
    error = body["error"]
    assert isinstance(error, dict)
    return error


def assert_clean(
    response: httpx.Response | bytes, values: list[str], fake: FakeUpstream, logs: LogCapture
) -> None:
    """Nothing forwarded, no value echoed in the answer or the logs, no traceback."""
    text = response.text if isinstance(response, httpx.Response) else response.decode("latin-1")
    assert fake.received == []
    for value in values:
        assert value not in text
        assert value not in logs.text()
    assert "Traceback" not in logs.text()
    assert "RecursionError" not in logs.text()


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(field)


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    except OSError:
        return False
    return True


def peak_growth(action: Callable[[], None]) -> tuple[int, int | None]:
    """Peak Python heap growth (all threads) and peak RSS growth while ``action`` runs.

    The gateway runs in a thread of this process, so both include the server's
    buffers. tracemalloc sees every Python allocation (bytes objects included) but
    not C buffers; VmHWM sees everything resident but may under-count memory the
    allocator reuses. RSS growth is ``None`` where the peak cannot be reset.
    """
    tracemalloc.start()
    try:
        rss_before = _status_kb("VmRSS") * 1024
        resettable = _reset_peak_rss()
        tracemalloc.reset_peak()
        heap_before = tracemalloc.get_traced_memory()[0]
        action()
        heap_growth = tracemalloc.get_traced_memory()[1] - heap_before
        rss_growth = _status_kb("VmHWM") * 1024 - rss_before if resettable else None
    finally:
        tracemalloc.stop()
    return heap_growth, rss_growth


def ten_mb() -> Iterator[bytes]:
    # One shared piece: the client itself never holds the body.
    piece = b'{"messages": [' + b" " * (PIECE - 14)
    for _ in range(TEN_MB // PIECE):
        yield piece


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_ten_mb_body_is_413_with_bounded_memory(
    gateway: Served, fake_upstream: FakeUpstream, logs: LogCapture, declared: bool
) -> None:
    # Without Content-Length httpx sends the generator with chunked transfer coding.
    headers = {"content-length": str(TEN_MB)} if declared else {}
    answers: list[httpx.Response] = []

    def send() -> None:
        with httpx.Client(timeout=30) as client:
            answers.append(client.post(gateway.url + CHAT, content=ten_mb(), headers=headers))

    heap, rss = peak_growth(send)
    assert answers[0].status_code == 413
    assert error_of(answers[0])["code"] == "request_too_large"
    assert answers[0].headers["x-request-id"]
    assert heap < MEMORY_BOUND, heap
    if rss is not None:
        assert rss < MEMORY_BOUND, rss
    assert_clean(answers[0], [], fake_upstream, logs)


def test_memory_measure_sees_a_held_body(veil: Veil, fake_upstream: FakeUpstream) -> None:
    # Control: with a 20 MB limit the server must hold the whole 10 MB body, and the
    # same measurement has to see it, else the bound above would prove nothing.
    settings = GatewaySettings(upstream_url=fake_upstream.url, max_body_bytes=2 * TEN_MB)
    served = Served(create_app(settings, veil, HttpUpstream(settings)))
    answers: list[httpx.Response] = []

    def send() -> None:
        with httpx.Client(timeout=30) as client:
            answers.append(client.post(served.url + CHAT, content=ten_mb()))

    try:
        heap, _ = peak_growth(send)
    finally:
        served.close()
    assert answers[0].status_code == 400  # read whole, then refused as malformed JSON
    assert heap > TEN_MB


def _raw_exchange(served: Served, head: bytes, body: Iterator[bytes] = iter(())) -> bytes:
    host, port = served.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head)
        answer = b""
        try:
            for piece in body:
                sock.sendall(piece)
            sock.shutdown(socket.SHUT_WR)
        except OSError:  # the server may hang up once it has answered
            pass
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:  # answered, then reset for the unread rest
            pass
    return answer


def test_declared_oversize_is_refused_before_any_body_byte(
    gateway: Served, fake_upstream: FakeUpstream, logs: LogCapture
) -> None:
    # Headers only: the answer must come without the server waiting for the body.
    host = gateway.url.removeprefix("http://")
    head = (
        f"POST {CHAT} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\n"
        f"content-length: {TEN_MB}\r\nconnection: close\r\n\r\n"
    ).encode()
    answer = _raw_exchange(gateway, head)  # sends no body byte at all
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"request_too_large" in answer
    assert_clean(answer, [], fake_upstream, logs)


def test_one_huge_chunk_is_413_with_bounded_memory(
    gateway: Served, fake_upstream: FakeUpstream, logs: LogCapture, values: list[str]
) -> None:
    # A single 10 MB chunk in chunked framing: counted as it arrives, not when it ends.
    host = gateway.url.removeprefix("http://")
    head = (
        f"POST {CHAT} HTTP/1.1\r\nhost: {host}\r\ntransfer-encoding: chunked\r\n"
        f"connection: close\r\n\r\n{TEN_MB:x}\r\n"
    ).encode()
    seed = json.dumps({"messages": [{"role": "user", "content": " ".join(values)}]}).encode()
    answers: list[bytes] = []

    def body() -> Iterator[bytes]:
        yield seed
        rest = TEN_MB - len(seed)
        filler = b" " * PIECE
        while rest > 0:
            yield filler[: min(rest, PIECE)]
            rest -= PIECE
        yield b"\r\n0\r\n\r\n"

    heap, rss = peak_growth(lambda: answers.append(_raw_exchange(gateway, head, body())))
    assert answers[0].startswith(b"HTTP/1.1 413 ")
    assert heap < MEMORY_BOUND, heap
    if rss is not None:
        assert rss < MEMORY_BOUND, rss
    assert_clean(answers[0], values, fake_upstream, logs)


def test_ten_thousand_messages_are_a_clear_400(
    gateway: Served, fake_upstream: FakeUpstream, logs: LogCapture, values: list[str]
) -> None:
    messages = [{"role": "user", "content": f"{values[i % 3]} #{i}"} for i in range(10_000)]
    raw = json.dumps({"model": "m", "messages": messages})
    assert len(raw) < GatewaySettings().max_body_bytes  # the count limit, not the size
    response = httpx.post(gateway.url + CHAT, content=raw, timeout=30)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_request"
    assert "too many messages" in error["message"]
    assert_clean(response, values, fake_upstream, logs)


def test_message_limit_is_configurable(
    veil: Veil, fake_upstream: FakeUpstream, logs: LogCapture, values: list[str]
) -> None:
    settings = GatewaySettings(upstream_url=fake_upstream.url, upstream_retries=0, max_messages=5)
    served = Served(create_app(settings, veil, HttpUpstream(settings)))
    try:
        url = served.url + CHAT
        messages = [{"role": "user", "content": f"hi {values[0]}"}] * 6
        refused = httpx.post(url, json={"model": "m", "messages": messages})
        assert refused.status_code == 400
        assert "the limit is 5" in error_of(refused)["message"]
        assert_clean(refused, values, fake_upstream, logs)
        served_ok = httpx.post(url, json={"model": "m", "messages": messages[:5]}, timeout=30)
        assert served_ok.status_code == 200
        assert values[0] not in fake_upstream.all_bytes().decode()
    finally:
        served.close()


_DEEP = 100_000


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * _DEEP,
        b"[" * _DEEP + b"]" * _DEEP,
        b'{"a": ' * _DEEP,
        b'{"messages": [{"role": "user", "content": ' + b"[" * _DEEP,
        b'{"messages": [{"role": "user", "content": "x"}], "response_format": '
        + b"[" * _DEEP
        + b"]" * _DEEP
        + b"}",
    ],
    ids=["open-arrays", "closed-arrays", "objects", "in-content", "in-passed-field"],
)
def test_deep_nesting_is_400_without_recursion_trace(
    gateway: Served, fake_upstream: FakeUpstream, logs: LogCapture, raw: bytes
) -> None:
    response = httpx.post(gateway.url + CHAT, content=raw, timeout=30)
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_request"
    assert "nested too deeply" in error_of(response)["message"]
    assert_clean(response, [], fake_upstream, logs)


@pytest.mark.parametrize("field", ["response_format", "logit_bias", "stream_options", "seed"])
def test_nesting_below_the_parser_limit_in_passed_fields_is_400(
    gateway: Served, fake_upstream: FakeUpstream, logs: LogCapture, field: str
) -> None:
    # Parses fine, but would be re-encoded (and recursed into) on the way up.
    depth = 900
    nested = "[" * depth + "]" * depth
    raw = f'{{"messages": [{{"role": "user", "content": "x"}}], "{field}": {nested}}}'
    response = httpx.post(gateway.url + CHAT, content=raw, timeout=30)
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_request"
    assert_clean(response, [], fake_upstream, logs)


@pytest.mark.parametrize(
    "bad",
    [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xe2\x82"],
    ids=["ff", "bad-continuation", "encoded-surrogate", "five-byte", "truncated"],
)
def test_invalid_utf8_is_400(
    gateway: Served, fake_upstream: FakeUpstream, logs: LogCapture, values: list[str], bad: bytes
) -> None:
    content = " ".join(values).encode() + bad
    raw = b'{"messages": [{"role": "user", "content": "' + content + b'"}]}'
    response = httpx.post(gateway.url + CHAT, content=raw)
    assert response.status_code == 400
    assert error_of(response)["message"] == "request body is not valid UTF-8"
    assert_clean(response, values, fake_upstream, logs)


def test_unpaired_surrogate_escape_is_400(
    gateway: Served, fake_upstream: FakeUpstream, logs: LogCapture, values: list[str]
) -> None:
    raw = json.dumps({"messages": [{"role": "user", "content": values[0] + "\ud800"}]})
    response = httpx.post(gateway.url + CHAT, content=raw)
    assert response.status_code == 400
    assert_clean(response, values, fake_upstream, logs)


@pytest.mark.parametrize(
    "template",
    [
        '{{"messages": [{{"role": "user", "content": "{v}"}}',
        '{{"messages": [{{"role": "user", "content": "{v}}}]}}',
        '{{"messages": [{{"role": "user", "content": {v}}}]}}',
        "{v}",
        '{{"messages": "{v}"}}',
        '["{v}"]',
    ],
)
def test_malformed_json_is_400_without_echo(
    gateway: Served, fake_upstream: FakeUpstream, logs: LogCapture, values: list[str], template: str
) -> None:
    raw = template.format(v=" ".join(values))
    response = httpx.post(gateway.url + CHAT, content=raw)
    assert response.status_code == 400
    assert error_of(response)["type"] == "invalid_request_error"
    assert_clean(response, values, fake_upstream, logs)


@pytest.mark.parametrize("length", ["12x", "-5", "\u00b2", "99999999999999999999999"])
def test_odd_content_length_is_a_4xx(
    gateway: Served, fake_upstream: FakeUpstream, logs: LogCapture, length: str
) -> None:
    host = gateway.url.removeprefix("http://")
    head = (
        f"POST {CHAT} HTTP/1.1\r\nhost: {host}\r\ncontent-length: {length}\r\n"
        "connection: close\r\n\r\n"
    ).encode("latin-1")
    answer = _raw_exchange(gateway, head, iter([b"{}"]))
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500, answer[:200]
    assert_clean(answer, [], fake_upstream, logs)
