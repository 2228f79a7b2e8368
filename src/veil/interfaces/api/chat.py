"""The chat flow of ``POST /v1/chat/completions``: protect, record, call, restore.

Turns: the request's latest user message(s) (the trailing ``user`` messages; earlier
history was recorded when it was new) are stored sealed before anything is forwarded,
and choice 0's restored reply text once it is complete (``Veil.record_turn``). A
storage failure refuses a non-streamed request (503); a streamed one ends with an
``error`` event instead of ``[DONE]``.

The flow runs in one worker thread for the request's :class:`~veil.interfaces.api.
hangup.Hangup`: a client that hangs up stops it before the upstream call (nothing is
forwarded), interrupts the call in flight, and stops it before the reply is restored
or recorded; a streamed reply is cut off at the next chunk.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import anyio
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from veil.interfaces.api.errors import error_body
from veil.interfaces.api.hangup import ClientDisconnectedError, Hangup, steps, until_hung_up
from veil.interfaces.api.replies import StreamRestorer, restore_completion
from veil.interfaces.api.requests import Identity, RequestProtector, identity_of, parse_body
from veil.interfaces.api.upstream import Json
from veil.pipeline import Veil

if TYPE_CHECKING:
    from veil.interfaces.api.app import Gateway

__all__ = ["Caller", "RestoringStream", "chat"]


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sends the request: the tenant it acts in and the actor the audit names
    (an API key's service account, or ``gateway`` when authentication is off)."""

    tenant: str
    actor: str


_Record = Callable[[str, str, int | None], None]


def chat(
    gateway: Gateway,
    raw: bytes,
    headers: dict[str, str],
    who: Callable[[], Caller],
    hangup: Hangup,
) -> Json | tuple[StreamRestorer, _Record]:
    """Authenticate (``who``), protect, record the user's turns, call the upstream,
    restore and record the reply (or prepare the restoring stream, which records the
    reply at its end). Sync: one worker-thread step, watched by ``hangup``."""
    caller = who()
    body = parse_body(raw)
    identity = identity_of(headers, body, tenant=caller.tenant, actor=caller.actor)
    settings = gateway.settings
    purpose = identity.purpose or settings.default_purpose
    # Purpose, consent, restriction and recipient first: a refusal forwards nothing.
    grant = gateway.purposes().admit(
        identity.tenant, identity.subject, purpose, settings.recipient_name, actor=caller.actor
    )
    protector = RequestProtector(
        gateway.veil,
        identity,
        max_messages=settings.max_messages,
        redact=grant.redact,
        purpose=purpose,
    )
    upward = protector.body(body)
    gateway.metrics.protected.inc(protector.protected)
    record = _recorder(gateway.veil, identity, purpose)
    for text in _new_user_messages(gateway.veil, identity, body):
        record(text, "user", None)
    # Loaded after this request's own pseudonyms were issued, before the upstream call.
    streamed = upward.get("stream") is True
    restorer = gateway.veil.restorer(
        conversation=identity.conversation,
        tenant=identity.tenant,
        subject=identity.subject,
        actor=identity.actor,
        deferred=not streamed,  # a complete reply: audited with its stored turn
    )
    hangup.check()  # the client has gone: forward nothing
    if streamed:
        events = gateway.upstream.open_stream(upward)
        try:
            return StreamRestorer(restorer, events), record
        except BaseException:
            events.close()
            raise
    completion = gateway.upstream.complete(upward)
    hangup.check()  # nobody would read the reply: restore and record nothing
    restored = restore_completion(restorer, completion)
    choices = restored.get("choices") or [{}]
    message = choices[0].get("message") if isinstance(choices[0], dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, str) and content:
        record(content, "assistant", restorer.settle())
    restorer.flush()  # a restore not settled with a stored reply is audited on its own
    return restored


def _recorder(veil: Veil, identity: Identity, purpose: str) -> _Record:
    def record(text: str, role: str, restored: int | None = None) -> None:
        if text:
            veil.record_turn(
                conversation=identity.conversation,
                subject=identity.subject,
                role=role,
                text=text,
                tenant=identity.tenant,
                purpose=purpose,
                actor=identity.actor,
                restored=restored,
            )

    return record


def _new_user_messages(veil: Veil, identity: Identity, body: Json) -> list[str]:
    """The user messages of this request that are not stored yet.

    A client that resends the history (the body holds an assistant message) has
    already had its earlier user messages recorded: only those beyond the stored
    count are new, so a retried request records nothing twice. A client that sends
    only its latest message gets its trailing user messages recorded.
    """
    latest = _latest_user_messages(body)
    messages = body["messages"]
    if not any(m.get("role") == "assistant" for m in messages):
        return latest
    sent = sum(1 for m in messages if m.get("role") == "user")
    stored = veil.turn_count(
        conversation=identity.conversation, role="user", tenant=identity.tenant
    )
    new = max(0, min(len(latest), sent - stored))
    return latest[len(latest) - new :]


def _latest_user_messages(body: Json) -> list[str]:
    """The texts of the trailing ``user`` messages (the body is already validated)."""
    texts: list[str] = []
    for message in reversed(body["messages"]):
        if message.get("role") != "user":
            break
        content = message.get("content")
        if isinstance(content, list):
            parts = [p["text"] for p in content if isinstance(p.get("text"), str)]
            content = "\n".join(parts)
        texts.append(content if isinstance(content, str) else "")
    return texts[::-1]


class RestoringStream(StreamingResponse):
    """An SSE response that hangs up on the upstream however it ends.

    It always listens for the client's disconnect (Starlette does so only for older
    ASGI servers) and then cancels the request's hangup, which interrupts the chunk
    a worker thread is reading from the upstream; the upstream connection is closed
    when the response ends, whatever the reason. The restorer's held-back tail is
    dropped with the generator, never flushed.
    """

    def __init__(
        self,
        events: StreamRestorer,
        record: _Record,
        hangup: Hangup,
        failed: Callable[[Exception], None],
    ) -> None:
        super().__init__(
            steps(hangup, _sse(events, record, failed)),
            media_type="text/event-stream",
            headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
        )
        self._events = events
        self._hangup = hangup
        self._failed = failed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            async with anyio.create_task_group() as group:

                async def stream() -> None:
                    await self.stream_response(send)
                    group.cancel_scope.cancel()

                group.start_soon(stream)
                await until_hung_up(receive)  # cancelled when the stream is done
                self._hangup.cancel()
                group.cancel_scope.cancel()
                self._failed(ClientDisconnectedError())
        finally:
            # Only the connection: the restoring generator itself may be running in a
            # worker thread, and closing a running generator raises.
            self._events.abort()


def _sse(
    events: StreamRestorer, record: _Record, failed: Callable[[Exception], None]
) -> Iterator[bytes]:
    reply: list[str] = []
    try:
        for event in events:
            for choice in event.get("choices") or []:
                if choice.get("index") == 0 and isinstance(choice["delta"].get("content"), str):
                    reply.append(choice["delta"]["content"])
            yield b"data: " + json.dumps(event, ensure_ascii=False).encode() + b"\n\n"
        record("".join(reply), "assistant", None)
    except ClientDisconnectedError:
        return  # nobody is listening; the response that saw the hang-up reports it
    except Exception as exc:  # the head is sent: end the stream with a generic error event
        failed(exc)
        yield b"data: " + json.dumps(error_body(exc)).encode() + b"\n\n"
        return
    finally:
        events.close()
    yield b"data: [DONE]\n\n"
