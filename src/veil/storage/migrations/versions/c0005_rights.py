"""rights: retention holds and runs, data-subject requests, turn purposes.

Revision ID: c0005
Revises: c0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "c0005"
down_revision: str | None = "c0004"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Existing turns were recorded for the assistant itself: the server default
    # fills them, so the column can be NOT NULL from the start.
    with op.batch_alter_table("turns") as batch:
        batch.add_column(
            sa.Column("purpose", sa.String(64), nullable=False, server_default="ai_assistance")
        )
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(255), nullable=False),
        sa.Column("subject", sa.String(255), nullable=True),
        sa.Column("reason", sa.String(255), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("released_at", _TS, nullable=True),
    )
    op.create_index("ix_legal_holds_tenant", "legal_holds", ["tenant", "subject"])
    op.create_table(
        "retention_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", _TS, nullable=False),
        sa.Column("finished_at", _TS, nullable=True),
        sa.Column("dry_run", sa.Boolean, nullable=False),
        sa.Column("report", sa.Text, nullable=True),
    )
    op.create_table(
        "dsar_requests",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant", sa.String(255), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("law", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.Column("due_at", _TS, nullable=False),
        sa.Column("verified_at", _TS, nullable=True),
        sa.Column("verification_method", sa.String(64), nullable=True),
        sa.Column("verifier", sa.String(255), nullable=True),
        sa.Column("closed_at", _TS, nullable=True),
        sa.Column("note", sa.String(255), nullable=True),
    )
    op.create_index("ix_dsar_requests_open", "dsar_requests", ["status", "due_at"])
    op.create_index("ix_dsar_requests_subject", "dsar_requests", ["tenant", "subject"])


def downgrade() -> None:
    op.drop_table("dsar_requests")
    op.drop_table("retention_runs")
    op.drop_table("legal_holds")
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("purpose")
