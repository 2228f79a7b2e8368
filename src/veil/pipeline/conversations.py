"""Each conversation's token map, kept in the vault; and each tenant's pseudonym key.

Storage layout (``vault_entries``, one row per issued pseudonym)::

    conversation, token = the pseudonym, entity label, tenant, subject
    envelope = seal(json {f: 1, n: order, v: value, i: identity, o: form},
                    Binding(tenant, subject, record=conversation, field=token))

So a value is readable only with the subject's data key, and ``forget(subject)`` takes
its entries with it. Reading a map opens every envelope; the result is cached per
conversation and reused only while the stored token list is unchanged and for at most
``cache_seconds`` (another process may have forgotten a subject meanwhile).

The tenant pseudonym key (``TokenContext.key``) is either an HMAC of the tenant id
under a root given by the caller, or ``vault.derive_key(tenant, "pseudonym-key/v1")``:
HKDF from the tenant's secret, held in the vault like a data key (guarded by the KEK,
moved by ``rewrap``, shared by every process on the vault).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from veil.core import CustomEntity, EntityType
from veil.errors import IntegrityError, SubjectForgottenError, VaultError
from veil.transform import EMPTY_MAP, TokenEntry, TokenMap

if TYPE_CHECKING:
    # Storage and vault pull in SQLAlchemy, Alembic and cryptography; ``import veil``
    # stays fast and they load when a Veil is built.
    from veil.storage import Store
    from veil.storage import TokenEntry as StoredToken
    from veil.storage.database import Hook
    from veil.vault import Binding, Vault

__all__ = ["RESERVED_PREFIX", "ConversationMaps"]

RESERVED_PREFIX = "veil:"  # ids veil keeps for itself
_KEY_PURPOSE = "pseudonym-key/v1"
_ROOT_BYTES = 32
_ENTRY_FORMAT = 1
_CACHE_ENTRIES = 1024


def _binding(tenant: str, subject: str, record: str, field: str) -> Binding:
    from veil.vault import Binding

    return Binding(tenant, subject, record, field)


def _stored(
    tenant: str, conversation: str, subject: str, token: str, entity: str, envelope: bytes
) -> StoredToken:
    from veil.storage import TokenEntry as StoredToken

    return StoredToken(tenant, conversation, subject, token, entity, envelope)


@dataclass(frozen=True, slots=True)
class _Cached:
    # (token, envelope) of every stored row the map was built from: a row added,
    # removed or re-sealed (rectified, in any process) no longer matches the cache.
    items: frozenset[tuple[str, bytes]]
    token_map: TokenMap
    at: float


class ConversationMaps:
    """Loads and persists token maps through the vault. Thread-safe."""

    def __init__(
        self,
        vault: Vault,
        store: Store,
        *,
        root: bytes | None = None,
        cache_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if root is not None and len(root) < _ROOT_BYTES:
            raise VaultError(f"a pseudonym key must hold at least {_ROOT_BYTES} bytes")
        self.vault, self.store = vault, store
        self._root, self._ttl, self._clock = root, cache_seconds, clock
        self._lock = threading.Lock()
        self._keys: dict[str, bytes] = {}
        self._maps: OrderedDict[tuple[str, str], _Cached] = OrderedDict()

    # -- token maps ----------------------------------------------------------------

    def load(self, tenant: str, conversation: str, *, strict: bool) -> TokenMap:
        """Every pseudonym issued in ``conversation`` for ``tenant``.

        An erased subject's leftover entries (a database restored from a backup)
        raise SubjectForgottenError when ``strict``, else they are left out. Tampered
        entries raise IntegrityError either way.
        """
        rows = self.store.get_token_rows(tenant, conversation)
        items = frozenset([(token, envelope) for _, token, _, envelope in rows])
        hit = self._cached(tenant, conversation)
        if hit is not None and hit.items == items:
            return hit.token_map
        base = hit.token_map if hit is not None and hit.items <= items else EMPTY_MAP
        known = {entry.pseudonym for entry in base}
        opened: list[tuple[int, TokenEntry]] = []
        skipped = False
        for subject, token, entity, envelope in rows:
            if token in known:
                continue
            binding = _binding(tenant, subject, conversation, token)
            try:
                sealed = self.vault.open(envelope, binding)
            except SubjectForgottenError:
                if strict:
                    raise
                skipped = True
                continue
            opened.append(_decode(token, entity, sealed))
        opened.sort(key=lambda pair: pair[0])
        token_map = TokenMap((*base.entries, *(entry for _, entry in opened)))
        if not skipped:
            self._remember(tenant, conversation, items, token_map)
        return token_map

    def persist(
        self,
        tenant: str,
        conversation: str,
        subject: str,
        before: TokenMap,
        after: TokenMap,
        *,
        hooks: Sequence[Hook] = (),
    ) -> None:
        """Seal the entries ``after`` adds to ``before`` and write them in ONE
        transaction, with ``hooks`` (the audit row) inside it."""
        rows = []
        for seq, entry in enumerate(after.entries[len(before) :], len(before)):
            binding = _binding(tenant, subject, conversation, entry.pseudonym)
            envelope = self.vault.seal(_encode(seq, entry), binding)
            label = entry.entity.label
            rows.append(_stored(tenant, conversation, subject, entry.pseudonym, label, envelope))
        if rows:
            self.store.put_tokens(rows, hooks=hooks)
        hit = self._cached(tenant, conversation)
        if hit is not None and hit.token_map is before:
            added = frozenset((r.token, bytes(r.envelope)) for r in rows)
            self._remember(tenant, conversation, hit.items | added, after)

    def forget_cached(self) -> None:
        """Drop every cached map (after an erasure: which conversations it hit is unknown)."""
        with self._lock:
            self._maps.clear()

    def _cached(self, tenant: str, conversation: str) -> _Cached | None:
        with self._lock:
            hit = self._maps.get((tenant, conversation))
            if hit is None or self._clock() - hit.at > self._ttl:
                return None
            self._maps.move_to_end((tenant, conversation))
            return hit

    def _remember(
        self, tenant: str, conversation: str, items: frozenset[tuple[str, bytes]], m: TokenMap
    ) -> None:
        with self._lock:
            self._maps[(tenant, conversation)] = _Cached(items, m, self._clock())
            self._maps.move_to_end((tenant, conversation))
            while len(self._maps) > _CACHE_ENTRIES:
                self._maps.popitem(last=False)

    # -- the tenant pseudonym key ----------------------------------------------------

    def key(self, tenant: str) -> bytes:
        """The tenant's pseudonym key: HMAC-SHA256(root, domain || tenant) under the
        caller's root, else derived by the vault for purpose ``pseudonym-key/v1``."""
        with self._lock:
            key = self._keys.get(tenant)
            if key is None:
                if self._root is not None:
                    info = b"veil.pseudonym-key.v1\x00" + tenant.encode("utf-8")
                    key = hmac.new(self._root, info, hashlib.sha256).digest()
                else:
                    key = self.vault.derive_key(tenant, _KEY_PURPOSE)
                self._keys[tenant] = key
            return key


def _encode(seq: int, entry: TokenEntry) -> str:
    doc = {"f": _ENTRY_FORMAT, "n": seq, "v": entry.value, "i": entry.identity, "o": entry.form}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def _decode(token: str, label: str, sealed: str | bytes) -> tuple[int, TokenEntry]:
    entity = EntityType(label) if label in EntityType.__members__ else CustomEntity(label)
    try:
        if not isinstance(sealed, str):
            raise TypeError
        doc = json.loads(sealed)
        if doc["f"] != _ENTRY_FORMAT:
            raise ValueError
        value, identity, form = doc["v"], doc["i"], doc["o"]
        if not all(isinstance(f, str) for f in (value, identity, form)):
            raise TypeError
        return int(doc["n"]), TokenEntry(token, value, entity, identity, form)
    except (ValueError, KeyError, TypeError):
        # No chaining: the decoder's message could quote the sealed value.
        raise IntegrityError("sealed data failed to open") from None
