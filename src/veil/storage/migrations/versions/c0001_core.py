"""core: subjects, wrapped data keys, tombstones, vault entries, turns.

Revision ID: c0001
Revises:
Create Date: 2024-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "c0001"
down_revision: str | None = None
branch_labels: tuple[str, ...] | None = ("core",)
depends_on: str | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "subjects",
        sa.Column("tenant", sa.String(255), primary_key=True),
        sa.Column("subject", sa.String(255), primary_key=True),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "subject_keys",
        sa.Column("tenant", sa.String(255), primary_key=True),
        sa.Column("subject", sa.String(255), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("key_id", sa.LargeBinary(8), nullable=False, unique=True),
        sa.Column("wrapped", sa.LargeBinary, nullable=False),
        sa.Column("kek_id", sa.String(64), nullable=False),
        sa.Column("kek_version", sa.Integer, nullable=False),
        sa.Column("seal_count", sa.BigInteger, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "subject"],
            ["subjects.tenant", "subjects.subject"],
            ondelete="CASCADE",
            name="fk_subject_keys_subject",
        ),
    )
    op.create_index("ix_subject_keys_kek", "subject_keys", ["kek_id", "kek_version"])
    op.create_table(
        "tombstones",
        sa.Column("digest", sa.LargeBinary(32), primary_key=True),
        sa.Column("forgotten_at", _TS, nullable=False),
    )
    op.create_table(
        "vault_entries",
        # The tenant leads the key: conversation ids are only unique within a tenant.
        sa.Column("tenant", sa.String(255), primary_key=True),
        sa.Column("conversation", sa.String(255), primary_key=True),
        sa.Column("token", sa.String(255), primary_key=True),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("entity", sa.String(64), nullable=False),
        sa.Column("envelope", sa.LargeBinary, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "subject"],
            ["subjects.tenant", "subjects.subject"],
            ondelete="CASCADE",
            name="fk_vault_entries_subject",
        ),
    )
    op.create_index("ix_vault_entries_subject", "vault_entries", ["tenant", "subject"])
    op.create_table(
        "turns",
        # No plaintext column: the text is only ever in the sealed envelope.
        sa.Column("tenant", sa.String(255), primary_key=True),
        sa.Column("conversation", sa.String(255), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("envelope", sa.LargeBinary, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "subject"],
            ["subjects.tenant", "subjects.subject"],
            ondelete="CASCADE",
            name="fk_turns_subject",
        ),
    )
    op.create_index("ix_turns_subject", "turns", ["tenant", "subject"])


def downgrade() -> None:
    op.drop_table("turns")
    op.drop_table("vault_entries")
    op.drop_table("tombstones")
    op.drop_table("subject_keys")
    op.drop_table("subjects")
