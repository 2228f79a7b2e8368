"""Adapters that let veil wrap the NER a team already runs (spaCy, Presidio).

Each lives behind an extra (``veil[spacy]``, ``veil[presidio]``); importing one
without its extra raises a one-line :class:`~veil.errors.ConfigurationError`.
"""
