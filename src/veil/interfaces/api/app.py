"""``create_app``: the OpenAI-compatible privacy proxy as a FastAPI application.

No module state: :func:`create_app` takes the settings, and optionally a ready
:class:`~veil.Veil` and :class:`~veil.interfaces.api.upstream.Upstream` (tests and
embedders pass their own), the :class:`~veil.pipeline.Analyzer` behind ``/v1/detect``
and ``/analyze`` and the key of ``/anonymize``'s ``keyed_hash``; whatever is missing
is built in the lifespan (an analyzer passed with neither is built from the settings
on first use) and closed at shutdown. The request path is sync work (detection,
vault, upstream call) run in the thread pool, one step per request; the event loop
only moves bytes, and listens for a client that hangs up (``hangup``).

Fail closed: the upstream is called only with a body that every protection step
finished; any error before that is an answer from the error table, and nothing was
forwarded. A failure after a stream has started ends it with an ``error`` event.

The chat flow itself (turn recording, the restoring stream) is in
``veil.interfaces.api.chat``.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from veil.audit import AuditTrail
from veil.core import Entity
from veil.errors import VeilError
from veil.interfaces.api import presidio, texts, transparency
from veil.interfaces.api.admin import admin_router
from veil.interfaces.api.analytics import analytics_router
from veil.interfaces.api.assistant import Receptionist
from veil.interfaces.api.auth import Require
from veil.interfaces.api.background import PolicyWatcher, every
from veil.interfaces.api.chat import Caller, RestoringStream, chat
from veil.interfaces.api.errors import error_body, problem_response
from veil.interfaces.api.guard import Guard
from veil.interfaces.api.hangup import ClientDisconnectedError, Hangup, in_thread
from veil.interfaces.api.observability import Metrics, log_event
from veil.interfaces.api.requests import parse_body
from veil.interfaces.api.services import build_gate, install_services, sweep
from veil.interfaces.api.settings import GatewaySettings
from veil.interfaces.api.subjects import subjects_router
from veil.interfaces.api.upstream import HttpUpstream, Json, Upstream, UpstreamError
from veil.interfaces.deployment import open_vault
from veil.pipeline import Analyzer, Veil
from veil.pipeline.gate import PurposeGate
from veil.policy import Permission

__all__ = ["Gateway", "create_app"]


@dataclass(slots=True)
class Gateway:
    """What the routes need, built once per application."""

    settings: GatewaySettings
    veil: Veil
    upstream: Upstream
    metrics: Metrics = field(default_factory=Metrics)
    analyzer: Analyzer | None = None
    hash_key: bytes | None = field(default=None, repr=False)
    gate: PurposeGate | None = None

    def purposes(self) -> PurposeGate:
        """The purpose gate; built in the lifespan, so always there for a request."""
        assert self.gate is not None
        return self.gate

    def detector(self) -> Analyzer:
        """The analyzer of the detection endpoints: the one given, else the Veil's."""
        return self.analyzer if self.analyzer is not None else self.veil.analyzer


_HASH_PURPOSE = "api-keyed-hash/v1"

# FastAPI's own OpenTelemetry (newer releases turn it on whenever a provider is
# configured in the process) records request bodies, validation input and exception
# messages: none of it may leave veil. Off, which also spares every request its checks.
_NO_TELEMETRY: dict[str, Any] = (
    {"telemetry": {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}}
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters
    else {}
)


@dataclass(frozen=True, slots=True)
class _Embedded:
    veil: Veil
    hash_key: bytes

    def close(self) -> None:
        self.veil.close()


def _build_embedded(settings: GatewaySettings) -> _Embedded:
    analyzer = Analyzer.from_settings(settings.veil.detection)
    analyzer.warm_up()  # load data files now, not on the first customer's request
    vault = open_vault(settings.deployment)
    audit = AuditTrail.from_vault(vault)
    veil = Veil(analyzer, vault, tenant=settings.tenant, owns_vault=True, audit=audit)
    return _Embedded(veil, veil.derive_key(_HASH_PURPOSE))


def _build_upstream(settings: GatewaySettings) -> Upstream:
    if settings.upstream_url is None:
        return Receptionist(settings.model)
    return HttpUpstream(settings)


def create_app(
    settings: GatewaySettings,
    veil: Veil | None = None,
    upstream: Upstream | None = None,
    *,
    analyzer: Analyzer | None = None,
    hash_key: bytes | None = None,
) -> FastAPI:
    """The gateway application; what is not given follows ``settings``' choice.

    With a ``veil`` given and no ``hash_key``, ``/anonymize`` refuses ``keyed_hash``.
    """
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_upstream = upstream is None
        built_upstream = upstream if upstream is not None else _build_upstream(settings)
        embedded: _Embedded | None = None
        if veil is not None:
            gateway = Gateway(settings, veil, built_upstream, metrics, analyzer, hash_key)
        else:
            embedded = await run_in_threadpool(_build_embedded, settings)
            gateway = Gateway(
                settings,
                embedded.veil,
                built_upstream,
                metrics,
                analyzer,
                hash_key or embedded.hash_key,
            )
        gate = await run_in_threadpool(build_gate, settings.policy_path, gateway.veil)
        gateway.gate = gate
        await run_in_threadpool(install_services, app, gateway.veil, gate)
        # The lexicons, models and compiled patterns loaded above live as long as the
        # process: move them out of the collector's reach, so that a full collection
        # does not rescan them in the middle of a customer's request (the p99 tail).
        gc.collect()
        gc.freeze()
        # A chat holds a worker thread until the model has answered (seconds, for a
        # real one): anyio's default of 40 threads would cap the gateway at 40 chats.
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = max(1, settings.max_concurrency)
        app.state.gateway = gateway
        jobs = []
        trail = gateway.veil.audit
        if settings.retention_seconds > 0 and trail is not None:
            veil_, holder = gateway.veil, gate.policy
            seconds = settings.retention_seconds
            run = functools.partial(sweep, veil_, trail, holder)
            jobs.append(asyncio.create_task(every(seconds, run, "retention sweep")))
        if settings.policy_path is not None:
            watcher = PolicyWatcher(gateway.gate.policy)
            jobs.append(
                asyncio.create_task(
                    every(settings.policy_check_seconds, watcher.check, "policy watch")
                )
            )
        log_event("gateway started")
        try:
            yield
        finally:
            for job in jobs:
                job.cancel()
            if own_upstream:
                built_upstream.close()
            if embedded is not None:
                embedded.close()
            log_event("gateway stopped")

    app = FastAPI(
        title="veil gateway",
        summary="OpenAI-compatible privacy proxy",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        **_NO_TELEMETRY,
    )
    app.add_middleware(Guard, metrics=metrics, max_body_bytes=settings.max_body_bytes)
    _handlers(app)
    _routes(app)
    app.include_router(transparency.router)
    app.include_router(admin_router())
    app.include_router(subjects_router())
    app.include_router(analytics_router())
    return app


