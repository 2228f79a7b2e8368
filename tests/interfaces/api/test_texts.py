"""``/v1/detect``, ``/v1/protect`` and ``/v1/restore`` over HTTP, with canaries."""

from __future__ import annotations

import httpx
import pytest

from veil.interfaces.api.texts import span_rows
from veil.pipeline import Analyzer
from veil.testing import canary_card, canary_email, canary_person, canary_phone

from .conftest import FakeUpstream, LogCapture, Served, leaked  # noqa: TID252


def values() -> list[str]:
    return [canary_email(), canary_card(), canary_person(), canary_phone()]


def message(found: list[str]) -> str:
    return f"I am {found[2]}, card {found[1]}. Mail {found[0]} or call {found[3]}."


def test_detect_spans_match_the_cli_format(gateway: Served, analyzer: Analyzer) -> None:
    seeded = values()
    text = message(seeded)
    response = httpx.post(gateway.url + "/v1/detect", json={"text": text})
    assert response.status_code == 200
    spans = response.json()["spans"]
    assert spans == span_rows(analyzer.analyze(text))
    assert {text[s["start"] : s["end"]] for s in spans} >= {seeded[0], seeded[1]}
    for span in spans:
        assert set(span) == {"start", "end", "label", "score", "detector", "reason"}
        assert span["reason"]
    assert leaked(str([s["reason"] for s in spans]), seeded) == []


def test_protect_then_restore(
    gateway: Served, fake_upstream: FakeUpstream, logs: LogCapture
) -> None:
    seeded = values()
    text = message(seeded)
    body = {"text": text, "conversation": "c-1", "subject": "s-1"}
    protected = httpx.post(gateway.url + "/v1/protect", json=body).json()
    assert protected["tokens_issued"] >= 3
    assert leaked(protected["text"], seeded[:2]) == []
    again = httpx.post(gateway.url + "/v1/protect", json=body).json()
    assert again == {"text": protected["text"], "tokens_issued": 0}  # stable pseudonyms
    restored = httpx.post(
        gateway.url + "/v1/restore", json={"text": protected["text"], "conversation": "c-1"}
    ).json()
    assert restored == {"text": text}
    other = httpx.post(
        gateway.url + "/v1/restore", json={"text": protected["text"], "conversation": "c-2"}
    ).json()
    assert other == {"text": protected["text"]}  # only this conversation's tokens
    assert leaked(logs.text(), seeded) == []
    assert leaked(httpx.get(gateway.url + "/metrics").text, seeded) == []
    assert fake_upstream.received == []


def test_ids_from_headers(gateway: Served) -> None:
    email = canary_email()
    headers = {"X-Veil-Conversation": "conv-h", "X-Veil-Subject": "subj-h"}
    protected = httpx.post(
        gateway.url + "/v1/protect", json={"text": f"mail {email}"}, headers=headers
    ).json()
    assert email not in protected["text"]
    restored = httpx.post(
        gateway.url + "/v1/restore", json={"text": protected["text"]}, headers=headers
    ).json()
    assert restored["text"] == f"mail {email}"


@pytest.mark.parametrize(
    ("path", "raw", "status"),
    [
        ("/v1/detect", b'{"text": ["SECRET-VALUE"]}', 400),
        ("/v1/detect", b'{"txt": "SECRET-VALUE"}', 400),
        ("/v1/detect", b'{"text": "SECRET-VALUE \\ud800"}', 400),
        ("/v1/detect", b'{"text": "SECRET-VALUE', 400),
        ("/v1/detect", b'{"text": "SECRET-VALUE \xff"}', 400),
        ("/v1/protect", b'{"text": "SECRET-VALUE jane@example.org"}', 400),
        ("/v1/protect", b'{"text": "SECRET-VALUE", "conversation": 7}', 400),
        ("/v1/protect", b'{"text": "SECRET-VALUE", "conversation": "veil:SECRET"}', 400),
        ("/v1/protect", b'{"text": "SECRET-VALUE", "conversation": "c", "subject": ""}', 200),
        ("/v1/restore", b'{"text": "SECRET-VALUE"}', 400),
        ("/v1/restore", b'{"text": "SECRET-VALUE", "conversation": "' + b"S" * 300 + b'"}', 400),
    ],
)
def test_bad_requests_are_4xx_without_echo(
    gateway: Served, logs: LogCapture, path: str, raw: bytes, status: int
) -> None:
    response = httpx.post(gateway.url + path, content=raw)
    assert response.status_code == status
    if status != 200:
        error = response.json()["error"]
        assert set(error) == {"message", "type", "param", "code"}
        assert "SECRET" not in response.text
    assert "SECRET" not in logs.text()


def test_oversized_text_is_413(gateway: Served) -> None:
    response = httpx.post(gateway.url + "/v1/detect", json={"text": "x" * 2_000_000})
    assert response.status_code == 413
