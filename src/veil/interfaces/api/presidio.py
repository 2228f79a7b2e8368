"""Presidio-compatible REST: ``POST /analyze`` and ``POST /anonymize``.

Request and response bodies follow Presidio's analyzer and anonymizer services, so a
Presidio REST client can point at veil unchanged.

``/analyze`` takes ``{"text", "language", "entities"?, "score_threshold"?,
"return_decision_process"?, "allow_list"?, ...}`` (``text`` may be a list, answered
with one list per text) and answers ``[{"entity_type", "start", "end", "score",
"analysis_explanation"}]``, keys sorted as Presidio sends them. Entity names are
Presidio's where veil's type has exactly one Presidio alias (``EMAIL_ADDRESS``,
``PHONE_NUMBER``, ``DATE_TIME``, ``IBAN_CODE`` ...); a type with several aliases is
named as the request's ``entities`` named it if it named exactly one, else by veil's
name (``NATIONAL_ID``), as are veil-only types. Requests that would silently detect
less than the caller expects (``ad_hoc_recognizers``, a regex ``allow_list_match``)
are refused, not ignored. ``context`` and ``correlation_id`` are accepted and unused.

``/anonymize`` takes ``{"text", "analyzer_results", "anonymizers"?}`` and answers
``{"text", "items": [{"start", "end", "entity_type", "text", "operator"}]}``, items
from the end of the text to its start with offsets into the output, as Presidio
does. Overlapping results are merged into one span (the type of the highest score)
so that no flagged character survives an overlap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from veil.core import PRESIDIO_ALIASES, Finding, parse_entity
from veil.errors import InputError, MalformedInputError, UnknownEntityError
from veil.interfaces.api.anonymizers import Operator, operator_from
from veil.interfaces.api.texts import text_of
from veil.interfaces.api.upstream import Json
from veil.pipeline import Analyzer

__all__ = ["PRESIDIO_NAMES", "analyze", "anonymize"]


def _unique_aliases() -> dict[str, str]:
    by_type: dict[str, list[str]] = {}
    for alias, entity in PRESIDIO_ALIASES.items():
        by_type.setdefault(entity.value, []).append(alias)
    return {label: names[0] for label, names in by_type.items() if len(names) == 1}


# veil label → Presidio name, for the types with exactly one Presidio alias.
PRESIDIO_NAMES: dict[str, str] = _unique_aliases()


def _number(body: Mapping[str, Any], key: str) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedInputError(f"{key!r} must be a number")
    return float(value)


def _strings(body: Mapping[str, Any], key: str) -> list[str]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MalformedInputError(f"{key!r} must be an array of strings")
    return value


def _entity_filter(names: list[str]) -> tuple[set[str] | None, dict[str, str]]:
    """(labels to keep or None for all, veil label → the one alias the caller used)."""
    if not names:
        return None, {}
    keep: set[str] = set()
    used: dict[str, set[str]] = {}
    for name in names:
        try:
            label = parse_entity(name).value
        except UnknownEntityError:
            keep.add(name.strip().upper())  # a custom entity, or one veil never finds
            continue
        keep.add(label)
        if name.strip().upper() != label:
            used.setdefault(label, set()).add(name.strip().upper())
    return keep, {label: next(iter(a)) for label, a in used.items() if len(a) == 1}


def _result(finding: Finding, name: str, explain: bool) -> Json:
    out: Json = {
        "analysis_explanation": None,
        "end": finding.end,
        "entity_type": name,
        "score": finding.score,
        "start": finding.start,
    }
    if explain:
        out["analysis_explanation"] = {
            "original_score": finding.score,
            "pattern": None,
            "pattern_name": None,
            "recognizer": finding.detector,
            "regex_flags": None,
            "score": finding.score,
            "score_context_improvement": 0,
            "supportive_context_word": "",
            "textual_explanation": finding.reason,
            "validation_result": None,
        }
        out["recognition_metadata"] = {
            "recognizer_identifier": finding.detector,
            "recognizer_name": finding.detector,
        }
    return out


def analyze(analyzer: Analyzer, body: Json) -> list[Any]:
    """Presidio's ``/analyze``: a result list, or one per text for a list of texts."""
    language = body.get("language")
    if not isinstance(language, str) or not language:
        raise MalformedInputError("'language' must be a non-empty string")
    if body.get("ad_hoc_recognizers"):
        raise InputError("ad_hoc_recognizers are not supported; configure custom entities")
    if body.get("allow_list_match", "exact") != "exact":
        raise InputError("only allow_list_match 'exact' is supported")
    batch = isinstance(body.get("text"), list)
    texts = _strings(body, "text") if batch else [text_of(body)]
    threshold = _number(body, "score_threshold")
    explain = body.get("return_decision_process") is True
    allowed = set(_strings(body, "allow_list"))
    keep, used = _entity_filter(_strings(body, "entities"))
    answers: list[list[Json]] = []
    for text in texts:
        text = text_of({"text": text})
        results = []
        for f in analyzer.analyze(text):
            if keep is not None and f.label not in keep:
                continue
            if threshold is not None and f.score < threshold:
                continue
            if allowed and text[f.start : f.end] in allowed:
                continue
            name = used.get(f.label) or PRESIDIO_NAMES.get(f.label, f.label)
            results.append(_result(f, name, explain))
        answers.append(results)
    return answers if batch else answers[0]


