"""The operators as pure functions: (value, entity, keyed derivation, settings) → text.

Two families:

* pseudonyms (:func:`pseudonym`): ``Tag``, ``Surrogate``, ``Hash``. Deterministic in
  the value's identity and an ``attempt`` counter that :mod:`veil.transform.protect`
  raises only to step around a collision. A ``{n}`` tag also takes the ordinal the
  token map assigned; everything else comes from the key.
* lossy operators (:func:`lossy`): ``Mask``, ``Redact`` and the ``Generalize*``
  family. They need no key and nothing can be restored from them.

Nothing here touches the token map or the text around a value.
"""

from __future__ import annotations

import re

from veil.core import Entity
from veil.transform.dates import month_first, parse_date
from veil.transform.keys import Derivation, Stream
from veil.transform.settings import (
    DatePrecision,
    GeneralizeAge,
    GeneralizeDate,
    GeneralizePostcode,
    Hash,
    Mask,
    Operator,
    Redact,
    Surrogate,
    Tag,
)
from veil.transform.surrogates import make_surrogate

__all__ = ["Lossy", "Pseudonymizer", "form_key", "is_pseudonymizer", "lossy", "pseudonym"]

Pseudonymizer = Tag | Surrogate | Hash
Lossy = Mask | Redact | GeneralizeDate | GeneralizeAge | GeneralizePostcode

_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_NUMBER = re.compile(r"\d{1,3}")


def is_pseudonymizer(operator: Operator) -> bool:
    return isinstance(operator, Tag | Surrogate | Hash)


def form_key(operator: Pseudonymizer) -> str:
    """Names the pseudonym *form*: one value has one pseudonym per form.

    Surrogates of every locale share a form so that changing the locale does not
    re-pseudonymize values already issued in a conversation.
    """
    if isinstance(operator, Tag):
        return f"tag:{operator.format}:{operator.hash_chars}"
    if isinstance(operator, Hash):
        return f"hash:{operator.format}:{operator.length}"
    return "surrogate"


def _fill(fmt: str, **values: str) -> str:
    out = fmt
    for name, value in values.items():
        out = out.replace("{" + name + "}", value)
    return out


def pseudonym(
    operator: Pseudonymizer,
    entity: Entity,
    value: str,
    *,
    derivation: Derivation,
    identity: str,
    ordinal: int = 1,
    attempt: int = 0,
    region: str = "US",
) -> str:
    """The pseudonym of one value; the same arguments always give the same text."""
    if isinstance(operator, Tag):
        if "{n}" in operator.format:
            return _fill(operator.format, entity=entity.label, n=str(ordinal))
        suffix = derivation.seed(identity, "tag", attempt).hex()[: operator.hash_chars]
        return _fill(operator.format, entity=entity.label, h=suffix)
    if isinstance(operator, Hash):
        digest = derivation.seed(identity, "hash", attempt).hex()[: operator.length]
        return _fill(operator.format, entity=entity.label, hash=digest)
    shift = _date_shift(derivation, operator.date_shift_days)
    stream = Stream(derivation.seed(identity, "surrogate", attempt))
    return make_surrogate(
        entity, value, stream=stream, locale=operator.locale, region=region, shift_days=shift
    )


def _date_shift(derivation: Derivation, bound: int) -> int:
    """One non-zero shift in ``[-bound, bound]`` days for the whole scope."""
    draw = Stream(derivation.scope_seed("date-shift")).below(2 * bound)
    return draw - bound if draw < bound else draw - bound + 1


def lossy(operator: Lossy, entity: Entity, value: str, *, region: str = "US") -> str:
    """The output of a lossy operator; needs no key and cannot be restored."""
    if isinstance(operator, Mask):
        return _mask(operator, value)
    if isinstance(operator, Redact):
        return operator.text.replace("{entity}", entity.label)
    if isinstance(operator, GeneralizeDate):
        parsed = parse_date(value, month_first=month_first(region))
        if parsed is not None:
            date = parsed[0]
            if operator.precision is DatePrecision.MONTH:
                return f"{date.year:04d}-{date.month:02d}"
            return f"{date.year:04d}"
        year = _YEAR.search(value)
        return year.group(1) if year else f"[{entity.label}]"
    if isinstance(operator, GeneralizeAge):
        number = _NUMBER.search(value)
        if number is None:
            return f"[{entity.label}]"
        age = int(number.group(0))
        if age >= operator.top:
            return f"{operator.top}+"
        low = age - age % operator.width
        return f"{low}-{low + operator.width - 1}"
    compact = "".join(ch for ch in value if ch.isalnum()).upper()
    return compact[: operator.keep]


def _mask(operator: Mask, value: str) -> str:
    alnum = [i for i, ch in enumerate(value) if ch.isalnum()]
    keep = set(alnum[len(alnum) - operator.keep_last :]) if operator.keep_last else set()
    out = []
    for i, ch in enumerate(value):
        if i in keep:
            out.append(ch)
        elif ch.isalnum() or not operator.keep_separators:
            out.append(operator.char)
        else:
            out.append(ch)
    return "".join(out)
