"""``Veil``: protect a customer message, restore the reply, forget a subject.

::

    veil = Veil.embedded("./.veil")
    sent = veil.protect(text, conversation="c-42", subject="cust-7")
    reply = llm(sent.text)                      # only protected text goes upstream
    shown = veil.restore(reply, conversation="c-42")

Contract:

* ``protect`` analyzes ``text``, replaces every finding using the conversation's token
  map (read back from the vault), seals the newly issued entries under the subject's
  data key and writes them in ONE transaction. It fails closed: any detection, vault
  or storage error raises and no text is returned; an unexpected exception becomes a
  value-free :class:`~veil.errors.VeilError`. Two writers racing to issue the same
  pseudonym in one conversation collide on the database key; the loser reloads the
  map and protects again.
* ``restore`` / ``restore_stream`` resolve only pseudonyms issued in that conversation
  for this tenant. Anything else, including tokens a customer typed, stays as it is.
* ``forget(subject)`` crypto-shreds the subject. Afterwards ``protect`` for that
  subject raises :class:`~veil.errors.SubjectForgottenError` (an erased id is never
  reused), and ``restore`` leaves that subject's pseudonyms unresolved: it does not
  raise, it simply has nothing left to put back. ``forget`` also deletes the subject's
  turns.
* ``record_turn`` seals a message's ORIGINAL text under the subject's data key and
  stores it as the conversation's next turn (gapless numbers from 1, one transaction);
  ``turns`` opens them in order. As with ``restore``, a forgotten subject's leftover
  turns (from a restored backup) are omitted, not raised; recording a turn for a
  forgotten subject raises SubjectForgottenError, like ``protect``. Layout:
  ``veil.pipeline.turns``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from veil.core import Entity
from veil.errors import InputError, StorageError, SubjectForgottenError, VeilError
from veil.pipeline.analyzer import Analyzer
from veil.pipeline.conversations import RESERVED_PREFIX, ConversationMaps
from veil.pipeline.turns import TurnLog
from veil.transform import (
    Protected,
    StreamingRestorer,
    TokenContext,
    TokenMap,
    TransformSettings,
    protect,
    restore,
)

if TYPE_CHECKING:
    from veil.storage import Store
    from veil.vault import Vault

__all__ = ["Veil"]

_MAX_ID = 255  # the width of the storage columns
_ATTEMPTS = 3


def _checked_id(kind: str, value: str) -> str:
    if not isinstance(value, str) or not value:
        raise InputError(f"{kind} id must be a non-empty string")
    if len(value) > _MAX_ID:
        raise InputError(f"{kind} id is longer than {_MAX_ID} characters")
    if value.startswith(RESERVED_PREFIX):
        raise InputError(f"{kind} ids starting with {RESERVED_PREFIX!r} are reserved")
    return value


class Veil:
    """The front door; see the module docstring for the contract. Thread-safe.

    ``pseudonym_key`` (≥ 32 bytes) is the root of every tenant's pseudonym key; by
    default each tenant's key is derived with ``vault.derive_key`` (HKDF from a
    vault-held secret that rotates with the KEKs and is never stored in clear).
    ``store`` defaults to ``vault.store``; ``tenant`` is the default tenant id. With
    ``owns_vault``, :meth:`close` disposes of the vault's database connections.
    """

    def __init__(
        self,
        analyzer: Analyzer,
        vault: Vault,
        *,
        store: Store | None = None,
        tenant: str = "default",
        pseudonym_key: bytes | None = None,
        settings: TransformSettings | None = None,
        map_cache_seconds: float = 30.0,
        owns_vault: bool = False,
    ) -> None:
        from veil.storage import TurnStore

        self._analyzer, self._vault = analyzer, vault
        self._tenant = _checked_id("tenant", tenant)
        self._settings = settings if settings is not None else TransformSettings()
        store = store if store is not None else vault.store
        self._maps = ConversationMaps(
            vault, store, root=pseudonym_key, cache_seconds=map_cache_seconds
        )
        self._turns = TurnLog(vault, TurnStore(store.engine))
        self._owned = owns_vault
        self._minimized: dict[frozenset[Entity], TransformSettings] = {}

    @classmethod
    def embedded(
        cls,
        directory: str | Path,
        *,
        analyzer: Analyzer | None = None,
        tenant: str = "default",
        settings: TransformSettings | None = None,
    ) -> Veil:
        """SQLite databases and a local key file in ``directory``, created on first use."""
        from veil.vault import Vault

        return cls(
            analyzer if analyzer is not None else Analyzer.from_settings(),
            Vault.embedded(directory),
            tenant=tenant,
            settings=settings,
            owns_vault=True,
        )

    @property
    def analyzer(self) -> Analyzer:
        """The analyzer ``protect`` detects with."""
        return self._analyzer

    def derive_key(self, purpose: str, *, tenant: str | None = None) -> bytes:
        """A 32-byte key for ``purpose``, derived by the vault for ``tenant`` (default:
        this Veil's tenant): stable across processes, rotated with the KEKs."""
        return self._vault.derive_key(tenant or self._tenant, purpose)

    def close(self) -> None:
        """Release the vault's database connections if this Veil owns the vault
        (``embedded``, ``owns_vault=True``); else a no-op."""
        if self._owned:
            self._maps.store.engine.dispose()
            self._vault.ledger.engine.dispose()

    def __enter__(self) -> Veil:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Veil(tenant={self._tenant!r})"

    def protect(
        self,
        text: str,
        *,
        conversation: str,
        subject: str,
        tenant: str | None = None,
        redact: Collection[Entity] = (),
    ) -> Protected:
        """``text`` with its personal data replaced; new pseudonyms are persisted sealed.

        Entities in ``redact`` are removed outright instead of pseudonymized (data
        minimization: the recipient may not receive them, not even as a pseudonym).
        """
        tenant = self._tenant_id(tenant)
        settings = self._redacting(frozenset(redact)) if redact else self._settings
        _checked_id("conversation", conversation)
        _checked_id("subject", subject)
        try:
            # Checked up front (not only when sealing) so that an erasure made by
            # another process is honoured at once, even for a message with no data.
            if self._vault.is_forgotten(tenant, subject):
                raise SubjectForgottenError("the subject was erased")
            findings = self._analyzer.analyze(text)
            context = TokenContext(self._maps.key(tenant), conversation, subject)
            for attempt in range(1, _ATTEMPTS + 1):
                before = self._maps.load(tenant, conversation, strict=True)
                done = protect(text, findings, context=context, settings=settings, token_map=before)
                try:
                    self._maps.persist(tenant, conversation, subject, before, done.token_map)
                except StorageError:
                    if attempt == _ATTEMPTS:
                        raise
                    continue  # most likely a racing writer took a pseudonym: reload
                return done
        except VeilError:
            raise
        except Exception as exc:
            # Fail closed with a value-free message: a stray exception could quote input.
            raise VeilError(f"protect failed: {type(exc).__name__}") from None
        raise AssertionError("unreachable")

    def restore(self, text: str, *, conversation: str, tenant: str | None = None) -> str:
        """``text`` with every pseudonym issued in ``conversation`` put back."""
        return restore(text, self._restoring(conversation, tenant))

    def restore_stream(
        self, chunks: Iterable[str], *, conversation: str, tenant: str | None = None
    ) -> Iterator[str]:
        """Restore a streamed reply chunk by chunk; joined, it equals :meth:`restore`.

        The token map is loaded by this call, so a vault or storage error raises here,
        before the first chunk is read. Empty outputs are not yielded.
        """
        return _stream(StreamingRestorer(self._restoring(conversation, tenant)), chunks)

    def record_turn(
        self, *, conversation: str, subject: str, role: str, text: str, tenant: str | None = None
    ) -> int:
        """Store ``text`` (the original, not the protected form) sealed under the
        subject's key as the next turn of ``conversation``; returns its number.

        ``role`` is one of ``veil.pipeline.turns.ROLES``. Fails closed like
        ``protect``: any error raises, with a value-free message.
        """
        tenant = self._tenant_id(tenant)
        _checked_id("conversation", conversation)
        _checked_id("subject", subject)
        try:
            return self._turns.record(tenant, conversation, subject, role, text)
        except VeilError:
            raise
        except Exception as exc:
            raise VeilError(f"record_turn failed: {type(exc).__name__}") from None

    def turns(self, *, conversation: str, tenant: str | None = None) -> list[tuple[str, str]]:
        """``(role, text)`` of the conversation's turns in order; a forgotten
        subject's turns are omitted (see the module docstring)."""
        tenant = self._tenant_id(tenant)
        return self._turns.turns(tenant, _checked_id("conversation", conversation))

    def forget(self, subject: str, *, tenant: str | None = None) -> None:
        """Crypto-shred ``subject``: every value sealed for it becomes unreadable, and
        its vault entries and turns are deleted."""
        tenant = self._tenant_id(tenant)
        self._vault.forget(tenant, _checked_id("subject", subject))
        self._maps.forget_cached()

    def _redacting(self, entities: frozenset[Entity]) -> TransformSettings:
        found = self._minimized.get(entities)
        if found is None:
            if len(self._minimized) > 64:
                self._minimized.clear()
            found = self._minimized[entities] = self._settings.redacting(entities)
        return found

    def _tenant_id(self, tenant: str | None) -> str:
        return self._tenant if tenant is None else _checked_id("tenant", tenant)

    def _restoring(self, conversation: str, tenant: str | None) -> TokenMap:
        tenant = self._tenant_id(tenant)
        return self._maps.load(tenant, _checked_id("conversation", conversation), strict=False)


def _stream(restorer: StreamingRestorer, chunks: Iterable[str]) -> Iterator[str]:
    for chunk in chunks:
        out = restorer.feed(chunk)
        if out:
            yield out
    tail = restorer.flush()
    if tail:
        yield tail
