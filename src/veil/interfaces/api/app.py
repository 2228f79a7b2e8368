"""``create_app``: the OpenAI-compatible privacy proxy as a FastAPI application.

No module state: :func:`create_app` takes the settings, and optionally a ready
:class:`~veil.Veil` and :class:`~veil.interfaces.api.upstream.Upstream` (tests and
embedders pass their own); whatever is missing is built in the lifespan and closed
at shutdown. The request path is sync work (detection, vault, upstream call) run in
the thread pool; the event loop only moves bytes.

Fail closed: the upstream is called only with a body that every protection step
finished; any error before that is an answer from the error table, and nothing was
forwarded. A failure after a stream has started ends it with an ``error`` event.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response, StreamingResponse

from veil.errors import VeilError
from veil.interfaces.api.assistant import Receptionist
from veil.interfaces.api.errors import error_body, problem_response
from veil.interfaces.api.guard import Guard
from veil.interfaces.api.observability import Metrics, log_event
from veil.interfaces.api.replies import StreamRestorer, restore_completion
from veil.interfaces.api.requests import RequestProtector, identity_of, parse_body
from veil.interfaces.api.settings import GatewaySettings
from veil.interfaces.api.upstream import HttpUpstream, Json, Upstream, UpstreamError
from veil.pipeline import Analyzer, Veil

__all__ = ["Gateway", "create_app"]


@dataclass(slots=True)
class Gateway:
    """What the routes need, built once per application."""

    settings: GatewaySettings
    veil: Veil
    upstream: Upstream
    metrics: Metrics = field(default_factory=Metrics)


def _build_veil(settings: GatewaySettings) -> Veil:
    analyzer = Analyzer.from_settings(settings.veil.detection)
    analyzer.warm_up()  # load data files now, not on the first customer's request
    return Veil.embedded(settings.data_dir, analyzer=analyzer, tenant=settings.tenant)


def _build_upstream(settings: GatewaySettings) -> Upstream:
    if settings.upstream_url is None:
        return Receptionist(settings.model)
    return HttpUpstream(settings)


def create_app(
    settings: GatewaySettings, veil: Veil | None = None, upstream: Upstream | None = None
) -> FastAPI:
    """The gateway application; ``veil`` / ``upstream`` default to ``settings``' choice."""
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_veil = veil is None
        own_upstream = upstream is None
        built_veil = veil if veil is not None else await run_in_threadpool(_build_veil, settings)
        built_upstream = upstream if upstream is not None else _build_upstream(settings)
        app.state.gateway = Gateway(settings, built_veil, built_upstream, metrics)
        log_event("gateway started")
        try:
            yield
        finally:
            if own_upstream:
                built_upstream.close()
            if own_veil:
                built_veil.close()
            log_event("gateway stopped")

    app = FastAPI(
        title="veil gateway",
        summary="OpenAI-compatible privacy proxy",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(Guard, metrics=metrics, max_body_bytes=settings.max_body_bytes)
    _handlers(app)
    _routes(app)
    return app


def _gateway(request: Request) -> Gateway:
    gateway = request.app.state.gateway
    assert isinstance(gateway, Gateway)
    return gateway


def _request_id(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", ""))


def _refused(request: Request, exc: Exception) -> Response:
    name = type(exc).__name__
    _gateway(request).metrics.refusals.labels(name).inc()
    log_event("refused", level=logging.WARNING, request_id=_request_id(request), error=name)
    return problem_response(exc, request_id=_request_id(request))


def _handlers(app: FastAPI) -> None:
    async def veil_error(request: Request, exc: Exception) -> Response:
        return _refused(request, exc)

    async def invalid(request: Request, exc: Exception) -> Response:
        # FastAPI's default 422 body echoes the submitted input: never send it.
        body = {
            "error": {
                "message": "the request does not match the schema",
                "type": "invalid_request_error",
                "param": None,
                "code": "invalid_request",
            }
        }
        return JSONResponse(body, status_code=422)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        body = {
            "error": {
                "message": "not found" if status == 404 else "request refused",
                "type": "invalid_request_error",
                "param": None,
                "code": str(status),
            }
        }
        return JSONResponse(body, status_code=status)

    app.add_exception_handler(VeilError, veil_error)
    app.add_exception_handler(UpstreamError, veil_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http_error)


def _routes(app: FastAPI) -> None:
    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(request: Request) -> Response:
        gateway = _gateway(request)
        raw = await request.body()
        headers = {k: v for k, v in request.headers.items() if k.startswith("x-veil-")}
        result = await run_in_threadpool(_chat, gateway, raw, headers)
        if isinstance(result, StreamRestorer):
            return StreamingResponse(
                _sse(result, _request_id(request)),
                media_type="text/event-stream",
                headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
            )
        return JSONResponse(result)

    @app.get("/v1/models", response_model=None)
    async def models(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(_gateway(request).upstream.models))

    @app.get("/healthz", response_model=None)
    async def healthz() -> Response:
        return JSONResponse({"status": "ok"})

    @app.get("/readyz", response_model=None)
    async def readyz(request: Request) -> Response:
        veil = _gateway(request).veil
        try:
            # Loads a token map: proves the database and the vault answer.
            await run_in_threadpool(veil.restore, "", conversation="readyz")
        except VeilError as exc:
            return JSONResponse(error_body(exc), status_code=503)
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", response_model=None)
    async def metrics(request: Request) -> Response:
        registry = _gateway(request).metrics.registry
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def _chat(gateway: Gateway, raw: bytes, headers: dict[str, str]) -> Json | StreamRestorer:
    """Protect, call the upstream, restore (or prepare the restoring stream)."""
    body = parse_body(raw)
    identity = identity_of(headers, body)
    protector = RequestProtector(gateway.veil, identity, max_messages=gateway.settings.max_messages)
    upward = protector.body(body)
    gateway.metrics.protected.inc(protector.protected)
    if upward.get("stream") is True:
        events = gateway.upstream.open_stream(upward)
        try:
            return StreamRestorer(gateway.veil, events, identity.conversation)
        except BaseException:
            events.close()
            raise
    completion = gateway.upstream.complete(upward)
    return restore_completion(gateway.veil, completion, identity.conversation)


def _sse(events: StreamRestorer, request_id: str) -> Iterator[bytes]:
    try:
        for event in events:
            yield b"data: " + json.dumps(event, ensure_ascii=False).encode() + b"\n\n"
    except Exception as exc:  # the head is sent: end the stream with a generic error event
        name = type(exc).__name__
        log_event("stream failed", level=logging.WARNING, request_id=request_id, error=name)
        yield b"data: " + json.dumps(error_body(exc)).encode() + b"\n\n"
        return
    finally:
        events.close()
    yield b"data: [DONE]\n\n"
