"""Detection: text in, :class:`~veil.core.Finding` list out.

Detectors see normalized text only; they never see keys, identities, vaults or
the transform stage, and they never import ``ingest`` (the pipeline maps their
spans back to the original characters).
"""
