"""``veil serve``: run the OpenAI-compatible privacy proxy with uvicorn.

With no configuration it needs nothing else: an SQLite vault in ``--data-dir`` and
the built-in offline receptionist. ``VEIL_UPSTREAM_URL`` / ``VEIL_UPSTREAM_API_KEY``
point it at a real OpenAI-compatible model. Logs are JSON lines on stderr and never
carry request text; uvicorn's access log is off (it would print query strings).
FastAPI and uvicorn are imported only when the command runs.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from veil.errors import VeilError
from veil.interfaces.cli.app import ConfigOption, _fail, _settings, app

if TYPE_CHECKING:
    from fastapi import FastAPI
    from uvicorn import Config

__all__ = ["application_from_environment", "listening_socket", "serve"]


_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def _logging() -> None:
    from veil.interfaces.api.observability import JsonFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("veil", "uvicorn", "uvicorn.error"):
        log = logging.getLogger(name)
        log.handlers[:] = [handler]
        log.setLevel(logging.INFO)
        log.propagate = False


def application_from_environment() -> FastAPI:
    """The app of one ``--workers`` process: each worker builds its own from the
    environment that ``veil serve`` prepared (``VEIL_DATA_DIR``, ``VEIL_CONFIG``)."""
    from veil.interfaces.api import create_app, gateway_settings

    config = os.environ.get("VEIL_CONFIG")
    settings = gateway_settings(
        os.environ,
        veil=_settings(Path(config) if config else None, None),
        data_dir=Path(os.environ.get("VEIL_DATA_DIR", ".veil")),
    )
    _logging()
    return create_app(settings)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="Vault directory (SQLite + key file).")
    ] = Path(".veil"),
    config: ConfigOption = None,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (each one core).")
    ] = 1,
) -> None:
    """Serve POST /v1/chat/completions: every message protected, every reply restored."""
    try:
        import uvicorn

        from veil.interfaces.api import create_app, gateway_settings
        from veil.interfaces.deployment import open_vault

        if host not in _LOOPBACK and not os.environ.get("VEIL_AUTH"):
            # Reachable from other machines: callers need an API key unless the
            # operator explicitly turns authentication off (VEIL_AUTH=off).
            os.environ["VEIL_AUTH"] = "required"
        settings = gateway_settings(os.environ, veil=_settings(config, None), data_dir=data_dir)
        _logging()
        if workers == 1:
            application = create_app(settings)
        else:
            # Create the databases and the key file once, here, so that the workers
            # only ever open existing ones (no race on first-run creation).
            vault = open_vault(settings.deployment)
            vault.derive_key(settings.tenant, "veil:serve-init")
            vault.store.engine.dispose()
            vault.ledger.engine.dispose()
    except VeilError as exc:
        raise _fail(exc) from None
    if workers == 1:
        uvicorn.run(application, host=host, port=port, access_log=False, log_config=None)
        return
    os.environ["VEIL_DATA_DIR"] = str(data_dir)
    if config is not None:
        os.environ["VEIL_CONFIG"] = str(config)
    _run_workers(host, port, workers)


def _run_workers(host: str, port: int, workers: int) -> None:
    """``uvicorn.run(..., workers=n)``, with one fix: uvicorn binds the shared socket
    without a protocol number, so asyncio does not turn Nagle's algorithm off on the
    accepted connections and every keep-alive response waits ~40 ms for a delayed
    ACK. Set TCP_NODELAY on the listening socket (accepted sockets inherit it)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        "veil.interfaces.cli.serve:application_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        access_log=False,
        log_config=None,
    )
    Multiprocess(config, sockets=[listening_socket(config)]).run()


def listening_socket(config: Config) -> socket.socket:
    """The shared socket of the workers, with TCP_NODELAY set (see ``_run_workers``)."""
    sock = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock
