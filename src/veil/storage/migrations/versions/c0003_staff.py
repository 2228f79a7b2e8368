"""staff: staff accounts, API keys, sessions, MFA and break-glass grants.

Revision ID: c0003
Revises: c0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "c0003"
down_revision: str | None = "c0002"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None

_TS = sa.DateTime(timezone=True)


def _user_fk() -> sa.ForeignKey:
    return sa.ForeignKey("staff_users.id", ondelete="CASCADE")


def upgrade() -> None:
    # No secret in clear: password hashes, token/key/code digests, a sealed TOTP secret.
    op.create_table(
        "staff_users",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("tenant", sa.String(255), nullable=False),
        sa.Column("username", sa.String(255), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("totp_secret", sa.LargeBinary, nullable=True),
        sa.Column("mfa_enrolled_at", _TS, nullable=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("locked_until", _TS, nullable=True),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.UniqueConstraint("tenant", "username", name="uq_staff_users_name"),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("digest", sa.LargeBinary(32), primary_key=True),
        sa.Column("user_id", sa.String(64), _user_fk(), nullable=False),
        sa.Column("tenant", sa.String(255), nullable=False),
        sa.Column("pending_mfa", sa.Boolean, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("seen_at", _TS, nullable=False),
        sa.Column("mfa_at", _TS, nullable=True),
    )
    op.create_index("ix_staff_sessions_user", "staff_sessions", ["user_id"])
    op.create_table(
        "staff_api_keys",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("tenant", sa.String(255), nullable=False),
        sa.Column("user_id", sa.String(64), _user_fk(), nullable=False),
        sa.Column("digest", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("hint", sa.String(32), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("revoked_at", _TS, nullable=True),
    )
    op.create_index("ix_staff_api_keys_tenant", "staff_api_keys", ["tenant"])
    op.create_table(
        "staff_totp_steps",
        # The primary key is what makes a TOTP code single-use under races.
        sa.Column("user_id", sa.String(64), _user_fk(), primary_key=True),
        sa.Column("step", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("used_at", _TS, nullable=False),
    )
    op.create_table(
        "staff_recovery_codes",
        sa.Column("user_id", sa.String(64), _user_fk(), primary_key=True),
        sa.Column("digest", sa.LargeBinary(32), primary_key=True),
    )
    op.create_table(
        "staff_grants",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("tenant", sa.String(255), nullable=False),
        sa.Column("user_id", sa.String(64), _user_fk(), nullable=False),
        sa.Column("permissions", sa.String(512), nullable=False),
        sa.Column("reason", sa.LargeBinary, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
    )
    op.create_index("ix_staff_grants_user", "staff_grants", ["user_id", "expires_at"])


def downgrade() -> None:
    op.drop_table("staff_grants")
    op.drop_table("staff_recovery_codes")
    op.drop_table("staff_totp_steps")
    op.drop_table("staff_api_keys")
    op.drop_table("staff_sessions")
    op.drop_table("staff_users")
