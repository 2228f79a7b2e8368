"""The model behind the gateway: any OpenAI-compatible endpoint, over httpx.

An :class:`Upstream` receives only protected request bodies. ``complete`` returns a
``chat.completion`` object; ``open_stream`` connects (with retries) and checks the
status before it returns, so a failure to connect is an error answer rather than a
broken stream, then yields the decoded ``chat.completion.chunk`` events.

Failures become :class:`UpstreamError` / :class:`UpstreamTimeoutError` whose messages
carry a status code or an exception class name, never the upstream's body: an
upstream error body may quote the prompt.

The connections report the socket I/O they block on to the request a worker thread
is working for (``veil.interfaces.api.hangup``): a client that hangs up shuts that
socket down, and the call raises ``ClientDisconnectedError`` at once.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any, Protocol

import httpcore
import httpx
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from veil.interfaces.api.hangup import watched
from veil.interfaces.api.settings import GatewaySettings

__all__ = [
    "EventStream",
    "HttpUpstream",
    "Json",
    "Upstream",
    "UpstreamError",
    "UpstreamTimeoutError",
    "sse_events",
]

Json = dict[str, Any]

_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class UpstreamError(Exception):
    """The upstream failed or answered with an error; the message is value-free."""


class UpstreamTimeoutError(UpstreamError):
    """The upstream did not answer in time."""


class _RetryableStatusError(UpstreamError):
    pass


class EventStream(Protocol):
    """Decoded stream events; ``close`` releases the connection early."""

    def __iter__(self) -> Iterator[Json]: ...

    def close(self) -> None: ...


class Upstream(Protocol):
    """An OpenAI-compatible chat model. Sync: the gateway calls it from a thread."""

    def complete(self, body: Json) -> Json: ...

    def open_stream(self, body: Json) -> EventStream: ...

    def models(self) -> Json: ...

    def close(self) -> None: ...


def sse_events(lines: Iterator[str]) -> Iterator[Json]:
    """Decode ``text/event-stream`` lines into JSON events, up to ``data: [DONE]``."""
    data: list[str] = []
    for line in lines:
        if line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
            continue
        if line or not data:
            continue  # comments, other fields, or a blank line between events
        payload, data = "\n".join(data), []
        if payload == "[DONE]":
            return
        yield _decoded(payload)
    if data and "\n".join(data) != "[DONE]":
        yield _decoded("\n".join(data))


def _decoded(payload: str) -> Json:
    try:
        event = json.loads(payload)
    except ValueError:
        raise UpstreamError("upstream sent an undecodable stream event") from None
    if not isinstance(event, dict):
        raise UpstreamError("upstream sent a stream event that is not an object")
    if "error" in event:
        raise UpstreamError("upstream reported an error mid-stream")
    return event


class _HttpEvents:
    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    def __iter__(self) -> Iterator[Json]:
        try:
            yield from sse_events(self._response.iter_lines())
        except httpx.TimeoutException:
            raise UpstreamTimeoutError("upstream stream timed out") from None
        except httpx.HTTPError as exc:
            raise UpstreamError(f"upstream stream failed: {type(exc).__name__}") from None
        finally:
            self._response.close()

    def close(self) -> None:
        self._response.close()


class _WatchedStream(httpcore.NetworkStream):
    """A connection whose blocking reads and writes a hang-up can interrupt."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        with watched(self._stream):
            return self._stream.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        with watched(self._stream):
            self._stream.write(buffer, timeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        with watched(self._stream):
            return _WatchedStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _WatchedBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _WatchedStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _WatchedTransport(httpx.HTTPTransport):
    """httpx's transport (its pool settings, the environment's HTTP proxy) over
    connections that a client's hang-up can interrupt: httpx takes no network
    backend, so the pool is built here, as httpx builds it."""

    def __init__(self, proxy: httpx.Proxy | None) -> None:
        super().__init__(proxy=proxy)
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        pooling: dict[str, Any] = {
            "ssl_context": httpx.create_ssl_context(),
            "max_connections": limits.max_connections,
            "max_keepalive_connections": limits.max_keepalive_connections,
            "keepalive_expiry": limits.keepalive_expiry,
            "network_backend": _WatchedBackend(),
        }
        if proxy is None:
            self._pool = httpcore.ConnectionPool(**pooling)
        else:
            self._pool = httpcore.HTTPProxy(
                proxy_url=httpcore.URL(
                    scheme=proxy.url.raw_scheme,
                    host=proxy.url.raw_host,
                    port=proxy.url.port,
                    target=proxy.url.raw_path,
                ),
                proxy_auth=proxy.raw_auth,
                proxy_headers=proxy.headers.raw,
                proxy_ssl_context=proxy.ssl_context,
                **pooling,
            )


def _transport_to(url: str) -> httpx.BaseTransport:
    """A watched transport to ``url``, through the HTTP(S) proxy that an httpx client
    would take from the environment (``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``)."""
    target = httpx.URL(url)
    proxies = urllib.request.getproxies()
    found = proxies.get(target.scheme) or proxies.get("all")
    if not found or urllib.request.proxy_bypass(target.host):
        return _WatchedTransport(None)
    proxy = httpx.Proxy(found if "://" in found else f"http://{found}")
    if proxy.url.scheme not in {"http", "https"}:  # SOCKS: httpx's own, not watched
        return httpx.HTTPTransport(proxy=proxy)
    return _WatchedTransport(proxy)


class HttpUpstream:
    """``POST {url}/chat/completions`` with timeouts and tenacity retries.

    Requests go straight to one pooled httpx transport (kept-alive connections to
    the model): httpx's client layer would only add work to every call (a third of
    it), and a cookie jar, which must not carry one tenant's state into the next
    tenant's call.
    """

    def __init__(
        self, settings: GatewaySettings, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        if settings.upstream_url is None:
            raise ValueError("HttpUpstream needs settings.upstream_url")
        self._base = settings.upstream_url.rstrip("/")
        self._headers = {"accept": "application/json"}
        if settings.upstream_api_key is not None:
            self._headers["authorization"] = f"Bearer {settings.upstream_api_key.value}"
        self._json_headers = self._headers | {"content-type": "application/json"}
        timeout = httpx.Timeout(settings.upstream_timeout, connect=settings.connect_timeout)
        self._timeout = timeout.as_dict()
        self._transport = transport if transport is not None else _transport_to(self._base)
        self._attempts = settings.upstream_retries + 1

    def close(self) -> None:
        self._transport.close()

    def complete(self, body: Json) -> Json:
        response = self._send("POST", "/chat/completions", body, stream=False)
        return _object(response)

    def open_stream(self, body: Json) -> EventStream:
        return _HttpEvents(self._send("POST", "/chat/completions", body, stream=True))

    def models(self) -> Json:
        return _object(self._send("GET", "/models", None, stream=False))

    def _send(self, method: str, path: str, body: Json | None, *, stream: bool) -> httpx.Response:
        retrying = Retrying(
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=0.1, max=2.0),
            retry=retry_if_exception(_retryable),
            reraise=True,
        )
        request = httpx.Request(
            method,
            self._base + path,
            content=None if body is None else _encoded(body),
            headers=self._headers if body is None else self._json_headers,
            extensions={"timeout": self._timeout},
        )
        try:
            return retrying(self._attempt, request, stream)
        except _RetryableStatusError as exc:
            raise UpstreamError(str(exc)) from None
        except httpx.TimeoutException:
            raise UpstreamTimeoutError("upstream timed out") from None
        except httpx.HTTPError as exc:
            raise UpstreamError(f"upstream request failed: {type(exc).__name__}") from None

    def _attempt(self, request: httpx.Request, stream: bool) -> httpx.Response:
        response = self._transport.handle_request(request)
        try:
            if response.status_code >= 400:
                message = f"upstream answered {response.status_code}"
                if response.status_code in _RETRY_STATUS:
                    raise _RetryableStatusError(message)
                raise UpstreamError(message)
            if not stream:
                response.read()
        except BaseException:
            response.close()
            raise
        if not stream:
            response.close()
        return response


def _encoded(body: Json) -> bytes:
    # As httpx encodes ``json=``: compact UTF-8, and no NaN (not JSON).
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode()


def _retryable(exc: BaseException) -> bool:
    # A read timeout is not retried: the upstream may still be working on the first try.
    return isinstance(exc, _RetryableStatusError | httpx.ConnectError | httpx.ConnectTimeout)


def _object(response: httpx.Response) -> Json:
    try:
        decoded = response.json()
    except ValueError:
        raise UpstreamError("upstream sent an undecodable answer") from None
    if not isinstance(decoded, dict):
        raise UpstreamError("upstream sent an answer that is not an object")
    return decoded
