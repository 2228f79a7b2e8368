"""Staff routes about data subjects: transcripts, consents, data-subject requests.

Every route names one permission (``require``), acts only in the caller's tenant and
is audited by the service it calls. Unmasking and erasure need a fresh MFA step-up
(``STEP_UP`` in the role table). After a subject's erasure its resources answer 410.

=======================================================  =========================
route                                                    permission
=======================================================  =========================
GET  /v1/conversations/{c}/transcript                    transcript.read_masked
POST /v1/conversations/{c}/transcript/unmask {purpose}   value.unmask (+ step-up)
GET  /v1/subjects/{s}/consents                           consent.manage
POST /v1/subjects/{s}/consents {purpose, granted, ...}   consent.manage
POST /v1/subjects/{s}/restriction {restricted}           consent.manage
POST /v1/dsar {subject, kind, law}; GET /v1/dsar         dsar.manage
POST /v1/dsar/{id}/verify {method}; /reject {reason}     dsar.manage
POST /v1/dsar/{id}/export?format=json|html               subject.export
POST /v1/dsar/{id}/erase                                 subject.erase (+ step-up)
POST /v1/dsar/{id}/restrict; /rectify {corrections}      dsar.manage
=======================================================  =========================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response

from veil.errors import InputError
from veil.interfaces.api.auth import Principal, require
from veil.pipeline import Veil
from veil.pipeline.rights import DataSubjectRequests
from veil.pipeline.rights_requests import Correction, Law, RequestKind
from veil.pipeline.rights_requests import Request as SubjectRequest
from veil.pipeline.transcripts import Transcripts
from veil.policy import ConsentRegistry, Permission, PolicyHolder
from veil.storage.consents import ConsentRecord

__all__ = ["SubjectServices", "subject_services", "subjects_router"]

_P = Permission


@dataclass(frozen=True, slots=True)
class SubjectServices:
    """What these routes call, built once in the gateway's lifespan."""

    veil: Veil
    transcripts: Transcripts
    consents: ConsentRegistry
    policy: PolicyHolder
    requests: DataSubjectRequests


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UnmaskBody(_Body):
    purpose: str = Field(min_length=1, max_length=64)


class ConsentBody(_Body):
    purpose: str = Field(min_length=1, max_length=64)
    granted: bool
    source: str = Field(default="staff", min_length=1, max_length=64)
    notice_version: str | None = Field(default=None, max_length=64)


class RestrictionBody(_Body):
    restricted: bool


class OpenBody(_Body):
    subject: str = Field(min_length=1, max_length=255)
    kind: RequestKind
    law: Law = Law.GDPR


class VerifyBody(_Body):
    method: str = Field(min_length=1, max_length=64)


class CorrectionBody(_Body):
    conversation: str = Field(min_length=1, max_length=255)
    token: str = Field(min_length=1, max_length=255)
    value: str = Field(min_length=1, max_length=1000, repr=False)


class RectifyBody(_Body):
    corrections: list[CorrectionBody] = Field(min_length=1, max_length=100)


class RejectBody(_Body):
    reason: str = Field(min_length=1, max_length=64)


def subject_services(request: Request) -> SubjectServices:
    """The services built in the lifespan (503 when the gateway has no audit trail)."""
    return _services(request)


def _services(request: Request) -> SubjectServices:
    found = getattr(request.app.state, "subjects", None)
    if not isinstance(found, SubjectServices):
        raise HTTPException(503)
    return found


def _gone_if_erased(services: SubjectServices, tenant: str, subject: str) -> None:
    if services.veil.vault.is_forgotten(tenant, subject):
        raise HTTPException(410)


def _own(services: SubjectServices, principal: Principal, request_id: str) -> SubjectRequest:
    try:
        found = services.requests.get(request_id)
    except InputError:
        raise HTTPException(404) from None
    if found.tenant != principal.tenant:
        raise HTTPException(404)  # another tenant's request does not exist here
    return found


# Ids in paths: bounded like the storage columns; anything else is a 422 (no echo).
ConversationId = Annotated[str, PathParam(min_length=1, max_length=255)]
SubjectId = Annotated[str, PathParam(min_length=1, max_length=255)]
RequestId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{1,64}$")]

Reader = Annotated[Principal, Depends(require(_P.TRANSCRIPT_READ_MASKED))]
Unmasker = Annotated[Principal, Depends(require(_P.VALUE_UNMASK))]
Consents = Annotated[Principal, Depends(require(_P.CONSENT_MANAGE))]
Dsar = Annotated[Principal, Depends(require(_P.DSAR_MANAGE))]
Exporter = Annotated[Principal, Depends(require(_P.SUBJECT_EXPORT))]
Eraser = Annotated[Principal, Depends(require(_P.SUBJECT_ERASE))]


def subjects_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["subjects"])
    _transcript_routes(router)
    _consent_routes(router)
    _request_routes(router)
    return router


def _transcript_routes(router: APIRouter) -> None:
    @router.get("/conversations/{conversation}/transcript")
    def transcript(
        conversation: ConversationId, principal: Reader, request: Request
    ) -> dict[str, object]:
        turns = _services(request).transcripts.masked(
            principal.tenant, conversation, actor=principal.user_id, role=principal.role.value
        )
        return {"turns": [{"seq": t.seq, "role": t.role, "text": t.text} for t in turns]}

    @router.post("/conversations/{conversation}/transcript/unmask")
    def unmask(
        conversation: ConversationId, body: UnmaskBody, principal: Unmasker, request: Request
    ) -> dict[str, object]:
        turns = _services(request).transcripts.unmasked(
            principal.tenant, conversation, actor=principal.user_id,
            role=principal.role.value, purpose=body.purpose,
        )  # fmt: skip
        return {"turns": [{"seq": t.seq, "role": t.role, "text": t.text} for t in turns]}


