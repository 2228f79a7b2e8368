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

from veil.audit.events import Action, AuditEvent
from veil.core import Entity
from veil.errors import InputError, StorageError, SubjectForgottenError, VeilError
from veil.pipeline.analyzer import Analyzer
from veil.pipeline.conversations import RESERVED_PREFIX, ConversationMaps
from veil.pipeline.restoring import Restorer
from veil.pipeline.turns import DEFAULT_PURPOSE, TurnLog
from veil.transform import (
    Protected,
    TokenContext,
    TokenMap,
    TransformSettings,
    protect,
)

if TYPE_CHECKING:
    from veil.audit import AuditTrail
    from veil.storage import Store
    from veil.storage.database import Hook
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
    ``owns_vault``, :meth:`close` disposes of the vault's database connections. With
    an ``audit`` trail every step that touches personal data is audited (see the
    module docstring) and fails if its audit row cannot be written.
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
        audit: AuditTrail | None = None,
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
        self._audit = audit
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
        """SQLite databases and a local key file in ``directory``, created on first
        use, with the audit trail on."""
        from veil.audit import AuditTrail
        from veil.vault import Vault

        vault = Vault.embedded(directory)
        return cls(
            analyzer if analyzer is not None else Analyzer.from_settings(),
            vault,
            tenant=tenant,
            settings=settings,
            owns_vault=True,
            audit=AuditTrail.from_vault(vault),
        )

    @property
    def vault(self) -> Vault:
        """The vault this Veil seals with (its ``store`` is the application database)."""
        return self._vault

    @property
    def audit(self) -> AuditTrail | None:
        """The audit trail every personal-data step is recorded in (if any)."""
        return self._audit

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
        actor: str = "system",
        purpose: str = "",
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
                issued = done.token_map.entries[len(before) :]
                hooks: tuple[Hook, ...] = ()
                if issued and self._audit is not None:
                    entities = ",".join(sorted({e.entity.label for e in issued}))
                    event = AuditEvent(
                        Action.TOKEN_ISSUE, actor=actor, tenant=tenant, subject=subject,
                        record=conversation, purpose=purpose,
                        detail={"count": len(issued), "entities": entities},
                    )  # fmt: skip
                    hooks = (self._audit.hook(event),)
                try:
                    self._maps.persist(
                        tenant, conversation, subject, before, done.token_map, hooks=hooks
                    )
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

    def restorer(
        self,
        *,
        conversation: str,
        tenant: str | None = None,
        subject: str | None = None,
        actor: str = "system",
        deferred: bool = False,
    ) -> Restorer:
        """A :class:`~veil.pipeline.restoring.Restorer` for one reply: the token map is
        loaded now (a vault or storage error raises here), and the restore is audited
        once, before the first value is put back (``subject``: whose reply it is).
        ``deferred``: see :class:`~veil.pipeline.restoring.Restorer` (then pass
        ``restored=restorer.settle()`` to :meth:`record_turn`)."""
        tenant = self._tenant_id(tenant)
        token_map = self._restoring(conversation, tenant)
        if self._audit is None:
            return Restorer(token_map)

        def audit(count: int) -> None:
            self._record(Action.TOKEN_RESTORE, tenant, subject, conversation, actor, count)

        return Restorer(token_map, audit, deferred=deferred)

    def restore(
        self,
        text: str,
        *,
        conversation: str,
        tenant: str | None = None,
        subject: str | None = None,
        actor: str = "system",
    ) -> str:
        """``text`` with every pseudonym issued in ``conversation`` put back; audited
        (before it is returned) when a value was put back."""
        found = self.restorer(
            conversation=conversation, tenant=tenant, subject=subject, actor=actor
        )
        return found.text(text)

    def restore_stream(
        self,
        chunks: Iterable[str],
        *,
        conversation: str,
        tenant: str | None = None,
        subject: str | None = None,
        actor: str = "system",
    ) -> Iterator[str]:
        """Restore a streamed reply chunk by chunk; joined, it equals :meth:`restore`.

        The token map is loaded and, if it holds any pseudonym, the restore audited
        by this call, so a vault, storage or audit error raises here, before the
        first chunk is read. Empty outputs are not yielded.
        """
        found = self.restorer(
            conversation=conversation, tenant=tenant, subject=subject, actor=actor
        )
        return found.stream(chunks)

    def record_turn(
        self,
        *,
        conversation: str,
        subject: str,
        role: str,
        text: str,
        tenant: str | None = None,
        purpose: str = DEFAULT_PURPOSE,
        actor: str = "system",
        restored: int | None = None,
    ) -> int:
        """Store ``text`` (the original, not the protected form) sealed under the
        subject's key as the next turn of ``conversation``; returns its number.

        ``role`` is one of ``veil.pipeline.turns.ROLES``; ``purpose`` is what the turn
        is kept for (retention). ``restored``: the count a deferred
        :class:`~veil.pipeline.restoring.Restorer` settled — the restore is audited in
        this turn's transaction. Fails closed like ``protect``: any error raises,
        with a value-free message.
        """
        tenant = self._tenant_id(tenant)
        _checked_id("conversation", conversation)
        _checked_id("subject", subject)
        try:
            hooks: tuple[Hook, ...] = ()
            if self._audit is not None:
                events = [
                    AuditEvent(
                        Action.TURN_WRITE,
                        actor=actor,
                        tenant=tenant,
                        subject=subject,
                        record=conversation,
                        purpose=purpose,
                        detail={"role": role},
                    )
                ]
                if restored is not None:
                    events.append(
                        AuditEvent(
                            Action.TOKEN_RESTORE, actor=actor, tenant=tenant, subject=subject,
                            record=conversation, detail={"count": restored},
                        )
                    )  # fmt: skip
                hooks = (self._audit.hook(*events),)
            return self._turns.record(
                tenant, conversation, subject, role, text, purpose=purpose, hooks=hooks
            )
        except VeilError:
            raise
        except Exception as exc:
            raise VeilError(f"record_turn failed: {type(exc).__name__}") from None

    def turn_count(self, *, conversation: str, role: str, tenant: str | None = None) -> int:
        """How many turns of ``role`` ``conversation`` has stored (reads no text)."""
        tenant = self._tenant_id(tenant)
        return self._turns.store.count(tenant, _checked_id("conversation", conversation), role)

    def turns(
        self, *, conversation: str, tenant: str | None = None, actor: str = "system"
    ) -> list[tuple[str, str]]:
        """``(role, text)`` of the conversation's turns in order; a forgotten
        subject's turns are omitted (see the module docstring). Audited as a read."""
        tenant = self._tenant_id(tenant)
        found = self._turns.turns(tenant, _checked_id("conversation", conversation))
        self._record(Action.TURN_READ, tenant, None, conversation, actor, len(found))
        return found

    def forget(self, subject: str, *, tenant: str | None = None, actor: str = "system") -> None:
        """Crypto-shred ``subject``: every value sealed for it becomes unreadable, and
        its vault entries and turns are deleted (audited in the deleting transaction)."""
        tenant = self._tenant_id(tenant)
        _checked_id("subject", subject)
        hooks: tuple[Hook, ...] = ()
        if self._audit is not None:
            # The ledger (another database) is erased first, so the erasure is audited
            # before it starts and again with the deletion of the subject's rows.
            def event(stage: str) -> AuditEvent:
                return AuditEvent(
                    Action.SUBJECT_ERASE, actor=actor, tenant=tenant, subject=subject,
                    detail={"stage": stage},
                )  # fmt: skip

            self._audit.record(event("requested"))
            hooks = (self._audit.hook(event("deleted")),)
        self._vault.forget(tenant, subject, hooks=hooks)
        self._maps.forget_cached()

    def _record(
        self,
        action: Action,
        tenant: str | None,
        subject: str | None,
        record: str,
        actor: str,
        count: int,
    ) -> None:
        if self._audit is not None:
            event = AuditEvent(
                action, actor=actor, tenant=self._tenant_id(tenant), subject=subject,
                record=record, detail={"count": count},
            )  # fmt: skip
            self._audit.record(event)

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
