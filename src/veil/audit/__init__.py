"""The audit trail: typed events, appended to a gapless, hash-chained, MACed log in
the same transaction as the change they record; signed checkpoints; ``verify``.

It never stores a personal value: subjects are keyed hashes, details are counts and
reasons. If an event cannot be written the operation it records fails (fail closed).
"""

from veil.audit.checkpoint import Checkpoint as Checkpoint
from veil.audit.events import Action as Action
from veil.audit.events import AuditEvent as AuditEvent
from veil.audit.events import Outcome as Outcome
from veil.audit.export import ExportFilter as ExportFilter
from veil.audit.export import export_rows as export_rows
from veil.audit.rows import AuditRow as AuditRow
from veil.audit.trail import AuditTrail as AuditTrail
from veil.audit.verify import Problem as Problem
from veil.audit.verify import VerifyReport as VerifyReport
