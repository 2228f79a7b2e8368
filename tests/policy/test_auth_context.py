"""The shared context: digests, ids, tenant checks, audited denials."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from veil.audit import Action, AuditTrail, Outcome
from veil.errors import AccessDeniedError, InputError
from veil.interfaces.api.auth import staff_from_vault
from veil.policy.auth_context import checked_tenant, new_id, token_digest
from veil.vault import Vault


def test_ids_and_digests() -> None:
    ids = {new_id("u") for _ in range(100)}
    assert len(ids) == 100
    assert all(i.startswith("u_") and len(i) == 18 for i in ids)
    assert token_digest("abc") == hashlib.sha256(b"abc").digest()


@pytest.mark.parametrize("tenant", ["", "x" * 256, "veil:audit"])
def test_bad_tenants(tenant: str) -> None:
    with pytest.raises(InputError):
        checked_tenant(tenant)


def test_keyed_digests_separate_purposes_and_deny_audits(tmp_path: Path) -> None:
    vault = Vault.embedded(tmp_path / "vault")
    try:
        trail = AuditTrail.from_vault(vault)
        context = staff_from_vault(vault, trail).context
        a = context.keyed_digest("api-key", "value")
        assert a == context.keyed_digest("api-key", "value")
        assert a != context.keyed_digest("recovery:u_1", "value")
        assert a != hashlib.sha256(b"value").digest()
        error = context.deny("permission", actor="u_1", role="agent", tenant="t1", record="r")
        assert isinstance(error, AccessDeniedError)
        assert "permission" in str(error)
        [row] = trail.query(actions=[Action.ACCESS_DENIED])
        assert (row.outcome, row.actor, row.tenant, row.detail) == (
            Outcome.DENIED,
            "u_1",
            "t1",
            {"reason": "permission"},
        )
        with pytest.raises(ValueError, match="32 bytes"):
            type(context)(context.store, context.sealer, b"short", context.audit, context.notifier)
    finally:
        vault.store.engine.dispose()
        vault.ledger.engine.dispose()
