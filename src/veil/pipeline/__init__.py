"""The only place where the stages are wired together.

* :class:`Analyzer` (``analyzer``): ``ingest.normalize`` → ``detect`` → findings whose
  spans index into the original text.
* :class:`Veil` (``front``): the front door. ``Analyzer`` → ``transform.protect`` →
  ``vault`` (seal) → ``storage`` for a customer message, and ``storage`` → ``vault``
  (open) → ``transform.restore`` for the reply; ``conversations`` keeps each
  conversation's token map in the vault.

Policy and audit join here as they land. Nothing below this package knows the others.
"""

from veil.pipeline.analyzer import Analyzer as Analyzer
from veil.pipeline.analyzer import default_detectors as default_detectors
from veil.pipeline.front import Veil as Veil
from veil.pipeline.restoring import Restorer as Restorer

__all__ = ["Analyzer", "Restorer", "Veil", "default_detectors"]

# Retention, data-subject rights and exports (import them from their modules:
# veil.pipeline.retention, .rights, .rights_export, .anonymized_export, .gate,
# .transcripts) build on Veil and load the storage layer when used.
