"""staff: staff accounts, API keys, sessions, MFA and break-glass grants.

Revision ID: c0003
Revises: c0002
Create Date: 2026-11-23
"""

from __future__ import annotations

revision: str = "c0003"
down_revision: str | None = "c0002"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
