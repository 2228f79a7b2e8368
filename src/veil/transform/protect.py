"""``protect``: findings in, protected text and newly issued pseudonyms out.

::

    protected = protect(text, findings, context=TokenContext(key, "conv-42"),
                        settings=TransformSettings.of({EntityType.CREDIT_CARD: Mask()}),
                        token_map=stored_map)
    # send protected.text upstream; persist protected.issued (sealed)

Each finding is replaced by its entity's operator. Text the customer typed that an
LLM reply could later make resolve (a rendering of an issued pseudonym, or anything
shaped like a tag or hash of a known entity label, issued or not yet) is treated as a
value itself: it is replaced by a fresh look-alike tag whose value is the literal
text typed. So the model never sees a forged token, and restore gives the customer
back exactly what they typed.

The result is then checked, not trusted: the protected text is scanned with the same
tolerant matcher ``restore`` uses, and every match must be exactly one placed
pseudonym. A surrogate glued onto a word, or one that forms a match together with
the text beside it, is switched to a (delimited) tag; a stray match inside typed text
is neutralized; then the text is rendered again, until it is clean.
"""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from veil.core import Entity, EntityType, Finding, Span
from veil.errors import InputError
from veil.transform.issuance import Issuer
from veil.transform.keys import TokenContext
from veil.transform.operators import form_key, is_pseudonymizer, lossy
from veil.transform.patterns import core_key, token_grammar
from veil.transform.settings import (
    Hash,
    Mask,
    Operator,
    Origin,
    Redact,
    Surrogate,
    Tag,
    TransformSettings,
)
from veil.transform.tokens import EMPTY_MAP, TokenEntry, TokenMap

__all__ = ["Protected", "Replacement", "protect"]

DEFAULT_SETTINGS = TransformSettings()


@dataclass(frozen=True, slots=True)
class Replacement:
    """Where one value was replaced: safe to audit (no value, no pseudonym text)."""

    source: Span
    target: Span
    entity: Entity
    kind: str  # "tag", "surrogate", "hash", "mask", "redact", "generalize" or "kept"
    lookalike: bool = False


@dataclass(frozen=True, slots=True)
class Protected:
    """The text to send upstream, what it added to the map, and the merged map."""

    text: str
    issued: TokenMap
    token_map: TokenMap
    replacements: tuple[Replacement, ...]

    def __repr__(self) -> str:
        return f"Protected(<{len(self.text)} chars>, issued={len(self.issued)})"


@dataclass(frozen=True, slots=True)
class _Item:
    span: Span
    entity: Entity
    lookalike: bool = False


@dataclass(frozen=True, slots=True)
class _Placed:
    target: Span
    source: Span
    item: _Item | None = None  # None: the customer's own text between findings
    entry: TokenEntry | None = None
    kind: str = "text"


_KINDS: dict[type, str] = {Tag: "tag", Surrogate: "surrogate", Hash: "hash", Mask: "mask"}


def _kind(operator: Operator) -> str:
    return _KINDS.get(type(operator), "redact" if isinstance(operator, Redact) else "generalize")


def protect(
    text: str,
    findings: Sequence[Finding],
    *,
    context: TokenContext,
    settings: TransformSettings = DEFAULT_SETTINGS,
    token_map: TokenMap = EMPTY_MAP,
    origin: Origin = Origin.CUSTOMER,
) -> Protected:
    """Replace every finding in ``text``; see the module docstring for the contract.

    ``findings`` must lie inside ``text`` and not overlap (the engine resolves
    overlaps). Deterministic: the same arguments give the same result anywhere.
    With ``origin=Origin.VEIL`` findings that are verbatim issued pseudonyms of their
    entity are kept, which makes ``protect`` idempotent on its own output.
    """
    items = _items(text, findings)
    labels = _labels(findings, settings, token_map)
    grammar = token_grammar(settings.token_formats(), labels)
    text_keys = frozenset(core_key(m.group(0)) for g in grammar for m in g.finditer(text))
    issuer = Issuer(text, context, settings, token_map, text_keys)
    keep = _kept(text, items, token_map) if origin is Origin.VEIL else frozenset()
    forced: set[Span] = set()
    # Each round either forces a surrogate to a tag or neutralizes more typed text,
    # so the loop ends; the bound only guards against a bug.
    for _ in range(2 * (len(text) + len(items)) + 2):
        out, placed = _render(text, items, keep, forced, issuer, settings)
        repairs = _repairs(out, placed, issuer.token_map, grammar, labels, origin)
        if repairs is None:
            return _result(out, placed, issuer)
        new_forced, new_items = repairs
        if not new_forced - forced and not new_items:
            break
        forced |= new_forced
        items = sorted([*items, *new_items], key=lambda it: it.span.start)
    raise InputError("text could not be protected unambiguously")


def _items(text: str, findings: Sequence[Finding]) -> list[_Item]:
    ordered = sorted(findings, key=lambda f: (f.start, f.end))
    previous_end = 0
    for finding in ordered:
        if finding.end > len(text):
            raise InputError(f"finding [{finding.start}, {finding.end}) lies outside the text")
        if finding.start < previous_end:
            raise InputError(f"findings overlap at offset {finding.start}")
        previous_end = finding.end
    return [_Item(f.span, f.entity) for f in ordered if f.end > f.start]


def _labels(
    findings: Sequence[Finding], settings: TransformSettings, token_map: TokenMap
) -> dict[str, Entity]:
    """Every entity label a token could carry here, case-folded."""
    entities: list[Entity] = [*EntityType]
    entities += [f.entity for f in findings] + [e for e, _ in settings.rules]
    entities += [entry.entity for entry in token_map]
    return {entity.label.casefold(): entity for entity in entities}


