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

__all__ = ["JsonFormatter", "Metrics", "log_event", "request_id_from"]

logger = logging.getLogger("veil.api")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_FIELDS = ("request_id", "method", "route", "status", "duration_ms", "error", "stream", "n")


def request_id_from(headers: Mapping[str, str]) -> str:
    """The caller's ``X-Request-Id`` if it is a plain token, else a fresh one."""
    given = headers.get("x-request-id", "")
    return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def log_event(event: str, *, level: int = logging.INFO, **fields: object) -> None:
    """Log ``event`` with typed fields; callers pass only ids, names and numbers."""
    logger.log(level, event, extra={"veil": fields})


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

    def observe(self, method: str, route: str, status: int, started: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(route).observe(time.perf_counter() - started)
