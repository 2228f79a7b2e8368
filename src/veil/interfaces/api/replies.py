"""The way down: the upstream's answer with the conversation's pseudonyms put back.

One :class:`~veil.pipeline.Restorer` serves a whole reply (the token map is loaded
once, the restore audited once). Non-streamed answers are restored field by field
(content, refusal, tool-call arguments). Streamed answers go through
``Restorer.stream`` so that no fragment
of a pseudonym ever reaches the client: content deltas of choice 0 are restored as
they arrive; tool-call arguments, and the content of further choices (``n`` > 1), are
collected and sent restored, whole, just before their choice's ``finish_reason``.
Chunks that carry no text (role, tool-call headers) pass on in order; the finishing
chunks and the usage chunk come after the restored tail.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from veil.interfaces.api.upstream import Json
from veil.pipeline import Restorer

__all__ = ["StreamRestorer", "restore_completion", "restore_json_text"]


def restore_json_text(restorer: Restorer, text: str) -> str:
    """Restore the string leaves of JSON text (quotes stay escaped); else the raw text."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return restorer.text(text)
    restored = _leaves(restorer, document)
    # Unchanged arguments keep their exact bytes; changed ones are re-encoded so that
    # a restored value with a quote or backslash cannot break the JSON.
    return text if restored == document else json.dumps(restored, ensure_ascii=False)


def _leaves(restorer: Restorer, value: Any) -> Any:
    if isinstance(value, str):
        return restorer.text(value)
    if isinstance(value, list):
        return [_leaves(restorer, v) for v in value]
    if isinstance(value, dict):
        return {k: _leaves(restorer, v) for k, v in value.items()}
    return value


def restore_completion(restorer: Restorer, completion: Json) -> Json:
    """A ``chat.completion`` with every pseudonym of the conversation restored."""
    for choice in completion.get("choices") or []:
        message = choice.get("message") if isinstance(choice, dict) else None
        if isinstance(message, dict):
            _restore_message(restorer, message)
    return completion


def _restore_message(restorer: Restorer, message: Json) -> None:
    for key in ("content", "refusal"):
        if isinstance(message.get(key), str):
            message[key] = restorer.text(message[key])
    calls = message.get("tool_calls")
    functions = [c.get("function") for c in calls if isinstance(c, dict)] if calls else []
    functions.append(message.get("function_call"))
    for function in functions:
        if isinstance(function, dict) and isinstance(function.get("arguments"), str):
            function["arguments"] = restore_json_text(restorer, function["arguments"])


class StreamRestorer:
    """Turns upstream chunk events into restored chunk events, one stream at a time.

    Constructing it starts ``Restorer.stream`` (which audits the restore), so an audit
    failure raises here, before the client sees a byte; the token map was loaded when
    the restorer was made.
    """

    def __init__(self, restorer: Restorer, events: Iterable[Json]) -> None:
        self._restorer = restorer
        self._events = events
        self._ready: deque[Json] = deque()
        self._base: Json = {"object": "chat.completion.chunk"}
        self._texts: dict[int, list[str]] = {}
        self._args: dict[tuple[int, int], list[str]] = {}
        self._finish: dict[int, Any] = {}
        self._tail: list[Json] = []
        self._restored = restorer.stream(self._contents())

    def close(self) -> None:
        """Stop early: release the upstream connection."""
        for source in (self._restored, self._events):
            close = getattr(source, "close", None)
            if callable(close):
                close()

    def abort(self) -> None:
        """Close only the upstream connection; safe while another thread iterates."""
        close = getattr(self._events, "close", None)
        if callable(close):
            close()

    def __iter__(self) -> Iterator[Json]:
        for text in self._restored:
            yield from self._drain()
            yield self._chunk(0, {"content": text})
        yield from self._drain()
        yield from self._finishing()

    def _drain(self) -> Iterator[Json]:
        while self._ready:
            yield self._ready.popleft()

    def _contents(self) -> Iterator[str]:
        for event in self._events:
            for key in ("id", "created", "model", "system_fingerprint"):
                if key in event and key not in self._base:
                    self._base[key] = event[key]
            text = self._split(event)
            if text:
                yield text

    def _split(self, event: Json) -> str:
        """Take the text out of ``event``; queue what is left; return choice 0's text."""
        own = ""
        kept = []
        for choice in event.get("choices") or []:
            if not isinstance(choice, dict):
                continue
            index = int(choice.get("index") or 0)
            delta = dict(choice.get("delta") or {})
            content = delta.pop("content", None)
            if isinstance(content, str) and content:
                if index == 0:
                    own += content
                else:
                    self._texts.setdefault(index, []).append(content)
            calls = [self._call(index, c) for c in delta.pop("tool_calls", None) or []]
            calls = [c for c in calls if c]
            if calls:
                delta["tool_calls"] = calls
            if choice.get("finish_reason") is not None:
                self._finish[index] = choice["finish_reason"]
            else:
                self._finish.setdefault(index, None)
            if delta:
                kept.append({"index": index, "delta": delta, "finish_reason": None})
        if kept:
            self._ready.append(self._base | {"choices": kept})
        if event.get("usage") is not None:
            self._tail.append(self._base | {"choices": [], "usage": event["usage"]})
        return own

    def _call(self, index: int, call: Any) -> Json:
        if not isinstance(call, dict):
            return {}
        call = dict(call)
        function = dict(call.get("function") or {})
        arguments = function.pop("arguments", None)
        if isinstance(arguments, str) and arguments:
            self._args.setdefault((index, int(call.get("index") or 0)), []).append(arguments)
        if function:
            call["function"] = function | {"arguments": ""}
        else:
            call.pop("function", None)
        return call if set(call) - {"index"} else {}

    def _finishing(self) -> Iterator[Json]:
        for index in sorted(self._finish):
            text = "".join(self._texts.get(index, []))
            if text:
                yield self._chunk(index, {"content": self._restorer.text(text)})
            for (owner, call), parts in sorted(self._args.items()):
                if owner == index:
                    arguments = restore_json_text(self._restorer, "".join(parts))
                    yield self._chunk(
                        index,
                        {"tool_calls": [{"index": call, "function": {"arguments": arguments}}]},
                    )
            yield self._base | {
                "choices": [{"index": index, "delta": {}, "finish_reason": self._finish[index]}]
            }
        yield from self._tail

    def _chunk(self, index: int, delta: Json) -> Json:
        return self._base | {"choices": [{"index": index, "delta": delta, "finish_reason": None}]}
