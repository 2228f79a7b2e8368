"""The gateway end to end: the official ``openai`` SDK → veil → a recording fake upstream.

Canary values are seeded in every request field; none may reach the upstream, a
log line, a metric or an error body, and the client must read its own values back.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest

from veil.errors import StorageError
from veil.interfaces.api import GatewaySettings, HttpUpstream, Receptionist, create_app
from veil.interfaces.deployment import Deployment
from veil.pipeline import Veil
from veil.testing import canary_card, canary_email, canary_iban, canary_person, canary_phone

from .conftest import FakeUpstream, LogCapture, Served  # noqa: TID252

HEADERS = {"X-Veil-Conversation": "conv-1", "X-Veil-Subject": "cust-1"}


def canaries() -> dict[str, str]:
    return {
        "email": canary_email(),
        "card": canary_card(),
        "iban": canary_iban(),
        "phone": canary_phone(),
        "person": canary_person(),
    }


def leaked(blob: bytes | str, values: dict[str, str]) -> list[str]:
    text = blob.decode("utf-8", "replace") if isinstance(blob, bytes) else blob
    forms = set(values.values()) | {v.replace(" ", "") for v in values.values()}
    return sorted(f for f in forms if f in text or json.dumps(f)[1:-1] in text)


def seeded(values: dict[str, str]) -> list[dict[str, Any]]:
    v = values
    return [
        {"role": "system", "content": f"Customer file: {v['person']}, {v['email']}."},
        {"role": "user", "content": f"I am {v['person']}, card {v['card']}.", "name": "Maria"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_0",
                    "type": "function",
                    "function": {"name": "lookup", "arguments": json.dumps({"iban": v["iban"]})},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_0", "content": f"phone on file {v['phone']}"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": f"Please write to {v['email']}"},
                {"type": "text", "text": f"or call {v['phone']}."},
            ],
        },
    ]


def client(served: Served) -> openai.OpenAI:
    return openai.OpenAI(base_url=served.url + "/v1", api_key="client-key", max_retries=0)


def check_clean(fake: FakeUpstream, logs: LogCapture, served: Served, values: dict[str, str]):
    assert fake.received, "the upstream was never called"
    assert leaked(fake.all_bytes(), values) == []
    assert leaked(logs.text(), values) == []
    metrics = httpx.get(served.url + "/metrics").text
    assert leaked(metrics, values) == []
    assert b"client-key" not in fake.all_bytes()


def test_non_stream_round_trip(
    gateway: Served, fake_upstream: FakeUpstream, logs: LogCapture
) -> None:
    values = canaries()
    reply = client(gateway).chat.completions.create(
        model="fake",
        messages=seeded(values),  # type: ignore[arg-type]
        user=values["email"],
        metadata={"note": values["person"]},
        stop=[values["phone"]],
        extra_headers=HEADERS,
    )
    content = reply.choices[0].message.content or ""
    for value in values.values():
        assert value in content  # the client reads its own values back
    check_clean(fake_upstream, logs, gateway, values)
    sent = json.loads(fake_upstream.bodies[-1])
    assert "user" not in sent
    assert "metadata" not in sent
    assert sent["messages"][1]["name"] == "user_1"
    assert "[PERSON_1]" in sent["messages"][1]["content"]


def test_stream_round_trip(gateway: Served, fake_upstream: FakeUpstream, logs: LogCapture) -> None:
    values = canaries()
    stream = client(gateway).chat.completions.create(
        model="fake",
        messages=seeded(values),
        stream=True,
        extra_headers=HEADERS,  # type: ignore[arg-type]
    )
    pieces = []
    finish = None
    for chunk in stream:
        for choice in chunk.choices:
            pieces.append(choice.delta.content or "")
            finish = choice.finish_reason or finish
    text = "".join(pieces)
    for value in values.values():
        assert value in text
    assert "[EMAIL_" not in text
    assert "[PERSON_" not in text
    assert finish == "stop"
    check_clean(fake_upstream, logs, gateway, values)


def test_history_resent_gets_stable_pseudonyms(
    gateway: Served, fake_upstream: FakeUpstream
) -> None:
    values = canaries()
    first = [{"role": "user", "content": f"I am {values['person']}, mail {values['email']}"}]
    sdk = client(gateway)
    answer = sdk.chat.completions.create(model="f", messages=first, extra_headers=HEADERS)  # type: ignore[arg-type]
    history = [
        *first,
        {"role": "assistant", "content": answer.choices[0].message.content},
        {"role": "user", "content": f"Again: {values['email']}"},
    ]
    sdk.chat.completions.create(model="f", messages=history, extra_headers=HEADERS)  # type: ignore[arg-type]
    one = json.loads(fake_upstream.bodies[0])["messages"]
    two = json.loads(fake_upstream.bodies[1])["messages"]
    assert one[0]["content"] == two[0]["content"]
    token = one[0]["content"].split("mail ")[1]
    assert two[2]["content"] == f"Again: {token}"
    assert leaked(fake_upstream.all_bytes(), values) == []


@pytest.mark.parametrize("stream", [False, True])
def test_tool_calls_restored(gateway: Served, fake_upstream: FakeUpstream, stream: bool) -> None:
    values = canaries()
    tools = [
        {
            "type": "function",
            "function": {
                "name": "book",
                "description": f"Book for {values['person']}",
                "parameters": {"type": "object", "properties": {"echo": {"type": "array"}}},
            },
        }
    ]
    messages = [{"role": "user", "content": f"Book me, {values['email']}"}]
    sdk = client(gateway)
    kwargs: dict[str, Any] = {"model": "f", "messages": messages, "tools": tools}
    if stream:
        arguments = ""
        for chunk in sdk.chat.completions.create(**kwargs, stream=True, extra_headers=HEADERS):
            for choice in chunk.choices:
                for call in choice.delta.tool_calls or []:
                    arguments += (call.function.arguments if call.function else None) or ""
    else:
        reply = sdk.chat.completions.create(**kwargs, extra_headers=HEADERS)
        calls = reply.choices[0].message.tool_calls or []
        arguments = calls[0].function.arguments  # type: ignore[union-attr]
    assert json.loads(arguments) == {"echo": [f"Book me, {values['email']}"]}
    assert leaked(fake_upstream.all_bytes(), values) == []


def test_n_choices_are_all_restored(gateway: Served) -> None:
    email = canary_email()
    reply = client(gateway).chat.completions.create(
        model="f", n=3, messages=[{"role": "user", "content": f"mail {email}"}]
    )
    assert [email in (c.message.content or "") for c in reply.choices] == [True] * 3


def test_models(gateway: Served) -> None:
    assert [m.id for m in client(gateway).models.list()] == ["fake"]


def test_health_ready_metrics(gateway: Served) -> None:
    assert httpx.get(gateway.url + "/healthz").json() == {"status": "ok"}
    assert httpx.get(gateway.url + "/readyz").json() == {"status": "ready"}
    response = httpx.get(gateway.url + "/metrics")
    assert "veil_http_requests_total" in response.text
    assert response.headers["x-request-id"]


def error_of(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    return dict(body["error"])


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b'{"messages": [{"role": "user", "content": "SECRET-VALUE', 400, "malformed_request"),
        (b'{"messages": "SECRET-VALUE \xff\xfe"}', 400, "malformed_request"),
        (b"[" * 100_000 + b"]" * 100_000, 400, "malformed_request"),
        (b'["SECRET-VALUE"]', 400, "malformed_request"),
        (b'{"messages": []}', 400, "malformed_request"),
        (b'{"messages": [{"role": "robot", "content": "SECRET-VALUE"}]}', 400, "malformed_request"),
        (
            b'{"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": '
            b'{"url": "SECRET-VALUE"}}]}]}',
            400,
            "invalid_request",
        ),
    ],
)
def test_bad_requests_are_refused_without_echo(
    gateway: Served,
    fake_upstream: FakeUpstream,
    logs: LogCapture,
    raw: bytes,
    status: int,
    code: str,
) -> None:
    response = httpx.post(gateway.url + "/v1/chat/completions", content=raw)
    assert response.status_code == status
    assert error_of(response)["code"] == code
    assert "SECRET" not in response.text
    assert "SECRET" not in logs.text()
    assert fake_upstream.received == []


def test_the_chat_route_refuses_other_methods_in_the_error_shape(
    gateway: Served, fake_upstream: FakeUpstream
) -> None:
    response = httpx.get(gateway.url + "/v1/chat/completions")
    assert response.status_code == 405
    assert error_of(response)["code"] == "405"
    assert response.headers["allow"] == "POST"
    assert response.headers["x-request-id"]
    assert fake_upstream.received == []


def test_fastapi_telemetry_is_off(veil: Veil) -> None:
    # FastAPI's OpenTelemetry would record bodies and exception messages whenever a
    # provider is configured in the process; releases without it take no setting.
    app = create_app(GatewaySettings(), veil, Receptionist("m"))
    config = getattr(app, "_telemetry", None)
    if config is not None:
        assert not any(config[k] for k in ("tracing", "metrics", "logs", "operation_spans"))


def test_oversized_body_is_413(gateway: Served, fake_upstream: FakeUpstream) -> None:
    big = json.dumps({"messages": [{"role": "user", "content": "x" * 2_000_000}]})
    response = httpx.post(gateway.url + "/v1/chat/completions", content=big)
    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"

    def chunks() -> Any:  # no Content-Length: counted while read
        for _ in range(30):
            yield b"x" * 100_000

    response = httpx.post(gateway.url + "/v1/chat/completions", content=chunks())
    assert response.status_code == 413
    assert fake_upstream.received == []


def test_too_many_messages(gateway: Served, fake_upstream: FakeUpstream) -> None:
    messages = [{"role": "user", "content": "hi"}] * 10_000
    response = httpx.post(gateway.url + "/v1/chat/completions", json={"messages": messages})
    assert response.status_code == 400
    assert fake_upstream.received == []


@pytest.mark.parametrize("stream", [False, True])
def test_upstream_error_is_502_without_the_prompt(
    gateway: Served, fake_upstream: FakeUpstream, logs: LogCapture, stream: bool
) -> None:
    fake_upstream.status = 400  # its body quotes the (protected) prompt
    email = canary_email()
    with pytest.raises(openai.APIStatusError) as caught:
        client(gateway).chat.completions.create(
            model="f", stream=stream, messages=[{"role": "user", "content": f"mail {email}"}]
        )
    assert caught.value.status_code == 502
    assert "echo" not in str(caught.value.body)
    assert "EMAIL" not in str(caught.value.body)
    assert email not in logs.text()


def test_upstream_unreachable_is_502(veil: Veil, logs: LogCapture) -> None:
    settings = GatewaySettings(upstream_url="http://127.0.0.1:9/v1", upstream_retries=1)
    served = Served(create_app(settings, veil, HttpUpstream(settings)))
    try:
        response = httpx.post(
            served.url + "/v1/chat/completions",
            json={"messages": [{"role": "user", "content": "hello"}]},
        )
        assert response.status_code == 502
        assert error_of(response)["code"] == "upstream_failed"
    finally:
        served.close()


def test_upstream_timeout_is_504(veil: Veil, fake_upstream: FakeUpstream) -> None:
    fake_upstream.delay = 1.0
    settings = GatewaySettings(upstream_url=fake_upstream.url, upstream_timeout=0.2)
    served = Served(create_app(settings, veil, HttpUpstream(settings)))
    try:
        response = httpx.post(
            served.url + "/v1/chat/completions",
            json={"messages": [{"role": "user", "content": "hello"}]},
        )
        assert response.status_code == 504
    finally:
        served.close()


class BrokenVeil(Veil):
    """The storage is down: protect must refuse, so nothing may be forwarded."""

    def protect(self, text: str, **kwargs: Any) -> Any:
        raise StorageError("database unreachable")


@pytest.mark.parametrize("stream", [False, True])
def test_storage_failure_is_503_and_nothing_is_forwarded(
    veil: Veil, fake_upstream: FakeUpstream, stream: bool
) -> None:
    broken = BrokenVeil.__new__(BrokenVeil)
    vars(broken).update(vars(veil))
    settings = GatewaySettings(upstream_url=fake_upstream.url)
    served = Served(create_app(settings, broken, HttpUpstream(settings)))
    email = canary_email()
    try:
        response = httpx.post(
            served.url + "/v1/chat/completions",
            json={"stream": stream, "messages": [{"role": "user", "content": f"mail {email}"}]},
        )
        assert response.status_code == 503
        assert error_of(response)["code"] == "storage_unavailable"
        assert email not in response.text
        assert fake_upstream.received == []
    finally:
        served.close()


def test_builtin_receptionist_works_offline(veil: Veil) -> None:
    served = Served(create_app(GatewaySettings(), veil, Receptionist()))
    try:
        person, email = canary_person(), canary_email()
        sdk = client(served)
        text = f"Hello, this is {person}. I need an appointment, my email is {email}."
        messages = [{"role": "user", "content": text}]
        reply = sdk.chat.completions.create(model="veil-receptionist", messages=messages)  # type: ignore[arg-type]
        content = reply.choices[0].message.content or ""
        assert content.startswith(f"Thank you, {person}.")
        assert email in content
        streamed = "".join(
            c.choices[0].delta.content or ""
            for c in sdk.chat.completions.create(model="r", messages=messages, stream=True)  # type: ignore[arg-type]
            if c.choices
        )
        assert streamed == content
    finally:
        served.close()


def test_client_disconnect_mid_stream_cancels_the_upstream(
    gateway: Served, fake_upstream: FakeUpstream, logs: LogCapture
) -> None:
    fake_upstream.chunk_delay = 0.02  # a slow model: ~5 s for the whole reply
    fake_upstream.repeat = 40
    values = canaries()
    text = f"I am {values['person']}, mail {values['email']}, card {values['card']}"
    body = {"stream": True, "messages": [{"role": "user", "content": text}]}
    received = b""
    with httpx.Client(timeout=10) as http:  # noqa: SIM117
        with http.stream("POST", gateway.url + "/v1/chat/completions", json=body) as response:
            assert response.status_code == 200
            for chunk in response.iter_raw():
                received += chunk
                if b"ECHO" in received:
                    break  # hang up mid-stream
    assert fake_upstream.disconnected.wait(5), "the upstream call was not cancelled"
    assert fake_upstream.events_sent < fake_upstream.events_planned / 2
    assert b"[DONE]" not in received
    # Nothing raw went up; nothing buffered was flushed into a log or an error.
    assert leaked(fake_upstream.all_bytes(), values) == []
    assert leaked(logs.text(), values) == []
    assert leaked(httpx.get(gateway.url + "/metrics").text, values) == []
    # The gateway is still healthy and serves the next stream in full.
    fake_upstream.chunk_delay, fake_upstream.repeat = 0.0, 1
    again = client(gateway).chat.completions.create(
        model="f", stream=True, messages=[{"role": "user", "content": "hello"}]
    )
    assert "ECHO hello" in "".join(c.choices[0].delta.content or "" for c in again if c.choices)


def test_embedded_gateway_serves_every_endpoint(tmp_path: Any) -> None:
    """No veil, analyzer or key passed: all are built in the lifespan from settings."""
    served = Served(
        create_app(GatewaySettings(deployment=Deployment(tmp_path)), upstream=Receptionist())
    )
    try:
        email = canary_email()
        text = f"mail {email}"
        spans = httpx.post(served.url + "/v1/detect", json={"text": text}).json()["spans"]
        assert [s["label"] for s in spans] == ["EMAIL"]
        body = {
            "text": text,
            "analyzer_results": [{"start": 5, "end": len(text), "entity_type": "EMAIL_ADDRESS"}],
            "anonymizers": {"DEFAULT": {"type": "keyed_hash"}},
        }
        first = httpx.post(served.url + "/anonymize", json=body).json()
        assert first == httpx.post(served.url + "/anonymize", json=body).json()
        assert email not in first["text"]
        protected = httpx.post(
            served.url + "/v1/protect", json={"text": text, "conversation": "c"}
        ).json()
        assert protected["tokens_issued"] == 1
    finally:
        served.close()
    again = Served(
        create_app(GatewaySettings(deployment=Deployment(tmp_path)), upstream=Receptionist())
    )
    try:  # the keyed hash is the vault's: stable across restarts
        assert httpx.post(again.url + "/anonymize", json=body).json() == first
    finally:
        again.close()


def test_keyed_hash_refused_without_a_key(veil: Veil) -> None:
    served = Served(create_app(GatewaySettings(), veil, Receptionist()))
    try:
        body = {
            "text": "SECRET-VALUE",
            "analyzer_results": [{"start": 0, "end": 6, "entity_type": "X"}],
            "anonymizers": {"X": {"type": "keyed_hash"}},
        }
        response = httpx.post(served.url + "/anonymize", json=body)
        assert response.status_code == 400
        assert "SECRET" not in response.text
        # The detection endpoints build their analyzer on first use.
        spans = httpx.post(served.url + "/v1/detect", json={"text": "hi"}).json()
        assert spans == {"spans": []}
    finally:
        served.close()
