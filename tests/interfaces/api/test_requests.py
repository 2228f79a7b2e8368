"""The way up: parsing, identity and field-by-field protection."""

from __future__ import annotations

import json

import pytest

from veil.errors import InputError, MalformedInputError
from veil.interfaces.api.requests import Identity, RequestProtector, identity_of, parse_body
from veil.pipeline import Veil
from veil.testing import canary_card, canary_email


def protector(veil: Veil) -> RequestProtector:
    return RequestProtector(veil, Identity("c-1", "s-1"), max_messages=10)


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe", b"[1]", b"[" * 50_000 + b"]" * 50_000, b'"x"'])
def test_parse_body_refuses_without_quoting(raw: bytes) -> None:
    with pytest.raises(MalformedInputError) as caught:
        parse_body(raw)
    assert raw[:5].decode("utf-8", "replace") not in str(caught.value) or raw == b"{"


def test_identity_sources() -> None:
    assert identity_of({"x-veil-conversation": "c", "x-veil-subject": "s"}, {}) == Identity(
        "c", "s"
    )
    body = {"user": "u-1", "metadata": {"veil_conversation": "c2"}}
    assert identity_of({}, body) == Identity("c2", "u-1")
    fresh = identity_of({}, {})
    assert fresh.conversation.startswith("anonymous-")
    assert fresh != identity_of({}, {})
    with pytest.raises(InputError):
        identity_of({}, {"metadata": {"veil_subject": 7}})


def test_allow_list_and_every_field(veil: Veil) -> None:
    email, card = canary_email(), canary_card()
    body = {
        "model": "m",
        "temperature": 0.2,
        "user": email,
        "metadata": {"x": email},
        "unknown_field": email,
        "stop": email,
        "messages": [
            {"role": "user", "name": "jane", "content": f"mail {email}", "extra": email},
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "c",
                        "type": "function",
                        "function": {
                            "name": "f",
                            "arguments": json.dumps({"n": [card], "x": 4111111111111111}),
                        },
                    }
                ],
            },
            {"role": "user", "name": "jane", "content": [{"type": "text", "text": card}]},
        ],
        "tools": [{"type": "function", "function": {"name": "f", "description": f"for {email}"}}],
    }
    out = protector(veil).body(body)
    dumped = json.dumps(out)
    assert email not in dumped
    assert card not in dumped
    assert card.replace(" ", "") not in dumped
    assert "4111111111111111" not in dumped
    assert set(out) == {"model", "temperature", "stop", "messages", "tools"}
    assert out["messages"][0] == {"role": "user", "content": "mail [EMAIL_1]", "name": "user_1"}
    assert out["messages"][2]["name"] == "user_1"
    assert out["stop"] == "[EMAIL_1]"


@pytest.mark.parametrize(
    "messages",
    [
        [],
        "hi",
        [{"role": "robot", "content": "x"}],
        [{"role": "user", "content": 5}],
        [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "u"}}]}],
        [{"role": "user", "content": "\ud800"}],
        [{"role": "user", "content": "x"}] * 11,
    ],
)
def test_refusals(veil: Veil, messages: object) -> None:
    with pytest.raises(InputError):
        protector(veil).body({"messages": messages})


def test_response_format_schema_text_is_protected(veil: Veil) -> None:
    email = canary_email()
    schema = {
        "type": "json_schema",
        "json_schema": {
            "name": "reply",
            "schema": {
                "type": "object",
                "properties": {"to": {"type": "string", "description": f"write to {email}"}},
                "required": ["to"],
            },
        },
    }
    body = {"messages": [{"role": "user", "content": "hi"}], "response_format": schema}
    out = protector(veil).body(body)
    assert email not in json.dumps(out)
    assert out["response_format"]["json_schema"]["schema"]["required"] == ["to"]
    assert out["response_format"]["type"] == "json_schema"


@pytest.mark.parametrize(
    "bias",
    [
        {canary_email(): 1},
        {"50256": "x"},
        {"50256": True},
        ["50256"],
        {str(i): 1 for i in range(1025)},
    ],
    ids=["text-key", "text-value", "bool-value", "list", "too-many"],
)
def test_logit_bias_other_than_token_ids_is_refused(veil: Veil, bias: object) -> None:
    body = {"messages": [{"role": "user", "content": "hi"}], "logit_bias": bias}
    with pytest.raises(MalformedInputError) as caught:
        protector(veil).body(body)
    assert "@" not in str(caught.value)


def test_logit_bias_of_token_ids_passes(veil: Veil) -> None:
    body = {"messages": [{"role": "user", "content": "hi"}], "logit_bias": {"50256": -100}}
    assert protector(veil).body(body)["logit_bias"] == {"50256": -100}
