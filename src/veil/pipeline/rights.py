"""Data-subject requests: received → verified → completed (or rejected), on time.

::

    rights = DataSubjectRequests(vault, audit=trail, exporter=exporter, restrictor=registry)
    request = rights.open("clinic-1", "cust-7", RequestKind.ACCESS, Law.GDPR, actor="dpo")
    rights.verify(request.id, method="id_document", verifier="dpo")
    export = rights.export(request.id, actor="dpo")      # completes the request

Contract:

* Due dates: GDPR one calendar month after receipt (31 January → the last day of
  February), CCPA 45 days (:func:`due_date`). :meth:`DataSubjectRequests.overdue`
  lists open requests past due.
* Nothing is executed before identity verification: every action requires the
  request to be ``verified`` and of its kind, else PolicyError, with no side effect.
* Access: :meth:`export` returns the :class:`~veil.pipeline.rights_export.SubjectExport`
  only after its ``SUBJECT_EXPORT`` row and the completion commit together.
* Erasure: refused (PolicyError) while a legal hold covers the subject. Otherwise the
  ``SUBJECT_ERASE`` row is written, then ``Vault.forget`` crypto-shreds the subject
  (ledger secret destroyed, tombstone kept outside the database, rows deleted, so a
  backup restored later stays unreadable), the database's WAL is folded and the
  request completes. The subject id is then replaced by ``veil:erased:<tombstone
  digest>`` in every request and legal hold, so the id does not outlive the erasure;
  the subject's other open requests can then only be erasures (completed at once) or
  rejections.
* Rectification: each correction re-seals the value behind one of the subject's
  pseudonyms under the subject's key, in ONE transaction with its audit rows and the
  completion; audit rows name the pseudonym and entity, never a value.
* Restriction: through the injected :class:`Restrictor` (the consent registry).
Every state change writes its ``DSAR_*`` audit row in the same transaction.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from veil.audit.events import Action, AuditEvent, Detail
from veil.errors import InputError, PolicyError, StorageError
from veil.pipeline.rights_requests import (
    OPEN,
    Correction,
    Law,
    Request,
    RequestKind,
    RequestStatus,
    due_date,
)

if TYPE_CHECKING:
    from veil.pipeline.retention import Auditor
    from veil.pipeline.rights_export import SubjectExport, SubjectExporter
    from veil.storage import TokenEntry as StoredToken
    from veil.storage.database import Hook
    from veil.storage.rights import RequestRecord, RequestStore, RetentionStore
    from veil.vault import Vault

__all__ = ["ERASED", "DataSubjectRequests", "Restrictor"]

_CODE = re.compile(r"[a-z][a-z0-9_.:-]{0,63}")
_RESERVED = "veil:"
ERASED = "veil:erased:"  # + the tombstone digest: what an erased subject id becomes
_MAX_ID = 255
_MAX_VALUE = 10_000


class Restrictor(Protocol):
    """Marks a subject's processing restricted (``veil.policy.consent.ConsentRegistry``)."""

    def restrict(
        self, tenant: str, subject: str, *, source: str, hooks: Sequence[Hook] = ()
    ) -> object: ...


def _checked(kind: str, value: str, pattern: re.Pattern[str] | None = None) -> str:
    if not isinstance(value, str) or not value or len(value) > _MAX_ID:
        raise InputError(f"{kind} must be a non-empty string of at most {_MAX_ID} characters")
    if pattern is not None and not pattern.fullmatch(value):
        raise InputError(f"{kind} must be a lower-case code such as 'id_document'")
    return value


