"""TOTP multi-factor authentication (RFC 6238 via pyotp) and one-time recovery codes.

Enrollment: :meth:`Mfa.enroll` stores a new secret (sealed, not yet active) and
returns the ``otpauth://`` URI with its QR code as SVG; :meth:`Mfa.confirm` activates
it with a first valid code and returns 10 recovery codes, shown once and stored as
keyed digests. :meth:`Mfa.verify` checks a code for a login or a step-up.

Single use under races: an accepted code claims its time step in the database
(primary key on (user, step)), so of any number of parallel submissions of one code
exactly one succeeds; a recovery code is consumed by a DELETE that only one caller
can win. Every rejected code counts as a failed attempt towards the lockout.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno

from veil.errors import AccessDeniedError, InputError
from veil.policy.auth_context import StaffContext
from veil.policy.auth_events import DENIED, OK, AuthAction, StaffEvent
from veil.storage.staff import UserRecord
from veil.vault import Vault
from veil.vault.envelope import Binding

__all__ = ["Enrollment", "Mfa", "TotpSpec", "VaultSealer", "recovery_codes"]

RECOVERY_CODES = 10
_STAFF_SUBJECT = "veil:staff"  # "veil:" ids are reserved: no customer can collide


@dataclass(frozen=True, slots=True)
class TotpSpec:
    """TOTP parameters. The defaults are what authenticator apps support everywhere."""

    digits: int = 6
    interval: int = 30
    digest: str = "sha1"
    window: int = 1  # steps accepted either side of now (clock drift)

    def totp(self, secret: bytes) -> pyotp.TOTP:
        encoded = base64.b32encode(secret).decode("ascii")
        algorithm = getattr(hashlib, self.digest)
        return pyotp.TOTP(encoded, digits=self.digits, digest=algorithm, interval=self.interval)

    def step(self, at: datetime) -> int:
        return int(at.timestamp()) // self.interval

    def code(self, secret: bytes, step: int) -> str:
        """The code of time step ``step`` (RFC 6238: T = floor((time - T0) / X))."""
        return self.totp(secret).generate_otp(step)

    def matching_step(self, secret: bytes, code: str, at: datetime) -> int | None:
        """The step within the window whose code equals ``code``, else None."""
        if len(code) != self.digits or not code.isdigit():
            return None
        now = self.step(at)
        match = None
        for step in range(now - self.window, now + self.window + 1):
            if hmac.compare_digest(self.code(secret, step), code):
                match = step  # no early exit: every candidate costs the same
        return match


@dataclass(frozen=True, slots=True)
class Enrollment:
    """What the user needs to add the secret to an authenticator app."""

    secret: str  # base32, for manual entry
    uri: str
    qr_svg: str


def recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """``count`` codes of 80 random bits each, as ``xxxx-xxxx-xxxx-xxxx`` (base32)."""
    codes = []
    for _ in range(count):
        raw = base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    return codes


def _normal_recovery(code: str) -> str:
    return code.replace("-", "").replace(" ", "").lower()


class VaultSealer:
    """Seals staff secrets with the vault under the tenant's reserved staff subject,
    bound to (record, field): a secret copied to another user's row does not open."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault

    def seal(self, tenant: str, record: str, field: str, data: bytes) -> bytes:
        return self._vault.seal(data, Binding(tenant, _STAFF_SUBJECT, record, field))

    def open(self, tenant: str, record: str, field: str, sealed: bytes) -> bytes:
        opened = self._vault.open(sealed, Binding(tenant, _STAFF_SUBJECT, record, field))
        return opened if isinstance(opened, bytes) else opened.encode("utf-8")


