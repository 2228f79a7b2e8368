"""Consent, processing restriction, and the decision whether a purpose may proceed.

:class:`ConsentRegistry` records grants, withdrawals, restrictions and lifts as
append-only events (``veil.storage.consents``); the current state is the latest event.
Granting checks the policy (the purpose exists, rests on consent, and the notice
version shown is current or accepted); withdrawing and restricting are never refused
for policy reasons, since withdrawing must be as easy as granting (GDPR Art. 7(3)).

:func:`require_purpose` is the check every processing step calls: it returns a
:class:`Grant` or raises :class:`~veil.errors.PolicyError` with a value-free reason.
The grant carries minimization: ``redact`` holds every entity type the recipient may
not receive for the purpose — types of categories outside BOTH the purpose's and the
recipient's lists, and types the policy classifies nowhere (fail closed) — which are
removed outright instead of pseudonymized.

Audit rows are the caller's: every write takes ``hooks`` run inside its transaction
(e.g. ``trail.hook(event)``), so the event and its audit row commit together.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from veil.core import EntityType
from veil.errors import InputError, PolicyError
from veil.policy.document import LegalBasis, Policy
from veil.policy.sourcemap import NAME, VERSION
from veil.storage.consents import ConsentRecord, ConsentStore, RestrictionRecord
from veil.storage.database import Hook

__all__ = ["ConsentRegistry", "Grant", "SubjectStatus", "require_purpose"]

_SOURCE = re.compile(r"[a-z][a-z0-9_.:-]{0,63}")  # "web-form", "agent:42", "api"
_ID_MAX = 255


@dataclass(frozen=True, slots=True)
class SubjectStatus:
    """A subject's consents (latest event per purpose) and restriction at one moment."""

    consents: Mapping[str, ConsentRecord]
    restriction: RestrictionRecord | None

    @property
    def restricted(self) -> bool:
        return self.restriction is not None and self.restriction.restricted

    def consent(self, purpose: str) -> ConsentRecord | None:
        """The standing grant for ``purpose``, or None (never given, or withdrawn)."""
        event = self.consents.get(purpose)
        return event if event is not None and event.granted else None


@dataclass(frozen=True, slots=True)
class Grant:
    """Permission to process for ``purpose`` with ``recipient``.

    ``redact``: entity types to remove outright. ``transcripts``: whether the
    recipient may receive conversation text for this purpose at all; a step that sends
    conversation text must refuse when it is False. ``consent``: the grant relied on,
    for consent-based purposes.
    """

    purpose: str
    legal_basis: LegalBasis
    recipient: str
    redact: frozenset[EntityType]
    transcripts: bool
    policy_version: str
    consent: ConsentRecord | None = None

    def detail(self) -> dict[str, str | int | bool]:
        """Value-free facts for the audit row."""
        detail: dict[str, str | int | bool] = {
            "legal_basis": self.legal_basis.value,
            "recipient": self.recipient,
            "policy_version": self.policy_version,
            "redact": ",".join(sorted(self.redact)),
        }
        if self.consent is not None:
            detail["consent_seq"] = self.consent.seq
            detail["notice_version"] = self.consent.notice_version or ""
        return detail


def _named(kind: str, name: str) -> str:
    # Names come from callers; quote them only when they look like policy names.
    return f"{kind} '{name}'" if NAME.fullmatch(name) else f"{kind} (malformed name)"


def _check_ids(tenant: str, subject: str) -> None:
    for kind, value in (("tenant", tenant), ("subject", subject)):
        if not value or len(value) > _ID_MAX:
            raise InputError(f"{kind} id must have 1 to {_ID_MAX} characters")


def _check_source(source: str) -> None:
    if not _SOURCE.fullmatch(source):
        raise InputError("consent source must be a short lower-case label such as 'web-form'")


