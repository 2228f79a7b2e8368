"""Software KEK providers: the local key file and base64 keys from configuration."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from veil.errors import ConfigurationError, IntegrityError, VaultError
from veil.vault import EnvKeyProvider, KekRef, KeyProvider, LocalKeyFile


def test_local_key_file_is_created_lazily_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "veil.keys"
    provider = LocalKeyFile(path)
    assert not path.exists()  # cheap constructor
    (kek,) = provider.keks()
    assert kek.version == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert isinstance(provider, KeyProvider)
    material = json.loads(path.read_text())["keks"][0]["key"]
    assert len(base64.b64decode(material)) == 32
    assert material not in repr(provider)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o644])
def test_local_key_file_refuses_loose_permissions(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "veil.keys"
    LocalKeyFile(path).keks()
    os.chmod(path, mode)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        LocalKeyFile(path).keks()


def test_local_key_file_survives_reload_and_rotates(tmp_path: Path) -> None:
    path = tmp_path / "veil.keys"
    first = LocalKeyFile(path)
    old = first.keks()[0]
    wrapped = first.wrap(old, b"k" * 32)
    new = first.add_kek()
    assert new == KekRef(old.id, 2)
    again = LocalKeyFile(path)
    assert again.keks() == (new, old)
    assert again.unwrap(old, wrapped) == b"k" * 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(VaultError):
        again.retire(new)
    again.retire(old)
    assert LocalKeyFile(path).keks() == (new,)
    with pytest.raises(VaultError):
        LocalKeyFile(path).unwrap(old, wrapped)
    assert not list(tmp_path.glob(".*tmp"))


def test_local_key_file_rejects_malformed_content(tmp_path: Path) -> None:
    path = tmp_path / "veil.keys"
    path.write_text("{not json")
    path.chmod(0o600)
    with pytest.raises(ConfigurationError, match="malformed"):
        LocalKeyFile(path).keks()


def test_wrapped_keys_are_bound_to_their_kek(tmp_path: Path) -> None:
    provider = LocalKeyFile(tmp_path / "k")
    old = provider.keks()[0]
    new = provider.add_kek()
    wrapped = provider.wrap(old, b"d" * 32)
    with pytest.raises(IntegrityError):
        provider.unwrap(new, wrapped)
    flipped = bytes([wrapped[0]]) + bytes([wrapped[1] ^ 1]) + wrapped[2:]
    with pytest.raises(IntegrityError):
        provider.unwrap(old, flipped)


def test_env_provider_parses_newest_first() -> None:
    k1, k2 = os.urandom(32), os.urandom(32)
    value = f"{base64.b64encode(k2).decode()}, {base64.b64encode(k1).decode()}"
    provider = EnvKeyProvider(value)
    assert provider.keks() == (KekRef("env", 2), KekRef("env", 1))
    wrapped = provider.wrap(KekRef("env", 1), b"x" * 32)
    assert (
        EnvKeyProvider(base64.b64encode(k1).decode()).unwrap(KekRef("env", 1), wrapped) == b"x" * 32
    )
    assert base64.b64encode(k1).decode() not in repr(provider)
    assert "2 keys" in repr(provider)


@pytest.mark.parametrize("value", ["", " , ", "not base64!!", base64.b64encode(b"short").decode()])
def test_env_provider_rejects_bad_keys_without_echoing_them(value: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        EnvKeyProvider(value)
    if value.strip(" ,"):
        assert value not in str(info.value)


def test_unknown_kek_is_a_vault_error() -> None:
    provider = EnvKeyProvider(base64.b64encode(os.urandom(32)).decode())
    with pytest.raises(VaultError):
        provider.wrap(KekRef("env", 9), b"x" * 32)
