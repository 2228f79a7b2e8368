"""The throughput work keeps the format and the guarantees: byte-identical envelopes,
cached keys that still honour erasure and counters, and copy-free inputs."""

from __future__ import annotations

import dataclasses
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from veil.errors import IntegrityError, SubjectForgottenError
from veil.vault import Binding, Vault, _hazmat, datakeys
from veil.vault.datakeys import DataKeys
from veil.vault.envelope import (
    FORMAT_BYTES,
    FORMAT_TEXT,
    HEADER_BYTES,
    LEGACY_FORMAT,
    PREFIX_BYTES,
    Envelope,
    encode_fields,
    key_prefix,
    unpack,
)

B = Binding("clinic-1", "subject-1", "conv-1", "<EMAIL_1>")


def _dek(vault: Vault, version: int = 1) -> bytes:
    rec = vault.store.get_key(B.tenant, B.subject, version)
    assert rec is not None
    return vault._dek._unwrap(rec)


def test_binding_encoding_is_cached_and_canonical() -> None:
    expected = encode_fields("veil.binding.v1", "clinic-1", "subject-1", "conv-1", "<EMAIL_1>")
    assert B.encode() == expected
    moved = dataclasses.replace(B, record="conv-2")
    assert moved.encode() == encode_fields(
        "veil.binding.v1", "clinic-1", "subject-1", "conv-2", "<EMAIL_1>"
    )
    assert Binding("clinic-1", "subject-1", "conv-1", "<EMAIL_1>") == B
    assert hash(B) == hash(Binding("clinic-1", "subject-1", "conv-1", "<EMAIL_1>"))
    assert "_encoded" not in repr(B)


@pytest.mark.parametrize(
    "value", ["jane@example.com", b"\x00\xff" * 40, "é" * 8192, b"x" * 16_384, b"x" * 70_000]
)
def test_envelope_is_the_documented_format(vault: Vault, value: str | bytes) -> None:
    """Open the vault's output with the reference parser and the module-level AEAD."""
    envelope = vault.seal(value, B)
    parsed = Envelope.parse(envelope)
    assert parsed.to_bytes() == envelope
    fmt = FORMAT_TEXT if isinstance(value, str) else FORMAT_BYTES
    assert parsed.format == fmt
    assert envelope[:PREFIX_BYTES] == key_prefix(parsed.key_id, parsed.key_version, fmt)
    plain = _hazmat.decrypt(_dek(vault), parsed.nonce, parsed.body, parsed.aad(B))
    assert plain == (value.encode() if isinstance(value, str) else value)
    # And the other way round: an envelope built by the reference code opens.
    nonce, body = _hazmat.seal(_dek(vault), plain, parsed.aad(B))
    again = Envelope(parsed.key_id, parsed.key_version, nonce, body, fmt).to_bytes()
    assert vault.open(again, B) == value
    # Format 1 (kind byte in the plaintext) still opens.
    legacy_plain = (b"\x01" + value.encode()) if isinstance(value, str) else b"\x00" + value
    legacy = Envelope(parsed.key_id, parsed.key_version, b"", b"", LEGACY_FORMAT)
    nonce, body = _hazmat.seal(_dek(vault), legacy_plain, legacy.aad(B))
    legacy = dataclasses.replace(legacy, nonce=nonce, body=body)
    assert vault.open(legacy.to_bytes(), B) == value


def test_the_format_byte_is_authenticated(vault: Vault) -> None:
    envelope = bytearray(vault.seal("Zoë", B))
    envelope[0] = FORMAT_BYTES  # claim the text is bytes
    with pytest.raises(IntegrityError, match=r"^sealed data failed to open$"):
        vault.open(bytes(envelope), B)


@pytest.mark.parametrize("make", [bytearray, memoryview])
def test_bytes_like_values_and_envelopes(vault: Vault, make: type) -> None:
    buffer = bytearray(b"secret bytes")
    envelope = vault.seal(make(buffer), B)
    assert vault.open(envelope, B) == b"secret bytes"
    assert type(vault.open(make(bytearray(envelope)), B)) is bytes


