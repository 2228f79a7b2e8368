"""ledger: per-subject secrets and the authoritative erasure list.

Revision ID: l0001
Revises:
Create Date: 2024-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "l0001"
down_revision: str | None = None
branch_labels: tuple[str, ...] | None = ("ledger",)
depends_on: str | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ledger_secrets",
        sa.Column("tenant", sa.String(255), primary_key=True),
        sa.Column("subject", sa.String(255), primary_key=True),
        sa.Column("secret", sa.LargeBinary(32), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "ledger_erasures",
        sa.Column("digest", sa.LargeBinary(32), primary_key=True),
        sa.Column("forgotten_at", _TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ledger_erasures")
    op.drop_table("ledger_secrets")
