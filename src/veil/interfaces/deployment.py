"""Where veil's data lives, read once from the environment: the edge of the vault.

=====================  ==============================================================
variable               meaning
=====================  ==============================================================
VEIL_DATABASE_URL      application database (``postgresql+psycopg://…``); default: the
                       SQLite file ``veil.db`` in the data directory
VEIL_LEDGER_URL        erasure ledger; default: ``veil-ledger.db`` in the data
                       directory. Keep it OUT of the application database's backups.
VEIL_DATABASE_DURABLE  ``true``: the application database waits for the disk on every
                       commit (default: commits survive a crash of veil, but an OS
                       crash may drop the last fraction of a second of them; the
                       erasure ledger is always durable)
VEIL_KEK               base64 key-encryption keys, newest first, comma separated
VEIL_PKCS11_LIB        a PKCS#11 module (e.g. SoftHSM2's); with VEIL_PKCS11_TOKEN,
                       VEIL_PKCS11_PIN and VEIL_PKCS11_KEY it takes the KEKs from an HSM
=====================  ==============================================================

With none of them set, everything sits in the data directory (mode 0600 files) and the
KEKs in the local key file ``veil.keys``: the zero-configuration default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from veil.errors import ConfigurationError
from veil.storage import ErasureLedger, Store, migrate, open_engine
from veil.vault import EnvKeyProvider, KeyProvider, LocalKeyFile, Vault

__all__ = ["Deployment", "deployment", "open_data_dir", "open_vault"]

_HSM = ("VEIL_PKCS11_LIB", "VEIL_PKCS11_TOKEN", "VEIL_PKCS11_PIN", "VEIL_PKCS11_KEY")


@dataclass(frozen=True, slots=True)
class Deployment:
    """The storage and key choices; ``repr`` never shows a key or a PIN."""

    data_dir: Path = Path(".veil")
    database_url: str | None = field(default=None, repr=False)
    ledger_url: str | None = field(default=None, repr=False)
    kek: str | None = field(default=None, repr=False)
    pkcs11: tuple[str, str, str, str] | None = field(default=None, repr=False)
    durable: bool = False

    @property
    def backend(self) -> str:
        return "sqlite" if self.database_url is None else self.database_url.split(":", 1)[0]


def deployment(environ: Mapping[str, str], data_dir: Path = Path(".veil")) -> Deployment:
    """Read the ``VEIL_*`` storage and key variables (see the module docstring)."""
    hsm = tuple(environ.get(name) or "" for name in _HSM)
    if any(hsm) and not all(hsm):
        missing = ", ".join(n for n, v in zip(_HSM, hsm, strict=True) if not v)
        raise ConfigurationError(f"the HSM key provider also needs {missing}")
    if all(hsm) and environ.get("VEIL_KEK"):
        raise ConfigurationError("set either VEIL_KEK or the VEIL_PKCS11_* variables, not both")
    return Deployment(
        data_dir=data_dir,
        database_url=environ.get("VEIL_DATABASE_URL") or None,
        ledger_url=environ.get("VEIL_LEDGER_URL") or None,
        kek=environ.get("VEIL_KEK") or None,
        pkcs11=(hsm[0], hsm[1], hsm[2], hsm[3]) if all(hsm) else None,
        durable=_flag(environ, "VEIL_DATABASE_DURABLE"),
    )


def _flag(environ: Mapping[str, str], name: str) -> bool:
    value = (environ.get(name) or "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ConfigurationError(f"{name} must be true or false")


def open_vault(chosen: Deployment) -> Vault:
    """Open (and migrate) the databases and the key provider that ``chosen`` names."""
    embedded = chosen.database_url is None and chosen.ledger_url is None
    if embedded and _local_keys(chosen) and not chosen.durable:
        return Vault.embedded(chosen.data_dir)
    chosen.data_dir.mkdir(parents=True, exist_ok=True)
    main = open_engine(
        chosen.database_url or _sqlite(chosen.data_dir / "veil.db"), durable=chosen.durable
    )
    ledger = open_engine(
        chosen.ledger_url or _sqlite(chosen.data_dir / "veil-ledger.db"), durable=True
    )
    migrate(main, "core")
    migrate(ledger, "ledger")
    return Vault(Store(main), ErasureLedger(ledger), _provider(chosen))


def _local_keys(chosen: Deployment) -> bool:
    return chosen.kek is None and chosen.pkcs11 is None


def _sqlite(path: Path) -> str:
    # Create the file 0600 before SQLite does: its -wal/-shm copy the mode.
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    return f"sqlite:///{path}"


def _provider(chosen: Deployment) -> KeyProvider:
    if chosen.kek is not None:
        return EnvKeyProvider(chosen.kek)
    if chosen.pkcs11 is not None:
        from veil.vault.pkcs11 import Pkcs11KeyProvider

        return Pkcs11KeyProvider(*chosen.pkcs11)
    return LocalKeyFile(chosen.data_dir / "veil.keys")


def open_data_dir(data_dir: Path) -> Vault:
    """The vault of a CLI command: ``--data-dir`` plus the ``VEIL_*`` variables."""
    return open_vault(deployment(os.environ, data_dir))
