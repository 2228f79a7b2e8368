"""The gateway's services beyond the chat path, built once in the lifespan.

* the purpose gate: the policy (``VEIL_POLICY`` or the built-in one, reloads audited)
  and the consent registry in the Veil's database;
* staff access (``/admin``) and the subject routes (transcripts, consents, DSARs),
  both only when the Veil has an audit trail — without one they refuse;
* the retention sweeper the background task runs, with the policy's rules and holds
  taken afresh at every run (a reloaded policy applies to the next sweep).
"""

from __future__ import annotations

from fastapi import FastAPI

from veil.audit import Action, AuditEvent, AuditTrail
from veil.interfaces.api.auth import StaffAccess, install_staff, staff_from_vault
from veil.interfaces.api.subjects import SubjectServices
from veil.pipeline import Veil
from veil.pipeline.gate import PurposeGate
from veil.pipeline.retention import RetentionReport, RetentionSweeper
from veil.pipeline.rights import DataSubjectRequests
from veil.pipeline.rights_export import SubjectExporter, TrailAccesses
from veil.pipeline.transcripts import Transcripts
from veil.policy import ConsentRegistry, Policy, PolicyHolder
from veil.policy.retention import rules_from_policy
from veil.storage.consents import ConsentStore
from veil.storage.database import utcnow

__all__ = ["build_gate", "install_services", "sweep"]


def build_gate(policy_path: object, veil: Veil) -> PurposeGate:
    """The purpose gate on ``veil``'s database; ``policy_path`` None = built-in."""
    from pathlib import Path

    audit = veil.audit

    def loaded(policy: Policy) -> None:  # a reload is audited before it takes effect
        if audit is not None:
            audit.record(AuditEvent(Action.POLICY_LOAD, detail={"version": policy.version}))

    source = Path(str(policy_path)) if policy_path is not None else None
    holder = PolicyHolder(source=source, on_load=loaded)
    consents = ConsentRegistry(ConsentStore(veil.vault.store.engine))
    return PurposeGate(holder, consents, audit)


def install_services(app: FastAPI, veil: Veil, gate: PurposeGate) -> None:
    """Staff access and the subject routes' services on ``app.state``."""
    trail = veil.audit
    if trail is None:
        return
    install_staff(app, StaffAccess(staff_from_vault(veil.vault, trail), trail))
    exporter = SubjectExporter(veil.vault, consents=gate.consents, accesses=TrailAccesses(trail))
    requests = DataSubjectRequests(
        veil.vault, audit=trail, exporter=exporter, restrictor=gate.consents
    )
    app.state.subjects = SubjectServices(
        veil, Transcripts(veil), gate.consents, gate.policy, requests
    )


def sweep(veil: Veil, trail: AuditTrail, policy: PolicyHolder) -> RetentionReport:
    """One retention run under the policy in force now."""
    rules, holds = rules_from_policy(policy.current, utcnow())
    return RetentionSweeper(veil.vault, rules, audit=trail, holds=holds).run()
