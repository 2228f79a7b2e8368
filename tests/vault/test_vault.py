"""Vault contract: round trips, bindings, tampering, nonces, counters, erasure."""

from __future__ import annotations

import os
import random
import shutil
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from veil.errors import IntegrityError, SubjectForgottenError, VaultError
from veil.storage import checkpoint
from veil.storage.models import SubjectKey
from veil.vault import Binding, LocalKeyFile, Vault
from veil.vault._hazmat import NONCE_BYTES, TAG_BYTES
from veil.vault.envelope import HEADER_BYTES
from veil.vault.vault import DERIVE_SUBJECT

B = Binding("clinic-1", "subject-1", "conv-1", "<EMAIL_1>")
OPAQUE = "^sealed data failed to open$"


def _assert_opaque(vault: Vault, envelope: bytes, binding: Binding = B) -> None:
    with pytest.raises(IntegrityError, match=OPAQUE) as info:
        vault.open(envelope, binding)
    assert type(info.value) is IntegrityError


@pytest.mark.parametrize("value", ["jane@example.com", "", "Zoë 🙂", b"", b"\x00\xff" * 100])
def test_round_trip_keeps_type(vault: Vault, value: str | bytes) -> None:
    envelope = vault.seal(value, B)
    opened = vault.open(envelope, B)
    assert opened == value
    assert type(opened) is type(value)
    if isinstance(value, str) and value:
        assert value.encode() not in envelope


def test_same_value_seals_differently(vault: Vault) -> None:
    assert vault.seal("x", B) != vault.seal("x", B)


@pytest.mark.parametrize(
    "moved",
    [
        Binding("clinic-2", "subject-1", "conv-1", "<EMAIL_1>"),
        Binding("clinic-1", "subject-2", "conv-1", "<EMAIL_1>"),
        Binding("clinic-1", "subject-1", "conv-2", "<EMAIL_1>"),
        Binding("clinic-1", "subject-1", "conv-1", "<EMAIL_2>"),
        Binding("clinic-1", "subject-1", "conv-1<", "EMAIL_1>"),
    ],
)
def test_envelope_moved_elsewhere_fails(vault: Vault, moved: Binding) -> None:
    vault.seal("other subject exists", moved)  # the target has keys of its own
    _assert_opaque(vault, vault.seal("secret", B), moved)


def test_seal_rejects_other_types(vault: Vault) -> None:
    with pytest.raises(TypeError):
        vault.seal(42, B)  # type: ignore[arg-type]


