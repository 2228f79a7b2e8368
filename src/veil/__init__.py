"""veil: the privacy layer for AI customer conversations.

>>> from veil import Analyzer
>>> analyzer = Analyzer.from_settings()
>>> [f.label for f in analyzer.analyze("Mail jane.doe@example.org")]
['EMAIL']
"""

from veil.config import DetectionSettings as DetectionSettings
from veil.core import CustomEntity as CustomEntity
from veil.core import EntityType as EntityType
from veil.core import Finding as Finding
from veil.core import Span as Span
from veil.errors import VeilError as VeilError
from veil.pipeline import Analyzer as Analyzer

__all__ = [
    "Analyzer",
    "CustomEntity",
    "DetectionSettings",
    "EntityType",
    "Finding",
    "Span",
    "VeilError",
]

__version__ = "0.1.0"
