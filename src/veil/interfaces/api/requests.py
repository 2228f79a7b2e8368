"""The way up: an OpenAI chat request, validated and protected field by field.

What leaves for the upstream is rebuilt from an allow-list, never copied: unknown
top-level fields, ``user``, ``metadata`` and message fields we do not understand are
dropped, so a new SDK field cannot smuggle personal data past veil. Protected:

* message ``content`` (a string, or the ``text`` of multi-part ``text`` parts; other
  part types are refused, since veil cannot look inside images or audio);
* assistant ``tool_calls[].function.arguments`` (each string leaf of the JSON) and
  the legacy ``function_call``; tool results (``role: tool``) are content;
* ``stop`` sequences and the human-readable parts of tool definitions and of a
  ``response_format`` JSON schema (descriptions, titles, defaults, enums, examples);
* ``logit_bias`` must be what the API defines, token ids to numbers: anything else
  is refused rather than forwarded;
* ``name``: replaced by a neutral participant label (``user_1``), because a
  pseudonym like ``[PERSON_1]`` is not a valid OpenAI name.

Every text goes through ``Veil.protect`` in the request's conversation, so a client
that resends the whole history gets the same pseudonyms each time.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from veil.core import Entity
from veil.errors import InputError, MalformedInputError
from veil.interfaces.api.upstream import Json
from veil.pipeline import Veil

__all__ = ["Identity", "RequestProtector", "identity_of", "parse_body"]

_PASSED = (
    "model", "temperature", "top_p", "n", "stream", "max_tokens", "max_completion_tokens",
    "presence_penalty", "frequency_penalty", "seed", "tool_choice",
    "parallel_tool_calls", "stream_options", "logprobs", "top_logprobs", "reasoning_effort",
)  # fmt: skip
_TOKEN_ID = re.compile(r"[0-9]{1,9}")
_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
_SCHEMA_TEXT = frozenset({"description", "title", "default", "enum", "examples", "const"})
_MAX_DEPTH = 64


def _shallow(value: Any, limit: int) -> bool:
    """Whether ``value`` nests no deeper than ``limit`` (iterative: no recursion)."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            if depth >= limit:
                return False
            pending.extend((child, depth + 1) for child in item if isinstance(child, dict | list))
    return True


