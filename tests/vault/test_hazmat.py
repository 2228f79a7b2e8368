"""The primitives wrapper against published vectors (NIST CAVP, RFC 5869)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import cryptography_vectors
import pytest

from veil.errors import IntegrityError
from veil.vault import _hazmat

GCM = Path(cryptography_vectors.__file__).parent / "ciphers" / "AES" / "GCM"


def _cases(name: str) -> Iterator[dict[str, str]]:
    """Records of a CAVP .rsp file restricted to 256-bit keys, 96-bit IVs, 128-bit tags."""
    section: dict[str, str] = {}
    case: dict[str, str] | None = None
    for raw in [*(GCM / name).read_text().splitlines(), ""]:
        line = raw.strip()
        if line.startswith("["):
            key, _, value = line.strip("[]").partition("=")
            section[key.strip()] = value.strip()
        elif line == "FAIL" and case is not None:
            case["FAIL"] = "1"
        elif "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            if key.strip() == "Count":
                case = {}
            elif case is not None:
                case[key.strip()] = value.strip()
        elif not line and case is not None:
            wanted = section.get("Keylen") == "256" and section.get("IVlen") == "96"
            if wanted and section.get("Taglen") == "128":
                yield case
            case = None


def _b(hexstr: str) -> bytes:
    return bytes.fromhex(hexstr)


def test_cavp_encrypt_vectors() -> None:
    count = 0
    for case in _cases("gcmEncryptExtIV256.rsp"):
        out = _hazmat.encrypt_with_nonce(
            _b(case["Key"]), _b(case["IV"]), _b(case["PT"]), _b(case["AAD"])
        )
        assert out == _b(case["CT"]) + _b(case["Tag"])
        count += 1
    assert count >= 375  # every 96-bit-IV, 128-bit-tag vector in the file


def test_cavp_decrypt_vectors_including_forgeries() -> None:
    passed = failed = 0
    for case in _cases("gcmDecrypt256.rsp"):
        args = (_b(case["Key"]), _b(case["IV"]), _b(case["CT"]) + _b(case["Tag"]), _b(case["AAD"]))
        if "FAIL" in case:
            with pytest.raises(IntegrityError):
                _hazmat.decrypt(*args)
            failed += 1
        else:
            assert _hazmat.decrypt(*args) == _b(case["PT"])
            passed += 1
    assert passed >= 100
    assert failed >= 100


def test_hkdf_rfc5869_case_2_prefix() -> None:
    okm = _hazmat.derive_key(
        bytes(range(0x00, 0x50)), salt=bytes(range(0x60, 0xB0)), info=bytes(range(0xB0, 0x100))
    )
    assert okm == _b("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c")


def test_seal_round_trip_and_fresh_nonces() -> None:
    key = _hazmat.new_key()
    n1, c1 = _hazmat.seal(key, b"same", b"aad")
    n2, c2 = _hazmat.seal(key, b"same", b"aad")
    assert n1 != n2
    assert c1 != c2
    assert len(n1) == 12
    assert _hazmat.decrypt(key, n1, c1, b"aad") == b"same"
    with pytest.raises(IntegrityError):
        _hazmat.decrypt(key, n1, c1, b"other aad")


@pytest.mark.parametrize(
    "call",
    [
        lambda k: _hazmat.encrypt_with_nonce(k[:16], bytes(12), b"", b""),  # AES-128 refused
        lambda k: _hazmat.encrypt_with_nonce(k, bytes(16), b"", b""),  # long nonce refused
        lambda k: _hazmat.decrypt(k, bytes(12), b"short", b""),
        lambda k: _hazmat.derive_key(k[:16], salt=b"", info=b""),
        lambda k: _hazmat.wrap_key(k, b"not 32 bytes", b""),
        lambda k: _hazmat.unwrap_key(k, b"\x01" + bytes(10), b""),
    ],
)
def test_misuse_is_the_opaque_error(call: object) -> None:
    with pytest.raises(IntegrityError, match=r"^sealed data failed to open$"):
        call(os.urandom(32))  # type: ignore[operator]


def test_wrap_key_binds_context() -> None:
    kek, dek = _hazmat.new_key(), _hazmat.new_key()
    wrapped = _hazmat.wrap_key(kek, dek, b"tenant/subject/1")
    assert len(wrapped) == _hazmat.WRAPPED_KEY_BYTES
    assert _hazmat.unwrap_key(kek, wrapped, b"tenant/subject/1") == dek
    with pytest.raises(IntegrityError):
        _hazmat.unwrap_key(kek, wrapped, b"tenant/subject/2")
    with pytest.raises(IntegrityError):
        _hazmat.unwrap_key(_hazmat.new_key(), wrapped, b"tenant/subject/1")
