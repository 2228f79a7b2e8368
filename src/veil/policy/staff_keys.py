"""API keys of service accounts: ``veil_sk_`` + 256 random bits, shown once.

Only an HMAC-SHA256 digest of the key is stored (keys are high-entropy, so a keyed
fast hash is enough; argon2 would only slow every request down), plus a short
public ``hint`` (the prefix and the first four characters) so people can tell keys
apart. Keys belong to enabled ``service`` accounts of the same tenant; revoking
is immediate (the next request with the key is refused).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from veil.errors import InputError
from veil.policy.access import Role
from veil.policy.auth_context import StaffContext, actor_of, new_id
from veil.policy.auth_events import OK, AuthAction, StaffEvent
from veil.policy.sessions import API_KEY_PREFIX, Principal
from veil.storage.staff import ApiKeyRecord

__all__ = ["ApiKey", "ApiKeys", "IssuedKey"]


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A stored key, without the key."""

    id: str
    user_id: str
    hint: str
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, record: ApiKeyRecord) -> ApiKey:
        return cls(record.id, record.user_id, record.hint, record.created_at, record.revoked_at)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A key just created: ``key`` is its only appearance in clear."""

    info: ApiKey
    key: str

    def __repr__(self) -> str:
        return f"IssuedKey(info={self.info!r}, key='{self.info.hint}...')"


class ApiKeys:
    """Create, list and revoke API keys within a tenant."""

    def __init__(self, context: StaffContext) -> None:
        self._c = context

    def create(self, actor: Principal | None, tenant: str, user_id: str) -> IssuedKey | None:
        """A new key for the service account ``user_id``; None if ``tenant`` has no
        such account. InputError for a human or disabled account."""
        user = self._c.store.get_user(tenant, user_id)
        if user is None:
            return None
        if user.role != Role.SERVICE or user.disabled:
            raise InputError("API keys are for enabled service accounts only")
        key = API_KEY_PREFIX + secrets.token_urlsafe(32)
        record = ApiKeyRecord(
            new_id("k"), tenant, user_id, key[: len(API_KEY_PREFIX) + 4], self._c.now(), None
        )
        event = self._event(actor, tenant, record.id, "create")
        self._c.store.add_api_key(
            record, self._c.keyed_digest("api-key", key), hooks=[self._c.audit.hook(event)]
        )
        return IssuedKey(ApiKey.of(record), key)

    def list(self, tenant: str) -> list[ApiKey]:
        return [ApiKey.of(k) for k in self._c.store.list_api_keys(tenant)]

    def revoke(self, actor: Principal | None, tenant: str, key_id: str) -> bool:
        """Revoke a key of ``tenant``; False if there is no such unrevoked key."""
        event = self._event(actor, tenant, key_id, "revoke")
        return self._c.store.revoke_api_key(
            tenant, key_id, now=self._c.now(), hooks=[self._c.audit.hook(event)]
        )

    @staticmethod
    def _event(actor: Principal | None, tenant: str, key_id: str, change: str) -> StaffEvent:
        who, role = actor_of(actor)
        return StaffEvent(
            AuthAction.APIKEY_CHANGE, OK, who, role, tenant, f"apikey:{key_id}", {"change": change}
        )
