"""Presidio-compatible ``/analyze`` and ``/anonymize``: Presidio's documented requests
work unchanged, entity names are Presidio's, and nothing echoes or logs input."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from veil.interfaces.api.presidio import PRESIDIO_NAMES, analyze, anonymize
from veil.pipeline import Analyzer
from veil.testing import canary_card, canary_email, canary_person, canary_phone

from .conftest import FakeUpstream, LogCapture, Served, leaked  # noqa: TID252

# Exactly as Presidio's "Using Presidio in Docker" page sends them.
DOCS_ANALYZE = '{ "text": "John Smith drivers license is AC432223", "language" : "en"}'
DOCS_ANONYMIZE = (
    '{"text": "hello world, my name is Jane Doe. My number is: 034453334", '
    '"analyzer_results": [{"start": 24, "end": 32, "score": 0.8, "entity_type": "NAME"}, '
    '{ "start": 48, "end": 57,  "score": 0.95,"entity_type": "PHONE_NUMBER" }],  '
    '"anonymizers": {"DEFAULT": { "type": "replace", "new_value": "ANONYMIZED" },'
    '"PHONE_NUMBER": { "type": "mask", "masking_char": "*", "chars_to_mask": 4, '
    '"from_end": true }}}'
)
JSON = {"Content-type": "application/json"}


def test_docs_analyze_request(gateway: Served) -> None:
    response = httpx.post(gateway.url + "/analyze", content=DOCS_ANALYZE, headers=JSON)
    assert response.status_code == 200
    results = response.json()
    assert isinstance(results, list)
    for result in results:
        assert set(result) == {"analysis_explanation", "end", "entity_type", "score", "start"}
        assert result["analysis_explanation"] is None
    assert {"entity_type": "PERSON", "start": 0, "end": 10} in [
        {k: r[k] for k in ("entity_type", "start", "end")} for r in results
    ]


def test_docs_anonymize_request(gateway: Served) -> None:
    response = httpx.post(gateway.url + "/anonymize", content=DOCS_ANONYMIZE, headers=JSON)
    assert response.status_code == 200
    assert response.json() == {
        "text": "hello world, my name is ANONYMIZED. My number is: 03445****",
        "items": [
            {
                "start": 50,
                "end": 59,
                "entity_type": "PHONE_NUMBER",
                "text": "03445****",
                "operator": "mask",
            },
            {
                "start": 24,
                "end": 34,
                "entity_type": "NAME",
                "text": "ANONYMIZED",
                "operator": "replace",
            },
        ],
    }


def test_presidio_entity_names(analyzer: Analyzer) -> None:
    email, phone = canary_email(), canary_phone()
    text = f"Mail {email} or call {phone}."
    names = {r["entity_type"] for r in analyze(analyzer, {"text": text, "language": "en"})}
    assert {"EMAIL_ADDRESS", "PHONE_NUMBER"} <= names
    assert PRESIDIO_NAMES["EMAIL"] == "EMAIL_ADDRESS"
    assert "NATIONAL_ID" not in PRESIDIO_NAMES  # many aliases: veil's own name


def test_entities_filter_threshold_and_allow_list(analyzer: Analyzer) -> None:
    email, phone = canary_email(), canary_phone()
    text = f"Mail {email} or call {phone}."
    only = analyze(analyzer, {"text": text, "language": "en", "entities": ["EMAIL_ADDRESS"]})
    assert [r["entity_type"] for r in only] == ["EMAIL_ADDRESS"]
    assert text[only[0]["start"] : only[0]["end"]] == email
    assert analyze(analyzer, {"text": text, "language": "en", "score_threshold": 1.0}) == []
    allowed = analyze(analyzer, {"text": text, "language": "en", "allow_list": [email]})
    assert "EMAIL_ADDRESS" not in {r["entity_type"] for r in allowed}


def test_alias_named_in_request_is_used(analyzer: Analyzer) -> None:
    text = "My SSN is 536-22-1234, please update it."
    plain = analyze(analyzer, {"text": text, "language": "en"})
    assert [r["entity_type"] for r in plain] == ["NATIONAL_ID"]  # many aliases: veil's name
    asked = analyze(analyzer, {"text": text, "language": "en", "entities": ["US_SSN"]})
    assert [(r["entity_type"], r["start"], r["end"]) for r in asked] == [("US_SSN", 10, 21)]
    both = {"text": text, "language": "en", "entities": ["US_SSN", "UK_NINO"]}
    assert [r["entity_type"] for r in analyze(analyzer, both)] == ["NATIONAL_ID"]


def test_batch_and_decision_process(analyzer: Analyzer) -> None:
    texts = [f"mail {canary_email()}", "nothing here"]
    body = {"text": texts, "language": "en", "return_decision_process": True}
    first, second = analyze(analyzer, body)
    assert second == []
    explanation = first[0]["analysis_explanation"]
    assert explanation["recognizer"] == "email"
    assert explanation["textual_explanation"]
    assert texts[0][5:] not in str(first)


def test_anonymize_operators_and_merging() -> None:
    card, person = canary_card(), canary_person()
    text = f"{person} paid with {card}."
    at = text.index(card)
    results: list[dict[str, Any]] = [
        {"start": 0, "end": len(person), "entity_type": "PERSON", "score": 0.9},
        {"start": at, "end": at + len(card), "entity_type": "CREDIT_CARD", "score": 0.95},
        {"start": at + 2, "end": at + len(card) + 1, "entity_type": "PHONE_NUMBER", "score": 0.5},
    ]
    out = anonymize(
        {
            "text": text,
            "analyzer_results": results,
            "anonymizers": {"PERSON": {"type": "redact"}, "CREDIT_CARD": {"type": "hash"}},
        },
        key=None,
    )
    assert out["text"].startswith(" paid with ")
    assert card not in out["text"]
    assert person not in out["text"]
    assert [i["entity_type"] for i in out["items"]] == ["CREDIT_CARD", "PERSON"]
    hashed = out["items"][0]
    assert out["text"][hashed["start"] : hashed["end"]] == hashed["text"]
    assert out["text"].endswith(hashed["text"])  # the overlap swallowed the period
    default = anonymize({"text": text, "analyzer_results": results[:1]}, key=None)
    assert default["text"] == f"<PERSON> paid with {card}."
    assert anonymize({"text": text, "analyzer_results": []}, key=None)["items"] == []


BAD_ANALYZE = [
    b'{"text": "SECRET-VALUE 555-0100"}',
    b'{"text": 5, "language": "en"}',
    b'{"text": "SECRET-VALUE", "language": "en", "entities": "SECRET-VALUE"}',
    b'{"text": "SECRET-VALUE", "language": "en", "score_threshold": "SECRET"}',
    b'{"text": "SECRET-VALUE", "language": "en", "ad_hoc_recognizers": [{"n": "SECRET"}]}',
    b'{"text": "SECRET-VALUE", "language": "en", "allow_list_match": "regex"}',
    b'{"text": "SECRET-VALUE \xff", "language": "en"}',
    b'{"text": "SECRET-VALUE',
]
BAD_ANONYMIZE = [
    b'{"text": "SECRET-VALUE"}',
    b'{"text": "SECRET-VALUE", "analyzer_results": [{"start": 0, "end": 99, "entity_type": "X"}]}',
    b'{"text": "SECRET-VALUE", "analyzer_results": [{"start": "0", "end": 3}]}',
    b'{"text": "SECRET-VALUE", "analyzer_results": [{"start": 0, "end": 3}]}',
    b'{"text": "SECRET-VALUE", "analyzer_results": [], "anonymizers": {"D": {"type": "SECRET"}}}',
    b'{"text": "SECRET-VALUE", "analyzer_results": [], "anonymizers": ["SECRET"]}',
]


@pytest.mark.parametrize(
    ("path", "raw"),
    [("/analyze", r) for r in BAD_ANALYZE] + [("/anonymize", r) for r in BAD_ANONYMIZE],
)
def test_bad_requests_are_4xx_without_echo(
    gateway: Served, logs: LogCapture, path: str, raw: bytes
) -> None:
    response = httpx.post(gateway.url + path, content=raw, headers=JSON)
    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"error"}  # Presidio's error shape
    assert "SECRET" not in response.text
    assert "SECRET" not in logs.text()


def test_no_values_in_logs_or_metrics(
    gateway: Served, fake_upstream: FakeUpstream, logs: LogCapture
) -> None:
    values = [canary_email(), canary_card(), canary_person(), canary_phone()]
    text = "Customer {} paid with {}, mail {}, phone {}.".format(*values)
    found = httpx.post(gateway.url + "/analyze", json={"text": text, "language": "en"}).json()
    assert len(found) >= 3
    body = {
        "text": text,
        "analyzer_results": found,
        "anonymizers": {"DEFAULT": {"type": "keyed_hash"}},
    }
    response = httpx.post(gateway.url + "/anonymize", json=body)
    assert response.status_code == 200
    assert all(item["operator"] == "keyed_hash" for item in response.json()["items"])
    assert leaked(logs.text(), values) == []
    assert leaked(httpx.get(gateway.url + "/metrics").text, values) == []
    assert 'route="/analyze"' in httpx.get(gateway.url + "/metrics").text
    assert fake_upstream.received == []
