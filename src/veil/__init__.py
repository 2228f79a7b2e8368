"""veil: the privacy layer for AI customer conversations."""

from veil.core import CustomEntity as CustomEntity
from veil.core import EntityType as EntityType
from veil.core import Finding as Finding
from veil.core import Span as Span
from veil.errors import VeilError as VeilError

__version__ = "0.1.0"
