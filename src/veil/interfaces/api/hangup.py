"""A client that hangs up cancels its request: the upstream call is given up.

ASGI tells an application that its client went away only through ``receive()``
(an ``http.disconnect`` message), and Starlette acts on it only while a streamed
body is being sent. The chat route listens for it for as long as it works on a
request (:func:`until_hung_up`) and then cancels the request's :class:`Hangup`.

The request's work runs in a worker thread (one step for a complete answer, one per
chunk for a stream), where a blocking upstream call cannot be interrupted from the
outside, except through its socket: while a thread works for a request it holds the
request's hangup (:meth:`Hangup.watching`), the HTTP upstream's connections report
to it the socket they block on (:func:`watched`), and :meth:`Hangup.cancel` shuts
that socket down. The blocked read fails at once, the connection is dropped (the
upstream sees it closed, and stops generating for nobody), and the call raises
:class:`ClientDisconnectedError`, refused like any other failure: a log line and a
refusal metric; the answer goes nowhere. A step that has not reached the upstream
yet checks the hangup first and forwards nothing.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Protocol, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.types import Receive

__all__ = [
    "ClientDisconnectedError",
    "Hangup",
    "current",
    "in_thread",
    "steps",
    "until_hung_up",
    "watched",
]

T = TypeVar("T")


class ClientDisconnectedError(Exception):
    """The client disconnected before its answer; the request was cancelled."""

    def __init__(self) -> None:
        super().__init__("the client disconnected; the request was cancelled")


class _Socketed(Protocol):
    def get_extra_info(self, info: str) -> object: ...


_local = threading.local()


def current() -> Hangup | None:
    """The hangup of the request this thread is working for, if any."""
    found = getattr(_local, "hangup", None)
    return found if isinstance(found, Hangup) else None


class Hangup:
    """One request's cancellation; thread-safe. The event loop calls :meth:`cancel`,
    worker threads call :meth:`check` and block on sockets through :func:`watched`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._busy: list[_Socketed] = []

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def check(self) -> None:
        """Raise :class:`ClientDisconnectedError` if the client has hung up."""
        if self._cancelled:
            raise ClientDisconnectedError

    def cancel(self) -> None:
        """The client hung up: fail the socket I/O in flight, and any to come."""
        with self._lock:
            self._cancelled = True
            for stream in self._busy:
                _shut(stream)

    @contextmanager
    def watching(self) -> Iterator[None]:
        """Work for this request in the current thread (upstream I/O reports here)."""
        before = getattr(_local, "hangup", None)
        _local.hangup = self
        try:
            yield
        finally:
            _local.hangup = before

    def _enter(self, stream: _Socketed) -> None:
        with self._lock:
            self.check()
            self._busy.append(stream)

    def _leave(self, stream: _Socketed) -> None:
        with self._lock:
            self._busy.remove(stream)
        if self._cancelled:  # the I/O failed or ended because of the cancel: say so
            raise ClientDisconnectedError from None


class _Watch:
    """(A class, not ``@contextmanager``: it wraps every read and write.)"""

    __slots__ = ("_hangup", "_stream")

    def __init__(self, stream: _Socketed, hangup: Hangup | None) -> None:
        self._stream = stream
        self._hangup = hangup

    def __enter__(self) -> None:
        if self._hangup is not None:
            self._hangup._enter(self._stream)

    def __exit__(self, *exc: object) -> None:
        if self._hangup is not None:
            self._hangup._leave(self._stream)  # raises instead of the I/O's error


def watched(stream: _Socketed) -> _Watch:
    """Blocking I/O on ``stream`` for the current thread's request, if it has one."""
    return _Watch(stream, current())


def _shut(stream: _Socketed) -> None:
    sock = stream.get_extra_info("socket")
    if isinstance(sock, socket.socket):
        # The plain socket's shutdown (also for TLS): wakes a thread blocked in
        # recv/send on it, without touching an SSL object that thread is using.
        with suppress(OSError):  # already closed
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


async def until_hung_up(receive: Receive) -> None:
    """Return when the client disconnects (the request body is already read)."""
    while (await receive())["type"] != "http.disconnect":
        pass


async def in_thread(receive: Receive, hangup: Hangup, work: Callable[[], T]) -> T:
    """``work()`` in a worker thread, for ``hangup``'s request, which is cancelled if
    the client disconnects meanwhile."""

    def run() -> T:
        with hangup.watching():
            return work()

    # A plain task, not a task group: nothing to wrap errors in, and the listener
    # is dropped without waiting for it (a task group costs 5x the time per request).
    listener = asyncio.ensure_future(_cancel_on_hang_up(receive, hangup))
    try:
        return await run_in_threadpool(run)
    finally:
        listener.cancel()


async def _cancel_on_hang_up(receive: Receive, hangup: Hangup) -> None:
    await until_hung_up(receive)
    hangup.cancel()


def steps(hangup: Hangup, iterator: Iterator[T]) -> Iterator[T]:
    """``iterator``, each step worked for ``hangup``'s request (in whatever worker
    thread takes that step)."""
    try:
        while True:
            with hangup.watching():
                try:
                    item = next(iterator)
                except StopIteration:
                    return
            yield item
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()
