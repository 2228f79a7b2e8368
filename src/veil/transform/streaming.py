"""Restoring a reply while it streams, without ever showing a token fragment.

``StreamingRestorer(token_map)`` is fed the model's chunks as they arrive. Each
``feed`` returns the restored text that is already certain; it holds back only the
tail that could still grow into a pseudonym ("[PERS", "Maria\\n", or a complete
"PERSON_1" that a following "0" would turn into another token). The hold-back never
exceeds the longest rendering of any pseudonym in the map. ``flush`` returns the rest
at the end of the stream.

Guarantee: for any split of a reply into chunks, the concatenated output equals
``restore(reply, token_map)``. The argument: a position whose suffix is not a viable
prefix of any rendering can no longer change whether, or how, a match starts there,
so everything before the first viable position is final.
"""

from __future__ import annotations

from veil.transform.restore import restore_range
from veil.transform.tokens import TokenMap

__all__ = ["StreamingRestorer"]


class StreamingRestorer:
    """Incremental ``restore`` for one reply; not thread-safe, one per stream."""

    __slots__ = ("_before", "_closed", "_map", "_pending")

    def __init__(self, token_map: TokenMap) -> None:
        self._map = token_map
        self._pending = ""
        # The last raw character already emitted: the matcher's left-boundary check
        # ("no word character before the core") needs it.
        self._before = ""
        self._closed = False

    @property
    def max_hold(self) -> int:
        """The most characters ever held back."""
        return self._map.matcher.max_len

    @property
    def held(self) -> int:
        """How many raw characters are held back right now."""
        return len(self._pending)

    def feed(self, chunk: str) -> str:
        """Take the next chunk; return the restored text that is now safe to show."""
        if self._closed:
            raise ValueError("feed() after flush()")
        self._pending += chunk
        return self._drain(final=False)

    def flush(self) -> str:
        """End of stream: return everything still held back, restored."""
        if self._closed:
            return ""
        out = self._drain(final=True)
        self._closed = True
        return out

    def _drain(self, *, final: bool) -> str:
        if not self._pending:
            return ""
        if not len(self._map):
            out, self._pending = self._pending, ""
            return out
        text = self._before + self._pending
        base = len(self._before)
        cut = len(text) if final else self._map.matcher.safe_cut(text, base)
        if cut == base:
            return ""
        out, consumed = restore_range(text, self._map, base, cut)
        self._before = text[consumed - 1]
        self._pending = text[consumed:]
        return out