def _consent_routes(router: APIRouter) -> None:
    @router.get("/subjects/{subject}/consents")
    def consents(subject: SubjectId, principal: Consents, request: Request) -> dict[str, object]:
        services = _services(request)
        _gone_if_erased(services, principal.tenant, subject)
        status = services.consents.status(principal.tenant, subject)
        history = services.consents.history(principal.tenant, subject)
        return {
            "restricted": status.restricted,
            "granted": sorted(p for p in status.consents if status.consent(p) is not None),
            "history": [_consent_row(event) for event in history],
        }

    @router.post("/subjects/{subject}/consents", status_code=201)
    def change(
        subject: SubjectId, body: ConsentBody, principal: Consents, request: Request
    ) -> dict[str, object]:
        services = _services(request)
        _gone_if_erased(services, principal.tenant, subject)
        source = f"{body.source}:{principal.user_id}"[:64]
        if body.granted:
            event = services.consents.grant(
                services.policy.current, principal.tenant, subject, body.purpose,
                source=source, notice_version=body.notice_version or "",
            )  # fmt: skip
        else:
            event = services.consents.withdraw(
                principal.tenant, subject, body.purpose, source=source
            )
        return _consent_row(event)

    @router.post("/subjects/{subject}/restriction", status_code=204)
    def restriction(
        subject: SubjectId, body: RestrictionBody, principal: Consents, request: Request
    ) -> Response:
        services = _services(request)
        _gone_if_erased(services, principal.tenant, subject)
        source = f"staff:{principal.user_id}"[:64]
        if body.restricted:
            services.consents.restrict(principal.tenant, subject, source=source)
        else:
            services.consents.lift(principal.tenant, subject, source=source)
        return Response(status_code=204)


def _consent_row(event: ConsentRecord) -> dict[str, object]:
    return {
        "purpose": event.purpose,
        "granted": event.granted,
        "source": event.source,
        "notice_version": event.notice_version,
        "at": event.at.isoformat(),
    }


def _request_routes(router: APIRouter) -> None:
    @router.post("/dsar", status_code=201)
    def open_request(body: OpenBody, principal: Dsar, request: Request) -> dict[str, object]:
        services = _services(request)
        opened = services.requests.open(
            principal.tenant, body.subject, body.kind, body.law, actor=principal.user_id
        )
        return dict(opened.as_dict())

    @router.get("/dsar")
    def list_requests(
        principal: Dsar, request: Request, overdue: bool = False
    ) -> dict[str, object]:
        services = _services(request)
        found = services.requests.overdue() if overdue else services.requests.pending()
        mine = [r.as_dict() for r in found if r.tenant == principal.tenant]
        return {"requests": mine}

    @router.get("/dsar/{request_id}")
    def get_request(request_id: RequestId, principal: Dsar, request: Request) -> dict[str, object]:
        return dict(_own(_services(request), principal, request_id).as_dict())

    @router.post("/dsar/{request_id}/verify")
    def verify(
        request_id: RequestId, body: VerifyBody, principal: Dsar, request: Request
    ) -> dict[str, object]:
        services = _services(request)
        _own(services, principal, request_id)
        done = services.requests.verify(request_id, method=body.method, verifier=principal.user_id)
        return dict(done.as_dict())

    @router.post("/dsar/{request_id}/reject")
    def reject(
        request_id: RequestId, body: RejectBody, principal: Dsar, request: Request
    ) -> dict[str, object]:
        services = _services(request)
        _own(services, principal, request_id)
        done = services.requests.reject(request_id, reason=body.reason, actor=principal.user_id)
        return dict(done.as_dict())

    @router.post("/dsar/{request_id}/export", response_model=None)
    def export(
        request_id: RequestId,
        principal: Exporter,
        request: Request,
        format: Literal["json", "html"] = "json",
    ) -> Response:
        services = _services(request)
        _own(services, principal, request_id)
        document = services.requests.export(request_id, actor=principal.user_id)
        if format == "html":
            return HTMLResponse(document.to_html())
        return Response(document.to_json(), media_type="application/json")

    @router.post("/dsar/{request_id}/erase")
    def erase(request_id: RequestId, principal: Eraser, request: Request) -> dict[str, object]:
        services = _services(request)
        _own(services, principal, request_id)
        return dict(services.requests.erase(request_id, actor=principal.user_id).as_dict())

    @router.post("/dsar/{request_id}/rectify")
    def rectify(
        request_id: RequestId, body: RectifyBody, principal: Dsar, request: Request
    ) -> dict[str, object]:
        services = _services(request)
        _own(services, principal, request_id)
        fixes = [Correction(c.conversation, c.token, c.value) for c in body.corrections]
        done = services.requests.rectify(request_id, fixes, actor=principal.user_id)
        return dict(done.as_dict())

    @router.post("/dsar/{request_id}/restrict")
    def restrict(request_id: RequestId, principal: Dsar, request: Request) -> dict[str, object]:
        services = _services(request)
        _own(services, principal, request_id)
        return dict(services.requests.restrict(request_id, actor=principal.user_id).as_dict())
