"""Break-glass: temporary extra permissions for an emergency, loudly.

A user whose ROLE holds ``access.break_glass`` may request some of the
:data:`GRANTABLE` permissions with a stated reason (non-empty, at most
``reason_max`` characters). The grant expires by itself after ``break_glass``
(default 60 minutes, or less if asked); nothing has to revoke it. The grant row,
its audit event (``highlight=True``) and the alert to the privacy officer happen in
one transaction: if the alert cannot be raised, no grant exists (fail closed).

The reason is free text and may name a customer, so it is sealed at rest and kept
out of audit rows and alerts (they carry its length and the grant id); reviewers
read it with :meth:`BreakGlass.list`. Step-up still applies to elevated permissions.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Connection

from veil.errors import InputError
from veil.policy.access import PERMISSIONS, Permission
from veil.policy.auth_context import StaffContext, new_id
from veil.policy.auth_events import OK, AuthAction, StaffEvent
from veil.policy.sessions import Principal
from veil.storage.staff import GrantRecord

__all__ = ["GRANTABLE", "BreakGlass", "BreakGlassGrant"]

GRANTABLE: frozenset[Permission] = frozenset(
    {
        Permission.TRANSCRIPT_READ_MASKED,
        Permission.VALUE_UNMASK,
        Permission.SUBJECT_EXPORT,
        Permission.CONSENT_MANAGE,
        Permission.DSAR_MANAGE,
    }
)
"""What break-glass can add: access to data in an emergency, never administration
(users, keys, policy, the audit trail) and never break-glass itself."""

ALERT_KIND = "break_glass"


@dataclass(frozen=True, slots=True)
class BreakGlassGrant:
    """A grant as shown to its holder and to reviewers (``reason`` for reviewers)."""

    id: str
    user_id: str
    permissions: frozenset[Permission]
    created_at: datetime
    expires_at: datetime
    reason: str | None = None  # only filled for reviewers


class BreakGlass:
    """Requests and lists break-glass grants."""

    def __init__(self, context: StaffContext) -> None:
        self._c = context

    def request(
        self,
        principal: Principal,
        permissions: Collection[str],
        reason: str,
        *,
        minutes: int | None = None,
    ) -> BreakGlassGrant:
        """Grant ``permissions`` to the caller for ``minutes`` (capped by the setting)."""
        if Permission.BREAK_GLASS not in PERMISSIONS[principal.role]:
            raise self._c.deny(
                "permission",
                actor=principal.user_id,
                role=principal.role.value,
                tenant=principal.tenant,
                record="break_glass",
                permission=Permission.BREAK_GLASS.value,
            )
        wanted = self._permissions(permissions)
        text = reason.strip()
        if not text or len(text) > self._c.settings.reason_max:
            raise InputError(f"a reason of 1-{self._c.settings.reason_max} characters is required")
        longest = self._c.settings.break_glass
        span = longest if minutes is None else timedelta(minutes=minutes)
        if not timedelta(0) < span <= longest:
            raise InputError(f"minutes must be within 1-{int(longest.total_seconds() // 60)}")
        now, grant_id = self._c.now(), new_id("bg")
        record = f"grant:{grant_id}"
        sealed = self._c.sealer.seal(principal.tenant, record, "reason", text.encode("utf-8"))
        names = tuple(sorted(p.value for p in wanted))
        row = GrantRecord(
            grant_id, principal.tenant, principal.user_id, names, sealed, now, now + span
        )
        detail: dict[str, str | int | bool] = {
            "permissions": " ".join(names),
            "minutes": int(span.total_seconds() // 60),
            "reason_chars": len(text),
        }
        event = StaffEvent(
            AuthAction.BREAK_GLASS,
            OK,
            principal.user_id,
            principal.role.value,
            principal.tenant,
            record,
            detail,
            highlight=True,
        )
        alert = json.dumps(
            {"grant": grant_id, "user": principal.user_id, "expires_at": row.expires_at.isoformat()}
            | detail,
            sort_keys=True,
        )

        def notify(_conn: Connection) -> None:
            self._c.notifier.notify(principal.tenant, ALERT_KIND, alert)

        self._c.store.add_grant(row, hooks=[self._c.audit.hook(event), notify])
        return BreakGlassGrant(grant_id, principal.user_id, wanted, now, row.expires_at)

    def list(self, tenant: str) -> list[BreakGlassGrant]:
        """The tenant's recent grants, newest first, with their reasons opened."""
        grants = []
        for g in self._c.store.list_grants(tenant):
            reason = self._c.sealer.open(tenant, f"grant:{g.id}", "reason", g.reason)
            grants.append(
                BreakGlassGrant(
                    g.id,
                    g.user_id,
                    frozenset(Permission(p) for p in g.permissions),
                    g.created_at,
                    g.expires_at,
                    reason.decode("utf-8"),
                )
            )
        return grants

    @staticmethod
    def _permissions(names: Collection[str]) -> frozenset[Permission]:
        try:
            wanted = frozenset(Permission(n) for n in names)
        except ValueError:
            raise InputError("unknown permission name") from None
        if not wanted or not wanted <= GRANTABLE:
            allowed = ", ".join(sorted(p.value for p in GRANTABLE))
            raise InputError(f"break-glass grants one or more of: {allowed}")
        return wanted
