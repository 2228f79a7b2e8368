"""audit: the hash-chained audit trail and its head.

Revision ID: c0002
Revises: c0001
Create Date: 2026-11-23
"""

from __future__ import annotations

revision: str = "c0002"
down_revision: str | None = "c0001"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