def test_str_subclass_is_sealed_as_text(vault: Vault) -> None:
    class Name(str):
        pass

    opened = vault.open(vault.seal(Name("Zoë"), B), B)
    assert opened == "Zoë"
    assert type(opened) is str


@pytest.mark.parametrize(
    "raw", [b"", b"\x01" * 10, b"\x09" + bytes(40), "text", bytes(HEADER_BYTES + 15)]
)
def test_unpack_rejects_malformed_envelopes_opaquely(raw: object) -> None:
    with pytest.raises(IntegrityError, match=r"^sealed data failed to open$"):
        unpack(raw)  # type: ignore[arg-type]


def test_data_key_matches_module_functions_and_hides_key() -> None:
    key = _hazmat.new_key()
    cipher = _hazmat.DataKey(key)
    sealed = cipher.seal_after(b"...", b"value", b"aad")
    nonce, body = sealed[3:15], sealed[15:]
    assert _hazmat.decrypt(key, nonce, body, b"aad") == b"value"
    assert cipher.open_at(sealed, 3, b"aad") == b"value"
    for args in [(sealed, 3, b"other"), (sealed, 2, b"aad"), (sealed[:30], 3, b"aad")]:
        with pytest.raises(IntegrityError, match=r"^sealed data failed to open$"):
            cipher.open_at(*args)
    assert key.hex() not in repr(cipher)
    with pytest.raises(IntegrityError):
        _hazmat.DataKey(key[:16])  # AES-128 stays refused