class Mfa:
    """TOTP enrollment and verification for the users of a :class:`StaffContext`."""

    def __init__(self, context: StaffContext, spec: TotpSpec | None = None) -> None:
        self._c = context
        self.spec = spec or TotpSpec()

    def enroll(self, user: UserRecord, *, issuer: str = "veil") -> Enrollment:
        """Store a fresh secret for ``user`` (replacing an unconfirmed one). Refused
        once MFA is active: an administrator must reset it first."""
        if user.role == "service":
            raise InputError("service accounts authenticate with API keys, not MFA")
        if user.mfa_enrolled_at is not None:
            raise InputError("MFA is already enrolled; it must be reset first")
        secret = secrets.token_bytes(20)  # 160 bits, RFC 4226's recommendation
        sealed = self._c.sealer.seal(user.tenant, f"user:{user.id}", "totp", secret)
        if not self._c.store.set_pending_totp(user.tenant, user.id, sealed):
            raise InputError("MFA is already enrolled; it must be reset first")
        label = f"{user.tenant}:{user.username}"
        uri = self.spec.totp(secret).provisioning_uri(name=label, issuer_name=issuer)
        qr = segno.make(uri, error="m").svg_inline(scale=4)
        return Enrollment(base64.b32encode(secret).decode("ascii"), uri, qr)

    def confirm(self, user: UserRecord, code: str) -> list[str]:
        """Activate the enrolled secret with a first valid code; returns the recovery
        codes (the only time they exist in clear). A wrong code raises
        AccessDeniedError and counts as a failure."""
        user = self._usable(user)
        if user.mfa_enrolled_at is not None or user.totp_secret is None:
            raise InputError("there is no pending MFA enrollment")
        if not self._check_totp(user, code):
            raise self._failed(user, "confirm")
        codes = recovery_codes()
        digests = [self._recovery_digest(user, c) for c in codes]
        now = self._c.now()
        event = StaffEvent(
            AuthAction.USER_CHANGE,
            OK,
            user.id,
            user.role,
            user.tenant,
            f"user:{user.id}",
            {"change": "mfa_enrolled"},
        )
        hooks = [self._c.audit.hook(event)]
        if not self._c.store.activate_mfa(
            user.tenant, user.id, now=now, recovery=digests, hooks=hooks
        ):
            raise InputError("there is no pending MFA enrollment")
        return codes

    def verify(self, user: UserRecord, code: str, *, purpose: str = "login") -> None:
        """Accept a TOTP code (or a recovery code) once; raise AccessDeniedError
        otherwise. Success and failure are both audited. ``user`` is re-read, so a
        lock or reset made since the caller's read is honoured."""
        user = self._usable(user)
        if user.mfa_enrolled_at is None or user.totp_secret is None:
            raise self._c.deny(
                "mfa_not_enrolled", actor=user.id, role=user.role, tenant=user.tenant
            )
        kind = "totp"
        accepted = self._check_totp(user, code)
        if not accepted and not code.strip().isdigit():
            kind = "recovery"
            digest = self._recovery_digest(user, code)
            accepted = self._c.store.use_recovery_code(user.id, digest)
        if not accepted:
            raise self._failed(user, purpose)
        detail: dict[str, str | int | bool] = {"purpose": purpose, "method": kind}
        if kind == "recovery":
            detail["recovery_left"] = self._c.store.count_recovery_codes(user.id)
        self._c.audit.record(
            StaffEvent(AuthAction.MFA, OK, user.id, user.role, user.tenant, detail=detail)
        )

    def _usable(self, user: UserRecord) -> UserRecord:
        """``user`` re-read; a disabled or locked account is refused (audited)."""
        fresh = self._c.store.get_user(user.tenant, user.id)
        reason = "disabled" if fresh is None or fresh.disabled else ""
        if fresh is not None and fresh.locked_until and fresh.locked_until > self._c.now():
            reason = "locked"
        if fresh is None or reason:
            raise self._c.deny(reason, actor=user.id, role=user.role, tenant=user.tenant)
        return fresh

    def _check_totp(self, user: UserRecord, code: str) -> bool:
        assert user.totp_secret is not None
        secret = self._c.sealer.open(user.tenant, f"user:{user.id}", "totp", user.totp_secret)
        now = self._c.now()
        step = self.spec.matching_step(secret, code.strip(), now)
        return step is not None and self._c.store.claim_step(user.id, step, now=now)

    def _recovery_digest(self, user: UserRecord, code: str) -> bytes:
        return self._c.keyed_digest(f"recovery:{user.id}", _normal_recovery(code))

    def _failed(self, user: UserRecord, purpose: str) -> AccessDeniedError:
        """Count the failure (maybe locking the account) and audit it."""
        failure = self._c.store.count_failure(
            user.tenant,
            user.id,
            now=self._c.now(),
            limit=self._c.settings.max_failures,
            lock_for=self._c.settings.lockout,
        )
        events = [
            StaffEvent(
                AuthAction.MFA,
                DENIED,
                user.id,
                user.role,
                user.tenant,
                detail={"purpose": purpose, "failures": failure.failures},
            )
        ]
        if failure.counted and failure.locked_until is not None:
            events.append(lockout_event(user, failure.failures))
        self._c.audit.record(*events)
        return AccessDeniedError("access denied: invalid code")


def lockout_event(user: UserRecord, failures: int) -> StaffEvent:
    """The event recording that ``user`` has just been locked out."""
    return StaffEvent(
        AuthAction.LOCKOUT, OK, user.id, user.role, user.tenant, detail={"failures": failures}
    )
