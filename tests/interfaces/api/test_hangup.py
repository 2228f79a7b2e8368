"""A client that hangs up before its answer cancels the upstream call.

A real client on a real socket sends a chat request to the gateway (uvicorn on
127.0.0.1) and closes the socket while the fake upstream holds the request
unanswered; the fake upstream must then see the gateway close its connection (the
call was cancelled, not left to run until the model answers). The request is
refused like any other failure, nothing raw went anywhere, and the gateway serves
the next request.
"""

from __future__ import annotations

import json
import socket
import threading
from urllib.parse import urlsplit

import httpx
import pytest

from veil.interfaces.api.hangup import ClientDisconnectedError, Hangup, current, watched
from veil.pipeline import Veil
from veil.testing import canary_card, canary_email, canary_person

from .conftest import FakeUpstream, LogCapture, Served, leaked  # noqa: TID252


def _send_and_hang_up(served: Served, body: bytes, held: FakeUpstream) -> None:
    address = urlsplit(served.url)
    head = (
        "POST /v1/chat/completions HTTP/1.1\r\n"
        f"host: {address.hostname}\r\n"
        "content-type: application/json\r\n"
        "x-veil-conversation: hang-up\r\nx-veil-subject: s-hang-up\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    ).encode()
    assert address.hostname is not None
    assert address.port is not None
    with socket.create_connection((address.hostname, address.port), timeout=10) as client:
        client.sendall(head + body)
        # The protected request has reached the upstream, which holds it unanswered.
        assert held.stalled.wait(10), "the request never reached the upstream"
    # The client has hung up (the socket is closed) before any answer.


@pytest.mark.parametrize("stream", [False, True], ids=["complete", "stream"])
def test_hang_up_before_the_answer_cancels_the_upstream_call(
    gateway: Served, fake_upstream: FakeUpstream, logs: LogCapture, veil: Veil, stream: bool
) -> None:
    values = [canary_person(), canary_email(), canary_card()]
    text = f"I am {values[0]}, mail {values[1]}, card {values[2]}"
    body = {"stream": stream, "messages": [{"role": "user", "content": text}]}
    fake_upstream.stall = True
    _send_and_hang_up(gateway, json.dumps(body).encode(), fake_upstream)

    assert fake_upstream.hung_up.wait(10), "the upstream call was not cancelled"
    # Refused like any other failure: one request line with 499, a refusal metric.
    line = logs.wait_for('"event": "request"', '"status": 499')
    assert line["route"] == "/v1/chat/completions"
    refused = logs.wait_for('"event": "refused"', "ClientDisconnectedError")
    assert refused["request_id"] == line["request_id"]
    metrics = httpx.get(gateway.url + "/metrics").text
    assert 'veil_refusals_total{error="ClientDisconnectedError"} 1.0' in metrics
    # The user's turn was recorded before the call; no reply was.
    assert veil.turn_count(conversation="hang-up", role="user") == 1
    assert veil.turn_count(conversation="hang-up", role="assistant") == 0
    # Nothing raw went up, into a log line or into a metric.
    assert leaked(fake_upstream.all_bytes(), values) == []
    assert leaked(logs.text(), values) == []
    assert leaked(metrics, values) == []

    # The gateway is healthy: the next request (either kind) is answered in full.
    fake_upstream.stall = False
    answer = httpx.post(
        gateway.url + "/v1/chat/completions",
        json={"messages": [{"role": "user", "content": f"mail {values[1]}"}]},
        timeout=10,
    )
    assert answer.status_code == 200
    assert answer.json()["choices"][0]["message"]["content"] == f"ECHO mail {values[1]}"
    events = httpx.post(
        gateway.url + "/v1/chat/completions",
        json={"stream": True, "messages": [{"role": "user", "content": "hello"}]},
        timeout=10,
    )
    assert events.status_code == 200
    assert events.text.endswith("data: [DONE]\n\n")


def test_hang_up_while_the_stream_stalls_cancels_the_upstream_call(
    gateway: Served, fake_upstream: FakeUpstream, logs: LogCapture
) -> None:
    values = [canary_person(), canary_email()]
    text = f"I am {values[0]}, mail {values[1]}"
    fake_upstream.stall_after = 4  # a few chunks, then the model "thinks"
    body = {"stream": True, "messages": [{"role": "user", "content": text}]}
    received = b""
    with httpx.Client(timeout=10) as http:  # noqa: SIM117
        with http.stream("POST", gateway.url + "/v1/chat/completions", json=body) as response:
            assert response.status_code == 200
            for chunk in response.iter_raw():
                received += chunk
                if received.count(b"data:") >= 4:  # all it sent: the gateway waits for more
                    break
            assert fake_upstream.stalled.wait(10)
    # The client hung up while the gateway waits on the stalled upstream.
    assert fake_upstream.hung_up.wait(10), "the upstream call was not cancelled"
    line = logs.wait_for('"event": "stream failed"', "ClientDisconnectedError")
    assert line["level"] == "warning"
    metrics = httpx.get(gateway.url + "/metrics").text
    assert 'veil_refusals_total{error="ClientDisconnectedError"} 1.0' in metrics
    assert b"[DONE]" not in received
    assert leaked(fake_upstream.all_bytes(), values) == []
    assert leaked(logs.text(), values) == []
    fake_upstream.stall_after = None
    answer = httpx.post(
        gateway.url + "/v1/chat/completions",
        json={"stream": True, "messages": [{"role": "user", "content": "hello"}]},
        timeout=10,
    )
    assert answer.text.endswith("data: [DONE]\n\n")


class _Stream:
    """A network stream as httpcore's: it reports its socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def get_extra_info(self, info: str) -> object:
        return self.sock if info == "socket" else None


def test_cancel_interrupts_a_read_blocked_in_another_thread() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        hangup = Hangup()
        reading = threading.Event()
        outcome: list[BaseException | bytes] = []

        def read() -> None:
            try:
                with hangup.watching(), watched(_Stream(ours)):
                    reading.set()
                    data = ours.recv(10)  # nothing will come: blocks
                outcome.append(data)
            except BaseException as exc:
                outcome.append(exc)

        reader = threading.Thread(target=read)
        reader.start()
        assert reading.wait(10)
        hangup.cancel()
        reader.join(10)
        assert not reader.is_alive()
        assert len(outcome) == 1
        assert isinstance(outcome[0], ClientDisconnectedError)
        assert theirs.recv(10) == b""  # the peer sees the connection shut


def test_a_cancelled_request_does_no_more_io_and_others_are_untouched() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        theirs.sendall(b"x")
        with watched(_Stream(ours)):  # no request in this thread: plain I/O
            assert ours.recv(1) == b"x"
        hangup = Hangup()
        with hangup.watching():
            theirs.sendall(b"y")
            with watched(_Stream(ours)):
                assert ours.recv(1) == b"y"
            hangup.check()
            hangup.cancel()
            with pytest.raises(ClientDisconnectedError), watched(_Stream(ours)):
                raise AssertionError("no I/O after the hang-up")
            with pytest.raises(ClientDisconnectedError):
                hangup.check()
        assert current() is None