def _kept(text: str, items: list[_Item], token_map: TokenMap) -> frozenset[Span]:
    kept = set()
    for item in items:
        literal = text[item.span.start : item.span.end]
        entry = token_map.find(literal)
        if entry is not None and entry.pseudonym == literal and entry.entity == item.entity:
            kept.add(item.span)
    return frozenset(kept)


def _render(
    text: str,
    items: list[_Item],
    keep: frozenset[Span],
    forced: set[Span],
    issuer: Issuer,
    settings: TransformSettings,
) -> tuple[str, list[_Placed]]:
    out: list[str] = []
    placed: list[_Placed] = []
    length = 0
    pos = 0

    def put(
        piece: str, source: Span, item: _Item | None, entry: TokenEntry | None, kind: str
    ) -> None:
        nonlocal length
        out.append(piece)
        placed.append(_Placed(Span(length, length + len(piece)), source, item, entry, kind))
        length += len(piece)

    for item in items:
        if item.span.start > pos:
            put(text[pos : item.span.start], Span(pos, item.span.start), None, None, "text")
        value = text[item.span.start : item.span.end]
        pos = item.span.end
        if item.span in keep:
            put(value, item.span, item, issuer.token_map.find(value), "kept")
            continue
        operator = settings.operator_for(item.entity)
        if item.lookalike or item.span in forced:
            operator = settings.lookalike
        if is_pseudonymizer(operator):
            assert isinstance(operator, Tag | Surrogate | Hash)
            entry = issuer.entry(item.entity, value, operator, lookalike=item.lookalike)
            kind = "tag" if entry.form == form_key(settings.lookalike) else _kind(operator)
            put(entry.pseudonym, item.span, item, entry, kind)
        else:
            assert not isinstance(operator, Tag | Surrogate | Hash)
            put(
                lossy(operator, item.entity, value, region=settings.region),
                item.span,
                item,
                None,
                _kind(operator),
            )
    if pos < len(text):
        put(text[pos:], Span(pos, len(text)), None, None, "text")
    return "".join(out), placed


def _repairs(
    out: str,
    placed: list[_Placed],
    token_map: TokenMap,
    grammar: list[re.Pattern[str]],
    labels: dict[str, Entity],
    origin: Origin,
) -> tuple[set[Span], list[_Item]] | None:
    """What to change so that every match in ``out`` is exactly one placed pseudonym;
    ``None`` when nothing needs to change."""
    expected = {p.target: p for p in placed if p.entry is not None}
    entries = token_map.entries
    matched: set[Span] = set()
    stray: list[tuple[Span, Entity]] = []
    for start, end, index in token_map.matcher.finditer(out):
        span, entry = Span(start, end), entries[index]
        hit = expected.get(span)
        if hit is not None and hit.entry == entry:
            matched.add(span)
        else:
            stray.append((span, entry.entity))
    inside = sorted(expected)
    for pattern in grammar:
        for match in pattern.finditer(out):
            span = Span(match.start(), match.end())
            if not _within(span, inside):
                stray.append((span, labels[match.group("label").casefold()]))
    forced: set[Span] = set()
    for span, hit in expected.items():
        if span not in matched and hit.item is not None and hit.kind == "surrogate":
            forced.add(hit.item.span)
        elif span not in matched and hit.entry is not None:
            stray.append((span, hit.entry.entity))
    new_items: list[_Item] = []
    starts = [p.target.start for p in placed]
    stray.sort(key=lambda pair: (pair[0].start, -pair[0].end))
    for span, entity in stray:
        first = max(bisect.bisect_right(starts, span.start) - 1, 0)
        overlapped = []
        for part in placed[first:]:
            if part.target.start >= span.end:
                break
            if part.target.overlaps(span):
                overlapped.append(part)
        glued = [p.item.span for p in overlapped if p.kind == "surrogate" and p.item is not None]
        if glued:
            forced.update(glued)
            continue
        typed = [p for p in overlapped if p.item is None]
        if origin is Origin.VEIL and len(typed) == len(overlapped):
            continue  # veil's own text: a pseudonym the detectors did not report again
        for part in typed:
            source = _source(part, span)
            literal = out[max(span.start, part.target.start) : min(span.end, part.target.end)]
            if any(ch.isalnum() for ch in literal) and not (
                new_items and source.overlaps(new_items[-1].span)
            ):
                new_items.append(_Item(source, entity, lookalike=True))
    if not forced and not new_items and not (stray and origin is Origin.CUSTOMER):
        return None
    return forced, new_items


def _within(span: Span, spans: list[Span]) -> bool:
    """Whether ``span`` lies inside one of the sorted, disjoint ``spans``."""
    i = bisect.bisect_right(spans, (span.start, sys.maxsize), key=lambda s: (s.start, s.end)) - 1
    return i >= 0 and spans[i].contains(span)


def _source(part: _Placed, span: Span) -> Span:
    """The part of the input that produced ``span`` within typed text ``part``."""
    shift = part.source.start - part.target.start
    return Span(max(span.start, part.target.start) + shift, min(span.end, part.target.end) + shift)


def _result(out: str, placed: list[_Placed], issuer: Issuer) -> Protected:
    used: dict[tuple[str, str], TokenEntry] = {}
    for part in placed:
        if part.entry is not None and issuer.is_new(part.entry):
            used.setdefault((part.entry.identity, part.entry.form), part.entry)
    issued = TokenMap(used.values())
    replacements = tuple(
        Replacement(part.source, part.target, part.item.entity, part.kind, part.item.lookalike)
        for part in placed
        if part.item is not None
    )
    return Protected(out, issued, issuer.base.merged(issued), replacements)
