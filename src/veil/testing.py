"""Public test helpers for integrators and for veil's own tests.

Canary values are unique, valid-looking personal data: seed them into inputs, then
grep every output, log, metric and error for them. Each call returns a new value.
"""

from __future__ import annotations

import secrets
import string
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from stdnum import iban as _iban
from stdnum import luhn

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = [
    "canary_card",
    "canary_email",
    "canary_iban",
    "canary_person",
    "canary_phone",
    "canary_ssn",
    "scratch_engine",
]

_SYLLABLES = ("ka", "lo", "mi", "ra", "ven", "to", "sa", "ni", "dor", "el", "vi", "quor")


def _token(n: int = 8) -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(n))


def canary_email() -> str:
    """A unique address on the reserved ``example.org`` domain."""
    return f"canary.{_token()}@example.org"


def canary_person() -> str:
    """A unique, pronounceable two-part name, e.g. ``Kaloven Ranisa``."""

    def part() -> str:
        return "".join(secrets.choice(_SYLLABLES) for _ in range(3)).capitalize()

    return f"{part()} {part()}"


def canary_card() -> str:
    """A unique Luhn-valid 16-digit Visa-range number, grouped in fours."""
    body = "4" + "".join(secrets.choice(string.digits) for _ in range(14))
    number = body + luhn.calc_check_digit(body)
    return " ".join(number[i : i + 4] for i in range(0, 16, 4))


def canary_iban() -> str:
    """A unique German IBAN with a valid mod-97 checksum, grouped in fours."""
    bban = "".join(secrets.choice(string.digits) for _ in range(18))
    check = _iban.calc_check_digits("DE00" + bban)
    compact = f"DE{check}{bban}"
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def canary_phone() -> str:
    """A unique UK mobile number in international format (07700 900xxx is reserved)."""
    return f"+44 7700 900{secrets.randbelow(1000):03d}"


def canary_ssn() -> str:
    """A unique US SSN that passes the SSA format rules."""
    area = secrets.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{secrets.randbelow(99) + 1:02d}-{secrets.randbelow(9999) + 1:04d}"


@contextmanager
def scratch_engine(
    directory: Path, name: str, *, postgres_url: str | None = None, durable: bool = False
) -> Iterator[Engine]:
    """A throw-away database for one test: an SQLite file ``<name>.db`` in
    ``directory``, or, with ``postgres_url``, a fresh schema on that server, dropped
    afterwards (so parallel runs never collide)."""
    import sqlalchemy as sa

    from veil.storage import open_engine

    if postgres_url is None:
        engine = open_engine(f"sqlite:///{directory / name}.db", durable=durable)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    schema = f"veil_t_{uuid.uuid4().hex[:16]}"
    engine = open_engine(postgres_url, schema=schema)
    try:
        yield engine
    finally:
        engine.dispose()
        admin = sa.create_engine(postgres_url)
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
