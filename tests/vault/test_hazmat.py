"""The primitives wrapper against published vectors (NIST CAVP, RFC 5869)."""

from __future__ import annotations

import os
import random
import threading
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
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


def test_fresh_nonces_never_repeat_across_refills() -> None:
    nonces = [_hazmat.fresh_nonce() for _ in range(5 * _hazmat._NONCE_BLOCK + 7)]
    assert {len(n) for n in nonces} == {_hazmat.NONCE_BYTES}
    assert len(set(nonces)) == len(nonces)


def test_fresh_nonces_are_unique_across_threads() -> None:
    barrier = threading.Barrier(4)

    def draw() -> list[bytes]:
        barrier.wait()
        return [_hazmat.fresh_nonce() for _ in range(3 * _hazmat._NONCE_BLOCK)]

    with ThreadPoolExecutor(4) as pool:
        drawn = [n for batch in pool.map(lambda _: draw(), range(4)) for n in batch]
    assert len(set(drawn)) == len(drawn) == 12 * _hazmat._NONCE_BLOCK


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_does_not_reuse_the_parents_nonces() -> None:
    _hazmat.fresh_nonce()  # the pool now holds nonces the child would inherit
    read, write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (3.12+)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.write(write, b"".join(_hazmat.fresh_nonce() for _ in range(8)))
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        child = pipe.read()
    os.waitpid(pid, 0)
    parent = b"".join(_hazmat.fresh_nonce() for _ in range(8))
    assert len(child) == len(parent) == 8 * _hazmat.NONCE_BYTES
    size = _hazmat.NONCE_BYTES
    assert not {child[i : i + size] for i in range(0, len(child), size)} & {
        parent[i : i + size] for i in range(0, len(parent), size)
    }


SIZES = [0, 1, 64, _hazmat._IN_PLACE_BYTES - 1, _hazmat._IN_PLACE_BYTES, 70_000]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("make", [bytes, bytearray, memoryview])
def test_seal_after_is_head_nonce_and_the_plain_aead(size: int, make: type) -> None:
    key, head, aad = _hazmat.new_key(), b"head-bytes", b"associated"
    plaintext = os.urandom(size)
    sealed = _hazmat.DataKey(key).seal_after(head, make(bytearray(plaintext)), aad)
    assert type(sealed) is bytes
    nonce = sealed[len(head) : len(head) + _hazmat.NONCE_BYTES]
    expected = head + nonce + _hazmat.encrypt_with_nonce(key, nonce, plaintext, aad)
    assert sealed == expected
    assert _hazmat.DataKey(key).open_at(sealed, len(head), aad) == plaintext


@pytest.mark.parametrize("size", [64, 70_000])
def test_open_at_refuses_every_tampering_opaquely(size: int) -> None:
    cipher = _hazmat.DataKey(_hazmat.new_key())
    sealed = cipher.seal_after(b"hd", os.urandom(size), b"aad")
    rng = random.Random(size)
    attempts: list[tuple[bytes, int, bytes]] = [
        (sealed, 2, b"other aad"),
        (sealed, 1, b"aad"),  # the wrong offset
        (sealed, -1, b"aad"),
        (sealed[: 2 + _hazmat.NONCE_BYTES + _hazmat.TAG_BYTES - 1], 2, b"aad"),
        (sealed[:-1], 2, b"aad"),
    ]
    for _ in range(50):
        bit = rng.randrange(16, len(sealed) * 8)  # anything after the 2-byte head
        tampered = bytearray(sealed)
        tampered[bit // 8] ^= 1 << (bit % 8)
        attempts.append((bytes(tampered), 2, b"aad"))
    for data, offset, aad in attempts:
        with pytest.raises(IntegrityError, match=r"^sealed data failed to open$"):
            cipher.open_at(data, offset, aad)