class DataSubjectRequests:
    """The request workflow over the vault's database; see the module docstring."""

    def __init__(
        self,
        vault: Vault,
        *,
        audit: Auditor,
        exporter: SubjectExporter,
        restrictor: Restrictor,
        requests: RequestStore | None = None,
        holds: RetentionStore | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        from veil.storage.database import utcnow
        from veil.storage.rights import RequestStore, RetentionStore

        engine = vault.store.engine
        self._vault, self._audit = vault, audit
        self._exporter, self._restrictor = exporter, restrictor
        self.requests = requests if requests is not None else RequestStore(engine)
        self._holds = holds if holds is not None else RetentionStore(engine)
        self._clock = clock if clock is not None else utcnow

    # -- the workflow --------------------------------------------------------------

    def open(
        self, tenant: str, subject: str, kind: RequestKind, law: Law, *, actor: str
    ) -> Request:
        """Record a request received now; it waits for identity verification."""
        from veil.storage.rights import RequestRecord

        _checked("tenant", tenant)
        if _checked("subject", subject).startswith(_RESERVED):
            raise InputError(f"subject ids starting with {_RESERVED!r} are reserved")
        kind, law, now = RequestKind(kind), Law(law), self._clock()
        record = RequestRecord(secrets.token_hex(16), tenant, subject, kind.value, law.value,
                               RequestStatus.RECEIVED.value, now, due_date(law, now))  # fmt: skip
        detail = {"kind": kind.value, "law": law.value, "due": record.due_at.date().isoformat()}
        event = self._event(Action.DSAR_OPEN, record, actor, detail)
        self.requests.add(record, hooks=[self._audit.hook(event)])
        return Request.of(record)

    def verify(self, request_id: str, *, method: str, verifier: str) -> Request:
        """Record that the requester's identity was verified, how and by whom."""
        _checked("verification method", method, _CODE)
        _checked("verifier", verifier)
        values = {"status": RequestStatus.VERIFIED.value, "verified_at": self._clock(),
                  "verification_method": method, "verifier": verifier}  # fmt: skip
        detail = {"status": RequestStatus.VERIFIED.value, "method": method}
        return self._move(request_id, RequestStatus.RECEIVED, values, verifier, detail)

    def reject(self, request_id: str, *, reason: str, actor: str) -> Request:
        """Close an open request unanswered; ``reason`` is a code, not prose."""
        _checked("reason", reason, _CODE)
        request = self.get(request_id)
        if request.status not in OPEN:
            raise PolicyError(f"request {request_id} is already {request.status.value}")
        values = {"status": RequestStatus.REJECTED.value, "closed_at": self._clock(),
                  "note": reason}  # fmt: skip
        detail = {"status": RequestStatus.REJECTED.value, "reason": reason}
        return self._move(request_id, request.status, values, actor, detail)

    def get(self, request_id: str) -> Request:
        record = self.requests.get(request_id)
        if record is None:
            raise InputError(f"no request {request_id!r}")
        return Request.of(record)

    def pending(self) -> list[Request]:
        """Every open request, soonest due first."""
        return [Request.of(r) for r in self.requests.listing(statuses=OPEN)]

    def overdue(self, now: datetime | None = None) -> list[Request]:
        """Open requests whose due date has passed, most overdue first."""
        now = now if now is not None else self._clock()
        return [Request.of(r) for r in self.requests.listing(statuses=OPEN, due_before=now)]

    # -- the actions (each requires a verified request of its kind) ---------------------

    def export(self, request_id: str, *, actor: str) -> SubjectExport:
        """Everything held about the subject; the request completes with it."""
        request = self._verified(request_id, RequestKind.ACCESS)
        export = self._exporter.export(request.tenant, request.subject, at=self._clock())
        done = self._event(Action.SUBJECT_EXPORT, request, actor, export.counts())
        self._complete(request, actor, hooks=[self._audit.hook(done)])
        return export

    def erase(self, request_id: str, *, actor: str) -> Request:
        """Crypto-shred the subject and delete its data (see the module docstring)."""
        from veil.storage import checkpoint
        from veil.vault.datakeys import subject_digest

        request = self._verified(request_id, RequestKind.ERASURE)
        if request.subject.startswith(ERASED):  # another request erased it already
            return self._complete(request, actor)
        if self._holds.is_held(request.tenant, request.subject):
            raise PolicyError(f"a legal hold covers the subject of request {request_id}")
        # Audited before the act (forget commits to two databases, not in our
        # transaction): an erasure that cannot be audited must not happen.
        self._audit.record(self._event(Action.SUBJECT_ERASE, request, actor, {}))
        self._vault.forget(request.tenant, request.subject)
        digest = ERASED + subject_digest(request.tenant, request.subject).hex()
        done = self._complete(request, actor, rename=digest)
        checkpoint(self._vault.store.engine)  # no old page with the id lingers in the WAL
        return done

    def rectify(self, request_id: str, corrections: Sequence[Correction], *, actor: str) -> Request:
        """Replace the values behind the given pseudonyms of the subject."""
        from veil.pipeline.conversations import _decode, _encode
        from veil.transform import TokenEntry
        from veil.vault import Binding

        request = self._verified(request_id, RequestKind.RECTIFICATION)
        if not corrections:
            raise InputError("a rectification needs at least one correction")
        changes, hooks = [], []
        for fix in corrections:
            if not isinstance(fix.value, str) or not 0 < len(fix.value) <= _MAX_VALUE:
                raise InputError(f"a corrected value holds 1 to {_MAX_VALUE} characters")
            entry = self.requests.entry(request.tenant, fix.conversation, fix.token)
            if entry is None or entry.subject != request.subject:
                raise InputError(f"the subject has no pseudonym {fix.token!r} there")
            binding = Binding(request.tenant, request.subject, fix.conversation, fix.token)
            sealed = self._vault.open(entry.envelope, binding)
            seq, old = _decode(entry.token, entry.entity, sealed)
            new = TokenEntry(old.pseudonym, fix.value, old.entity, old.identity, old.form)
            changes.append((entry, self._vault.seal(_encode(seq, new), binding)))
            detail = {"conversation": fix.conversation, "token": fix.token,
                      "entity": entry.entity}  # fmt: skip
            hooks.append(
                self._audit.hook(self._event(Action.SUBJECT_RECTIFY, request, actor, detail))
            )
        return self._complete(request, actor, hooks=hooks, reseal=changes)

    def restrict(self, request_id: str, *, actor: str) -> Request:
        """Mark the subject's processing restricted, then complete the request."""
        request = self._verified(request_id, RequestKind.RESTRICTION)
        event = self._event(Action.SUBJECT_RESTRICT, request, actor, {})
        self._restrictor.restrict(
            request.tenant, request.subject, source=f"dsar:{request.id}",
            hooks=[self._audit.hook(event)],
        )  # fmt: skip
        return self._complete(request, actor)

    # -- mechanics ---------------------------------------------------------------------

    def _verified(self, request_id: str, kind: RequestKind) -> Request:
        request = self.get(request_id)
        if request.kind is not kind:
            raise InputError(f"request {request_id} is a {request.kind.value} request")
        if request.status is not RequestStatus.VERIFIED:
            raise PolicyError(f"request {request_id} is {request.status.value}, not verified")
        if request.subject.startswith(ERASED) and kind is not RequestKind.ERASURE:
            raise PolicyError(f"the subject of request {request_id} was erased")
        return request

    def _complete(
        self,
        request: Request,
        actor: str,
        *,
        hooks: Sequence[Hook] = (),
        rename: str | None = None,
        reseal: Sequence[tuple[StoredToken, bytes]] = (),
    ) -> Request:
        values = {"status": RequestStatus.COMPLETED.value, "closed_at": self._clock()}
        detail = {"status": RequestStatus.COMPLETED.value, "kind": request.kind.value}
        update = self._audit.hook(self._event(Action.DSAR_UPDATE, request, actor, detail))
        if not self.requests.transition(
            request.id, expected=RequestStatus.VERIFIED.value, values=values,
            rename_subject=rename, reseal=reseal, hooks=[*hooks, update],
        ):  # fmt: skip
            raise StorageError(f"dsar request {request.id} changed meanwhile")
        return self.get(request.id)

    def _move(
        self, request_id: str, expected: RequestStatus, values: dict[str, object], actor: str,
        detail: Detail,
    ) -> Request:  # fmt: skip
        request = self.get(request_id)
        if request.status is not expected:
            raise PolicyError(f"request {request_id} is {request.status.value}")
        hook = self._audit.hook(self._event(Action.DSAR_UPDATE, request, actor, detail))
        if not self.requests.transition(
            request_id, expected=expected.value, values=values, hooks=[hook]
        ):
            raise StorageError(f"dsar request {request_id} changed meanwhile")
        return self.get(request_id)

    def _event(
        self, action: Action, request: Request | RequestRecord, actor: str, detail: Detail
    ) -> AuditEvent:
        return AuditEvent(action, actor=actor, tenant=request.tenant, subject=request.subject,
                          record=f"dsar:{request.id}", purpose="data_subject_rights",
                          detail=detail)  # fmt: skip
