"""transform: replace detected personal data with pseudonyms, and put it back.

Role in the flow: after ``detect`` has produced ``Finding``s (spans into the
normalized text) and before anything goes upstream. ``protect`` replaces each
finding with its entity's operator (tag, surrogate, hash, mask, redact, generalize)
and returns the pseudonyms it issued; ``restore`` / ``StreamingRestorer`` put the
values back into the model's reply for the customer.

What it must never do: import ``detect``, ``ingest`` or ``vault``; store anything
(the caller persists the ``TokenMap``, sealed); log, raise or repr a value; resolve
a token that this conversation did not issue, or let text a customer typed act as
one. Keys arrive as bytes; only stdlib ``hmac``/``hashlib`` are used with them.

Public API::

    TokenContext(key, conversation_id, subject_id=None)
    TransformSettings(default=Tag(), rules=(), scope=Scope.CONVERSATION, region="US",
                      lookalike=Tag())          # or TransformSettings.of({entity: op})
    Tag(format="[{entity}_{n}]") | Surrogate(locale="en") | Hash(length=16)
    Mask(keep_last=4, char="*") | Redact(text="[REDACTED]")
    GeneralizeDate(precision) | GeneralizeAge(width=10) | GeneralizePostcode(keep=3)
    protect(text, findings, *, context, settings, token_map, origin) -> Protected
    restore(text, token_map) -> str
    StreamingRestorer(token_map).feed(chunk) -> str; .flush() -> str
    find_pseudonyms(text, token_map) -> list[Finding]
    TokenMap(entries) .merged() .dumps() .loads() ; TokenEntry
"""

from veil.transform.keys import TokenContext as TokenContext
from veil.transform.protect import Protected as Protected
from veil.transform.protect import Replacement as Replacement
from veil.transform.protect import protect as protect
from veil.transform.restore import PSEUDONYM_TAG as PSEUDONYM_TAG
from veil.transform.restore import find_pseudonyms as find_pseudonyms
from veil.transform.restore import restore as restore
from veil.transform.settings import DatePrecision as DatePrecision
from veil.transform.settings import GeneralizeAge as GeneralizeAge
from veil.transform.settings import GeneralizeDate as GeneralizeDate
from veil.transform.settings import GeneralizePostcode as GeneralizePostcode
from veil.transform.settings import Hash as Hash
from veil.transform.settings import Mask as Mask
from veil.transform.settings import Operator as Operator
from veil.transform.settings import Origin as Origin
from veil.transform.settings import Redact as Redact
from veil.transform.settings import Scope as Scope
from veil.transform.settings import Surrogate as Surrogate
from veil.transform.settings import Tag as Tag
from veil.transform.settings import TransformSettings as TransformSettings
from veil.transform.streaming import StreamingRestorer as StreamingRestorer
from veil.transform.tokens import EMPTY_MAP as EMPTY_MAP
from veil.transform.tokens import TokenEntry as TokenEntry
from veil.transform.tokens import TokenMap as TokenMap

__all__ = [
    "EMPTY_MAP",
    "PSEUDONYM_TAG",
    "DatePrecision",
    "GeneralizeAge",
    "GeneralizeDate",
    "GeneralizePostcode",
    "Hash",
    "Mask",
    "Operator",
    "Origin",
    "Protected",
    "Redact",
    "Replacement",
    "Scope",
    "StreamingRestorer",
    "Surrogate",
    "Tag",
    "TokenContext",
    "TokenEntry",
    "TokenMap",
    "TransformSettings",
    "find_pseudonyms",
    "protect",
    "restore",
]
