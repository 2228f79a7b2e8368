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
import sys
from pathlib import Path
from typing import Annotated

import typer

from veil.errors import VeilError
from veil.interfaces.cli.app import ConfigOption, _fail, _settings, app

__all__ = ["serve"]


def _logging() -> None:
    from veil.interfaces.api.observability import JsonFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("veil", "uvicorn", "uvicorn.error"):
        log = logging.getLogger(name)
        log.handlers[:] = [handler]
        log.setLevel(logging.INFO)
        log.propagate = False


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="Vault directory (SQLite + key file).")
    ] = Path(".veil"),
    config: ConfigOption = None,
) -> None:
    """Serve POST /v1/chat/completions: every message protected, every reply restored."""
    try:
        import uvicorn

        from veil.interfaces.api import create_app, gateway_settings

        settings = gateway_settings(os.environ, veil=_settings(config, None), data_dir=data_dir)
        _logging()
        application = create_app(settings)
    except VeilError as exc:
        raise _fail(exc) from None
    uvicorn.run(application, host=host, port=port, access_log=False, log_config=None)
