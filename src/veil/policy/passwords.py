"""Staff passwords: argon2id hashes (argon2-cffi), a length policy, timing parity.

``verify`` answers True or False and never raises for a wrong or unreadable hash: a
stored hash that does not parse counts as a mismatch (fail closed). For an unknown
user the caller passes ``None`` and a dummy hash is verified instead, so the time a
login takes does not reveal whether the account exists. ``needs_rehash`` tells the
caller to store a new hash after a successful login once the parameters changed.
"""

from __future__ import annotations

import secrets
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from veil.errors import InputError

__all__ = ["MAX_LENGTH", "MIN_LENGTH", "Passwords"]

MIN_LENGTH = 12
MAX_LENGTH = 256  # bounds hashing work per request


class Passwords:
    """Hashes and checks passwords with one configured :class:`PasswordHasher`.

    The default is argon2-cffi's RFC 9106 "low memory" profile (argon2id, t=3,
    m=64 MiB, p=4). Tests pass a cheaper hasher.
    """

    def __init__(
        self,
        hasher: PasswordHasher | None = None,
        *,
        min_length: int = MIN_LENGTH,
        max_length: int = MAX_LENGTH,
    ) -> None:
        if not 1 <= min_length <= max_length:
            raise ValueError("need 1 <= min_length <= max_length")
        self._hasher = hasher or PasswordHasher()
        self._min, self._max = min_length, max_length
        self._dummy: str | None = None

    @staticmethod
    def _normal(password: str) -> str:
        # NFKC so that the same password typed on another keyboard or OS still matches.
        return unicodedata.normalize("NFKC", password)

    def check_policy(self, password: str) -> None:
        """Raise InputError unless ``password`` is acceptable (length only, per
        NIST SP 800-63B: no composition rules)."""
        length = len(self._normal(password))
        if length < self._min:
            raise InputError(f"a password needs at least {self._min} characters")
        if length > self._max:
            raise InputError(f"a password may have at most {self._max} characters")

    def hash(self, password: str) -> str:
        """Check the policy, then hash."""
        self.check_policy(password)
        return self._hasher.hash(self._normal(password))

    def rehash(self, password: str) -> str:
        """A new hash of a password that just verified, with the current parameters
        (no policy check: the user chose it under the policy of its time)."""
        return self._hasher.hash(self._normal(password))

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored``; ``None`` verifies a dummy hash
        (same cost) and answers False."""
        candidate = self._normal(password)[: self._max + 1]
        if stored is None:
            self._verify(self._dummy_hash(), candidate)
            return False
        return self._verify(stored, candidate)

    def _verify(self, stored: str, candidate: str) -> bool:
        try:
            return self._hasher.verify(stored, candidate)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        """Whether ``stored`` was made with other parameters than the current ones."""
        try:
            return self._hasher.check_needs_rehash(stored)
        except (InvalidHashError, ValueError):
            return True

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._hasher.hash(secrets.token_urlsafe(16))
        return self._dummy
