"""The access export: everything veil holds about one data subject, as JSON and HTML.

::

    exporter = SubjectExporter(vault, consents=registry, accesses=TrailAccesses(trail))
    export = exporter.export("clinic-1", "cust-7")
    export.to_json(); export.to_html()

What it gathers: every stored turn of the subject, opened (``TurnLog.of_subject``);
the subject's pseudonym map, token → value, opened through the vault; the consent and
restriction history (a :class:`ConsentSource`, e.g. ``veil.policy.consent
.ConsentRegistry``); who accessed their data (an :class:`AccessSource`, e.g.
:class:`TrailAccesses` over the audit trail); and the subject's own requests. The
export holds personal data: it is returned to the caller only, never logged, and its
``repr`` shows counts. The HTML report is rendered by Jinja2 with autoescaping on, so
text the customer typed cannot inject markup.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from veil.errors import IntegrityError
from veil.pipeline.conversations import _decode

if TYPE_CHECKING:
    from veil.audit import AuditTrail
    from veil.pipeline.turns import OpenedTurn, TurnLog
    from veil.storage.rights import RequestStore
    from veil.vault import Vault

__all__ = ["FORMAT", "AccessSource", "ConsentSource", "SubjectExport", "SubjectExporter",
           "TrailAccesses"]  # fmt: skip

FORMAT = "veil.subject-export/1"
_TEMPLATES = Path(__file__).with_name("templates")
_PAGE = 1000


class ConsentSource(Protocol):
    """Consent and restriction events of a subject, oldest first (mappings or
    dataclass records)."""

    def history(self, tenant: str, subject: str) -> Sequence[object]: ...

    def restrictions(self, tenant: str, subject: str) -> Sequence[object]: ...


class AccessSource(Protocol):
    """Who did what with a subject's data: one mapping per access, oldest first."""

    def accesses(self, tenant: str, subject: str) -> Sequence[Mapping[str, object]]: ...


class TrailAccesses:
    """An :class:`AccessSource` over the audit trail: every row about the subject."""

    _FIELDS = ("seq", "at", "action", "outcome", "actor", "role", "purpose", "record")

    def __init__(self, trail: AuditTrail) -> None:
        self._trail = trail

    def accesses(self, tenant: str, subject: str) -> list[Mapping[str, object]]:
        out: list[Mapping[str, object]] = []
        after = 0
        while rows := self._trail.query(subject=(tenant, subject), after_seq=after, limit=_PAGE):
            out += [{f: getattr(row, f) for f in self._FIELDS} for row in rows]
            after = rows[-1].seq
        return out


def plain(value: object) -> Any:
    """``value`` as JSON-ready data: dataclasses and mappings become objects, times
    ISO 8601 text, enums their value, bytes are refused (nothing sealed is exported)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        raise TypeError("bytes cannot be exported")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


@dataclass(frozen=True, slots=True, repr=False)
class SubjectExport:
    """Everything held about one subject at ``generated_at``. Contains personal data."""

    tenant: str
    subject: str
    generated_at: datetime
    turns: tuple[OpenedTurn, ...]
    pseudonyms: tuple[Mapping[str, str], ...]
    consents: tuple[object, ...]
    restrictions: tuple[object, ...]
    accesses: tuple[Mapping[str, object], ...]
    requests: tuple[object, ...]

    def __repr__(self) -> str:
        return f"SubjectExport({self.counts()})"

    def counts(self) -> dict[str, int]:
        """Value-free: how many items of each kind (for audit rows and logs)."""
        conversations = len({t.conversation for t in self.turns})
        return {"conversations": conversations, "turns": len(self.turns),
                "pseudonyms": len(self.pseudonyms), "consents": len(self.consents),
                "restrictions": len(self.restrictions), "accesses": len(self.accesses)}  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        conversations: dict[str, list[dict[str, Any]]] = {}
        for turn in self.turns:
            conversations.setdefault(turn.conversation, []).append(
                {"seq": turn.seq, "role": turn.role, "purpose": turn.purpose,
                 "created_at": plain(turn.created_at), "text": turn.text}
            )  # fmt: skip
        return {
            "format": FORMAT,
            "generated_at": self.generated_at.isoformat(),
            "tenant": self.tenant,
            "subject": self.subject,
            "conversations": [{"conversation": c, "turns": t} for c, t in conversations.items()],
            "pseudonyms": plain(self.pseudonyms),
            "consents": plain(self.consents),
            "restrictions": plain(self.restrictions),
            "accesses": plain(self.accesses),
            "requests": plain(self.requests),
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)

    def to_html(self) -> str:
        """A readable report for the customer (Jinja2, autoescaped)."""
        import jinja2

        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(_TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        doc = self.as_dict()
        tables = {name: _table(doc[name]) for name in
                  ("pseudonyms", "consents", "restrictions", "accesses", "requests")}  # fmt: skip
        return env.get_template("subject_export.html").render(doc=doc, tables=tables)


def _table(rows: list[dict[str, Any]]) -> dict[str, Any]:
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    body = [[_cell(row.get(c)) for c in columns] for row in rows]
    return {"columns": columns, "rows": body}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


class SubjectExporter:
    """Builds :class:`SubjectExport` documents; reads only, audits nothing (the
    request workflow audits the export it hands out)."""

    def __init__(
        self,
        vault: Vault,
        *,
        consents: ConsentSource,
        accesses: AccessSource,
        turns: TurnLog | None = None,
        requests: RequestStore | None = None,
    ) -> None:
        from veil.pipeline.turns import TurnLog
        from veil.storage import TurnStore
        from veil.storage.rights import RequestStore

        engine = vault.store.engine
        self._vault = vault
        self._turns = turns if turns is not None else TurnLog(vault, TurnStore(engine))
        self._requests = requests if requests is not None else RequestStore(engine)
        self._consents, self._accesses = consents, accesses

    def export(self, tenant: str, subject: str, *, at: datetime) -> SubjectExport:
        """Everything held about ``subject``. Raises SubjectForgottenError if the
        subject was erased but rows remain (a restored backup): they cannot be read."""
        return SubjectExport(
            tenant,
            subject,
            at,
            tuple(self._turns.of_subject(tenant, subject)),
            tuple(self._pseudonyms(tenant, subject)),
            tuple(self._consents.history(tenant, subject)),
            tuple(self._consents.restrictions(tenant, subject)),
            tuple(self._accesses.accesses(tenant, subject)),
            tuple(self._requests.listing(tenant=tenant, subject=subject)),
        )

    def _pseudonyms(self, tenant: str, subject: str) -> list[Mapping[str, str]]:
        from veil.vault import Binding

        out: list[Mapping[str, str]] = []
        for entry in self._requests.subject_entries(tenant, subject):
            binding = Binding(tenant, subject, entry.conversation, entry.token)
            sealed = self._vault.open(entry.envelope, binding)
            if not isinstance(sealed, str):
                raise IntegrityError("sealed data failed to open")
            _, token = _decode(entry.token, entry.entity, sealed)
            out.append({"conversation": entry.conversation, "token": entry.token,
                        "entity": entry.entity, "value": token.value})  # fmt: skip
        return out
