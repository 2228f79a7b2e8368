"""``PurposeGate``: may this subject's message go to this recipient for this purpose?

Runs before anything is detected or forwarded. It asks the policy and the consent
registry (``veil.policy.require_purpose``); a refusal is audited
(``purpose.refuse``, outcome ``denied``) and raised as
:class:`~veil.errors.PolicyError` with a value-free reason, so the caller answers 403
and nothing leaves. A recipient that may not receive conversation text at all for
the purpose is refused the same way. The returned
:class:`~veil.policy.Grant` carries the minimization set (``Grant.redact``) that
``Veil.protect(redact=...)`` applies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from veil.audit.events import Action, AuditEvent, Outcome
from veil.errors import PolicyError
from veil.policy.consent import ConsentRegistry, Grant, require_purpose
from veil.policy.loader import PolicyHolder

if TYPE_CHECKING:
    from veil.audit import AuditTrail

__all__ = ["PurposeGate"]


class PurposeGate:
    """Checks purpose, consent, restriction and recipient for every request."""

    def __init__(
        self, policy: PolicyHolder, consents: ConsentRegistry, audit: AuditTrail | None
    ) -> None:
        self.policy, self.consents, self._audit = policy, consents, audit

    def admit(
        self, tenant: str, subject: str, purpose: str, recipient: str, *, actor: str = "system"
    ) -> Grant:
        """The grant for this request, or PolicyError (audited before it is raised)."""
        try:
            grant = require_purpose(
                self.policy.current, self.consents, tenant, subject, purpose, recipient
            )
            if not grant.transcripts:
                raise PolicyError(
                    f"recipient '{recipient}' may not receive conversations for this purpose"
                )
        except PolicyError as refusal:
            if self._audit is not None:
                # The purpose comes from the caller: store it only if the policy
                # declares it, so no free text reaches the audit row.
                declared = purpose in self.policy.current.purposes
                self._audit.record(
                    AuditEvent(
                        Action.PURPOSE_REFUSE, Outcome.DENIED, actor=actor, tenant=tenant,
                        subject=subject, purpose=purpose if declared else "(undeclared)",
                        detail={"recipient": recipient[:64], "reason": str(refusal)[:200]},
                    )
                )  # fmt: skip
            raise
        return grant
