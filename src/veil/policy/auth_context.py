"""What every part of staff access shares: the store, the clock, keys and sinks.

One :class:`StaffContext` is built per deployment and handed to the accounts, login,
MFA, API-key and break-glass services, so they agree on time, limits and where
events go. Digests: session tokens are random 128+ bit values, so a plain SHA-256
identifies them; API keys and recovery codes use HMAC-SHA256 under ``digest_key``
(a deployment secret derived by the vault), so a stolen table alone cannot even
confirm a guess.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from veil.errors import AccessDeniedError, InputError
from veil.policy.auth_events import DENIED, AuditSink, AuthAction, Notifier, StaffEvent
from veil.policy.auth_events import StaffSettings as StaffSettings
from veil.policy.passwords import Passwords
from veil.storage.database import utcnow
from veil.storage.staff import StaffStore

if TYPE_CHECKING:
    from veil.policy.sessions import Principal

__all__ = ["Sealer", "StaffContext", "actor_of", "checked_tenant", "new_id", "token_digest"]

_MAX_ID = 255
RESERVED_PREFIX = "veil:"


def new_id(prefix: str) -> str:
    """A random public identifier such as ``u_3f9c...`` (64 bits)."""
    return f"{prefix}_{secrets.token_hex(8)}"


def actor_of(actor: Principal | None) -> tuple[str, str]:
    """(actor id, role) as audited; ``None`` is the operator's command line, ``cli``."""
    return ("cli", "operator") if actor is None else (actor.user_id, actor.role.value)


def token_digest(token: str) -> bytes:
    """SHA-256 of a high-entropy bearer token: what the sessions table stores."""
    return hashlib.sha256(token.encode("utf-8")).digest()


def checked_tenant(tenant: str) -> str:
    """Raise InputError unless ``tenant`` is a usable tenant id."""
    if not tenant or len(tenant) > _MAX_ID or tenant.startswith(RESERVED_PREFIX):
        raise InputError("tenant id must be 1-255 characters, not starting with 'veil:'")
    return tenant


class Sealer(Protocol):
    """Seals staff secrets and free text at rest (``veil.policy.mfa.VaultSealer``),
    bound to the row (``record``) and column (``field``) they belong to."""

    def seal(self, tenant: str, record: str, field: str, data: bytes) -> bytes: ...

    def open(self, tenant: str, record: str, field: str, sealed: bytes) -> bytes: ...


@dataclass(frozen=True)
class StaffContext:
    """Shared dependencies; ``clock`` must return aware datetimes (UTC is stored)."""

    store: StaffStore
    sealer: Sealer
    digest_key: bytes = field(repr=False)
    audit: AuditSink
    notifier: Notifier
    passwords: Passwords = field(default_factory=Passwords)
    settings: StaffSettings = field(default_factory=StaffSettings)
    clock: Callable[[], datetime] = utcnow

    def __post_init__(self) -> None:
        if len(self.digest_key) < 32:
            raise ValueError("digest_key needs at least 32 bytes")

    def now(self) -> datetime:
        return self.clock().astimezone(UTC)

    def keyed_digest(self, purpose: str, value: str) -> bytes:
        """HMAC-SHA256 of ``value`` under the deployment key, separated by purpose."""
        message = f"{purpose}\x00{value}".encode()
        return hmac.new(self.digest_key, message, hashlib.sha256).digest()

    def deny(
        self,
        reason: str,
        *,
        actor: str = "anonymous",
        role: str = "",
        tenant: str = "",
        record: str = "",
        permission: str = "",
    ) -> AccessDeniedError:
        """Audit a denial (own transaction) and return the error for the caller to
        raise. ``reason`` is a fixed word such as ``"permission"`` or ``"expired"``."""
        detail: dict[str, str | int | bool] = {"reason": reason}
        if permission:
            detail["permission"] = permission
        event = StaffEvent(AuthAction.DENIED, DENIED, actor, role, tenant, record, detail)
        self.audit.record(event)
        return AccessDeniedError(f"access denied: {reason}")
