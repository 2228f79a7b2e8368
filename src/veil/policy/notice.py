"""The transparency notice: what customers are told, generated from the policy.

:func:`transparency` turns a :class:`~veil.policy.document.Policy` into a typed,
JSON-serializable :class:`Notice` in plain language — what is collected, why and on
which legal basis, who receives it, how long it is kept, and what the AI can and
cannot do — combining the policy's own paragraphs with facts derived from it (which
details the AI model never receives at all). :func:`render_notice_html` renders it
with the template shipped in ``veil/policy/templates`` and autoescaping ON: text from
the policy is data, never markup.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from veil.core import EntityType
from veil.policy.document import LegalBasis, Policy, RecipientKind, Section

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "Notice",
    "NoticeCategory",
    "NoticePurpose",
    "NoticeRecipient",
    "NoticeRetention",
    "entity_words",
    "render_notice_html",
    "templates",
    "transparency",
]

_ENTITY_WORDS: dict[EntityType, str] = {
    EntityType.PERSON: "names",
    EntityType.EMAIL: "email addresses",
    EntityType.PHONE: "phone numbers",
    EntityType.ADDRESS: "postal addresses",
    EntityType.LOCATION: "places",
    EntityType.DATE: "dates",
    EntityType.CREDIT_CARD: "payment card numbers",
    EntityType.IBAN: "IBANs",
    EntityType.BANK_ACCOUNT: "bank account numbers",
    EntityType.NATIONAL_ID: "national identity numbers",
    EntityType.MEDICAL_ID: "medical record numbers",
    EntityType.DRIVER_LICENSE: "driving licence numbers",
    EntityType.PASSPORT: "passport numbers",
    EntityType.IP_ADDRESS: "IP addresses",
    EntityType.URL: "web addresses",
    EntityType.USERNAME: "user names",
}
_BASIS_WORDS: dict[LegalBasis, str] = {
    LegalBasis.CONSENT: "Only with your consent, which you can withdraw at any time.",
    LegalBasis.CONTRACT: "Needed to provide the service you asked us for.",
    LegalBasis.LEGAL_OBLIGATION: "Required by law.",
    LegalBasis.VITAL_INTERESTS: "Needed to protect someone's life or health.",
    LegalBasis.PUBLIC_TASK: "Needed for a task carried out in the public interest.",
    LegalBasis.LEGITIMATE_INTERESTS: (
        "Our legitimate interests, weighed against your rights; you can object."
    ),
}
_KIND_WORDS: dict[RecipientKind, str] = {
    RecipientKind.MODEL_PROVIDER: "AI model provider",
    RecipientKind.PROCESSOR: "service provider working for us",
    RecipientKind.CONTROLLER: "independent organisation",
}


def entity_words(entities: frozenset[EntityType]) -> tuple[str, ...]:
    """Plain words for entity types, in veil's declaration order."""
    return tuple(_ENTITY_WORDS[e] for e in EntityType if e in entities)


@dataclass(frozen=True, slots=True)
class NoticeCategory:
    name: str
    description: str
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NoticePurpose:
    name: str
    description: str
    legal_basis: str
    legal_basis_words: str
    consent_required: bool
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NoticeRecipient:
    name: str
    description: str
    kind: str
    categories: tuple[str, ...]
    country: str | None
    transfer: str | None


@dataclass(frozen=True, slots=True)
class NoticeRetention:
    category: str
    category_description: str
    purpose: str | None
    purpose_description: str | None
    keep: str
    keep_words: str


@dataclass(frozen=True, slots=True)
class Notice:
    """The customer-facing notice; :meth:`as_dict` is its JSON form."""

    title: str
    intro: str
    controller: str
    contact: str
    policy_version: str
    collected: tuple[NoticeCategory, ...]
    purposes: tuple[NoticePurpose, ...]
    recipients: tuple[NoticeRecipient, ...]
    retention: tuple[NoticeRetention, ...]
    ai_can: tuple[str, ...]
    ai_cannot: tuple[str, ...]
    ai_never_receives: tuple[str, ...]
    sections: tuple[Section, ...]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def transparency(policy: Policy) -> Notice:
    """The plain-language notice for ``policy``."""
    categories = policy.categories
    models = [r for r in policy.recipients.values() if r.kind is RecipientKind.MODEL_PROVIDER]
    sent = {c for r in models for c in r.categories}
    withheld = frozenset(EntityType) - policy.entities_of(sent)
    controller = policy.controller
    return Notice(
        title=policy.transparency.title,
        intro=policy.transparency.intro,
        controller=controller.name,
        contact=policy.transparency.contact or controller.contact,
        policy_version=policy.version,
        collected=tuple(
            NoticeCategory(c.name, c.description, entity_words(c.entities))
            for c in categories.values()
        ),
        purposes=tuple(
            NoticePurpose(
                p.name,
                p.description,
                p.legal_basis.value,
                _BASIS_WORDS[p.legal_basis],
                p.legal_basis is LegalBasis.CONSENT,
                tuple(categories[c].description for c in p.categories),
            )
            for p in policy.purposes.values()
        ),
        recipients=tuple(
            NoticeRecipient(
                r.name,
                r.description,
                _KIND_WORDS[r.kind],
                tuple(categories[c].description for c in r.categories),
                r.country,
                r.transfer,
            )
            for r in policy.recipients.values()
        ),
        retention=tuple(
            NoticeRetention(
                rule.category,
                categories[rule.category].description,
                rule.purpose,
                policy.purposes[rule.purpose].description if rule.purpose else None,
                str(rule.keep),
                rule.keep.plain,
            )
            for rule in policy.retention
        ),
        ai_can=policy.transparency.ai_can,
        ai_cannot=policy.transparency.ai_cannot,
        ai_never_receives=entity_words(withheld) if models else (),
        sections=policy.transparency.sections,
    )


@cache
def templates() -> jinja2.Environment:
    """The Jinja2 environment of veil's shipped templates: autoescape always on,
    undefined names are errors. Jinja2 is imported on first use, not with veil."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("veil.policy", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_notice_html(notice: Notice) -> str:
    """A standalone HTML page of ``notice``; every policy text is escaped."""
    return templates().get_template("notice.html").render(notice=notice)
