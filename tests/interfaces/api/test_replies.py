"""Restoring replies: upstream SSE chunks split at every offset restore exactly."""

from __future__ import annotations

import json
from typing import Any

import pytest

from veil.interfaces.api.replies import StreamRestorer, restore_completion, restore_json_text
from veil.pipeline import Veil
from veil.testing import canary_email, canary_person

CONV = "conv-r"


@pytest.fixture
def issued(veil: Veil) -> tuple[str, dict[str, str]]:
    person, email = canary_person(), canary_email()
    protected = veil.protect(f"I am {person}, mail {email}", conversation=CONV, subject="s")
    assert "[PERSON_1]" in protected.text
    assert "[EMAIL_1]" in protected.text
    return "Thank you, [PERSON_1]. We wrote to [EMAIL_1] ([EMAIL_1]).", {
        "[PERSON_1]": person,
        "[EMAIL_1]": email,
    }


def expected(reply: str, values: dict[str, str]) -> str:
    for token, value in values.items():
        reply = reply.replace(token, value)
    return reply


def events(pieces: list[str], finish: str = "stop") -> list[dict[str, Any]]:
    base = {"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    out = [base | {"choices": [{"index": 0, "delta": {"role": "assistant"}}]}]
    out += [base | {"choices": [{"index": 0, "delta": {"content": p}}]} for p in pieces]
    out.append(base | {"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
    out.append(base | {"choices": [], "usage": {"total_tokens": 3}})
    return out


def run(veil: Veil, upstream: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list(StreamRestorer(veil.restorer(conversation=CONV), iter(upstream)))


def content_of(out: list[dict[str, Any]]) -> list[str]:
    return [
        c["delta"]["content"] for e in out for c in e["choices"] if "content" in c.get("delta", {})
    ]


def test_every_two_way_split_restores_exactly(
    veil: Veil, issued: tuple[str, dict[str, str]]
) -> None:
    reply, values = issued
    want = expected(reply, values)
    for cut in range(len(reply) + 1):
        out = run(veil, events([reply[:cut], reply[cut:]]))
        pieces = content_of(out)
        assert "".join(pieces) == want, cut
        for piece in pieces:  # no fragment of a pseudonym is ever shown
            assert "[PERS" not in piece
            assert "[EMA" not in piece
        assert out[0]["choices"][0]["delta"] == {"role": "assistant"}
        assert out[-2]["choices"][0]["finish_reason"] == "stop"
        assert out[-1]["usage"] == {"total_tokens": 3}


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8])
def test_fixed_size_pieces(veil: Veil, issued: tuple[str, dict[str, str]], size: int) -> None:
    reply, values = issued
    pieces = [reply[i : i + size] for i in range(0, len(reply), size)]
    assert "".join(content_of(run(veil, events(pieces)))) == expected(reply, values)


def test_unknown_tokens_and_other_conversations_stay(veil: Veil) -> None:
    reply = "Hello [PERSON_9], [EMAIL_1] is not ours."
    out = list(
        StreamRestorer(
            veil.restorer(conversation="other-conv"), iter(events([reply[:9], reply[9:]]))
        )
    )
    assert "".join(content_of(out)) == reply


def test_tool_call_arguments_are_restored_whole(
    veil: Veil, issued: tuple[str, dict[str, str]]
) -> None:
    _, values = issued
    arguments = json.dumps({"to": "[EMAIL_1]", "who": ["[PERSON_1]"]})
    base = {"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    head = {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {"name": "f", "arguments": ""},
    }
    upstream = [base | {"choices": [{"index": 0, "delta": {"tool_calls": [head]}}]}]
    for at in range(0, len(arguments), 3):
        call = {"index": 0, "function": {"arguments": arguments[at : at + 3]}}
        upstream.append(base | {"choices": [{"index": 0, "delta": {"tool_calls": [call]}}]})
    upstream.append(base | {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]})
    out = run(veil, upstream)
    got = "".join(
        call["function"].get("arguments", "")
        for e in out
        for c in e["choices"]
        for call in c.get("delta", {}).get("tool_calls", [])
        if "function" in call
    )
    assert json.loads(got) == {"to": values["[EMAIL_1]"], "who": [values["[PERSON_1]"]]}
    assert out[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_second_choice_is_restored_at_its_end(
    veil: Veil, issued: tuple[str, dict[str, str]]
) -> None:
    reply, values = issued
    base = {"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    upstream = []
    for at in range(0, len(reply), 4):
        for index in (0, 1):
            delta = {"content": reply[at : at + 4]}
            upstream.append(base | {"choices": [{"index": index, "delta": delta}]})
    for index in (0, 1):
        upstream.append(
            base | {"choices": [{"index": index, "delta": {}, "finish_reason": "stop"}]}
        )
    out = run(veil, upstream)
    by_index: dict[int, str] = {0: "", 1: ""}
    for event in out:
        for choice in event["choices"]:
            by_index[choice["index"]] += choice["delta"].get("content", "")
    assert by_index == {0: expected(reply, values), 1: expected(reply, values)}


def test_restore_completion(veil: Veil, issued: tuple[str, dict[str, str]]) -> None:
    reply, values = issued
    completion = {
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": reply,
                    "tool_calls": [
                        {"id": "c", "function": {"name": "f", "arguments": '{"a": "[EMAIL_1]"}'}}
                    ],
                },
            }
        ]
    }
    out = restore_completion(veil.restorer(conversation=CONV), completion)
    message = out["choices"][0]["message"]
    assert message["content"] == expected(reply, values)
    assert json.loads(message["tool_calls"][0]["function"]["arguments"]) == {
        "a": values["[EMAIL_1]"]
    }


def test_restore_json_text_keeps_untouched_bytes(veil: Veil) -> None:
    assert restore_json_text(veil.restorer(conversation=CONV), '{"a":1}') == '{"a":1}'
    assert restore_json_text(veil.restorer(conversation=CONV), "not json [X_1]") == "not json [X_1]"
