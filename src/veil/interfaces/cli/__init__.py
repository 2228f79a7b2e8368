"""Command line interface (Typer)."""

from __future__ import annotations


def main() -> None:
    from veil.interfaces.cli.app import app

    app()