def _integer(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _spans(raw: Any, length: int) -> list[tuple[int, int, str, float]]:
    if not isinstance(raw, list):
        raise MalformedInputError("'analyzer_results' must be an array")
    spans = []
    for i, item in enumerate(raw):
        where = f"analyzer_results[{i}]"
        if not isinstance(item, dict):
            raise MalformedInputError(f"{where} must be an object")
        start, end, kind = item.get("start"), item.get("end"), item.get("entity_type")
        score = item.get("score", 0.0)
        if not (_integer(start) and _integer(end)):
            raise MalformedInputError(f"{where} needs integer 'start' and 'end'")
        if not 0 <= start <= end <= length:
            raise InputError(f"{where} lies outside the text")
        if not isinstance(kind, str) or not kind:
            raise MalformedInputError(f"{where} needs a string 'entity_type'")
        if isinstance(score, bool) or not isinstance(score, int | float):
            raise MalformedInputError(f"{where}.score must be a number")
        if start < end:
            spans.append((start, end, kind, float(score)))
    return spans


def _merged(spans: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    best = -1.0
    for start, end, kind, score in sorted(spans, key=lambda s: (s[0], -s[1])):
        if out and start < out[-1][1]:
            last = out[-1]
            winner = kind if score > best else last[2]
            best = max(best, score)
            out[-1] = (last[0], max(last[1], end), winner)
        else:
            out.append((start, end, kind))
            best = score
    return out


def anonymize(body: Json, *, key: bytes | None) -> Json:
    """Presidio's ``/anonymize``; ``key`` serves the ``keyed_hash`` operator."""
    text = text_of(body)
    spans = _merged(_spans(body.get("analyzer_results"), len(text)))
    configs = body.get("anonymizers") or {}
    if not isinstance(configs, dict):
        raise MalformedInputError("'anonymizers' must be an object")
    operators = {kind: operator_from(config) for kind, config in configs.items()}
    default = operators.get("DEFAULT", Operator("replace"))
    pieces: list[str] = []
    items: list[Json] = []
    at = written = 0
    for start, end, kind in spans:
        operator = operators.get(kind, default)
        replaced = operator.apply(text[start:end], kind, key=key)
        pieces.append(text[at:start])
        written += start - at
        item = {"start": written, "end": written + len(replaced), "entity_type": kind}
        items.append(item | {"text": replaced, "operator": operator.name})
        pieces.append(replaced)
        written += len(replaced)
        at = end
    pieces.append(text[at:])
    return {"text": "".join(pieces), "items": items[::-1]}
