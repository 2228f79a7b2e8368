"""HttpUpstream over httpx.MockTransport: retries, timeouts, value-free errors, SSE."""

from __future__ import annotations

import httpx
import pytest

from veil.interfaces.api.settings import GatewaySettings, Secret
from veil.interfaces.api.upstream import (
    HttpUpstream,
    UpstreamError,
    UpstreamTimeoutError,
    sse_events,
)

from .conftest import FakeUpstream  # noqa: TID252


def upstream(handler: httpx.MockTransport, retries: int = 2) -> HttpUpstream:
    settings = GatewaySettings(
        upstream_url="http://up.test/v1", upstream_api_key=Secret("sk-1"), upstream_retries=retries
    )
    return HttpUpstream(settings, transport=handler)


def test_retries_5xx_then_succeeds_with_the_key() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503 if len(seen) < 3 else 200, json={"ok": True})

    assert upstream(httpx.MockTransport(handle)).complete({"messages": []}) == {"ok": True}
    assert len(seen) == 3
    assert seen[0].headers["authorization"] == "Bearer sk-1"
    assert str(seen[0].url) == "http://up.test/v1/chat/completions"


def test_4xx_is_not_retried_and_the_body_is_not_quoted() -> None:
    calls = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(400, json={"error": {"message": "you said [PERSON_1]"}})

    with pytest.raises(UpstreamError) as caught:
        upstream(httpx.MockTransport(handle)).complete({})
    assert str(caught.value) == "upstream answered 400"
    assert calls == [1]


def test_timeouts_and_connection_errors() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    with pytest.raises(UpstreamTimeoutError):
        upstream(httpx.MockTransport(slow)).complete({})
    attempts = []

    def down(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(UpstreamError, match="ConnectError"):
        upstream(httpx.MockTransport(down), retries=1).complete({})
    assert len(attempts) == 2


def test_stream_events() -> None:
    body = b'data: {"a": 1}\n\n: comment\n\ndata: {"a": 2}\n\ndata: [DONE]\n\ndata: {"a": 3}\n\n'

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    assert list(upstream(httpx.MockTransport(handle)).open_stream({})) == [{"a": 1}, {"a": 2}]


def test_sse_errors_are_value_free() -> None:
    with pytest.raises(UpstreamError) as caught:
        list(sse_events(iter(['data: {"error": {"message": "jane@example.org"}}', ""])))
    assert "jane" not in str(caught.value)
    with pytest.raises(UpstreamError):
        list(sse_events(iter(["data: {not json", ""])))
    assert list(sse_events(iter(['data: {"x":', "data: 1}", ""]))) == [{"x": 1}]


def test_no_cookie_jar_carries_state_between_calls() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True}, headers={"set-cookie": "tenant=a"})

    model = upstream(httpx.MockTransport(handle))
    model.complete({"messages": []})
    model.complete({"messages": []})
    assert "cookie" not in seen[1].headers
    assert seen[1].headers["content-type"] == "application/json"
    assert seen[1].extensions["timeout"]["read"] == GatewaySettings().upstream_timeout


def test_the_environment_proxy_is_used_as_httpx_would(
    fake_upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    proxy = fake_upstream.url.removesuffix("/v1")
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("http_proxy", proxy)
    settings = GatewaySettings(upstream_url="http://model.invalid/v1", upstream_retries=0)
    model = HttpUpstream(settings)
    try:
        answer = model.complete({"messages": [{"role": "user", "content": "hi"}]})
    finally:
        model.close()
    assert answer["choices"][0]["message"]["content"] == "ECHO hi"
    # The proxy (the fake) was asked for the model's absolute URL.
    assert fake_upstream.received[0].startswith(b"POST http://model.invalid/v1/chat/completions")
    monkeypatch.setenv("NO_PROXY", "model.invalid")
    monkeypatch.setenv("no_proxy", "model.invalid")
    bypassing = HttpUpstream(settings)
    try:
        with pytest.raises(UpstreamError, match="ConnectError"):
            bypassing.complete({"messages": []})
    finally:
        bypassing.close()
    assert len(fake_upstream.received) == 1
