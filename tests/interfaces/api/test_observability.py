from __future__ import annotations

import json
import logging

from veil.interfaces.api.observability import JsonFormatter, Metrics, request_id_from


def test_formatter_never_interpolates_or_prints_tracebacks() -> None:
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
