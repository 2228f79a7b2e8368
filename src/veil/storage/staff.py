"""The staff access repository: accounts, sessions, API keys, TOTP steps, recovery
codes and break-glass grants (the tables are in ``veil.storage.staff_tables``).

Secrets never sit here in clear: passwords are argon2id hashes, session tokens, API
keys and recovery codes are digests, the TOTP secret is sealed by the caller. Every
read that starts from a user id is scoped by tenant; only the credential lookups
(a session or API key digest) are global, because the credential names its tenant.

Race safety is the database's job, not a Python lock's: a TOTP time step is claimed
by a primary key (one winner), a recovery code or pending session by a DELETE whose
row count decides, and failed logins are counted by one atomic UPDATE that stops at
the limit. Write transactions start with a write, so SQLite takes its write lock
before reading anything (a later upgrade could fail without waiting).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import (
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError as DbIntegrityError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import ColumnElement, Select

from veil.errors import StorageError
from veil.storage.database import Hook, Repository

__all__ = [
    "ApiKeyRecord",
    "Failure",
    "GrantRecord",
    "SessionRecord",
    "StaffStore",
    "UserRecord",
]

from veil.storage.staff_tables import (
    StaffApiKey,
    StaffGrant,
    StaffRecoveryCode,
    StaffSession,
    StaffTotpStep,
    StaffUser,
)


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: str
    tenant: str
    username: str
    role: str
    password_hash: str | None
    totp_secret: bytes | None
    mfa_enrolled_at: datetime | None
    failures: int
    locked_until: datetime | None
    disabled: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SessionRecord:
    digest: bytes
    user_id: str
    tenant: str
    pending_mfa: bool
    created_at: datetime
    seen_at: datetime
    mfa_at: datetime | None


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    id: str
    tenant: str
    user_id: str
    hint: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class GrantRecord:
    id: str
    tenant: str
    user_id: str
    permissions: tuple[str, ...]
    reason: bytes  # sealed
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Failure:
    """The outcome of counting one failed attempt: ``counted`` is False when the
    account was already locked (the attempt changed nothing)."""

    counted: bool
    failures: int
    locked_until: datetime | None


_U, _S, _K = StaffUser.__table__.c, StaffSession.__table__.c, StaffApiKey.__table__.c
_STEPS, _CODES, _G = (
    StaffTotpStep.__table__.c,
    StaffRecoveryCode.__table__.c,
    StaffGrant.__table__.c,
)


def _when(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class _Rollback(Exception):
    """Undo a write transaction whose precondition turned out false."""


_R = TypeVar("_R")
_KEY_COLUMNS = [c for c in StaffApiKey.__table__.c if c.name != "digest"]


def _record(cls: Callable[..., _R], row: Row[Any], **override: object) -> _R:
    """A frozen record from a row: times as aware UTC datetimes, binary as bytes."""
    values: dict[str, object] = {}
    for name, value in row._mapping.items():
        if isinstance(value, datetime):
            value = _when(value)
        elif isinstance(value, memoryview):
            value = bytes(value)
        values[name] = value
    return cls(**(values | override))


def _grant(row: Row[Any]) -> GrantRecord:
    return _record(GrantRecord, row, permissions=tuple(row._mapping["permissions"].split()))


def _run(hooks: Sequence[Hook], conn: Connection) -> None:
    for hook in hooks:
        hook(conn)


class StaffStore(Repository):
    """Repository of the staff tables (application database, ``core@head``)."""

    _label = "staff."

    @contextmanager
    def _write(self, operation: str) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StorageError(f"staff.{operation} failed: {type(exc).__name__}") from None

    def _rows(self, operation: str, stmt: Select[Any]) -> list[Row[Any]]:
        with self._read(operation) as conn:
            return list(conn.execute(stmt))

    def _count(self, operation: str, *where: ColumnElement[bool]) -> int:
        with self._read(operation) as conn:
            return int(conn.execute(select(func.count()).where(*where)).scalar() or 0)

    def _user(self, operation: str, *where: ColumnElement[bool]) -> UserRecord | None:
        rows = self._rows(operation, select(StaffUser.__table__).where(*where))
        return _record(UserRecord, rows[0]) if rows else None

    # -- users -------------------------------------------------------------------

    def add_user(self, user: UserRecord, *, hooks: Sequence[Hook] = ()) -> bool:
        """Insert ``user``; False if its tenant already has that username."""
        values = asdict(user)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(StaffUser).values(values))
                _run(hooks, conn)
        except DbIntegrityError:
            return False
        except SQLAlchemyError as exc:
            raise StorageError(f"staff.add_user failed: {type(exc).__name__}") from None
        return True

    def get_user(self, tenant: str, user_id: str) -> UserRecord | None:
        return self._user("get_user", _U.tenant == tenant, _U.id == user_id)

    def find_user(self, tenant: str, username: str) -> UserRecord | None:
        return self._user("find_user", _U.tenant == tenant, _U.username == username)

    def list_users(self, tenant: str) -> list[UserRecord]:
        stmt = select(StaffUser.__table__).where(_U.tenant == tenant).order_by(_U.created_at)
        return [_record(UserRecord, r) for r in self._rows("list_users", stmt)]

    def count_role(self, tenant: str, role: str) -> int:
        """Enabled accounts of ``tenant`` holding ``role``."""
        where = (_U.tenant == tenant, _U.role == role, _U.disabled.is_(False))
        return self._count("count_role", *where)

    def update_user(
        self,
        tenant: str,
        user_id: str,
        values: dict[str, object],
        *,
        kill_sessions: bool = False,
        forget_mfa: bool = False,
        hooks: Sequence[Hook] = (),
    ) -> bool:
        """Set columns of one user of ``tenant``; False if there is no such user.

        ``kill_sessions`` deletes the user's sessions and ``forget_mfa`` its used
        TOTP steps and recovery codes, both in the same transaction as the change.
        """
        with self._write("update_user") as conn:
            found = conn.execute(
                update(StaffUser).where(_U.tenant == tenant, _U.id == user_id).values(values)
            ).rowcount
            if not found:
                return False
            if kill_sessions:
                conn.execute(delete(StaffSession).where(_S.user_id == user_id))
            if forget_mfa:
                conn.execute(delete(StaffTotpStep).where(_STEPS.user_id == user_id))
                conn.execute(delete(StaffRecoveryCode).where(_CODES.user_id == user_id))
            _run(hooks, conn)
        return True

    def set_pending_totp(self, tenant: str, user_id: str, sealed: bytes) -> bool:
        """Store a not-yet-confirmed TOTP secret; False if MFA is already active."""
        with self._write("set_pending_totp") as conn:
            found = conn.execute(
                update(StaffUser)
                .where(_U.tenant == tenant, _U.id == user_id, _U.mfa_enrolled_at.is_(None))
                .values(totp_secret=sealed)
            ).rowcount
        return bool(found)

    def activate_mfa(
        self,
        tenant: str,
        user_id: str,
        *,
        now: datetime,
        recovery: Sequence[bytes],
        hooks: Sequence[Hook] = (),
    ) -> bool:
        """Mark the pending secret active and store the recovery code digests, once:
        False if there was nothing pending (or a racing confirmation won)."""
        with self._write("activate_mfa") as conn:
            found = conn.execute(
                update(StaffUser)
                .where(
                    _U.tenant == tenant,
                    _U.id == user_id,
                    _U.mfa_enrolled_at.is_(None),
                    _U.totp_secret.is_not(None),
                )
                .values(mfa_enrolled_at=now)
            ).rowcount
            if not found:
                return False
            conn.execute(delete(StaffRecoveryCode).where(_CODES.user_id == user_id))
            if recovery:
                rows = [{"user_id": user_id, "digest": d} for d in recovery]
                conn.execute(insert(StaffRecoveryCode), rows)
            _run(hooks, conn)
        return True

    def count_failure(
        self, tenant: str, user_id: str, *, now: datetime, limit: int, lock_for: timedelta
    ) -> Failure:
        """Count one failed attempt in ONE atomic statement, across processes.

        A locked account is left untouched (``counted=False``); the attempt that
        reaches ``limit`` sets ``locked_until``; the first attempt after a lock has
        expired starts counting again from one.
        """
        expired = and_(_U.locked_until.is_not(None), _U.locked_until <= now)
        count = case((expired, 1), else_=_U.failures + 1)
        stmt = (
            update(StaffUser)
            .where(
                _U.tenant == tenant,
                _U.id == user_id,
                or_(_U.locked_until.is_(None), _U.locked_until <= now),
            )
            .values(
                failures=count,
                locked_until=case((count >= limit, now + lock_for), else_=None),
            )
            .returning(_U.failures, _U.locked_until)
        )
        with self._write("count_failure") as conn:
            row = conn.execute(stmt).first()
        if row is not None:
            return Failure(True, int(row[0]), None if row[1] is None else _when(row[1]))
        # Already locked (or no such user): report the state, change nothing.
        current = select(_U.failures, _U.locked_until).where(_U.tenant == tenant, _U.id == user_id)
        rows = self._rows("count_failure", current)
        if not rows:
            return Failure(False, 0, None)
        state = rows[0]._mapping
        until = state["locked_until"]
        return Failure(False, int(state["failures"]), None if until is None else _when(until))

    # -- sessions ----------------------------------------------------------------

    def open_session(
        self,
        session: SessionRecord,
        *,
        replaces: bytes | None = None,
        hooks: Sequence[Hook] = (),
    ) -> bool:
        """Store a new session.

        A full session becomes the user's only one (every other session dies) and
        resets the failure counter. A pending one only replaces the user's other
        pending sessions and resets nothing: knowing the password must neither log
        the real user out nor buy more MFA guesses. With ``replaces`` (a pending
        session being promoted) nothing happens unless that session still exists:
        False, and of racing promotions only one wins.
        """
        with self._write("open_session") as conn:
            mine = _S.user_id == session.user_id
            if replaces is not None:
                gone = conn.execute(delete(StaffSession).where(mine, _S.digest == replaces))
                if not gone.rowcount:
                    return False
            if session.pending_mfa:
                conn.execute(delete(StaffSession).where(mine, _S.pending_mfa.is_(True)))
            else:
                conn.execute(delete(StaffSession).where(mine))
                conn.execute(
                    update(StaffUser)
                    .where(_U.id == session.user_id, _U.tenant == session.tenant)
                    .values(failures=0, locked_until=None)
                )
            conn.execute(insert(StaffSession).values(asdict(session)))
            _run(hooks, conn)
        return True

    def get_session(self, digest: bytes) -> SessionRecord | None:
        rows = self._rows("get_session", select(StaffSession.__table__).where(_S.digest == digest))
        return _record(SessionRecord, rows[0]) if rows else None

    def touch_session(self, digest: bytes, *, seen_at: datetime, mfa_at: datetime | None) -> None:
        """Record activity (and, when given, a fresh MFA verification)."""
        values: dict[str, object] = {"seen_at": seen_at}
        if mfa_at is not None:
            values["mfa_at"] = mfa_at
        with self._write("touch_session") as conn:
            conn.execute(update(StaffSession).where(_S.digest == digest).values(values))

    def close_session(self, digest: bytes, *, hooks: Sequence[Hook] = ()) -> bool:
        with self._write("close_session") as conn:
            gone = conn.execute(delete(StaffSession).where(_S.digest == digest)).rowcount
            if gone:
                _run(hooks, conn)
        return bool(gone)

    # -- MFA ---------------------------------------------------------------------

    def claim_step(self, user_id: str, step: int, *, now: datetime) -> bool:
        """Mark TOTP ``step`` used; False if it already was (the primary key decides)
        or if a later step was used already. Steps more than two behind are pruned."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(StaffTotpStep).values(user_id=user_id, step=step, used_at=now))
                later = conn.execute(
                    select(func.count()).where(_STEPS.user_id == user_id, _STEPS.step > step)
                ).scalar()
                if later:
                    raise _Rollback
                conn.execute(
                    delete(StaffTotpStep).where(_STEPS.user_id == user_id, _STEPS.step < step - 2)
                )
        except (DbIntegrityError, _Rollback):
            return False
        except SQLAlchemyError as exc:
            raise StorageError(f"staff.claim_step failed: {type(exc).__name__}") from None
        return True

    def use_recovery_code(self, user_id: str, digest: bytes) -> bool:
        """Consume a recovery code; only one of racing uses gets True."""
        with self._write("use_recovery_code") as conn:
            gone = conn.execute(
                delete(StaffRecoveryCode).where(_CODES.user_id == user_id, _CODES.digest == digest)
            ).rowcount
        return bool(gone)

    def count_recovery_codes(self, user_id: str) -> int:
        return self._count("count_recovery_codes", _CODES.user_id == user_id)

    # -- API keys ----------------------------------------------------------------

    def add_api_key(self, key: ApiKeyRecord, digest: bytes, *, hooks: Sequence[Hook] = ()) -> None:
        with self._write("add_api_key") as conn:
            conn.execute(insert(StaffApiKey).values({**asdict(key), "digest": digest}))
            _run(hooks, conn)

    def find_api_key(self, digest: bytes) -> ApiKeyRecord | None:
        rows = self._rows("find_api_key", select(*_KEY_COLUMNS).where(_K.digest == digest))
        return _record(ApiKeyRecord, rows[0]) if rows else None

    def list_api_keys(self, tenant: str) -> list[ApiKeyRecord]:
        stmt = select(*_KEY_COLUMNS).where(_K.tenant == tenant).order_by(_K.created_at)
        return [_record(ApiKeyRecord, r) for r in self._rows("list_api_keys", stmt)]

    def revoke_api_key(
        self, tenant: str, key_id: str, *, now: datetime, hooks: Sequence[Hook] = ()
    ) -> bool:
        """Revoke an unrevoked key of ``tenant``; False if there is none."""
        with self._write("revoke_api_key") as conn:
            found = conn.execute(
                update(StaffApiKey)
                .where(_K.tenant == tenant, _K.id == key_id, _K.revoked_at.is_(None))
                .values(revoked_at=now)
            ).rowcount
            if found:
                _run(hooks, conn)
        return bool(found)

    # -- break-glass -------------------------------------------------------------

    def add_grant(self, grant: GrantRecord, *, hooks: Sequence[Hook] = ()) -> None:
        values = asdict(grant)
        values["permissions"] = " ".join(grant.permissions)
        with self._write("add_grant") as conn:
            conn.execute(insert(StaffGrant).values(values))
            _run(hooks, conn)

    def active_grants(self, tenant: str, user_id: str, *, now: datetime) -> list[GrantRecord]:
        stmt = (
            select(StaffGrant.__table__)
            .where(_G.tenant == tenant, _G.user_id == user_id, _G.expires_at > now)
            .order_by(_G.expires_at)
        )
        return [_grant(r) for r in self._rows("active_grants", stmt)]

    def list_grants(self, tenant: str, *, limit: int = 200) -> list[GrantRecord]:
        """The tenant's most recent grants, expired ones included, newest first."""
        stmt = (
            select(StaffGrant.__table__)
            .where(_G.tenant == tenant)
            .order_by(_G.created_at.desc())
            .limit(limit)
        )
        return [_grant(r) for r in self._rows("list_grants", stmt)]