class ConsentRegistry:
    """Consent and restriction events of data subjects, over a :class:`ConsentStore`
    (whose clock stamps the events)."""

    def __init__(self, store: ConsentStore) -> None:
        self.store = store

    def grant(
        self,
        policy: Policy,
        tenant: str,
        subject: str,
        purpose: str,
        *,
        source: str,
        notice_version: str,
        hooks: Sequence[Hook] = (),
    ) -> ConsentRecord:
        """Record consent to ``purpose`` given after seeing notice ``notice_version``."""
        _check_ids(tenant, subject)
        _check_source(source)
        declared = policy.purposes.get(purpose)
        if declared is None:
            raise PolicyError(f"{_named('purpose', purpose)} is not declared")
        if declared.legal_basis is not LegalBasis.CONSENT:
            raise PolicyError(f"purpose '{purpose}' does not rest on consent")
        if not VERSION.fullmatch(notice_version) or not declared.accepts_notice(notice_version):
            raise PolicyError(f"the notice version shown is not accepted for purpose '{purpose}'")
        return self.store.append_consent(
            tenant, subject, purpose, granted=True, notice_version=notice_version,
            source=source, hooks=hooks,
        )  # fmt: skip

    def withdraw(
        self, tenant: str, subject: str, purpose: str, *, source: str, hooks: Sequence[Hook] = ()
    ) -> ConsentRecord:
        """Record the withdrawal of consent to ``purpose`` (declared or not)."""
        _check_ids(tenant, subject)
        _check_source(source)
        if not NAME.fullmatch(purpose):
            raise InputError("purpose names are lower-case identifiers")
        return self.store.append_consent(
            tenant, subject, purpose, granted=False, notice_version=None, source=source,
            hooks=hooks,
        )  # fmt: skip

    def restrict(
        self, tenant: str, subject: str, *, source: str, hooks: Sequence[Hook] = ()
    ) -> RestrictionRecord:
        """Restrict all processing of the subject's data (GDPR Art. 18)."""
        _check_ids(tenant, subject)
        _check_source(source)
        return self.store.append_restriction(
            tenant, subject, restricted=True, source=source, hooks=hooks
        )

    def lift(
        self, tenant: str, subject: str, *, source: str, hooks: Sequence[Hook] = ()
    ) -> RestrictionRecord:
        """Lift the subject's restriction."""
        _check_ids(tenant, subject)
        _check_source(source)
        return self.store.append_restriction(
            tenant, subject, restricted=False, source=source, hooks=hooks
        )

    def history(self, tenant: str, subject: str) -> list[ConsentRecord]:
        """Every consent event of the subject, oldest first."""
        return self.store.history(tenant, subject)[0]

    def restrictions(self, tenant: str, subject: str) -> list[RestrictionRecord]:
        """Every restriction event of the subject, oldest first."""
        return self.store.history(tenant, subject)[1]

    def status(self, tenant: str, subject: str, *, at: datetime | None = None) -> SubjectStatus:
        """The subject's state now, or as it stood at time ``at``."""
        consents, restrictions = self.store.history(tenant, subject)
        latest: dict[str, ConsentRecord] = {}
        for event in consents:
            if at is None or event.at <= at:
                latest[event.purpose] = event
        restriction = None
        for change in restrictions:
            if at is None or change.at <= at:
                restriction = change
        return SubjectStatus(latest, restriction)


def require_purpose(
    policy: Policy,
    registry: ConsentRegistry,
    tenant: str,
    subject: str,
    purpose: str,
    recipient: str,
) -> Grant:
    """The :class:`Grant` for processing ``subject``'s data for ``purpose`` with
    ``recipient``, or PolicyError: undeclared purpose or recipient, a recipient not
    allowed for the purpose, a restricted subject, or — for a consent-based purpose —
    no standing consent given under a notice version the purpose accepts."""
    declared = policy.purposes.get(purpose)
    if declared is None:
        raise PolicyError(f"{_named('purpose', purpose)} is not declared")
    receiver = policy.recipients.get(recipient)
    if receiver is None:
        raise PolicyError(f"{_named('recipient', recipient)} is not declared")
    if purpose not in receiver.purposes:
        raise PolicyError(f"recipient '{recipient}' is not allowed for purpose '{purpose}'")
    _check_ids(tenant, subject)
    status = registry.status(tenant, subject)
    if status.restricted:
        raise PolicyError("processing is restricted for this subject")
    consent = None
    if declared.legal_basis is LegalBasis.CONSENT:
        consent = status.consent(purpose)
        if consent is None or not declared.accepts_notice(consent.notice_version or ""):
            raise PolicyError(f"no valid consent for purpose '{purpose}'")
    shared = [c for c in declared.categories if c in receiver.categories]
    return Grant(
        purpose=purpose,
        legal_basis=declared.legal_basis,
        recipient=recipient,
        redact=frozenset(EntityType) - policy.entities_of(shared),
        transcripts=any(policy.categories[c].transcript for c in shared),
        policy_version=policy.version,
        consent=consent,
    )
