"""The model behind the gateway: any OpenAI-compatible endpoint, over httpx.

An :class:`Upstream` receives only protected request bodies. ``complete`` returns a
``chat.completion`` object; ``open_stream`` connects (with retries) and checks the
status before it returns, so a failure to connect is an error answer rather than a
broken stream, then yields the decoded ``chat.completion.chunk`` events.

Failures become :class:`UpstreamError` / :class:`UpstreamTimeoutError` whose messages
carry a status code or an exception class name, never the upstream's body: an
upstream error body may quote the prompt.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Protocol

import httpx
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

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


class HttpUpstream:
    """``POST {url}/chat/completions`` with timeouts and tenacity retries."""

    def __init__(
        self, settings: GatewaySettings, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        if settings.upstream_url is None:
            raise ValueError("HttpUpstream needs settings.upstream_url")
        headers = {"accept": "application/json"}
        if settings.upstream_api_key is not None:
            headers["authorization"] = f"Bearer {settings.upstream_api_key.value}"
        self._client = httpx.Client(
            base_url=settings.upstream_url,
            headers=headers,
            timeout=httpx.Timeout(settings.upstream_timeout, connect=settings.connect_timeout),
            transport=transport,
            follow_redirects=False,
        )
        self._attempts = settings.upstream_retries + 1

    def close(self) -> None:
        self._client.close()

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
        try:
            return retrying(self._attempt, method, path, body, stream)
        except _RetryableStatusError as exc:
            raise UpstreamError(str(exc)) from None
        except httpx.TimeoutException:
            raise UpstreamTimeoutError("upstream timed out") from None
        except httpx.HTTPError as exc:
            raise UpstreamError(f"upstream request failed: {type(exc).__name__}") from None

    def _attempt(self, method: str, path: str, body: Json | None, stream: bool) -> httpx.Response:
        request = self._client.build_request(method, path, json=body)
        response = self._client.send(request, stream=stream)
        if response.status_code < 400:
            return response
        response.close()
        message = f"upstream answered {response.status_code}"
        if response.status_code in _RETRY_STATUS:
            raise _RetryableStatusError(message)
        raise UpstreamError(message)


def _retryable(exc: BaseException) -> bool:
    # A read timeout is not retried: the upstream may still be working on the first try.
    return isinstance(exc, _RetryableStatusError | httpx.ConnectError | httpx.ConnectTimeout)


def _object(response: httpx.Response) -> Json:
    try:
        decoded = response.json()
    except ValueError:
        raise UpstreamError("upstream sent an undecodable answer") from None
    finally:
        response.close()
    if not isinstance(decoded, dict):
        raise UpstreamError("upstream sent an answer that is not an object")
    return decoded
