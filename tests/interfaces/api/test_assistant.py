"""The built-in receptionist answers with the pseudonyms it was given."""

from __future__ import annotations

import json

import pytest

from veil.interfaces.api.assistant import Receptionist


def say(text: str, **extra: object) -> str:
    done = Receptionist().complete({"messages": [{"role": "user", "content": text}], **extra})
    return str(done["choices"][0]["message"]["content"])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "I am [PERSON_1], I need an appointment, mail [EMAIL_1]",
            ["Thank you, [PERSON_1].", "booked", "[EMAIL_1]"],
        ),
        ("When are you open on Saturday?", ["Thank you.", "Saturday 9:00"]),
        ("I need a repeat prescription", ["prescription", "48 hours"]),
        ("I moved to [ADDRESS_1]", ["updated your address to [ADDRESS_1]"]),
        ("Please cancel my appointment", ["cancelled"]),
        ("Hello", ["appointments, opening hours"]),
    ],
)
def test_rules(text: str, words: list[str]) -> None:
    reply = say(text)
    for word in words:
        assert word in reply


def test_stream_equals_completion_and_tools() -> None:
    body = {"messages": [{"role": "user", "content": "[PERSON_1] wants an appointment"}]}
    events = list(Receptionist(piece=3).open_stream(body))
    text = "".join(e["choices"][0]["delta"].get("content", "") for e in events)
    assert text == say("[PERSON_1] wants an appointment")
    assert events[-1]["choices"][0]["finish_reason"] == "stop"
    tools = [{"type": "function", "function": {"name": "book_appointment"}}]
    done = Receptionist().complete(body | {"tools": tools, "n": 2})
    call = done["choices"][0]["message"]["tool_calls"][0]
    assert call["function"]["name"] == "book_appointment"
    assert json.loads(call["function"]["arguments"])["person"] == "[PERSON_1]"
    assert len(done["choices"]) == 2
    after = body["messages"] + [
        {"role": "tool", "tool_call_id": "x", "content": "booked [PERSON_1]"}
    ]
    assert Receptionist().complete({"messages": after})["choices"][0]["message"]["content"] == (
        "Done: booked [PERSON_1]"
    )