def _counting(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = DataKeys._unwrap

    def unwrap(self: DataKeys, rec: object, *secret: object) -> bytes:
        calls.append(1)
        return real(self, rec, *secret)  # type: ignore[arg-type]

    monkeypatch.setattr(DataKeys, "_unwrap", unwrap)
    return calls


def test_busy_key_gets_growing_blocks_without_reunwrapping(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = Vault.embedded(tmp_path, reserve_block=2)
    unwraps = _counting(vault, monkeypatch)
    counts = []
    for _ in range(600):
        vault.seal("v", B)
        rec = vault.store.get_key(B.tenant, B.subject, 1)
        assert rec is not None
        counts.append(rec.seal_count)
    reserved = sorted(set(counts))
    steps = [b - a for a, b in zip([0, *reserved], reserved, strict=False)]
    assert steps[:7] == [2, 4, 8, 16, 32, 64, 128]
    assert max(steps) == 128  # capped at 64 x reserve_block
    assert all(sealed <= count for sealed, count in zip(range(1, 601), counts, strict=True))
    assert unwraps == []  # the DEK created here is reused for every block


def test_expired_cache_unwraps_again_and_restarts_small(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [0.0]
    base = Vault.embedded(tmp_path)
    vault = Vault(
        base.store,
        base.ledger,
        base.keys,
        reserve_block=2,
        key_cache_seconds=5,
        clock=lambda: now[0],
    )
    unwraps = _counting(vault, monkeypatch)
    for _ in range(7):  # blocks 2 + 4 + 8
        vault.seal("v", B)
    now[0] = 6.0
    vault.seal("v", B)
    assert len(unwraps) == 1
    rec = vault.store.get_key(B.tenant, B.subject, 1)
    assert rec is not None
    assert rec.seal_count == 2 + 4 + 8 + 2


def test_block_renewal_still_sees_erasure_by_another_process(tmp_path: Path) -> None:
    vault = Vault.embedded(tmp_path, reserve_block=3)
    other = Vault(vault.store, vault.ledger, vault.keys)
    for _ in range(3):
        vault.seal("v", B)
    other.forget(B.tenant, B.subject)
    with pytest.raises(SubjectForgottenError):
        vault.seal("v", B)  # the block ran out: the renewal checks the ledger


def test_concurrent_seals_are_all_counted_and_use_distinct_nonces(tmp_path: Path) -> None:
    """The sealing fast path takes no lock: every seal must still come out of a block
    reserved in the database, and no two seals may share a nonce."""
    vault = Vault.embedded(tmp_path, reserve_block=3)
    barrier = threading.Barrier(4)

    def seal_many(_: int) -> list[bytes]:
        barrier.wait()
        return [vault.seal(b"v", B) for _ in range(400)]

    with ThreadPoolExecutor(4) as pool:
        envelopes = [e for batch in pool.map(seal_many, range(4)) for e in batch]
    rec = vault.store.get_key(B.tenant, B.subject, 1)
    assert rec is not None
    assert rec.seal_count >= len(envelopes) == 1600
    assert len({e[PREFIX_BYTES:HEADER_BYTES] for e in envelopes}) == 1600
    assert all(vault.open(e, B) == b"v" for e in envelopes[::97])


def test_opening_cache_expires_and_rechecks_erasure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [0.0]
    base = Vault.embedded(tmp_path)
    envelope = base.seal("v", B)
    vault = Vault(base.store, base.ledger, base.keys, key_cache_seconds=5, clock=lambda: now[0])
    unwraps = _counting(vault, monkeypatch)
    for _ in range(3):
        assert vault.open(envelope, B) == "v"
    assert len(unwraps) == 1  # cached
    now[0] = 5.0
    assert vault.open(envelope, B) == "v"
    assert len(unwraps) == 1  # still within key_cache_seconds
    base.forget(B.tenant, B.subject)  # another process: this vault's cache is stale
    now[0] = 5.5
    with pytest.raises(SubjectForgottenError):
        vault.open(envelope, B)  # expired: the reload checks the ledger first
    assert len(unwraps) == 1


def test_a_foreign_key_id_is_refused_from_the_cache(vault: Vault) -> None:
    envelope = bytearray(vault.seal("v", B))
    assert vault.open(bytes(envelope), B) == "v"  # the key is now cached
    envelope[1] ^= 0x01  # key id: same version, another id
    with pytest.raises(IntegrityError, match=r"^sealed data failed to open$"):
        vault.open(bytes(envelope), B)


def test_the_opening_cache_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datakeys, "_CACHE_ENTRIES", 3)
    vault = Vault.embedded(tmp_path)
    bindings = [dataclasses.replace(B, subject=f"s{i}") for i in range(5)]
    envelopes = [vault.seal("v", b) for b in bindings]
    fresh = Vault(vault.store, vault.ledger, vault.keys)
    unwraps = _counting(fresh, monkeypatch)
    for envelope, binding in zip(envelopes, bindings, strict=True):
        assert fresh.open(envelope, binding) == "v"
    assert len(fresh._dek._opening) == 3
    assert [slot[1] for slot in fresh._dek._opening] == ["s2", "s3", "s4"]
    assert fresh.open(envelopes[0], bindings[0]) == "v"  # evicted: loaded again
    assert len(unwraps) == 6


def test_large_envelopes_refuse_bit_flips_anywhere(vault: Vault) -> None:
    """A large body is opened through a view rather than a copy: still all-or-nothing."""
    envelope = vault.seal(b"\x5a" * 70_000, B)
    rng = random.Random(7)
    for start, end in [(0, PREFIX_BYTES), (PREFIX_BYTES, HEADER_BYTES), (HEADER_BYTES, None)]:
        stop = len(envelope) if end is None else end
        for _ in range(20):
            bit = rng.randrange(start * 8, stop * 8)
            tampered = bytearray(envelope)
            tampered[bit // 8] ^= 1 << (bit % 8)
            with pytest.raises(IntegrityError, match=r"^sealed data failed to open$"):
                vault.open(bytes(tampered), B)
    assert vault.open(envelope, B) == b"\x5a" * 70_000
