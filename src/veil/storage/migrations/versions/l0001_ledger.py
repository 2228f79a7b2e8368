"""ledger: per-subject secrets, the authoritative erasure list, audit checkpoints.

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
    op.create_table(
        # Signed audit checkpoints, kept here so that an application database rolled
        # back to an older copy is caught against the newest one.
        "audit_checkpoints",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("public_key", sa.LargeBinary(32), nullable=False),
        sa.Column("signature", sa.LargeBinary(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    op.drop_table("ledger_erasures")
    op.drop_table("ledger_secrets")
