"""audit: the hash-chained audit trail and its head.

Revision ID: c0002
Revises: c0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "c0002"
down_revision: str | None = "c0001"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None

_TS = sa.DateTime(timezone=True)
_HEX = sa.String(64)


def upgrade() -> None:
    op.create_table(
        "audit_rows",
        # Append-only and gapless; seq is assigned under the head's lock, never by
        # the database (an autoincrement would leave holes after a rollback).
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("tenant", sa.String(255), nullable=False),
        sa.Column("subject_hash", _HEX, nullable=True),
        sa.Column("record", sa.String(255), nullable=False),
        sa.Column("purpose", sa.String(255), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("highlight", sa.Boolean, nullable=False),
        sa.Column("prev_hash", _HEX, nullable=False),
        sa.Column("hash", _HEX, nullable=False),
        sa.Column("mac", _HEX, nullable=False),
    )
    op.create_index("ix_audit_rows_tenant", "audit_rows", ["tenant", "seq"])
    op.create_index("ix_audit_rows_subject", "audit_rows", ["subject_hash"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", _HEX, nullable=False),
        sa.Column("mac", _HEX, nullable=False),
    )
    # The empty trail: no MAC yet (the key is not known here); the first append sets one.
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64, "mac": ""}])


def downgrade() -> None:
    op.drop_table("audit_head")
    op.drop_table("audit_rows")
