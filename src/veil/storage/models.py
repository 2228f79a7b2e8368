"""Typed SQLAlchemy models. Two separate metadata trees, meant for two databases:

* :class:`Base` — the application database (``veil.db`` or PostgreSQL): subjects, their
  wrapped data keys, tombstones, sealed vault entries and sealed conversation turns. It
  is backed up routinely.
* :class:`LedgerBase` — the erasure ledger, kept OUTSIDE the application database and its
  backups: one random secret per subject (without it a wrapped data key cannot be
  opened) and the list of erased subjects. See ``veil.vault.vault`` for why.

No column ever holds a personal value in clear: ``envelope`` and ``wrapped`` are AEAD
ciphertexts, tombstones hold a SHA-256 digest instead of the subject identifier.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Base",
    "LedgerBase",
    "LedgerErasure",
    "LedgerSecret",
    "Subject",
    "SubjectKey",
    "Tombstone",
    "Turn",
    "VaultEntry",
]

_ID = 255


class Base(DeclarativeBase):
    """Metadata of the application database."""


class LedgerBase(DeclarativeBase):
    """Metadata of the erasure ledger database."""


class Subject(Base):
    """A data subject within a tenant. Deleting it cascades to keys and vault entries."""

    __tablename__ = "subjects"

    tenant: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    subject: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SubjectKey(Base):
    """One version of a subject's data key (DEK), wrapped; never stored in clear.

    ``seal_count`` counts encryptions reserved under this key, so the vault can move to
    a new version long before AES-GCM's random-nonce limit of 2**32 messages.
    """

    __tablename__ = "subject_keys"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant", "subject"],
            ["subjects.tenant", "subjects.subject"],
            ondelete="CASCADE",
            name="fk_subject_keys_subject",
        ),
        Index("ix_subject_keys_kek", "kek_id", "kek_version"),
    )

    tenant: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    subject: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key_id: Mapped[bytes] = mapped_column(LargeBinary(8), unique=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    kek_id: Mapped[str] = mapped_column(String(64))
    kek_version: Mapped[int] = mapped_column(Integer)
    seal_count: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Tombstone(Base):
    """An erased subject, by digest of (tenant, subject) so no identifier outlives it."""

    __tablename__ = "tombstones"

    digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    forgotten_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class VaultEntry(Base):
    """A token issued in a conversation and the sealed value it stands for.

    Conversation ids are chosen by each tenant, so the key starts with the tenant: two
    tenants may use the same conversation id, and each issues its own ``[EMAIL_1]``.
    The key's order also serves the one hot read, a conversation's tokens in order.
    """

    __tablename__ = "vault_entries"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant", "subject"],
            ["subjects.tenant", "subjects.subject"],
            ondelete="CASCADE",
            name="fk_vault_entries_subject",
        ),
        Index("ix_vault_entries_subject", "tenant", "subject"),
    )

    tenant: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    conversation: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    token: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    subject: Mapped[str] = mapped_column(String(_ID))
    entity: Mapped[str] = mapped_column(String(64))
    envelope: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Turn(Base):
    """One message of a conversation (the customer's or the assistant's), sealed.

    ``envelope`` seals the original text under the subject's data key, bound to
    ``record = "turn:<conversation>:<seq>"``, so it opens only in its own place.
    ``seq`` counts from 1 per (tenant, conversation); the key's order serves the hot
    read, a conversation's turns in order. Deleting the subject deletes its turns.
    ``purpose`` is what the turn was processed for; retention keeps it accordingly.
    """

    __tablename__ = "turns"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant", "subject"],
            ["subjects.tenant", "subjects.subject"],
            ondelete="CASCADE",
            name="fk_turns_subject",
        ),
        Index("ix_turns_subject", "tenant", "subject"),
    )

    tenant: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    conversation: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    subject: Mapped[str] = mapped_column(String(_ID))
    role: Mapped[str] = mapped_column(String(32))
    envelope: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    purpose: Mapped[str] = mapped_column(String(64), server_default="ai_assistance")


class LedgerSecret(LedgerBase):
    """The per-subject secret that the subject's wrapped data keys depend on."""

    __tablename__ = "ledger_secrets"

    tenant: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    subject: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    secret: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LedgerErasure(LedgerBase):
    """The authoritative tombstone list, checked before any data key is unwrapped."""

    __tablename__ = "ledger_erasures"

    digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    forgotten_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
