"""The staff access tables (``core@head``, migration ``c0003``): accounts, sessions, API
keys, claimed TOTP steps, recovery codes and break-glass grants. No column holds a
secret in clear: password hashes, digests and sealed blobs only. The repository is
``veil.storage.staff``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from veil.storage.models import Base

__all__ = [
    "StaffApiKey",
    "StaffGrant",
    "StaffRecoveryCode",
    "StaffSession",
    "StaffTotpStep",
    "StaffUser",
]

_ID, _UID = 255, 64
_TS = DateTime(timezone=True)


def _user_fk() -> ForeignKey:
    return ForeignKey("staff_users.id", ondelete="CASCADE")


class StaffUser(Base):
    """A staff member or service account of exactly one tenant."""

    __tablename__ = "staff_users"
    __table_args__ = (UniqueConstraint("tenant", "username", name="uq_staff_users_name"),)

    id: Mapped[str] = mapped_column(String(_UID), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(_ID))
    username: Mapped[str] = mapped_column(String(_ID))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed
    mfa_enrolled_at: Mapped[datetime | None] = mapped_column(_TS)
    failures: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None] = mapped_column(_TS)
    disabled: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(_TS)


class StaffSession(Base):
    """A server-side session, keyed by the SHA-256 digest of its token."""

    __tablename__ = "staff_sessions"
    __table_args__ = (Index("ix_staff_sessions_user", "user_id"),)

    digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(_UID), _user_fk())
    tenant: Mapped[str] = mapped_column(String(_ID))
    pending_mfa: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(_TS)
    seen_at: Mapped[datetime] = mapped_column(_TS)
    mfa_at: Mapped[datetime | None] = mapped_column(_TS)


class StaffApiKey(Base):
    """A service account's API key, by keyed digest; ``hint`` is its public prefix."""

    __tablename__ = "staff_api_keys"
    __table_args__ = (Index("ix_staff_api_keys_tenant", "tenant"),)

    id: Mapped[str] = mapped_column(String(_UID), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(_ID))
    user_id: Mapped[str] = mapped_column(String(_UID), _user_fk())
    digest: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    hint: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(_TS)
    revoked_at: Mapped[datetime | None] = mapped_column(_TS)


class StaffTotpStep(Base):
    """A TOTP time step already used by a user: the key makes each code single-use."""

    __tablename__ = "staff_totp_steps"

    user_id: Mapped[str] = mapped_column(String(_UID), _user_fk(), primary_key=True)
    step: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    used_at: Mapped[datetime] = mapped_column(_TS)


class StaffRecoveryCode(Base):
    """An unused one-time recovery code, by keyed digest."""

    __tablename__ = "staff_recovery_codes"

    user_id: Mapped[str] = mapped_column(String(_UID), _user_fk(), primary_key=True)
    digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)


class StaffGrant(Base):
    """A break-glass elevation: extra permissions until ``expires_at``."""

    __tablename__ = "staff_grants"
    __table_args__ = (Index("ix_staff_grants_user", "user_id", "expires_at"),)

    id: Mapped[str] = mapped_column(String(_UID), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(_ID))
    user_id: Mapped[str] = mapped_column(String(_UID), _user_fk())
    permissions: Mapped[str] = mapped_column(String(512))  # space-separated names
    reason: Mapped[bytes] = mapped_column(LargeBinary)  # sealed: free text may name people
    created_at: Mapped[datetime] = mapped_column(_TS)
    expires_at: Mapped[datetime] = mapped_column(_TS)
