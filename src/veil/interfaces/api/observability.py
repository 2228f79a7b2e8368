"""Structured JSON logs and Prometheus metrics, both free of personal data.

Log records are built from fixed event names and a few typed fields (request id,
route template, status, duration, error class name). No message text, header value
or exception message is ever logged: an exception raised by third-party code may
quote its input. Metric labels are route templates, methods, status codes and error
class names, all from closed sets.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Histogram

__all__ = ["JsonFormatter", "Metrics", "log_event", "method_label", "request_id_from"]

logger = logging.getLogger("veil.api")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# The method label takes these values; any other method a client sends counts as
# "OTHER", so a client cannot grow the label set (and every scrape) at will.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_FIELDS = ("request_id", "method", "route", "status", "duration_ms", "error", "stream", "n")


def request_id_from(headers: Mapping[str, str]) -> str:
    """The caller's ``X-Request-Id`` if it is a plain token, else a fresh one."""
    given = headers.get("x-request-id", "")
    return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def method_label(method: str) -> str:
    """The request method as logs and metrics show it: a client chooses the method,
    so anything but the standard ones is "OTHER" (no free text, a closed label set)."""
    return method if method in _METHODS else "OTHER"


def log_event(event: str, *, level: int = logging.INFO, **fields: object) -> None:
    """Log ``event`` with typed fields; callers pass only ids, names and numbers.

    The record is made directly, not through ``Logger.log``: that walks the stack
    for the caller's file and line on every call (a quarter of a log line's cost),
    and the JSON lines never show them.
    """
    if logger.isEnabledFor(level):
        record = logger.makeRecord(
            logger.name, level, "", 0, event, (), None, extra={"veil": fields}
        )
        logger.handle(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Only whitelisted fields; no tracebacks, no messages.

    Third-party records (uvicorn, httpx) keep their logger name, level and format
    string; of their arguments only numbers are filled in (a port, a pid, a status):
    any other argument may hold input and shows as its type (``<str>``).
    """

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": _event(record),
        }
        fields = getattr(record, "veil", None)
        if isinstance(fields, dict):
            out.update({k: fields[k] for k in _FIELDS if k in fields})
        if record.exc_info and record.exc_info[0] is not None:
            out["exception"] = record.exc_info[0].__name__
        return json.dumps(out, default=str)


def _event(record: logging.LogRecord) -> str:
    if not isinstance(record.msg, str):
        return type(record.msg).__name__
    args = record.args
    if not isinstance(args, tuple) or not args:
        return record.msg
    shown = tuple(
        a if isinstance(a, int | float) and not isinstance(a, bool) else f"<{type(a).__name__}>"
        for a in args
    )
    try:
        return record.msg % shown
    except (TypeError, ValueError):  # e.g. %d given a placeholder string
        return record.msg


class Metrics:
    """The gateway's metrics in their own registry (no global state)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "veil_http_requests",
            "HTTP requests answered.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "veil_http_request_seconds",
            "Time to the response head.",
            ("route",),
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.refusals = Counter(
            "veil_refusals", "Requests refused, by error class.", ("error",), registry=self.registry
        )
        self.protected = Counter(
            "veil_texts_protected", "Texts protected on the way up.", registry=self.registry
        )

        # The labelled children, found once: ``labels()`` validates and locks per call.
        self._counted: dict[tuple[str, str, int], Counter] = {}
        self._timed: dict[str, Histogram] = {}

    def observe(self, method: str, route: str, status: int, started: float) -> None:
        key = (method_label(method), route, status)
        counted = self._counted.get(key)
        if counted is None:  # methods, routes and statuses are closed sets
            counted = self._counted[key] = self.requests.labels(key[0], route, str(status))
        counted.inc()
        timed = self._timed.get(route)
        if timed is None:
            timed = self._timed[route] = self.latency.labels(route)  # routes: a closed set
        timed.observe(time.perf_counter() - started)
