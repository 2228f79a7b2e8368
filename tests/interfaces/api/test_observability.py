from __future__ import annotations

import json
import logging

from veil.interfaces.api.observability import JsonFormatter, Metrics, request_id_from


def test_formatter_fills_in_numbers_only() -> None:
    def event(msg: str, *args: object) -> str:
        record = logging.LogRecord("uvicorn.error", logging.INFO, "f", 1, msg, args, None)
        return str(json.loads(JsonFormatter().format(record))["event"])

    assert event("Started server process [%d]", 4242) == "Started server process [4242]"
    running = event("Uvicorn running on %s://%s:%d", "http", "jane@example.org", 8000)
    assert running == "Uvicorn running on <str>://<str>:8000"
    assert event("flag %s", True) == "flag <bool>"
    assert event("count %d", "x") == "count %d"  # cannot fill: the format string as is
    assert event("no args") == "no args"


def test_formatter_never_interpolates_text_or_prints_tracebacks() -> None:
    try:
        raise ValueError("jane@example.org")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "x", logging.ERROR, "f", 1, "got %s", ("jane@example.org",), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "jane" not in line
    assert json.loads(line)["exception"] == "ValueError"


def test_request_ids_and_metrics() -> None:
    assert request_id_from({"x-request-id": "abc-1"}) == "abc-1"
    assert request_id_from({"x-request-id": "jane@example.org"}) != "jane@example.org"
    metrics = Metrics()
    metrics.observe("GET", "/healthz", 200, 0.0)
    assert metrics.requests.labels("GET", "/healthz", "200")._value.get() == 1
