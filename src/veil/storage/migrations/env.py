"""Alembic environment: runs on a connection handed in by ``veil.storage.migrate``.

Two independent branches live in ``versions/``: ``core`` (application database) and
``ledger`` (erasure ledger), so each database carries only its own tables.
"""

from __future__ import annotations

from alembic import context

_connection = context.config.attributes.get("connection")
if _connection is None:
    raise RuntimeError("run migrations through veil.storage.migrate(engine, branch)")

context.configure(connection=_connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
