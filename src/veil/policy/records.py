"""Records of processing activities (GDPR Art. 30), generated from the policy.

One record per purpose: the controller, the purpose and its legal basis, the
categories of personal data and of data subjects, the recipients allowed for the
purpose (with what each may receive), third-country transfers, retention per
category, and veil's technical and organisational security measures. Nothing is
written by hand, so the record cannot drift from the policy that is enforced.
Output as JSON (:meth:`RecordsOfProcessing.as_dict`), Markdown or HTML (Jinja2,
autoescaped).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from veil.policy.document import Controller, Policy
from veil.policy.notice import templates

__all__ = [
    "SECURITY_MEASURES",
    "CategoryEntry",
    "ProcessingRecord",
    "RecipientEntry",
    "RecordsOfProcessing",
    "records_of_processing",
    "render_records_html",
    "render_records_markdown",
]

SECURITY_MEASURES: tuple[str, ...] = (
    "Personal values are detected and replaced by pseudonyms before any text reaches a "
    "language model; values a recipient may not receive are removed outright.",
    "Stored values and conversation turns are encrypted with AES-256-GCM under a data key "
    "per data subject (envelope encryption), bound to tenant, subject and field.",
    "Erasure destroys the subject's key (crypto-shredding), so every copy, including "
    "backups, becomes unreadable.",
    "Every access and change is written to a hash-chained, MAC-protected audit trail in "
    "the same transaction as the change.",
    "Staff reach personal data only through role-based access control with multi-factor "
    "authentication, a stated purpose for unmasking, and audited break-glass access.",
    "Retention limits and legal holds are enforced from this policy.",
)


@dataclass(frozen=True, slots=True)
class CategoryEntry:
    name: str
    description: str
    entities: tuple[str, ...]
    retention: str


@dataclass(frozen=True, slots=True)
class RecipientEntry:
    name: str
    kind: str
    description: str
    categories: tuple[str, ...]
    country: str | None
    transfer: str | None


@dataclass(frozen=True, slots=True)
class ProcessingRecord:
    purpose: str
    description: str
    legal_basis: str
    legal_basis_article: str
    data_subjects: tuple[str, ...]
    categories: tuple[CategoryEntry, ...]
    recipients: tuple[RecipientEntry, ...]
    transfers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecordsOfProcessing:
    controller: Controller
    policy_version: str
    records: tuple[ProcessingRecord, ...]
    security_measures: tuple[str, ...] = SECURITY_MEASURES

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def records_of_processing(policy: Policy) -> RecordsOfProcessing:
    """The Art. 30 records for every purpose ``policy`` declares."""
    records = []
    for purpose in policy.purposes.values():
        categories = tuple(
            CategoryEntry(
                name,
                policy.categories[name].description,
                tuple(sorted(policy.categories[name].entities)),
                str(policy.retention_for(name, purpose.name) or ""),
            )
            for name in purpose.categories
        )
        recipients = tuple(
            RecipientEntry(
                r.name,
                r.kind.value,
                r.description,
                tuple(c for c in r.categories if c in purpose.categories),
                r.country,
                r.transfer,
            )
            for r in policy.recipients.values()
            if purpose.name in r.purposes
        )
        transfers = tuple(
            f"{r.name}: {r.country} ({r.transfer or 'no transfer mechanism declared'})"
            for r in recipients
            if r.country
        )
        records.append(
            ProcessingRecord(
                purpose.name,
                purpose.description,
                purpose.legal_basis.value,
                purpose.legal_basis.article,
                purpose.data_subjects,
                categories,
                recipients,
                transfers,
            )
        )
    return RecordsOfProcessing(policy.controller, policy.version, tuple(records))


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def _md(text: str) -> str:
    """Policy text as inert Markdown: special characters escaped, one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def render_records_markdown(ropa: RecordsOfProcessing) -> str:
    """The records as a Markdown document (one section per purpose)."""
    c = ropa.controller
    out = [
        "# Records of processing activities (GDPR Art. 30)",
        "",
        f"- Controller: {_md(c.name)}, {_md(c.contact)}",
    ]
    if c.dpo:
        out.append(f"- Data protection officer: {_md(c.dpo)}")
    if c.representative:
        out.append(f"- Representative: {_md(c.representative)}")
    out.append(f"- Policy version: {_md(ropa.policy_version)}")
    for r in ropa.records:
        out += [
            "",
            f"## Purpose: {_md(r.purpose)}",
            "",
            f"- Description: {_md(r.description)}",
            f"- Legal basis: {_md(r.legal_basis)} ({_md(r.legal_basis_article)})",
            f"- Data subjects: {', '.join(_md(s) for s in r.data_subjects)}",
            f"- Transfers to third countries: {'; '.join(_md(t) for t in r.transfers) or 'none'}",
            "",
            "| Category | Description | Entity types | Retention |",
            "|---|---|---|---|",
        ]
        out += [
            f"| {_md(e.name)} | {_md(e.description)} | {_md(', '.join(e.entities) or '-')} "
            f"| {e.retention or '-'} |"
            for e in r.categories
        ]
        if not r.recipients:
            out += ["", "No recipients outside the controller."]
            continue
        out += [
            "",
            "| Recipient | Kind | Categories | Country | Transfer |",
            "|---|---|---|---|---|",
        ]
        out += [
            f"| {_md(x.name)}: {_md(x.description)} | {_md(x.kind)} "
            f"| {_md(', '.join(x.categories))} | {_md(x.country or '-')} "
            f"| {_md(x.transfer or '-')} |"
            for x in r.recipients
        ]
    out += ["", "## Security measures (Art. 32)", ""]
    out += [f"- {_md(m)}" for m in ropa.security_measures]
    return "\n".join(out) + "\n"


def render_records_html(ropa: RecordsOfProcessing) -> str:
    """The records as a standalone HTML page; policy text is escaped."""
    return templates().get_template("records.html").render(ropa=ropa)
