"""The built-in offline assistant: a small rule-based clinic receptionist.

It makes ``veil serve`` work end to end with no network. Like any upstream it sees
only protected text, so it answers with the pseudonyms it received ("Thank you,
[PERSON_1]. I have booked ...") and the gateway restores them for the customer.
Replies stream in small uneven pieces, which cut pseudonyms apart on purpose.
If the request offers tools it calls the first one whose name fits the request,
and after a tool result it confirms using that result.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

from veil.interfaces.api.upstream import Json

__all__ = ["Receptionist"]

_TOKEN = re.compile(r"\[([A-Z][A-Z_]*?)_(\d+)\]")

# (keywords, reply); the first rule with a keyword in the last customer message wins.
_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("cancel", "reschedule", "move my appointment"),
        "I have cancelled that appointment{for_person}. Would you like a new time?",
    ),
    (
        ("appointment", "book", "schedule", "see a doctor", "see the doctor"),
        "I have booked you in with Dr. Patel on Tuesday at 10:30{for_person}.{confirm}",
    ),
    (
        ("open", "hours", "closing", "close"),
        "We are open Monday to Friday 8:00-18:00 and Saturday 9:00-12:00.",
    ),
    (
        ("prescription", "refill", "repeat", "medication", "medicine"),
        "Your repeat prescription request is with the doctor{for_person}; "
        "it will be ready to collect within 48 hours.{confirm}",
    ),
    (
        ("address", "moved", "move house", "new home"),
        "I have updated your address{to_address}{for_person}.",
    ),
    (
        ("phone", "email", "e-mail", "contact details", "number"),
        "I have updated your contact details{to_contact}.",
    ),
    (
        ("card", "pay", "bill", "invoice", "refund", "iban"),
        "I have passed the payment details{to_payment} to our billing team{for_person}.",
    ),
    (
        ("result", "test", "blood", "scan"),
        "Your results will be discussed by the doctor; I can book you a call back.",
    ),
)

_FALLBACK = (
    "I can help with appointments, opening hours, prescriptions and changes to your details."
)


class Receptionist:
    """An :class:`~veil.interfaces.api.upstream.Upstream` that needs no network."""

    def __init__(self, model: str = "veil-receptionist", *, piece: int = 7) -> None:
        self._model = model
        self._piece = piece

    def close(self) -> None:
        pass

    def models(self) -> Json:
        return {
            "object": "list",
            "data": [{"id": self._model, "object": "model", "created": 0, "owned_by": "veil"}],
        }

    def complete(self, body: Json) -> Json:
        messages = body.get("messages") or []
        choices = []
        for index in range(max(1, int(body.get("n") or 1))):
            message, finish = _reply(messages, body.get("tools") or [])
            choices.append({"index": index, "message": message, "finish_reason": finish})
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": str(body.get("model") or self._model),
            "choices": choices,
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        }

    def open_stream(self, body: Json) -> _Events:
        return _Events(self.complete(body), self._piece)


class _Events:
    def __init__(self, completion: Json, piece: int) -> None:
        self._completion = completion
        self._piece = piece

    def close(self) -> None:
        pass

    def __iter__(self) -> Iterator[Json]:
        done = self._completion
        base = {k: done[k] for k in ("id", "created", "model")} | {
            "object": "chat.completion.chunk"
        }
        for choice in done["choices"]:
            index, message = choice["index"], choice["message"]
            yield base | _chunk(index, {"role": "assistant", "content": ""})
            text = message.get("content") or ""
            # Uneven pieces so that pseudonyms are cut at many offsets.
            at, step = 0, self._piece
            while at < len(text):
                yield base | _chunk(index, {"content": text[at : at + step]})
                at, step = at + step, step % 5 + 2
            for i, call in enumerate(message.get("tool_calls") or []):
                head = {"index": i, "id": call["id"], "type": "function"}
                head["function"] = {"name": call["function"]["name"], "arguments": ""}
                yield base | _chunk(index, {"tool_calls": [head]})
                args = call["function"]["arguments"]
                for at in range(0, len(args), 5):
                    piece = {"index": i, "function": {"arguments": args[at : at + 5]}}
                    yield base | _chunk(index, {"tool_calls": [piece]})
            yield base | _chunk(index, {}, choice["finish_reason"])


def _chunk(index: int, delta: Json, finish: str | None = None) -> Json:
    return {"choices": [{"index": index, "delta": delta, "finish_reason": finish}]}


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def _reply(messages: list[Json], tools: list[Json]) -> tuple[Json, str]:
    customer = " ".join(_text(m.get("content")) for m in messages if m.get("role") == "user")
    tokens: dict[str, str] = {}
    for match in _TOKEN.finditer(customer):
        tokens.setdefault(match.group(1), match.group(0))
    last = messages[-1] if messages else {}
    if last.get("role") == "tool":
        return {"role": "assistant", "content": f"Done: {_text(last.get('content'))}"}, "stop"
    last_text = _text(last.get("content"))
    said = last_text.lower()
    if tools and last.get("role") == "user":
        call = _tool_call(tools, last_text, tokens)
        if call is not None:
            message = {"role": "assistant", "content": None, "tool_calls": [call]}
            return message, "tool_calls"
    template = next((reply for words, reply in _RULES if any(w in said for w in words)), _FALLBACK)
    person = tokens.get("PERSON")
    greeting = f"Thank you, {person}. " if person else "Thank you. "
    contact = tokens.get("EMAIL") or tokens.get("PHONE")
    payment = tokens.get("CREDIT_CARD") or tokens.get("IBAN") or tokens.get("BANK_ACCOUNT")
    address = tokens.get("ADDRESS") or tokens.get("LOCATION")
    reply = template.format(
        for_person=f" for {person}" if person else "",
        confirm=f" A confirmation is on its way to {contact}." if contact else "",
        to_address=f" to {address}" if address else "",
        to_contact=f" to {contact}" if contact else "",
        to_payment=f" ({payment})" if payment else "",
    )
    return {"role": "assistant", "content": greeting + reply}, "stop"


def _tool_call(tools: list[Json], said: str, tokens: dict[str, str]) -> Json | None:
    names = [
        str(t["function"]["name"])
        for t in tools
        if isinstance(t, dict) and isinstance(t.get("function"), dict) and t["function"].get("name")
    ]
    if not names:
        return None
    words = set(re.findall(r"[a-z]+", said.lower()))
    chosen = next((n for n in names if words & set(n.lower().split("_"))), names[0])
    arguments = {"request": said[:200]} | {k.lower(): v for k, v in tokens.items()}
    return {
        "id": f"call_{uuid.uuid4().hex[:12]}",
        "type": "function",
        "function": {"name": chosen, "arguments": json.dumps(arguments)},
    }
