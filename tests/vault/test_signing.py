"""Ed25519 checkpoint signing: the key file and signature checks."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from veil.errors import ConfigurationError
from veil.vault import CheckpointSigner, verify_signature


def test_key_file_is_created_0600_and_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "audit-signing.key"
    first = CheckpointSigner.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = CheckpointSigner.load_or_create(path)
    assert first.public_key_bytes() == second.public_key_bytes()
    assert len(first.public_key_bytes()) == 32
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    assert first.public_key_bytes().hex()[:16] in repr(first)
    assert json.loads(path.read_text())["key"] not in repr(first)


def test_sign_and_verify(tmp_path: Path) -> None:
    signer = CheckpointSigner.load_or_create(tmp_path / "k")
    sig = signer.sign(b"checkpoint")
    assert len(sig) == 64
    public = signer.public_key_bytes()
    assert verify_signature(public, b"checkpoint", sig)
    assert not verify_signature(public, b"checkpoinT", sig)
    assert not verify_signature(public, b"checkpoint", sig[:-1] + bytes([sig[-1] ^ 1]))
    assert not verify_signature(CheckpointSigner.generate().public_key_bytes(), b"checkpoint", sig)
    assert not verify_signature(public[:31], b"checkpoint", sig)
    assert not verify_signature(b"\xff" * 32, b"checkpoint", sig)


def test_rfc8032_vector() -> None:
    # RFC 8032, section 7.1, TEST 1 (empty message)
    secret = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    signer = CheckpointSigner(secret)
    assert signer.public_key_bytes().hex() == (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    )
    assert signer.sign(b"").hex().startswith("e5564300c360ac729086e2cc806e828a")


def test_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k"
    CheckpointSigner.load_or_create(path)
    os.chmod(path, 0o644)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        CheckpointSigner.load_or_create(path)


@pytest.mark.parametrize("content", ["", "{}", '{"format": "veil.ed25519.v1", "key": "AAAA"}'])
def test_malformed_key_file_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "k"
    path.write_text(content)
    os.chmod(path, 0o600)
    with pytest.raises(ConfigurationError, match="malformed"):
        CheckpointSigner.load_or_create(path)


def test_racing_creators_end_with_one_key(tmp_path: Path) -> None:
    path = tmp_path / "k"
    keys: list[bytes] = []
    barrier = threading.Barrier(8)

    def create() -> None:
        barrier.wait()
        keys.append(CheckpointSigner.load_or_create(path).public_key_bytes())

    threads = [threading.Thread(target=create) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 8
    assert len(set(keys)) == 1
