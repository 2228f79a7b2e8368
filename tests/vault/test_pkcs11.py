"""The HSM provider against a real SoftHSM2 token initialised in a temporary directory."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from veil.errors import IntegrityError, VaultError
from veil.vault import Binding, KekRef, Vault
from veil.vault.pkcs11 import Pkcs11KeyProvider

LIB = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "5678"

pytestmark = pytest.mark.skipif(
    not Path(LIB).exists(),
    reason=f"SoftHSM2 not installed ({LIB} absent): apt-get install softhsm2",
)


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh token. SoftHSM reads SOFTHSM2_CONF once per process, so the whole module
    shares one configuration; each test uses its own key label."""
    util = shutil.which("softhsm2-util")
    assert util, "softhsm2-util ships with the softhsm2 package"
    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        [util, "--init-token", "--free", "--label", "veil-test", "--so-pin", "1234", "--pin", PIN],
        check=True,
        capture_output=True,
    )
    yield "veil-test"
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def _provider(token: str, label: str) -> Pkcs11KeyProvider:
    return Pkcs11KeyProvider(LIB, token, PIN, label)


def test_wrap_unwrap_inside_the_token(token: str) -> None:
    provider = _provider(token, "kek-a")
    with pytest.raises(VaultError, match="add_kek"):
        provider.keks()
    ref = provider.add_kek()
    assert ref == KekRef("kek-a", 1)
    assert provider.keks() == (ref,)
    dek = os.urandom(32)
    wrapped = provider.wrap(ref, dek)
    assert dek not in wrapped
    assert len(wrapped) == 40
    assert provider.unwrap(ref, wrapped) == dek
    for index in (0, 17, 39):
        tampered = bytearray(wrapped)
        tampered[index] ^= 0x10
        with pytest.raises(IntegrityError):
            provider.unwrap(ref, bytes(tampered))
    with pytest.raises(VaultError):
        provider.unwrap(KekRef("kek-a", 9), wrapped)
    provider.close()
    assert _provider(token, "kek-a").unwrap(ref, wrapped) == dek  # the KEK persisted
    assert PIN not in repr(provider)


def test_kek_cannot_be_extracted(token: str) -> None:
    from pkcs11 import Attribute

    provider = _provider(token, "kek-b")
    ref = provider.add_kek()
    key = provider._material()[ref]
    assert key[Attribute.SENSITIVE] is True
    assert key[Attribute.EXTRACTABLE] is False


def test_vault_with_hsm_rotation(token: str, tmp_path: Path) -> None:
    provider = _provider(token, "kek-c")
    old = provider.add_kek()
    embedded = Vault.embedded(tmp_path)
    vault = Vault(embedded.store, embedded.ledger, provider)
    binding = Binding("t", "s", "r", "f")
    envelope = vault.seal("held by the HSM", binding)
    new = provider.add_kek()
    assert vault.rewrap() == 1
    assert vault.store.count_keys_under(old.id, old.version) == 0
    assert vault.store.count_keys_under(new.id, new.version) == 1
    cold = Vault(embedded.store, embedded.ledger, _provider(token, "kek-c"))
    assert cold.open(envelope, binding) == "held by the HSM"
