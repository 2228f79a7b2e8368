from __future__ import annotations

import json
import logging

from veil.interfaces.api.observability import (
    JsonFormatter,
    Metrics,
    log_event,
    method_label,
    request_id_from,
)


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


def test_log_event_makes_one_whitelisted_json_line() -> None:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("veil.api")
    keep, level = Keep(), logger.level
    logger.addHandler(keep)
    logger.setLevel(logging.INFO)
    try:
        log_event("request", request_id="r1", route="/v1/chat/completions", text="Ann Lee")
        log_event("quiet", level=logging.DEBUG, request_id="r2")  # below the level
    finally:
        logger.removeHandler(keep)
        logger.setLevel(level)
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["event"] == "request"
    assert line["request_id"] == "r1"
    assert line["route"] == "/v1/chat/completions"
    assert "Ann Lee" not in json.dumps(line)  # a field off the whitelist is dropped


def test_metrics_label_unknown_methods_as_other() -> None:
    metrics = Metrics()
    for i in range(300):  # methods come from the client: the label set stays closed
        metrics.observe(f"M{i}", "other", 405, 0.0)
    metrics.observe("GET", "/healthz", 200, 0.0)
    metrics.observe("GET", "/healthz", 200, 0.0)
    assert metrics.requests.labels("OTHER", "other", "405")._value.get() == 300
    assert metrics.requests.labels("GET", "/healthz", "200")._value.get() == 2
    samples = {
        (s.name, s.labels.get("method"), s.labels.get("route")): s.value
        for family in metrics.registry.collect()
        for s in family.samples
    }
    assert not any(method and method.startswith("M") for _, method, _ in samples)
    assert samples[("veil_http_request_seconds_count", None, "/healthz")] == 2


def test_method_label_is_a_closed_set() -> None:
    assert method_label("POST") == "POST"
    assert method_label("JANEDOE") == "OTHER"  # a client picks the method: no free text
    assert method_label("post") == "OTHER"