def parse_body(raw: bytes) -> Json:
    """Decode a request body; errors say what is wrong, never what was sent."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedInputError("request body is not valid UTF-8") from None
    try:
        body = json.loads(text)
    except RecursionError:
        raise MalformedInputError("request body is nested too deeply") from None
    except ValueError as exc:
        position = getattr(exc, "pos", None)
        where = f" at byte offset {position}" if isinstance(position, int) else ""
        raise MalformedInputError(f"request body is not valid JSON{where}") from None
    if not isinstance(body, dict):
        raise MalformedInputError("request body must be a JSON object")
    return body


@dataclass(frozen=True, slots=True)
class Identity:
    """Which conversation the request belongs to, whose data it carries and for
    which purpose (``None``: the gateway's default purpose)."""

    conversation: str
    subject: str
    purpose: str | None = None
    tenant: str = "default"
    actor: str = "gateway"


def identity_of(
    headers: Mapping[str, str], body: Json, *, tenant: str = "default", actor: str = "gateway"
) -> Identity:
    """Headers first, then ``metadata.veil_*`` / ``user``; else a one-request
    conversation. ``tenant`` and ``actor`` are the authenticated caller's."""
    metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    assert isinstance(metadata, dict)
    conversation = headers.get("x-veil-conversation") or metadata.get("veil_conversation")
    subject = (
        headers.get("x-veil-subject")
        or metadata.get("veil_subject")
        or (body.get("user") if isinstance(body.get("user"), str) else None)
    )
    purpose = headers.get("x-veil-purpose") or metadata.get("veil_purpose")
    for kind, value in (("conversation", conversation), ("subject", subject), ("purpose", purpose)):
        if value is not None and not isinstance(value, str):
            raise InputError(f"{kind} id must be a string")
    if not conversation:
        conversation = f"anonymous-{uuid.uuid4().hex}"
    if not subject:
        subject = f"anonymous-{conversation}"[:255]
    return Identity(
        str(conversation), str(subject), str(purpose) if purpose else None, tenant, actor
    )


class RequestProtector:
    """Protects one request; not thread-safe (one per request)."""

    def __init__(
        self,
        veil: Veil,
        identity: Identity,
        *,
        max_messages: int,
        redact: frozenset[Entity] = frozenset(),
        purpose: str = "",
    ) -> None:
        self._veil = veil
        self._identity = identity
        self._max_messages = max_messages
        self._redact, self._purpose = redact, purpose
        self._done: dict[str, str] = {}
        self._names: dict[tuple[str, str], str] = {}

    @property
    def protected(self) -> int:
        """How many distinct texts this request protected."""
        return len(self._done)

    def text(self, value: str) -> str:
        """``value`` protected; identical texts in one request are protected once."""
        found = self._done.get(value)
        if found is not None:
            return found
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise MalformedInputError("a string contains an unpaired surrogate") from None
        out = self._veil.protect(
            value,
            conversation=self._identity.conversation,
            subject=self._identity.subject,
            tenant=self._identity.tenant,
            actor=self._identity.actor,
            redact=self._redact,
            purpose=self._purpose,
        )
        self._done[value] = out.text
        return out.text

    def body(self, body: Json) -> Json:
        """The upstream request: allow-listed fields, every text protected."""
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise MalformedInputError("'messages' must be a non-empty array")
        if len(messages) > self._max_messages:
            raise InputError(f"too many messages: the limit is {self._max_messages}")
        if not isinstance(body.get("model", ""), str):
            raise MalformedInputError("'model' must be a string")
        out: Json = {}
        for key in _PASSED:
            if key in body:
                # Forwarded as sent: bound their depth so no value the parser took
                # can recurse deeper on the way up (re-encoding, the upstream's parser).
                if not _shallow(body[key], _MAX_DEPTH):
                    raise MalformedInputError(f"'{key}' is nested too deeply")
                out[key] = body[key]
        out["messages"] = [self._message(i, m) for i, m in enumerate(messages)]
        stop = body.get("stop")
        if isinstance(stop, str):
            out["stop"] = self.text(stop)
        elif isinstance(stop, list):
            out["stop"] = [self._string(s, "stop") for s in stop]
        if "logit_bias" in body:
            out["logit_bias"] = _logit_bias(body["logit_bias"])
        if "response_format" in body:
            if not isinstance(body["response_format"], dict):
                raise MalformedInputError("'response_format' must be an object")
            out["response_format"] = self._schema(body["response_format"], 0)
        if "tools" in body:
            tools = body["tools"]
            if not isinstance(tools, list):
                raise MalformedInputError("'tools' must be an array")
            out["tools"] = [self._schema(t, 0) for t in tools]
        return out

    def _message(self, index: int, message: Any) -> Json:
        where = f"messages[{index}]"
        if not isinstance(message, dict) or message.get("role") not in _ROLES:
            raise MalformedInputError(f"{where} needs a known 'role'")
        role = message["role"]
        out: Json = {"role": role}
        if "content" in message:
            out["content"] = self._content(message["content"], where)
        if "name" in message:
            out["name"] = self._name(role, self._string(message["name"], f"{where}.name"))
        if "tool_call_id" in message:
            out["tool_call_id"] = self._string(message["tool_call_id"], where, protect=False)
        if isinstance(message.get("refusal"), str):
            out["refusal"] = self.text(message["refusal"])
        calls = message.get("tool_calls")
        if calls is not None:
            if not isinstance(calls, list):
                raise MalformedInputError(f"{where}.tool_calls must be an array")
            out["tool_calls"] = [self._call(c, where) for c in calls]
        if isinstance(message.get("function_call"), dict):
            out["function_call"] = self._function(message["function_call"], where)
        return out

    def _content(self, content: Any, where: str) -> Any:
        if content is None or isinstance(content, str):
            return None if content is None else self.text(content)
        if not isinstance(content, list):
            raise MalformedInputError(f"{where}.content must be a string or an array")
        parts = []
        for part in content:
            if not isinstance(part, dict) or part.get("type") not in {"text", "refusal"}:
                raise InputError(f"{where}: only text content parts are supported")
            key = part["type"]
            parts.append({"type": key, key: self._string(part.get(key), f"{where}.{key}")})
        return parts

    def _call(self, call: Any, where: str) -> Json:
        if not isinstance(call, dict) or not isinstance(call.get("function"), dict):
            raise MalformedInputError(f"{where}.tool_calls[] needs a 'function'")
        out: Json = {key: call[key] for key in ("id", "type") if isinstance(call.get(key), str)}
        out["function"] = self._function(call["function"], where)
        return out

    def _function(self, function: Json, where: str) -> Json:
        out: Json = {"name": self._string(function.get("name"), where, protect=False)}
        if "arguments" in function:
            out["arguments"] = self.json_text(self._string(function["arguments"], where, False))
        return out

    def json_text(self, text: str) -> str:
        """Protect the string leaves of a JSON document; non-JSON is protected as text."""
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):
            return self.text(text)
        return json.dumps(self._leaves(document, 0), ensure_ascii=False)

    def _leaves(self, value: Any, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise MalformedInputError("tool call arguments are nested too deeply")
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 100_000:
            # Long numbers may be card or account numbers sent unquoted.
            protected = self.text(str(value))
            return value if protected == str(value) else protected
        if isinstance(value, list):
            return [self._leaves(v, depth + 1) for v in value]
        if isinstance(value, dict):
            return {k: self._leaves(v, depth + 1) for k, v in value.items()}
        return value

    def _schema(self, value: Any, depth: int, key: str = "") -> Any:
        # Tool definitions are the integrator's, but descriptions and enum values
        # may still name people; structural keys are kept as they are.
        if depth > _MAX_DEPTH:
            raise MalformedInputError("a tool or response schema is nested too deeply")
        if isinstance(value, dict):
            return {k: self._schema(v, depth + 1, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self._schema(v, depth + 1, key) for v in value]
        if isinstance(value, str) and key in _SCHEMA_TEXT:
            return self.text(value)
        return value

    def _name(self, role: str, name: str) -> str:
        label = self._names.get((role, name))
        if label is None:
            count = sum(1 for r, _ in self._names if r == role)
            label = self._names[(role, name)] = f"{role}_{count + 1}"
        return label

    def _string(self, value: Any, where: str, protect: bool = True) -> str:
        if not isinstance(value, str):
            raise MalformedInputError(f"{where} must be a string")
        return self.text(value) if protect else value


def _logit_bias(value: Any) -> dict[str, float]:
    """Token ids (decimal strings) to numbers; nothing else can pass upstream."""
    if not isinstance(value, dict) or len(value) > 1024:
        raise MalformedInputError("'logit_bias' must map at most 1024 token ids to numbers")
    for key, bias in value.items():
        if not _TOKEN_ID.fullmatch(key):
            raise MalformedInputError("'logit_bias' keys must be token ids")
        if isinstance(bias, bool) or not isinstance(bias, int | float):
            raise MalformedInputError("'logit_bias' values must be numbers")
    return dict(value)
