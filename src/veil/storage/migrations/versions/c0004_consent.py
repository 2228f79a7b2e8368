"""consent: consent history and processing restrictions.

Revision ID: c0004
Revises: c0003
Create Date: 2026-11-23
"""

from __future__ import annotations

revision: str = "c0004"
down_revision: str | None = "c0003"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
