"""Work the server does on its own: pick up a changed policy file, sweep retention.

Each job is a coroutine started in the lifespan and cancelled at shutdown; the
blocking part runs in the thread pool. A failing run is logged (value-free) and
retried at the next tick: a bad policy file keeps the policy in force (see
``PolicyHolder.reload``), a failed sweep leaves data for the next sweep.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from veil.errors import VeilError
from veil.interfaces.api.observability import log_event
from veil.policy import PolicyHolder

__all__ = ["PolicyWatcher", "every"]


class PolicyWatcher:
    """Reloads the holder's source file when its modification time changes."""

    def __init__(self, holder: PolicyHolder) -> None:
        self._holder = holder
        self._seen = _mtime(holder.source)

    def check(self) -> bool:
        """Reload if the file changed since the last check; True if a new policy is in
        force. A bad file is logged once per change and the old policy stays."""
        source = self._holder.source
        stamp = _mtime(source)
        if source is None or stamp == self._seen:
            return False
        self._seen = stamp
        try:
            policy = self._holder.reload()
        except VeilError as exc:
            log_event("policy reload refused", level=logging.ERROR, error=type(exc).__name__)
            return False
        log_event("policy reloaded", version=policy.version)
        return True


def _mtime(path: Path | None) -> int | None:
    if path is None:
        return None
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


async def every(seconds: float, job: Callable[[], object], name: str) -> None:
    """Run ``job`` in the thread pool every ``seconds`` until cancelled."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await run_in_threadpool(job)
        except Exception as exc:  # the loop must survive; the error is logged, value-free
            log_event(f"{name} failed", level=logging.ERROR, error=type(exc).__name__)
