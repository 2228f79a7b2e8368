"""Shared by the staff-access tests: an injected clock and one embedded staff world."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher

from veil.audit import AuditTrail
from veil.interfaces.api.auth import staff_from_vault
from veil.policy.passwords import Passwords
from veil.policy.staff import Staff
from veil.vault import Vault

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, 12, 0, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def fast_passwords() -> Passwords:
    """argon2id with test-sized costs: the hashing is real, just cheap."""
    return Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


class StaffWorld:
    """One embedded vault, its audit trail and the staff services, on a fixed clock."""

    def __init__(self, tmp_path: Path) -> None:
        self.clock = Clock()
        self.vault = Vault.embedded(tmp_path / "vault")
        self.trail = AuditTrail.from_vault(self.vault, clock=self.clock)
        self.staff: Staff = staff_from_vault(
            self.vault, self.trail, passwords=fast_passwords(), clock=self.clock
        )
