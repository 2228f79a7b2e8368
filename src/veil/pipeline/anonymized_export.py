"""Anonymized export of every stored turn, for analytics and model training.

::

    export = AnonymizedExport(vault, export_analyzer(), audit=trail)
    with open("out.jsonl", "w", encoding="utf-8") as out:
        summary = export.write(out)

Each stored turn is opened, analyzed again and transformed:

* realistic, consistent surrogates for names, emails, phones, cards, IBANs, addresses
  ... (the same value gets the same fake throughout ONE export);
* generalization where a fake would still be too precise: dates → year-month
  (``2024-03``), postcodes → their first three characters (``SW1``), ages → ten-year
  bands (``40-49``);
* subject and conversation ids → random ids, fresh per export; the turn's time → its
  month.

Every export run draws a fresh random key (``secrets``) for the surrogates and new
random ids, and keeps neither: two exports do not correlate and nothing maps back.
Detection is backed by what veil already knows: every value in the conversation's
pseudonym map (opened from the vault) is replaced wherever it occurs, even if the
detectors miss it this time. Erased subjects' leftover turns are skipped, and so is
any subject ``include`` rejects (wire restriction and consent there). Rows carry no
tenant-chosen id except the tenant's own.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from veil.audit.events import Action, AuditEvent
from veil.core import CustomEntity, Entity, EntityType, Finding, Span
from veil.errors import SubjectForgottenError
from veil.pipeline.analyzer import Analyzer, default_detectors
from veil.transform import (
    EMPTY_MAP,
    DatePrecision,
    GeneralizeAge,
    GeneralizeDate,
    GeneralizePostcode,
    Operator,
    Scope,
    Surrogate,
    TokenContext,
    TokenMap,
    TransformSettings,
    protect,
)

if TYPE_CHECKING:
    from veil.config import DetectionSettings
    from veil.pipeline.retention import Auditor
    from veil.storage import StoredTurn, TurnStore
    from veil.vault import Vault

__all__ = ["AGE", "POSTCODE", "AnonymizedExport", "ExportSummary", "anonymizing_settings",
           "export_analyzer"]  # fmt: skip

AGE = CustomEntity("AGE")
POSTCODE = CustomEntity("POSTCODE")
_AGE_PATTERNS = (
    r"\b(?P<value>\d{1,3})(?:\s*-?\s*(?:years?|yrs?)[\s-]*old|\s*y/?o)\b",
    r"\b(?:aged|age:?)\s*(?P<value>\d{1,3})\b",
)
_POSTCODE = re.compile(
    r"(?<!\w)(?:[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}"  # UK
    r"|[A-Z]\d[A-Z]\s?\d[A-Z]\d"  # Canada
    r"|\d{4}\s?[A-Z]{2}"  # Netherlands
    r"|\d{5}(?:-\d{4})?)(?!\w)",  # US ZIP, and five-digit codes in much of Europe
    re.IGNORECASE,
)
_DETECTOR = "anonymized-export"


def anonymizing_settings() -> TransformSettings:
    """Surrogates for everything, generalization for dates, ages and postcodes."""
    rules: dict[Entity, Operator] = {
        EntityType.DATE: GeneralizeDate(DatePrecision.MONTH),
        AGE: GeneralizeAge(),
        POSTCODE: GeneralizePostcode(keep=3),
    }
    return TransformSettings.of(rules, default=Surrogate(), scope=Scope.TENANT)


def export_analyzer(settings: DetectionSettings | None = None) -> Analyzer:
    """The default detectors plus age phrases ("42 years old", "aged 42")."""
    from veil.config import DetectionSettings
    from veil.detect.custom import RegexDetector
    from veil.detect.engine import DetectionEngine

    settings = settings if settings is not None else DetectionSettings()
    ages = tuple(
        RegexDetector(f"age-{i}", AGE, pattern, score=0.9, case_sensitive=False)
        for i, pattern in enumerate(_AGE_PATTERNS)
    )
    engine = DetectionEngine(
        (*default_detectors(settings), *ages), threshold=settings.threshold, allow=settings.allow
    )
    return Analyzer(engine, max_chars=settings.max_chars)


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """Counts only."""

    turns: int
    conversations: int
    subjects: int
    skipped_erased: int
    skipped_excluded: int

    def as_dict(self) -> dict[str, int]:
        return {f: getattr(self, f) for f in self.__slots__}


@dataclass(slots=True)
class _Run:
    """One export's secrets: the surrogate key and the random ids. Never stored."""

    key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    ids: dict[tuple[str, str, str], str] = field(default_factory=dict, repr=False)
    conversation: tuple[str, str] | None = None
    token_map: TokenMap = EMPTY_MAP
    known: list[tuple[re.Pattern[str], Entity]] = field(default_factory=list, repr=False)
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("turns", "erased", "excluded"), 0)
    )

    def id(self, kind: str, tenant: str, value: str) -> str:
        return self.ids.setdefault((kind, tenant, value), secrets.token_hex(8))


