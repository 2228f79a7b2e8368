"""rights: retention holds and runs, data-subject requests, turn purposes.

Revision ID: c0005
Revises: c0004
Create Date: 2026-11-23
"""

from __future__ import annotations

revision: str = "c0005"
down_revision: str | None = "c0004"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