def _gateway(request: Request) -> Gateway:
    gateway = request.app.state.gateway
    assert isinstance(gateway, Gateway)
    return gateway


_CHAT = Require(Permission.CHAT)


def _caller(request: Request) -> Caller:
    """The caller of a traffic route. With authentication required, a bearer API key
    (or session) holding ``chat`` decides the tenant; otherwise the default tenant.
    Sync (the key lookup reads storage): called in the request's worker-thread step."""
    settings = _gateway(request).settings
    if not settings.auth_required:
        return Caller(settings.tenant, "gateway")
    principal = _CHAT(request)
    return Caller(principal.tenant, principal.user_id)


def _request_id(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", ""))


def _refused(request: Request, exc: Exception, *, presidio: bool = False) -> Response:
    _count_refusal(_gateway(request), exc, _request_id(request))
    return problem_response(exc, request_id=_request_id(request), presidio=presidio)


def _count_refusal(
    gateway: Gateway, exc: Exception, request_id: str, what: str = "refused"
) -> None:
    name = type(exc).__name__
    gateway.metrics.refusals.labels(name).inc()
    log_event(what, level=logging.WARNING, request_id=request_id, error=name)


_Work = Callable[[Gateway, Json, dict[str, str], Caller], Any]


async def _answer(request: Request, work: _Work, *, presidio: bool = False) -> Response:
    """Parse the body, run ``work`` in the thread pool, answer its result as JSON.

    Presidio's routes answer errors in Presidio's ``{"error": "..."}`` shape.
    """
    gateway = _gateway(request)
    raw = await request.body()
    headers = {k: v for k, v in request.headers.items() if k.startswith("x-veil-")}

    def run() -> Any:
        return work(gateway, parse_body(raw), headers, _caller(request))

    try:
        result = await run_in_threadpool(run)
    except (VeilError, UpstreamError) as exc:
        return _refused(request, exc, presidio=presidio)
    return JSONResponse(result)


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
        headers = exc.headers if isinstance(exc, HTTPException) else None
        return JSONResponse(body, status_code=status, headers=headers)

    app.add_exception_handler(VeilError, veil_error)
    app.add_exception_handler(UpstreamError, veil_error)
    app.add_exception_handler(ClientDisconnectedError, veil_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http_error)


def _routes(app: FastAPI) -> None:
    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(request: Request) -> Response:
        gateway = _gateway(request)
        raw = await request.body()
        headers = {k: v for k, v in request.headers.items() if k.startswith("x-veil-")}
        request_id = _request_id(request)

        def stream_failed(exc: Exception) -> None:
            _count_refusal(gateway, exc, request_id, "stream failed")

        # A client that hangs up cancels the work: ClientDisconnectedError, refused.
        hangup = Hangup()
        who = functools.partial(_caller, request)
        work = functools.partial(chat, gateway, raw, headers, who, hangup)
        result = await in_thread(request.receive, hangup, work)
        if isinstance(result, tuple):
            return RestoringStream(*result, hangup, stream_failed)
        return JSONResponse(result)

    @app.post("/v1/detect", response_model=None)
    async def detect(request: Request) -> Response:
        return await _answer(request, lambda g, body, _, __: texts.detect(g.detector(), body))

    @app.post("/v1/protect", response_model=None)
    async def protect(request: Request) -> Response:
        def work(g: Gateway, body: Json, h: dict[str, str], c: Caller) -> Json:
            def gate(subject: str, purpose: str | None) -> frozenset[Entity]:
                chosen = purpose or g.settings.default_purpose
                recipient = g.settings.recipient_name
                return (
                    g.purposes().admit(c.tenant, subject, chosen, recipient, actor=c.actor).redact
                )

            return texts.protect(g.veil, body, h, c.tenant, c.actor, gate)

        return await _answer(request, work)

    @app.post("/v1/restore", response_model=None)
    async def restore(request: Request) -> Response:
        return await _answer(
            request, lambda g, body, h, c: texts.restore(g.veil, body, h, c.tenant, c.actor)
        )

    @app.post("/analyze", response_model=None)
    async def analyze(request: Request) -> Response:
        work: _Work = lambda g, body, _, __: presidio.analyze(g.detector(), body)  # noqa: E731
        return await _answer(request, work, presidio=True)

    @app.post("/anonymize", response_model=None)
    async def anonymize(request: Request) -> Response:
        work: _Work = lambda g, body, _, __: presidio.anonymize(body, key=g.hash_key)  # noqa: E731
        return await _answer(request, work, presidio=True)

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
