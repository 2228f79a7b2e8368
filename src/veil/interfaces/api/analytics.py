"""``POST /v1/analytics/export``: what an analyst may take away — anonymized turns only.

Streams JSON Lines of the caller's tenant's stored turns, re-detected and transformed
with surrogates and generalization under a fresh random key per export (see
``veil.pipeline.anonymized_export``); subject and conversation ids are replaced by
per-export random ids. Subjects whose processing is restricted are left out, and so
are subjects without a standing consent when the policy's ``analytics`` purpose rests
on consent. The export is audited before its first row. Permission: ``analytics.run``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import iterate_in_threadpool
from starlette.responses import StreamingResponse

from veil.errors import PolicyError
from veil.interfaces.api.auth import Principal, require
from veil.interfaces.api.subjects import subject_services
from veil.pipeline.anonymized_export import AnonymizedExport, export_analyzer
from veil.policy import ConsentRegistry, LegalBasis, Permission, Policy

__all__ = ["analytics_router", "analytics_scope"]

PURPOSE = "analytics"

Analyst = Annotated[Principal, Depends(require(Permission.ANALYTICS_RUN))]


def analytics_scope(policy: Policy, consents: ConsentRegistry) -> Callable[[str, str], bool]:
    """Which subjects an analytics export may include under ``policy``."""
    purpose = policy.purposes.get(PURPOSE)
    if purpose is None:
        raise PolicyError(f"the policy declares no '{PURPOSE}' purpose")

    def include(tenant: str, subject: str) -> bool:
        status = consents.status(tenant, subject)
        if status.restricted:
            return False
        if purpose.legal_basis is not LegalBasis.CONSENT:
            return True
        consent = status.consent(PURPOSE)
        return consent is not None and purpose.accepts_notice(consent.notice_version or "")

    return include


def analytics_router() -> APIRouter:
    router = APIRouter(prefix="/v1/analytics", tags=["analytics"])

    @router.post("/export", response_model=None)
    def export(principal: Analyst, request: Request) -> StreamingResponse:
        services = subject_services(request)
        veil = services.veil
        include = analytics_scope(services.policy.current, services.consents)
        exporter = AnonymizedExport(
            veil.vault, export_analyzer(), include=include, audit=veil.audit,
            tenant=principal.tenant, actor=principal.user_id,
        )  # fmt: skip
        rows = exporter.rows()
        first = next(rows, None)  # audited (or refused) before the response starts

        def lines() -> Iterator[bytes]:
            if first is not None:
                yield json.dumps(first, ensure_ascii=False).encode() + b"\n"
            for row in rows:
                yield json.dumps(row, ensure_ascii=False).encode() + b"\n"

        return StreamingResponse(iterate_in_threadpool(lines()), media_type="application/x-ndjson")

    return router
