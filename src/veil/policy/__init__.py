"""Policy: access control (roles, permissions), consent and purpose, retention.

Decides whether an operation may happen; it never sees message text. Checks raise
(:class:`~veil.errors.PolicyError`, :class:`~veil.errors.AccessDeniedError`).
"""

from veil.policy.access import Permission as Permission
from veil.policy.access import Role as Role
from veil.policy.access import allows as allows
