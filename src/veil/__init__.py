"""veil: the privacy layer for AI customer conversations.

>>> from veil import Analyzer
>>> analyzer = Analyzer.from_settings()
>>> [f.label for f in analyzer.analyze("Mail jane.doe@example.org")]
['EMAIL']

The front door, with a vault in a local directory::

    from veil import Veil

    veil = Veil.embedded("./.veil")
    sent = veil.protect("I am Maria Gonzalez", conversation="c-1", subject="cust-7")
    sent.text                                   # 'I am [PERSON_1]'
    veil.restore("Hello [PERSON_1]!", conversation="c-1")   # 'Hello Maria Gonzalez!'
    veil.forget("cust-7")                       # crypto-shred the subject
"""

from veil.config import DetectionSettings as DetectionSettings
from veil.core import CustomEntity as CustomEntity
from veil.core import EntityType as EntityType
from veil.core import Finding as Finding
from veil.core import Span as Span
from veil.errors import SubjectForgottenError as SubjectForgottenError
from veil.errors import VeilError as VeilError
from veil.pipeline import Analyzer as Analyzer
from veil.pipeline import Veil as Veil
from veil.transform import Protected as Protected
from veil.transform import TransformSettings as TransformSettings

__all__ = [
    "Analyzer",
    "CustomEntity",
    "DetectionSettings",
    "EntityType",
    "Finding",
    "Protected",
    "Span",
    "SubjectForgottenError",
    "TransformSettings",
    "Veil",
    "VeilError",
]

__version__ = "0.1.0"
