"""The non-chat endpoints: ``/v1/detect``, ``/v1/protect`` and ``/v1/restore``.

For callers that are not chat clients (ticket systems, batch jobs, other proxies):

* ``detect`` ``{"text"}`` → ``{"spans": [{"start", "end", "label", "score",
  "detector", "reason"}]}``, the span format of ``veil detect --json``: code-point
  offsets into the text as sent; reasons never quote the value.
* ``protect`` ``{"text", "conversation", "subject"}`` → ``{"text", "tokens_issued"}``;
  pseudonyms are issued in the conversation and sealed under the subject's key.
* ``restore`` ``{"text", "conversation"}`` → ``{"text"}``; only pseudonyms issued in
  that conversation are put back.

Ids come from the body or, when absent there, from the ``X-Veil-Conversation`` /
``X-Veil-Subject`` headers. A conversation is required for protect and restore (a
restore needs to name it); the subject defaults to one derived from the
conversation, as for chat requests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from veil.core import Entity, Finding
from veil.errors import InputError, MalformedInputError
from veil.interfaces.api.upstream import Json
from veil.pipeline import Analyzer, Veil

__all__ = ["detect", "protect", "restore", "span_rows", "text_of"]


def span_rows(findings: Sequence[Finding]) -> list[Json]:
    """Findings as ``veil detect --json`` prints them."""
    return [
        {
            "start": f.start,
            "end": f.end,
            "label": f.label,
            "score": round(f.score, 4),
            "detector": f.detector,
            "reason": f.reason,
        }
        for f in findings
    ]


def text_of(body: Mapping[str, Any], key: str = "text") -> str:
    """``body[key]`` as a string that can be answered in UTF-8; errors never quote it."""
    value = body.get(key)
    if not isinstance(value, str):
        raise MalformedInputError(f"{key!r} must be a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedInputError(f"{key!r} contains an unpaired surrogate") from None
    return value


def _id(body: Mapping[str, Any], headers: Mapping[str, str], kind: str) -> str | None:
    value = body.get(kind)
    if value is None:
        value = headers.get(f"x-veil-{kind}") or None
    if value is not None and not isinstance(value, str):
        raise InputError(f"{kind} id must be a string")
    return value


def _conversation(body: Mapping[str, Any], headers: Mapping[str, str]) -> str:
    conversation = _id(body, headers, "conversation")
    if not conversation:
        raise InputError("a conversation id is required ('conversation' or X-Veil-Conversation)")
    return conversation


def detect(analyzer: Analyzer, body: Json) -> Json:
    """``{"spans": [...]}`` for ``body["text"]``; raises DetectionError to fail closed."""
    return {"spans": span_rows(analyzer.analyze(text_of(body)))}


Gate = Callable[[str, str | None], frozenset[Entity]]
"""``gate(subject, purpose)``: the entities to withhold, or PolicyError (see chat)."""


def protect(
    veil: Veil, body: Json, headers: Mapping[str, str], tenant: str, actor: str, gate: Gate
) -> Json:
    """``{"text", "tokens_issued"}``: the protected text and how many new pseudonyms.

    Like a chat request, it passes the purpose gate first (``purpose`` or
    X-Veil-Purpose): the caller will send the text on, to the configured recipient.
    """
    text = text_of(body)
    conversation = _conversation(body, headers)
    subject = _id(body, headers, "subject") or f"anonymous-{conversation}"[:255]
    purpose = _id(body, headers, "purpose")
    redact = gate(subject, purpose)
    done = veil.protect(
        text, conversation=conversation, subject=subject, tenant=tenant, actor=actor,
        redact=redact, purpose=purpose or "",
    )  # fmt: skip
    return {"text": done.text, "tokens_issued": len(done.issued)}


def restore(veil: Veil, body: Json, headers: Mapping[str, str], tenant: str, actor: str) -> Json:
    """``{"text"}`` with the conversation's pseudonyms put back."""
    text = text_of(body)
    conversation = _conversation(body, headers)
    return {"text": veil.restore(text, conversation=conversation, tenant=tenant, actor=actor)}
