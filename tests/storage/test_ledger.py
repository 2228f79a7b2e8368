"""Contract suite for the erasure ledger, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

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
