"""The one table from errors to HTTP answers, in OpenAI's error shape.

Every answer is generic: the body names the kind of failure, never the request's
text. Only :class:`~veil.errors.InputError` and :class:`~veil.errors.PolicyError`
messages are shown (the clear reason a refusal owes the caller), because veil writes
them from identifiers, counts and positions alone. Detection, vault, storage and
audit failures are 503 (refused, nothing was forwarded); upstream failures 502/504;
a client that hung up 499 (nobody reads it: it keeps hang-ups apart in the metrics).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import JSONResponse

from veil.errors import (
    AccessDeniedError,
    AuditError,
    ConfigurationError,
    DetectionError,
    DetectionTimeoutError,
    InputError,
    InputTooLargeError,
    IntegrityError,
    MalformedInputError,
    PolicyError,
    StorageError,
    SubjectForgottenError,
    UnknownEntityError,
    VaultError,
    VeilError,
)
from veil.interfaces.api.hangup import ClientDisconnectedError
from veil.interfaces.api.upstream import UpstreamError, UpstreamTimeoutError

__all__ = [
    "TABLE",
    "Problem",
    "error_body",
    "presidio_error_body",
    "problem_for",
    "problem_response",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """How one error class is answered: status, OpenAI ``type``, ``code``, message."""

    status: int
    type: str
    code: str
    message: str


_UNAVAILABLE = "service_unavailable"

# Keyed by exact class; lookups walk the MRO, a test checks every class is listed.
TABLE: dict[type[Exception], Problem] = {
    VeilError: Problem(500, "server_error", "internal_error", "the request could not be processed"),
    ConfigurationError: Problem(500, "server_error", "configuration_error", "misconfigured"),
    UnknownEntityError: Problem(500, "server_error", "configuration_error", "misconfigured"),
    InputError: Problem(400, "invalid_request_error", "invalid_request", "invalid request"),
    InputTooLargeError: Problem(
        413, "invalid_request_error", "request_too_large", "request body too large"
    ),
    MalformedInputError: Problem(
        400, "invalid_request_error", "malformed_request", "malformed request"
    ),
    DetectionError: Problem(
        503, _UNAVAILABLE, "detection_failed", "personal data detection failed; nothing was sent"
    ),
    DetectionTimeoutError: Problem(
        503,
        _UNAVAILABLE,
        "detection_timeout",
        "personal data detection timed out; nothing was sent",
    ),
    IntegrityError: Problem(503, _UNAVAILABLE, "vault_unavailable", "the vault is unavailable"),
    VaultError: Problem(503, _UNAVAILABLE, "vault_unavailable", "the vault is unavailable"),
    SubjectForgottenError: Problem(
        410, "invalid_request_error", "subject_forgotten", "the data subject was erased"
    ),
    StorageError: Problem(503, _UNAVAILABLE, "storage_unavailable", "storage is unavailable"),
    PolicyError: Problem(403, "permission_error", "policy_refused", "refused by policy"),
    AccessDeniedError: Problem(403, "permission_error", "access_denied", "access denied"),
    AuditError: Problem(503, _UNAVAILABLE, "audit_unavailable", "the audit trail is unavailable"),
    UpstreamError: Problem(502, "upstream_error", "upstream_failed", "the upstream model failed"),
    UpstreamTimeoutError: Problem(
        504, "upstream_error", "upstream_timeout", "the upstream model timed out"
    ),
    # Nobody reads this answer; 499 (as nginx logs it) keeps hang-ups apart in metrics.
    ClientDisconnectedError: Problem(
        499, "invalid_request_error", "client_disconnected", "the client disconnected"
    ),
}

_UNEXPECTED = Problem(500, "server_error", "internal_error", "internal error")


def problem_for(exc: BaseException) -> Problem:
    """The table entry of the nearest listed ancestor; unknown exceptions are a bare 500."""
    for cls in type(exc).__mro__:
        found = TABLE.get(cls)
        if found is not None:
            return found
    return _UNEXPECTED


def _message(exc: BaseException) -> str:
    shown = isinstance(exc, InputError | PolicyError) and str(exc)  # value-free by contract
    return str(exc) if shown else problem_for(exc).message


def error_body(exc: BaseException) -> dict[str, object]:
    """OpenAI's ``{"error": {...}}`` shape; value-free by construction."""
    problem = problem_for(exc)
    message = _message(exc)
    return {
        "error": {"message": message, "type": problem.type, "param": None, "code": problem.code}
    }


def presidio_error_body(exc: BaseException) -> dict[str, object]:
    """Presidio's ``{"error": "..."}`` shape for ``/analyze`` and ``/anonymize``."""
    return {"error": _message(exc)}


def problem_response(
    exc: BaseException, *, request_id: str | None = None, presidio: bool = False
) -> JSONResponse:
    headers = {"x-request-id": request_id} if request_id else None
    body = presidio_error_body(exc) if presidio else error_body(exc)
    return JSONResponse(body, status_code=problem_for(exc).status, headers=headers)
