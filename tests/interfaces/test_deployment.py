"""The storage and key choices read from the environment, opened for real."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from veil.errors import ConfigurationError
from veil.interfaces.deployment import Deployment, deployment, open_vault
from veil.vault import Binding, EnvKeyProvider, LocalKeyFile

POSTGRES_URL = os.environ.get("VEIL_TEST_POSTGRES_URL")
KEK = base64.b64encode(bytes(range(32))).decode()


def test_no_variables_is_the_embedded_default(tmp_path: Path) -> None:
    chosen = deployment({}, tmp_path)
    assert chosen == Deployment(tmp_path)
    assert chosen.backend == "sqlite"
    vault = open_vault(chosen)
    try:
        assert isinstance(vault.keys, LocalKeyFile)
        binding = Binding("t", "s", "r", "f")
        assert vault.open(vault.seal("x", binding), binding) == "x"  # creates the key file
        assert {p.name for p in tmp_path.iterdir()} >= {"veil.db", "veil-ledger.db", "veil.keys"}
        assert (tmp_path / "veil.db").stat().st_mode & 0o077 == 0
    finally:
        vault.store.engine.dispose()
        vault.ledger.engine.dispose()


@pytest.mark.parametrize(("value", "durable"), [("", False), ("false", False), ("TRUE", True)])
def test_a_durable_application_database_is_opt_in(
    tmp_path: Path, value: str, durable: bool
) -> None:
    chosen = deployment({"VEIL_DATABASE_DURABLE": value}, tmp_path)
    assert chosen.durable is durable
    vault = open_vault(chosen)
    try:
        with vault.store.engine.connect() as conn:  # 2 == FULL, 1 == NORMAL
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == (2 if durable else 1)
    finally:
        vault.store.engine.dispose()
        vault.ledger.engine.dispose()


def test_a_malformed_durability_flag_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="VEIL_DATABASE_DURABLE must be true or false"):
        deployment({"VEIL_DATABASE_DURABLE": "maybe"}, tmp_path)


def test_kek_from_the_environment_is_used_and_never_shown(tmp_path: Path) -> None:
    chosen = deployment({"VEIL_KEK": KEK}, tmp_path)
    assert KEK not in repr(chosen)
    vault = open_vault(chosen)
    try:
        assert isinstance(vault.keys, EnvKeyProvider)
        binding = Binding("t", "s", "r", "f")
        assert vault.open(vault.seal("x", binding), binding) == "x"
        assert not (tmp_path / "veil.keys").exists()
    finally:
        vault.store.engine.dispose()
        vault.ledger.engine.dispose()


@pytest.mark.parametrize(
    ("environ", "fragment"),
    [
        ({"VEIL_PKCS11_LIB": "/x.so"}, "VEIL_PKCS11_TOKEN"),
        (
            {
                "VEIL_PKCS11_LIB": "/x.so",
                "VEIL_PKCS11_TOKEN": "t",
                "VEIL_PKCS11_PIN": "1234",
                "VEIL_PKCS11_KEY": "k",
                "VEIL_KEK": KEK,
            },
            "either",
        ),
    ],
)
def test_incomplete_or_conflicting_key_choices_are_refused(
    environ: dict[str, str], fragment: str
) -> None:
    with pytest.raises(ConfigurationError, match=fragment) as caught:
        deployment(environ)
    assert "1234" not in str(caught.value)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("VEIL_TEST_POSTGRES_URL is not set")
    schema = f"veil_t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def test_postgres_application_database_with_a_local_ledger(
    postgres_url: str, tmp_path: Path
) -> None:
    vault = open_vault(deployment({"VEIL_DATABASE_URL": postgres_url}, tmp_path))
    try:
        assert vault.store.engine.dialect.name == "postgresql"
        assert vault.ledger.engine.dialect.name == "sqlite"  # outside the main DB's backups
        binding = Binding("t", "s", "r", "f")
        assert vault.open(vault.seal("y", binding), binding) == "y"
        vault.forget("t", "s")
        assert vault.is_forgotten("t", "s")
    finally:
        vault.store.engine.dispose()
        vault.ledger.engine.dispose()