class AnonymizedExport:
    """Streams anonymized turns; see the module docstring. Each :meth:`rows` call is
    a separate export with its own key and ids."""

    def __init__(
        self,
        vault: Vault,
        analyzer: Analyzer,
        *,
        turns: TurnStore | None = None,
        include: Callable[[str, str], bool] | None = None,
        audit: Auditor | None = None,
        tenant: str | None = None,
        actor: str = "system:export",
        batch_size: int = 500,
    ) -> None:
        from veil.pipeline.conversations import ConversationMaps
        from veil.pipeline.turns import TurnLog
        from veil.storage import TurnStore

        self._vault, self._analyzer = vault, analyzer
        self._turns = turns if turns is not None else TurnStore(vault.store.engine)
        self._log = TurnLog(vault, self._turns)
        self._maps = ConversationMaps(vault, vault.store, cache_seconds=0)
        self._include, self._audit, self._tenant = include, audit, tenant
        self._actor, self._batch = actor, batch_size
        self._settings = anonymizing_settings()

    def write(self, out: TextIO) -> ExportSummary:
        """Write one JSON object per turn to ``out``; returns what was written."""
        run = _Run()
        for row in self._rows(run):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return self._summary(run)

    def rows(self) -> Iterator[dict[str, object]]:
        """The anonymized turns of one export, in storage order."""
        return self._rows(_Run())

    def _rows(self, run: _Run) -> Iterator[dict[str, object]]:
        if self._audit is not None:  # fail closed: no audit row, no export
            self._audit.record(
                AuditEvent(Action.TURN_READ, actor=self._actor, tenant=self._tenant or "",
                           record="anonymized-export", purpose="analytics",
                           detail={"export": "anonymized"})
            )  # fmt: skip
        after: tuple[str, str, int] | None = None
        while page := self._turns.page(after=after, limit=self._batch):
            after = (page[-1].tenant, page[-1].conversation, page[-1].seq)
            for turn in page:
                if self._tenant is None or turn.tenant == self._tenant:
                    row = self._row(run, turn)
                    if row is not None:
                        yield row

    def _row(self, run: _Run, turn: StoredTurn) -> dict[str, object] | None:
        if self._include is not None and not self._include(turn.tenant, turn.subject):
            run.counts["excluded"] += 1
            return None
        try:
            text = self._log.open_turn(turn)
            if run.conversation != (turn.tenant, turn.conversation):
                self._start(run, turn.tenant, turn.conversation)
        except SubjectForgottenError:
            run.counts["erased"] += 1
            return None
        conversation = run.id("conversation", turn.tenant, turn.conversation)
        subject = run.id("subject", turn.tenant, turn.subject)
        context = TokenContext(run.key, conversation, subject)
        findings = _postcodes(text, _merged(text, self._analyzer.analyze(text), run.known))
        done = protect(
            text, findings, context=context, settings=self._settings, token_map=run.token_map
        )
        run.token_map = done.token_map
        run.counts["turns"] += 1
        month = None if turn.created_at is None else turn.created_at.strftime("%Y-%m")
        return {"tenant": turn.tenant, "conversation": conversation, "subject": subject,
                "seq": turn.seq, "role": turn.role, "purpose": turn.purpose, "month": month,
                "text": done.text}  # fmt: skip

    def _start(self, run: _Run, tenant: str, conversation: str) -> None:
        """A new conversation: a fresh map, and its known values to look out for."""
        known = self._maps.load(tenant, conversation, strict=False)
        values = sorted(known, key=lambda e: -len(e.value))
        run.conversation, run.token_map = (tenant, conversation), EMPTY_MAP
        run.known = [
            (re.compile(rf"(?<!\w){re.escape(e.value)}(?!\w)", re.IGNORECASE), e.entity)
            for e in values
            if len(e.value.strip()) >= 2
        ]

    def _summary(self, run: _Run) -> ExportSummary:
        return ExportSummary(
            run.counts["turns"],
            sum(1 for k in run.ids if k[0] == "conversation"),
            sum(1 for k in run.ids if k[0] == "subject"),
            run.counts["erased"],
            run.counts["excluded"],
        )


def _merged(
    text: str, findings: Sequence[Finding], known: Sequence[tuple[re.Pattern[str], Entity]]
) -> list[Finding]:
    """The findings plus every occurrence of a known value, overlaps merged into one
    span that takes the entity of its longest part."""
    pieces = [(f.start, f.end, f.entity) for f in findings]
    for pattern, entity in known:
        pieces += [(m.start(), m.end(), entity) for m in pattern.finditer(text)]
    pieces.sort(key=lambda p: (p[0], -p[1]))
    merged: list[tuple[int, int, Entity, int]] = []  # start, end, entity, its length
    for start, end, entity in pieces:
        if merged and start < merged[-1][1]:
            s, e, kind, size = merged[-1]
            if end - start > size:
                kind, size = entity, end - start
            merged[-1] = (s, max(e, end), kind, size)
        else:
            merged.append((start, end, entity, end - start))
    return [_finding(s, e, kind) for s, e, kind, _ in merged]


def _postcodes(text: str, findings: list[Finding]) -> list[Finding]:
    """Split each address around the postcodes in it, so those are generalized."""
    out: list[Finding] = []
    for finding in findings:
        if finding.entity != EntityType.ADDRESS:
            out.append(finding)
            continue
        pos = finding.start
        for match in _POSTCODE.finditer(text, finding.start, finding.end):
            out += _trimmed(text, pos, match.start(), EntityType.ADDRESS)
            out.append(_finding(match.start(), match.end(), POSTCODE))
            pos = match.end()
        out += _trimmed(text, pos, finding.end, EntityType.ADDRESS)
    return out


def _trimmed(text: str, start: int, end: int, entity: Entity) -> list[Finding]:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return [_finding(start, end, entity)] if start < end else []


def _finding(start: int, end: int, entity: Entity) -> Finding:
    return Finding(entity, Span(start, end), 1.0, _DETECTOR)
