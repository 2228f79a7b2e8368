"""Typed, frozen settings: which operator replaces which entity, and how.

An *operator* is a small frozen dataclass naming one way to replace a value
("Alice Smith", "4111 1111 1111 1111"):

===================  ===============================================  ==============
operator             output                                           restorable
===================  ===============================================  ==============
``Tag``              ``[PERSON_1]``                                   yes (in map)
``Surrogate``        ``Maria Keller``, ``4539 2207 6614 0253``        yes (in map)
``Hash``             ``<PERSON:9f2c61d0a4b7e35c>``                    yes (in map)
``Mask``             ``**** **** **** 1111``                          no
``Redact``           ``[REDACTED]``                                   no
``Generalize*``      ``1984`` (date), ``30-39`` (age), ``SW1`` (code)  no
===================  ===============================================  ==============

Pseudonyms (tag, surrogate, hash) are recorded in the conversation's ``TokenMap`` so
the reply can be restored; the lossy operators are not. Tag and hash formats must be
*delimited* (start and end with a non-word character): delimiters are what lets a
pseudonym sit glued to a word ("x[PERSON_1]") and still be found on the way back.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from veil.core import Entity
from veil.errors import ConfigurationError

__all__ = [
    "DatePrecision",
    "GeneralizeAge",
    "GeneralizeDate",
    "GeneralizePostcode",
    "Hash",
    "Mask",
    "Operator",
    "Origin",
    "Redact",
    "Scope",
    "Surrogate",
    "Tag",
    "TransformSettings",
]

_PLACEHOLDER = re.compile(r"\{([a-z]*)\}")


class Scope(StrEnum):
    """How widely one value keeps one pseudonym.

    ``CONVERSATION``: fresh pseudonyms per conversation (least linkable, the default).
    ``SUBJECT``: the same pseudonym across all of one data subject's conversations.
    ``TENANT``: the same pseudonym across the tenant (linkable analytics, e.g. hashes).

    Surrogates, hashes and ``{h}`` tags follow the scope by derivation alone. ``{n}``
    ordinals are numbered per token map: persist one map per scope id to keep them
    beyond a conversation, or use a ``{h}`` tag.
    """

    CONVERSATION = "conversation"
    SUBJECT = "subject"
    TENANT = "tenant"


class Origin(StrEnum):
    """Who wrote the text handed to ``protect``.

    ``CUSTOMER`` text is untrusted: anything in it that looks like a pseudonym is
    neutralized. ``VEIL`` marks text veil itself produced (a stored protected turn):
    findings that are exactly issued pseudonyms are kept as they are. Never pass
    ``VEIL`` for text a person typed; that is what lets a forged token through.
    """

    CUSTOMER = "customer"
    VEIL = "veil"


class DatePrecision(StrEnum):
    YEAR = "year"
    MONTH = "month"


def _check_format(fmt: str, allowed: frozenset[str], required: frozenset[str]) -> None:
    names = set(_PLACEHOLDER.findall(fmt))
    if not names <= allowed or not required <= names:
        raise ConfigurationError(
            f"token format must use {sorted(required)} and only {sorted(allowed)} placeholders"
        )
    bare = _PLACEHOLDER.sub("", fmt)
    if "{" in bare or "}" in bare:
        raise ConfigurationError("token format has an unbalanced brace")
    if not fmt or re.match(r"[\w{}]", fmt[0]) or re.match(r"[\w{}]", fmt[-1]):
        raise ConfigurationError("token format must start and end with a non-word character")


@dataclass(frozen=True, slots=True)
class Tag:
    """A readable placeholder. ``{entity}`` is the label; ``{n}`` a small per-map ordinal
    (``[PERSON_1]``), or ``{h}`` a short keyed hash (``[PERSON_7f3a]``, stateless)."""

    format: str = "[{entity}_{n}]"
    hash_chars: int = 4

    def __post_init__(self) -> None:
        _check_format(self.format, frozenset({"entity", "n", "h"}), frozenset({"entity"}))
        if ("{n}" in self.format) == ("{h}" in self.format):
            raise ConfigurationError("tag format needs exactly one of {n} and {h}")
        if not 4 <= self.hash_chars <= 16:
            raise ConfigurationError("tag hash_chars must be within [4, 16]")


@dataclass(frozen=True, slots=True)
class Surrogate:
    """A realistic, format-preserving fake of the same kind, consistent per value.

    ``locale`` picks the name lists ("de", "fr_CA"); the settings' ``region`` decides
    phone plausibility and numeric date order. ``date_shift_days`` bounds the one
    scope-wide shift applied to every date, so intervals between dates survive.
    """

    locale: str = "en"
    date_shift_days: int = 365

    def __post_init__(self) -> None:
        if not 1 <= self.date_shift_days <= 3650:
            raise ConfigurationError("date_shift_days must be within [1, 3650]")


@dataclass(frozen=True, slots=True)
class Hash:
    """HMAC-SHA256 of the normalized value under the tenant key, truncated to ``length``
    hex digits. Stable across conversations when the scope is ``TENANT``."""

    length: int = 16
    format: str = "<{entity}:{hash}>"

    def __post_init__(self) -> None:
        _check_format(self.format, frozenset({"entity", "hash"}), frozenset({"entity", "hash"}))
        if not 8 <= self.length <= 64:
            raise ConfigurationError("hash length must be within [8, 64]")


@dataclass(frozen=True, slots=True)
class Mask:
    """Mask every letter and digit except the last ``keep_last`` of them."""

    keep_last: int = 4
    char: str = "*"
    keep_separators: bool = True

    def __post_init__(self) -> None:
        if self.keep_last < 0 or len(self.char) != 1 or self.char.isalnum():
            raise ConfigurationError("mask needs keep_last >= 0 and one non-alphanumeric char")


@dataclass(frozen=True, slots=True)
class Redact:
    """Replace with fixed text; ``{entity}`` in it becomes the entity label."""

    text: str = "[REDACTED]"


@dataclass(frozen=True, slots=True)
class GeneralizeDate:
    """A date becomes its year ("2024") or month ("2024-03")."""

    precision: DatePrecision = DatePrecision.YEAR


@dataclass(frozen=True, slots=True)
class GeneralizeAge:
    """An age becomes a band of ``width`` years ("30-39"), capped at ``top`` ("90+")."""

    width: int = 10
    top: int = 90

    def __post_init__(self) -> None:
        if self.width < 1 or self.top < self.width:
            raise ConfigurationError("age band needs width >= 1 and top >= width")


@dataclass(frozen=True, slots=True)
class GeneralizePostcode:
    """A postcode keeps its first ``keep`` characters (UK: the outward code)."""

    keep: int = 3

    def __post_init__(self) -> None:
        if self.keep < 1:
            raise ConfigurationError("postcode keep must be >= 1")


Operator = (
    Tag | Surrogate | Hash | Mask | Redact | GeneralizeDate | GeneralizeAge | GeneralizePostcode
)


@dataclass(frozen=True, slots=True)
class TransformSettings:
    """Which operator each entity gets, the consistency scope and the region (phones, date order).

    ``rules`` is a tuple of ``(entity, operator)`` pairs; build it from a mapping with
    :meth:`of`. ``lookalike`` is the tag used for neutralized look-alikes and for
    surrogates that would glue onto a neighbouring word.
    """

    default: Operator = field(default_factory=Tag)
    rules: tuple[tuple[Entity, Operator], ...] = ()
    scope: Scope = Scope.CONVERSATION
    region: str = "US"
    lookalike: Tag = field(default_factory=Tag)

    def __post_init__(self) -> None:
        entities = [entity for entity, _ in self.rules]
        if len(set(entities)) != len(entities):
            raise ConfigurationError("an entity has more than one rule")

    @classmethod
    def of(
        cls,
        rules: Mapping[Entity, Operator],
        *,
        default: Operator | None = None,
        scope: Scope = Scope.CONVERSATION,
        region: str = "US",
        lookalike: Tag | None = None,
    ) -> TransformSettings:
        """``TransformSettings.of({EntityType.EMAIL: Mask()}, scope=Scope.SUBJECT)``."""
        return cls(
            default=default if default is not None else Tag(),
            rules=tuple(rules.items()),
            scope=scope,
            region=region,
            lookalike=lookalike if lookalike is not None else Tag(),
        )

    def redacting(self, entities: Collection[Entity]) -> TransformSettings:
        """These settings with ``entities`` redacted outright (data minimization: a
        recipient that may not receive a category gets no pseudonym for it either).

        >>> from veil.core import EntityType
        >>> s = TransformSettings().redacting({EntityType.MEDICAL_ID})
        >>> s.operator_for(EntityType.MEDICAL_ID)
        Redact(text='[{entity} withheld]')
        """
        if not entities:
            return self
        kept = tuple((e, op) for e, op in self.rules if e not in entities)
        redact = Redact("[{entity} withheld]")
        added = tuple((e, redact) for e in sorted(entities, key=str))
        return replace(self, rules=kept + added)

    def operator_for(self, entity: Entity) -> Operator:
        for rule_entity, operator in self.rules:
            if rule_entity == entity:
                return operator
        return self.default

    def token_formats(self) -> tuple[str, ...]:
        """Every delimited token format in use (tags and hashes), look-alike tag first."""
        formats = [self.lookalike.format]
        for operator in (self.default, *(op for _, op in self.rules)):
            if isinstance(operator, Tag | Hash) and operator.format not in formats:
                formats.append(operator.format)
        return tuple(formats)
