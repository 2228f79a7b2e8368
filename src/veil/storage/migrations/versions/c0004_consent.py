"""consent: consent history and processing restrictions.

Both tables are append-only. Triggers refuse UPDATE always and DELETE while the
subject's row still exists, so the only way a row goes is the ``ON DELETE CASCADE``
from erasing its subject (the cascade runs after the subject's row is gone).

Revision ID: c0004
Revises: c0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "c0004"
down_revision: str | None = "c0003"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None

_TS = sa.DateTime(timezone=True)
_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TABLES = ("consent_events", "restriction_events")

_SQLITE_TRIGGERS = (
    """CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
    """CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
    WHEN EXISTS (SELECT 1 FROM subjects WHERE tenant = OLD.tenant AND subject = OLD.subject)
    BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
)

_PG_FUNCTION = """
CREATE FUNCTION consent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND NOT EXISTS (
        SELECT 1 FROM subjects WHERE tenant = OLD.tenant AND subject = OLD.subject
    ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$
"""
_PG_TRIGGER = """
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION consent_append_only()
"""


def _events(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        name,
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(255), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        *columns,
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant", "subject"],
            ["subjects.tenant", "subjects.subject"],
            ondelete="CASCADE",
            name=f"fk_{name}_subject",
        ),
    )
    op.create_index(f"ix_{name}_subject", name, ["tenant", "subject", "seq"])


def upgrade() -> None:
    _events(
        "consent_events",
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.Column("notice_version", sa.String(64), nullable=True),
    )
    _events("restriction_events", sa.Column("restricted", sa.Boolean, nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for table in _TABLES:
            op.execute(_PG_TRIGGER.format(table=table))
    else:
        for table in _TABLES:
            for trigger in _SQLITE_TRIGGERS:
                op.execute(trigger.format(table=table))


def downgrade() -> None:
    for table in reversed(_TABLES):
        op.drop_table(table)  # drops its triggers too
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION consent_append_only()")
