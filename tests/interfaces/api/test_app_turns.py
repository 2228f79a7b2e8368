"""The chat completion path stores each turn sealed: the user's latest message(s) and
the restored reply (``chat.chat``), and fails closed when it cannot."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest

from veil.errors import StorageError
from veil.interfaces.api import GatewaySettings, HttpUpstream, create_app
from veil.pipeline import Veil
from veil.testing import canary_email, canary_phone

from .conftest import FakeUpstream, Served  # noqa: TID252

HEADERS = {"X-Veil-Conversation": "conv-t", "X-Veil-Subject": "cust-t"}


def client(served: Served) -> openai.OpenAI:
    return openai.OpenAI(base_url=served.url + "/v1", api_key="k", max_retries=0)


def ask(served: Served, messages: list[dict[str, Any]], *, stream: bool = False) -> str:
    if not stream:
        reply = client(served).chat.completions.create(
            model="fake",
            messages=messages,  # type: ignore[arg-type]
            extra_headers=HEADERS,
        )
        return reply.choices[0].message.content or ""
    completions: Any = client(served).chat.completions  # the SDK's overloads vs a list
    chunks = completions.create(
        model="fake",
        messages=messages,
        stream=True,
        extra_headers=HEADERS,
    )
    pieces = []
    for chunk in chunks:
        for choice in chunk.choices:
            pieces.append(choice.delta.content or "")
    return "".join(pieces)


@pytest.mark.parametrize("stream", [False, True])
def test_a_completion_stores_exactly_the_user_and_assistant_turns(
    gateway: Served, veil: Veil, fake_upstream: FakeUpstream, stream: bool
) -> None:
    email = canary_email()
    first: list[dict[str, Any]] = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": email},
    ]
    answer = ask(gateway, first, stream=stream)
    assert email in answer
    assert veil.turns(conversation="conv-t") == [("user", email), ("assistant", answer)]
    # The client resends the history: only the new trailing user messages are stored.
    phone = canary_phone()
    again: list[dict[str, Any]] = [
        *first,
        {"role": "assistant", "content": answer},
        {"role": "user", "content": "thanks"},
        {"role": "user", "content": [{"type": "text", "text": f"call {phone}"}]},
    ]
    second = ask(gateway, again, stream=stream)
    assert veil.turns(conversation="conv-t") == [
        ("user", email),
        ("assistant", answer),
        ("user", "thanks"),
        ("user", f"call {phone}"),
        ("assistant", second),
    ]


def test_a_retried_request_records_its_user_message_once(
    gateway: Served, veil: Veil, fake_upstream: FakeUpstream
) -> None:
    first: list[dict[str, Any]] = [{"role": "user", "content": "hello"}]
    answer = ask(gateway, first)
    history: list[dict[str, Any]] = [
        *first,
        {"role": "assistant", "content": answer},
        {"role": "user", "content": "book Monday"},
    ]
    ask(gateway, history)
    ask(gateway, history)  # the client retries: its message is already stored
    roles = [role for role, _ in veil.turns(conversation="conv-t")]
    assert roles == ["user", "assistant", "user", "assistant", "assistant"]
    assert [t for r, t in veil.turns(conversation="conv-t") if r == "user"] == [
        "hello",
        "book Monday",
    ]


class NoTurnsVeil(Veil):
    """Protection works, but the turn table is down."""

    def record_turn(self, **kwargs: Any) -> int:
        raise StorageError("turns.add failed: OperationalError")


def test_a_turn_that_cannot_be_stored_refuses_the_request(
    veil: Veil, fake_upstream: FakeUpstream
) -> None:
    broken = NoTurnsVeil.__new__(NoTurnsVeil)
    vars(broken).update(vars(veil))
    settings = GatewaySettings(upstream_url=fake_upstream.url, upstream_retries=0)
    served = Served(create_app(settings, broken, HttpUpstream(settings)))
    email = canary_email()
    try:
        response = httpx.post(
            served.url + "/v1/chat/completions",
            json={"messages": [{"role": "user", "content": f"mail {email}"}]},
        )
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "storage_unavailable"
        assert email not in response.text
        assert fake_upstream.received == []  # refused before anything was forwarded
    finally:
        served.close()


def test_a_reply_that_cannot_be_stored_refuses_the_request(
    veil: Veil, fake_upstream: FakeUpstream
) -> None:
    class ReplyLost(Veil):
        def record_turn(self, **kwargs: Any) -> int:
            if kwargs["role"] == "assistant":
                raise StorageError("turns.add failed: OperationalError")
            return super().record_turn(**kwargs)

    broken = ReplyLost.__new__(ReplyLost)
    vars(broken).update(vars(veil))
    settings = GatewaySettings(upstream_url=fake_upstream.url, upstream_retries=0)
    served = Served(create_app(settings, broken, HttpUpstream(settings)))
    email = canary_email()
    try:
        response = httpx.post(
            served.url + "/v1/chat/completions",
            json={"messages": [{"role": "user", "content": f"mail {email}"}]},
        )
        assert response.status_code == 503
        assert email not in response.text
        stream = httpx.post(
            served.url + "/v1/chat/completions",
            json={"stream": True, "messages": [{"role": "user", "content": "hello"}]},
        )
        assert stream.status_code == 200  # the head was sent: the stream ends in an error
        assert '"storage_unavailable"' in stream.text
        assert "[DONE]" not in stream.text
    finally:
        served.close()


@pytest.mark.parametrize("stream", [False, True])
def test_every_step_of_a_completion_is_audited(
    gateway: Served, veil: Veil, fake_upstream: FakeUpstream, stream: bool
) -> None:
    from veil.audit import Action

    email = canary_email()
    assert email in ask(gateway, [{"role": "user", "content": f"mail {email}"}], stream=stream)
    assert veil.audit is not None
    rows = veil.audit.query()
    actions = [row.action for row in rows]
    if stream:  # a stream's restore is audited before its first chunk
        expected = [Action.TOKEN_ISSUE, Action.TURN_WRITE, Action.TOKEN_RESTORE, Action.TURN_WRITE]
    else:  # a complete reply's restore commits with the stored reply
        expected = [Action.TOKEN_ISSUE, Action.TURN_WRITE, Action.TURN_WRITE, Action.TOKEN_RESTORE]
    assert actions == expected
    assert all(row.subject_hash == veil.audit.subject_hash("default", "cust-t") for row in rows)
    assert email not in str([row.as_dict() for row in rows])