def test_thousand_single_bit_flips_all_rejected(vault: Vault) -> None:
    envelope = vault.seal("canary-" + "x" * 25, B)
    rng = random.Random(20241123)
    body_end = len(envelope) - TAG_BYTES
    regions = {
        "header": (0, HEADER_BYTES - NONCE_BYTES),
        "nonce": (HEADER_BYTES - NONCE_BYTES, HEADER_BYTES),
        "body": (HEADER_BYTES, body_end),
        "tag": (body_end, len(envelope)),
    }
    flips = 0
    for start, end in regions.values():
        for _ in range(200):
            bit = rng.randrange(start * 8, end * 8)
            tampered = bytearray(envelope)
            tampered[bit // 8] ^= 1 << (bit % 8)
            _assert_opaque(vault, bytes(tampered))
            flips += 1
    # The stored wrapped data key: every flip must be caught by a vault with a cold cache.
    record = vault.store.latest_key(B.tenant, B.subject)
    assert record is not None
    for _ in range(200):
        bit = rng.randrange(len(record.wrapped) * 8)
        tampered = bytearray(record.wrapped)
        tampered[bit // 8] ^= 1 << (bit % 8)
        with vault.store.engine.begin() as conn:
            conn.execute(update(SubjectKey).values(wrapped=bytes(tampered)))
        cold = Vault(vault.store, vault.ledger, vault.keys)
        _assert_opaque(cold, envelope)
        flips += 1
    assert flips == 1000
    with vault.store.engine.begin() as conn:
        conn.execute(update(SubjectKey).values(wrapped=record.wrapped))
    assert Vault(vault.store, vault.ledger, vault.keys).open(envelope, B) == "canary-" + "x" * 25


def test_hundred_thousand_seals_never_repeat_a_nonce(vault: Vault) -> None:
    nonces = set()
    for _ in range(100_000):
        envelope = vault.seal(b"v", B)
        nonces.add(envelope[HEADER_BYTES - NONCE_BYTES : HEADER_BYTES])
    assert len(nonces) == 100_000


def test_seal_counter_forces_new_key_versions(tmp_path: Path) -> None:
    vault = Vault.embedded(tmp_path, max_seals_per_key=5, reserve_block=2)
    envelopes = [vault.seal(f"v{i}", B) for i in range(12)]
    latest = vault.store.latest_key(B.tenant, B.subject)
    assert latest is not None
    assert latest.version == 3
    for version in (1, 2, 3):
        record = vault.store.get_key(B.tenant, B.subject, version)
        assert record is not None
        assert record.seal_count <= 5
    assert [vault.open(e, B) for e in envelopes] == [f"v{i}" for i in range(12)]
    # A restarted process keeps counting from the database, never from zero.
    again = Vault.embedded(tmp_path, max_seals_per_key=5, reserve_block=2)
    for _ in range(4):
        again.seal("more", B)
    versions = [again.store.get_key(B.tenant, B.subject, v) for v in (3, 4)]
    assert all(r is not None and r.seal_count <= 5 for r in versions)
    assert versions[1] is not None


def test_forget_shreds_subject_and_keeps_others(vault: Vault) -> None:
    other = Binding("clinic-1", "subject-2", "conv-1", "<EMAIL_1>")
    mine, theirs = vault.seal("mine", B), vault.seal("theirs", other)
    assert not vault.is_forgotten(B.tenant, B.subject)
    vault.forget(B.tenant, B.subject)
    vault.forget(B.tenant, B.subject)  # idempotent
    assert vault.is_forgotten(B.tenant, B.subject)
    with pytest.raises(SubjectForgottenError):
        vault.open(mine, B)
    with pytest.raises(SubjectForgottenError):
        vault.seal("new value", B)
    assert vault.open(theirs, other) == "theirs"
    assert Vault(vault.store, vault.ledger, vault.keys).open(theirs, other) == "theirs"


def test_forget_reaches_other_processes_after_cache_ttl(vault: Vault) -> None:
    now = [0.0]
    other = Vault(vault.store, vault.ledger, vault.keys, key_cache_seconds=5, clock=lambda: now[0])
    envelope = vault.seal("x", B)
    assert other.open(envelope, B) == "x"
    vault.forget(B.tenant, B.subject)
    now[0] = 6.0
    with pytest.raises(SubjectForgottenError):
        other.open(envelope, B)


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()}


def test_forget_survives_restoring_a_pre_erasure_backup(tmp_path: Path) -> None:
    home = tmp_path / "vault"
    canary = "CANARY-7f3a-jane.doe@example.org"
    vault = Vault.embedded(home)
    gone = vault.seal(canary, B)
    vault.store.put_token(B.tenant, B.record, B.subject, B.field, "EMAIL", gone)
    other = Binding(B.tenant, "subject-2", B.record, "<EMAIL_2>")
    vault.store.put_token(
        B.tenant, B.record, other.subject, other.field, "EMAIL", vault.seal("kept", other)
    )
    checkpoint(vault.store.engine)
    backup = tmp_path / "backup.db"
    shutil.copy(home / "veil.db", backup)

    vault.forget(B.tenant, B.subject)
    vault.store.engine.dispose()
    vault.ledger.engine.dispose()
    for name, raw in {**_files(home), "backup.db": backup.read_bytes()}.items():
        assert canary.encode() not in raw, name
        assert canary.encode("utf-16-le") not in raw, name

    # Restore the old database next to the current ledger and key file.
    for leftover in home.glob("veil.db-*"):
        leftover.unlink()
    shutil.copy(backup, home / "veil.db")
    restored = Vault.embedded(home)
    entries = {t.token: t for t in restored.store.get_tokens(B.tenant, B.record)}
    assert set(entries) == {B.field, other.field}  # the old rows are back ...
    with pytest.raises(SubjectForgottenError):  # ... but the tombstone list refuses them,
        restored.open(entries[B.field].envelope, B)
    assert restored.open(entries[other.field].envelope, other) == "kept"
    # ... and even skipping that check, no key the system still holds opens them.
    record = restored.store.latest_key(B.tenant, B.subject)
    assert record is not None
    assert _try_every_key(restored, record.wrapped, record, entries[B.field].envelope) == 0


def _try_every_key(vault: Vault, wrapped: bytes, record: object, envelope: bytes) -> int:
    """Count how many (ledger secret, KEK) pairs open the envelope: must be zero."""
    from sqlalchemy import select

    from veil.storage.models import LedgerSecret
    from veil.vault import _hazmat
    from veil.vault.datakeys import DataKeys
    from veil.vault.envelope import Envelope
    from veil.vault.keys import KekRef

    with vault.ledger.engine.connect() as conn:
        secrets = [bytes(s) for s in conn.execute(select(LedgerSecret.secret)).scalars()]
    assert secrets, "the other subject's secret must still exist"
    opened = 0
    parsed = Envelope.parse(envelope)
    keks: list[KekRef] = list(vault.keys.keks())
    probe = DataKeys(
        vault.store,
        vault.ledger,
        vault.keys,
        max_seals=1,
        reserve_block=1,
        cache_seconds=0,
        clock=lambda: 0.0,
    )
    for secret in [*secrets, bytes(32), os.urandom(32)]:
        swk, aad = probe._outer(secret, record)  # type: ignore[arg-type]
        try:
            inner = _hazmat.decrypt(swk, wrapped[1:13], wrapped[13:], b"\x01" + aad)
        except IntegrityError:
            continue
        for kek in keks:
            try:
                dek = vault.keys.unwrap(kek, inner)
                _hazmat.decrypt(dek, parsed.nonce, parsed.body, parsed.aad(B))
                opened += 1
            except IntegrityError:
                pass
    for kek in keks:  # the KEK alone, ignoring the ledger layer entirely
        with pytest.raises(IntegrityError):
            vault.keys.unwrap(kek, wrapped)
    return opened


_ids = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=12)


