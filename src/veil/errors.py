"""The one error tree. Every layer raises these; every boundary translates them.

::

    VeilError
     ├── ConfigurationError          bad settings, policy or detector configuration
     │    └── UnknownEntityError     an entity name that is neither veil's nor Presidio's
     ├── InputError                  the caller's input is unusable (maps to HTTP 4xx)
     │    ├── InputTooLargeError     over the configured size bound
     │    └── MalformedInputError    bad JSON, UTF-8 or schema; names a line, never the text
     ├── DetectionError              detection could not complete: callers must fail closed
     │    └── DetectionTimeoutError  the time budget ran out
     ├── IntegrityError              any cryptographic failure, deliberately opaque
     ├── VaultError                  keys or sealed values unavailable
     │    └── SubjectForgottenError  the subject was erased (crypto-shredded)
     ├── StorageError                the database refused or is unreachable
     ├── PolicyError                 consent, purpose or retention forbids the operation
     ├── AccessDeniedError           authentication or authorization failed
     └── AuditError                  an audit row could not be written: callers must fail closed

Messages carry identifiers, counts and positions, never a personal value.
"""

from __future__ import annotations

__all__ = [
    "AccessDeniedError",
    "AuditError",
    "ConfigurationError",
    "DetectionError",
    "DetectionTimeoutError",
    "InputError",
    "InputTooLargeError",
    "IntegrityError",
    "MalformedInputError",
    "PolicyError",
    "StorageError",
    "SubjectForgottenError",
    "UnknownEntityError",
    "VaultError",
    "VeilError",
]


class VeilError(Exception):
    """Root of every error veil raises on purpose."""


class ConfigurationError(VeilError):
    """Settings, policy or detector configuration is invalid."""


class UnknownEntityError(ConfigurationError):
    """An entity name that veil does not know (and that is no Presidio alias)."""


class InputError(VeilError):
    """The caller's input cannot be processed as given."""


class InputTooLargeError(InputError):
    """The input exceeds a configured size bound."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"input of {size} characters exceeds the limit of {limit}")
        self.size = size
        self.limit = limit


class MalformedInputError(InputError):
    """Structurally broken input: invalid JSON, UTF-8 or schema.

    ``line`` is 1-based where the input is line-oriented, else ``None``.
    """

    def __init__(self, message: str, *, line: int | None = None) -> None:
        prefix = f"line {line}: " if line is not None else ""
        super().__init__(prefix + message)
        self.line = line


class DetectionError(VeilError):
    """Detection could not complete; the caller must refuse rather than forward."""


class DetectionTimeoutError(DetectionError):
    """Detection ran past its time budget."""


class IntegrityError(VeilError):
    """A sealed value failed to open. Deliberately says nothing more."""


class VaultError(VeilError):
    """Keys or sealed values are unavailable."""


class SubjectForgottenError(VaultError):
    """The data subject was erased; their data key no longer exists."""


class StorageError(VeilError):
    """The database refused the operation or cannot be reached."""


class PolicyError(VeilError):
    """Consent, purpose, minimization or retention forbids the operation."""


class AccessDeniedError(VeilError):
    """Authentication or authorization failed."""


class AuditError(VeilError):
    """An audit event could not be recorded; the operation must not proceed."""
