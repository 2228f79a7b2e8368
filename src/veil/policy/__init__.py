"""Policy: access control (roles, permissions), consent and purpose, retention.

Decides whether an operation may happen; it never sees message text. Checks raise
(:class:`~veil.errors.PolicyError`, :class:`~veil.errors.AccessDeniedError`).
"""

from veil.policy.access import Permission as Permission
from veil.policy.access import Role as Role
from veil.policy.access import allows as allows
from veil.policy.auth_context import StaffContext as StaffContext
from veil.policy.auth_events import LoggingNotifier as LoggingNotifier
from veil.policy.auth_events import Notifier as Notifier
from veil.policy.auth_events import StaffSettings as StaffSettings
from veil.policy.consent import ConsentRegistry as ConsentRegistry
from veil.policy.consent import Grant as Grant
from veil.policy.consent import require_purpose as require_purpose
from veil.policy.document import Duration as Duration
from veil.policy.document import LegalBasis as LegalBasis
from veil.policy.document import Policy as Policy
from veil.policy.loader import PolicyHolder as PolicyHolder
from veil.policy.loader import default_policy as default_policy
from veil.policy.loader import load_policy as load_policy
from veil.policy.loader import parse_policy as parse_policy
from veil.policy.notice import Notice as Notice
from veil.policy.notice import render_notice_html as render_notice_html
from veil.policy.notice import transparency as transparency
from veil.policy.passwords import Passwords as Passwords
from veil.policy.records import records_of_processing as records_of_processing
from veil.policy.sessions import Principal as Principal
from veil.policy.staff import Staff as Staff
