"""The outermost layer of every request: id, size bound, last-resort errors, metrics.

A pure ASGI middleware (no per-request task like ``BaseHTTPMiddleware``). It gives
every request an id (``X-Request-Id``, echoed back), refuses bodies over the limit
with 413 before they are read (by ``Content-Length``) or while they are read (by
counting), turns any exception that escaped the routes into a generic 500, and
records one log line and one metric sample per request. Routes are labelled by their
template; any other path is ``other``, so a path can never put data into a label.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from veil.errors import InputTooLargeError
from veil.interfaces.api.errors import error_body, problem_for
from veil.interfaces.api.observability import Metrics, log_event, method_label, request_id_from

__all__ = ["Guard"]

_ROUTES = frozenset(
    {"/v1/chat/completions", "/v1/models", "/v1/detect", "/v1/protect", "/v1/restore",
     "/analyze", "/anonymize", "/healthz", "/readyz", "/metrics"}
)  # fmt: skip
_QUIET = frozenset({"/healthz", "/readyz", "/metrics"})


class Guard:
    def __init__(self, app: ASGIApp, *, metrics: Metrics, max_body_bytes: int) -> None:
        self._app = app
        self._metrics = metrics
        self._limit = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = request_id_from(headers)
        scope.setdefault("state", {})["request_id"] = request_id
        path = str(scope.get("path", ""))
        route = path if path in _ROUTES else "other"
        status = 500
        sent_head = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, sent_head
            if message["type"] == "http.response.start":
                status, sent_head = int(message["status"]), True
                message["headers"] = [*message.get("headers", []), _header(request_id)]
            await send(message)

        try:
            declared = _content_length(headers)
            if declared is not None and declared > self._limit:
                await _answer(send_with_id, InputTooLargeError(declared, self._limit))
            else:
                await self._app(scope, self._bounded(receive), send_with_id)
        except Exception as exc:
            # Never the message or traceback: third-party errors may quote input.
            name = type(exc).__name__
            log_event("unhandled", level=logging.ERROR, request_id=request_id, error=name)
            if not sent_head:
                await _answer(send_with_id, exc)
        finally:
            self._metrics.observe(scope["method"], route, status, started)
            if route not in _QUIET:
                elapsed = round((time.perf_counter() - started) * 1e3, 2)
                log_event(
                    "request",
                    request_id=request_id,
                    method=method_label(scope["method"]),
                    route=route,
                    status=status,
                    duration_ms=elapsed,
                )

    def _bounded(self, receive: Receive) -> Receive:
        seen = 0
        limit = self._limit

        async def bounded() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise InputTooLargeError(seen, limit)
            return message

        return bounded


def _header(request_id: str) -> tuple[bytes, bytes]:
    return b"x-request-id", request_id.encode("latin-1")


def _content_length(headers: dict[str, str]) -> int | None:
    raw = headers.get("content-length")
    # isdigit alone accepts non-ASCII digits such as "²", which int() refuses.
    return int(raw) if raw is not None and raw.isascii() and raw.isdigit() else None


async def _answer(send: Send, exc: BaseException) -> None:
    body: dict[str, Any] = error_body(exc)
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": problem_for(exc).status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
