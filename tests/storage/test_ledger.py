"""Contract suite for the erasure ledger, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from veil.errors import SubjectForgottenError
from veil.storage import ErasureLedger

DIGEST = b"\x01" * 32


def test_secret_is_created_once_and_stable(ledger: ErasureLedger) -> None:
    assert ledger.secret("t", "s", DIGEST, create=False) is None
    first = ledger.secret("t", "s", DIGEST, create=True)
    assert first is not None
    assert len(first) == 32
    assert ledger.secret("t", "s", DIGEST, create=True) == first
    assert ledger.secret("t", "s", DIGEST, create=False) == first
    other = ledger.secret("t", "s2", b"\x02" * 32, create=True)
    assert other is not None
    assert other != first


def test_erase_destroys_secret_and_blocks_recreation(ledger: ErasureLedger) -> None:
    ledger.secret("t", "s", DIGEST, create=True)
    assert not ledger.is_erased(DIGEST)
    ledger.erase("t", "s", DIGEST)
    ledger.erase("t", "s", DIGEST)  # idempotent
    assert ledger.is_erased(DIGEST)
    with pytest.raises(SubjectForgottenError):
        ledger.secret("t", "s", DIGEST, create=False)
    with pytest.raises(SubjectForgottenError):
        ledger.secret("t", "s", DIGEST, create=True)


# A file-level check: it only has a meaning for SQLite, so only that backend runs it.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_erased_secret_is_gone_from_the_sqlite_files(ledger: ErasureLedger, backend: str) -> None:
    secret = ledger.secret("t", "s", DIGEST, create=True)
    assert secret is not None
    ledger.secret("t", "other", b"\x03" * 32, create=True)
    ledger.erase("t", "s", DIGEST)
    ledger.engine.dispose()
    path = Path(str(ledger.engine.url.database))
    for candidate in path.parent.glob(path.name + "*"):
        assert secret not in candidate.read_bytes(), candidate.name


def _secret_rows(ledger: ErasureLedger) -> int:
    with ledger.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM ledger_secrets").scalar_one())


def test_a_tombstoned_subject_never_gets_a_secret_row(ledger: ErasureLedger) -> None:
    ledger.erase("t", "never-sealed", DIGEST)  # forgotten before its first seal
    with pytest.raises(SubjectForgottenError):
        ledger.secret("t", "never-sealed", DIGEST, create=True)
    assert _secret_rows(ledger) == 0


def test_the_tombstone_wins_over_a_leftover_secret(ledger: ErasureLedger) -> None:
    """A secret next to its tombstone (only a restored or hand-edited ledger holds
    both) is refused on every path, never handed out."""
    ledger.secret("t", "s", DIGEST, create=True)
    with ledger.engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO ledger_erasures (digest, forgotten_at) VALUES (:d, :at)"),
            {"d": DIGEST, "at": datetime.now(UTC)},
        )
    for create in (False, True):
        with pytest.raises(SubjectForgottenError):
            ledger.secret("t", "s", DIGEST, create=create)


def test_a_created_secret_is_committed_before_it_is_returned(ledger: ErasureLedger) -> None:
    secret = ledger.secret("t", "s", DIGEST, create=True)
    other = ErasureLedger(ledger.engine)  # nothing shared but the database
    with other.engine.connect() as conn:
        stored = conn.exec_driver_sql(
            "SELECT secret FROM ledger_secrets WHERE tenant = 't' AND subject = 's'"
        ).scalar_one()
    assert bytes(stored) == secret


def test_racing_creators_all_get_the_one_secret(ledger: ErasureLedger) -> None:
    barrier = threading.Barrier(6)

    def create(_: int) -> bytes | None:
        barrier.wait()
        return ledger.secret("t", "raced", DIGEST, create=True)

    with ThreadPoolExecutor(6) as pool:
        found = list(pool.map(create, range(6)))
    assert found[0] is not None
    assert found == [found[0]] * 6
    assert _secret_rows(ledger) == 1
