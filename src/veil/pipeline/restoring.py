"""``Restorer``: one reply's restoration, with the token map loaded once.

A reply has many texts to restore (each choice, each tool-call argument); loading
the conversation's map for each and auditing each would cost a read and a write per
field. A ``Restorer`` loads the map once and writes ONE audit row, at the first text
in which a value is actually put back (or, for a stream, before the first chunk is
read if the map holds any pseudonym), and before that text is returned: a value
never leaves without its audit row.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator

from veil.transform import StreamingRestorer, TokenMap, restore

__all__ = ["Restorer"]


class Restorer:
    """Restores texts of one conversation; thread-safe. ``audit`` is called once,
    before the first restored value is handed out (it raises to refuse).

    ``deferred``: the caller promises not to hand any restored text out before it has
    either recorded the restore itself, in the transaction that stores the reply
    (:meth:`settle` gives it the count and takes the duty off the restorer), or called
    :meth:`flush`. It saves the gateway one commit per reply.
    """

    def __init__(
        self,
        token_map: TokenMap,
        audit: Callable[[int], None] | None = None,
        *,
        deferred: bool = False,
    ) -> None:
        self._map = token_map
        self._audit = audit
        self._deferred = deferred
        self._pending: int | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._map)

    def text(self, text: str) -> str:
        """``text`` with every pseudonym of the conversation put back."""
        out = restore(text, self._map)
        if out != text:
            self._audited()
        return out

    def stream(self, chunks: Iterable[str]) -> Iterator[str]:
        """Restore a streamed text chunk by chunk; joined, it equals :meth:`text`.
        Audited here, before the first chunk is read. Empty outputs are not yielded."""
        if len(self._map):
            self._audited(immediate=True)  # streamed text leaves as it comes
        return _stream(StreamingRestorer(self._map), chunks)

    def settle(self) -> int | None:
        """The count of a deferred restore not yet audited (None if there is none); the
        caller now records it, in the same transaction as the reply it stores."""
        with self._lock:
            pending, self._pending = self._pending, None
            return pending

    def flush(self) -> None:
        """Audit a deferred restore that nobody settled (its own transaction)."""
        with self._lock:
            pending, self._pending = self._pending, None
            if pending is not None and self._audit is not None:
                try:
                    self._audit(pending)
                except BaseException:
                    self._pending = pending
                    raise
                self._audit = None

    def _audited(self, *, immediate: bool = False) -> None:
        with self._lock:
            if self._deferred and not immediate:
                if self._audit is not None and self._pending is None:
                    self._pending = len(self._map)
                return
            audit, self._audit, self._pending = self._audit, None, None
            if audit is not None:
                try:
                    audit(len(self._map))
                except BaseException:
                    self._audit = audit  # not recorded: the next value must try again
                    raise


def _stream(restorer: StreamingRestorer, chunks: Iterable[str]) -> Iterator[str]:
    for chunk in chunks:
        out = restorer.feed(chunk)
        if out:
            yield out
    tail = restorer.flush()
    if tail:
        yield tail
