"""Ingest: the first stage of the flow, between the channel and the detectors.

It makes text uniform for detection (invisible characters removed, NFKC, dashes, quotes and
spaces unified, disguising homoglyphs folded) and keeps an offset map so every finding can
be carried back to the characters the customer actually typed. It never changes what the
customer or the model sees: transformation always works on the original text. It never
logs, raises with or stores the text it is given.
"""

from veil.ingest.normalize import NormalizedText as NormalizedText
from veil.ingest.normalize import normalize as normalize

__all__ = ["NormalizedText", "normalize"]