@pytest.fixture(scope="module")
def shared_vault(tmp_path_factory: pytest.TempPathFactory) -> Vault:
    return Vault.embedded(tmp_path_factory.mktemp("prop"))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    value=st.one_of(st.text(), st.binary(max_size=2048)),
    tenant=st.sampled_from(["t1", "t2"]),
    subject=_ids,
    record=st.text(max_size=12),
    field=st.text(max_size=12),
)
def test_round_trip_property(
    shared_vault: Vault, value: str | bytes, tenant: str, subject: str, record: str, field: str
) -> None:
    binding = Binding(tenant, subject, record, field)
    envelope = shared_vault.seal(value, binding)
    assert shared_vault.open(envelope, binding) == value
    with pytest.raises(IntegrityError):
        shared_vault.open(envelope, Binding(tenant, subject, record + "\x00", field))


def test_vault_on_postgres(tmp_path: Path) -> None:
    url = os.environ.get("VEIL_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("VEIL_TEST_POSTGRES_URL is not set")
    import uuid

    import sqlalchemy as sa

    from veil.storage import ErasureLedger, Store, migrate, open_engine
    from veil.vault import LocalKeyFile

    schema = f"veil_t_{uuid.uuid4().hex[:16]}"
    main, ledger = open_engine(url, schema=schema), open_engine(url, schema=schema + "_l")
    try:
        migrate(main, "core")
        migrate(ledger, "ledger")
        vault = Vault(Store(main), ErasureLedger(ledger), LocalKeyFile(tmp_path / "k"))
        envelope = vault.seal("on postgres", B)
        assert vault.open(envelope, B) == "on postgres"
        vault.forget(B.tenant, B.subject)
        with pytest.raises(SubjectForgottenError):
            vault.open(envelope, B)
    finally:
        main.dispose()
        ledger.dispose()
        admin = sa.create_engine(url)
        with admin.begin() as conn:
            for name in (schema, schema + "_l"):
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


def test_embedded_files_are_private(tmp_path: Path) -> None:
    vault = Vault.embedded(tmp_path)
    vault.seal("x", B)
    for path in tmp_path.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path.name


# -- derived tenant keys -------------------------------------------------------------


def test_derive_key_is_deterministic_per_tenant_and_purpose(tmp_path: Path) -> None:
    vault = Vault.embedded(tmp_path / "v")
    key = vault.derive_key("clinic-1", "pseudonym-key/v1")
    assert len(key) == 32
    assert vault.derive_key("clinic-1", "pseudonym-key/v1") == key
    # Another process on the same vault derives the same key from the stored secret.
    assert Vault.embedded(tmp_path / "v").derive_key("clinic-1", "pseudonym-key/v1") == key
    others = {
        vault.derive_key("clinic-2", "pseudonym-key/v1"),
        vault.derive_key("clinic-1", "pseudonym-key/v2"),
        vault.derive_key("clinic-1", "search-index"),
        # Fields are length-prefixed: shifting a character between them changes the key.
        vault.derive_key("clinic-1p", "seudonym-key/v1"),
        Vault.embedded(tmp_path / "elsewhere").derive_key("clinic-1", "pseudonym-key/v1"),
    }
    assert key not in others
    assert len(others) == 5
    with pytest.raises(ValueError, match="non-empty"):
        vault.derive_key("clinic-1", "")


def test_derived_keys_survive_rewrap_and_are_never_stored(tmp_path: Path) -> None:
    home = tmp_path / "v"
    vault = Vault.embedded(home)
    keys = {t: vault.derive_key(t, "p") for t in ("clinic-1", "clinic-2")}
    assert isinstance(vault.keys, LocalKeyFile)
    old = vault.keys.keks()[0]
    new = vault.keys.add_kek()
    assert vault.rewrap() == 2  # one wrapped secret per tenant, moved like any DEK
    assert vault.store.count_keys_under(old.id, old.version) == 0
    vault.keys.retire(old)
    fresh = Vault.embedded(home)
    assert fresh.keys.keks() == (new,)
    assert {t: fresh.derive_key(t, "p") for t in keys} == keys
    checkpoint(fresh.store.engine)
    for name, raw in _files(home).items():
        for key in keys.values():
            assert key not in raw, name


def test_the_derivation_subject_never_seals(vault: Vault) -> None:
    vault.derive_key("clinic-1", "p")
    reserved = Binding("clinic-1", DERIVE_SUBJECT, "conv-1", "<EMAIL_1>")
    with pytest.raises(VaultError):
        vault.seal("x", reserved)
    with pytest.raises(VaultError):
        vault.open(vault.seal("x", B), reserved)
