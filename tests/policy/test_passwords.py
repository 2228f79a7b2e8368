"""Passwords: argon2id, the length policy, rehash on parameter change, timing parity."""

from __future__ import annotations

import time

import pytest
from argon2 import PasswordHasher

from veil.errors import InputError
from veil.policy.passwords import Passwords

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class CountingHasher(PasswordHasher):
    """A real argon2 hasher that also counts verifications."""

    verifications = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        CountingHasher.verifications += 1
        return super().verify(hash, password)


def test_hashes_are_argon2id_and_verify() -> None:
    passwords = Passwords(CHEAP)
    stored = passwords.hash("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert passwords.verify(stored, "correct horse battery")
    assert not passwords.verify(stored, "correct horse batterY")
    assert passwords.hash("correct horse battery") != stored  # salted


def test_length_policy() -> None:
    passwords = Passwords(CHEAP)
    with pytest.raises(InputError, match="at least 12"):
        passwords.hash("short pass1")
    with pytest.raises(InputError, match="at most 256"):
        passwords.hash("x" * 257)
    passwords.check_policy("twelve chars")
    with pytest.raises(ValueError, match="min_length"):
        Passwords(CHEAP, min_length=10, max_length=5)


def test_unicode_is_normalized() -> None:
    passwords = Passwords(CHEAP)
    stored = passwords.hash("ｃｏｒｒｅｃｔ horse battery")  # fullwidth letters
    assert passwords.verify(stored, "correct horse battery")


def test_unreadable_hash_is_a_mismatch() -> None:
    passwords = Passwords(CHEAP)
    assert not passwords.verify("not a hash", "correct horse battery")
    assert passwords.needs_rehash("not a hash")


def test_rehash_when_parameters_change() -> None:
    old = Passwords(CHEAP).hash("correct horse battery")
    stronger = Passwords(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    assert stronger.verify(old, "correct horse battery")  # old hashes keep working
    assert stronger.needs_rehash(old)
    new = stronger.rehash("correct horse battery")
    assert not stronger.needs_rehash(new)
    assert stronger.verify(new, "correct horse battery")
    assert not Passwords(CHEAP).needs_rehash(old)


def test_unknown_users_cost_a_real_verification() -> None:
    hasher = CountingHasher(time_cost=2, memory_cost=16 * 1024, parallelism=1)
    passwords = Passwords(hasher)
    stored = passwords.hash("correct horse battery")
    CountingHasher.verifications = 0
    assert not passwords.verify(None, "correct horse battery")
    assert not passwords.verify(None, "something else entirely")
    assert CountingHasher.verifications == 2  # a dummy hash was verified each time

    def timed(stored_hash: str | None) -> float:
        runs = []
        for _ in range(7):
            start = time.perf_counter()
            passwords.verify(stored_hash, "wrong password here")
            runs.append(time.perf_counter() - start)
        return sorted(runs)[3]

    known, unknown = timed(stored), timed(None)
    assert 1 / 3 < unknown / known < 3  # same parameters, same cost (loose: shared CPUs)
