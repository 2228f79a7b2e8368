"""Shared fixtures for vault tests: an embedded vault in a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from veil.vault import Vault


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault.embedded(tmp_path / "vault")
