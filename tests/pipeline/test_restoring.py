"""``Restorer``: one audit call per reply, before the first restored value leaves."""

from __future__ import annotations

import pytest

from veil.core import EntityType
from veil.pipeline import Restorer
from veil.transform import TokenEntry, TokenMap


class _Refused(Exception):
    pass


def _map() -> TokenMap:
    return TokenMap([TokenEntry("[EMAIL_1]", "jane@example.org", EntityType.EMAIL, "id-1", "tag")])


def test_audit_runs_once_at_the_first_restored_value() -> None:
    calls: list[int] = []
    restorer = Restorer(_map(), calls.append)
    assert restorer.text("nothing here") == "nothing here"
    assert calls == []
    assert restorer.text("to [EMAIL_1]") == "to jane@example.org"
    assert restorer.text("again [EMAIL_1]") == "again jane@example.org"
    assert calls == [1]


def test_a_refusing_audit_withholds_the_value_and_is_retried() -> None:
    attempts: list[int] = []

    def refuse(count: int) -> None:
        attempts.append(count)
        raise _Refused

    restorer = Restorer(_map(), refuse)
    for _ in range(2):
        with pytest.raises(_Refused):
            restorer.text("to [EMAIL_1]")
    assert attempts == [1, 1]


def test_a_stream_is_audited_before_its_first_chunk() -> None:
    calls: list[int] = []
    pulled: list[str] = []

    def chunks() -> list[str]:
        pulled.append("x")
        return ["to [EMA", "IL_1]!"]

    restorer = Restorer(_map(), calls.append)
    stream = restorer.stream(chunks())
    assert calls == [1]
    assert "".join(stream) == "to jane@example.org!"
    assert Restorer(TokenMap([]), calls.append).text("[EMAIL_1]") == "[EMAIL_1]"
    assert calls == [1]


def test_a_deferred_restore_is_settled_by_the_caller_or_flushed() -> None:
    calls: list[int] = []
    restorer = Restorer(_map(), calls.append, deferred=True)
    assert restorer.text("to [EMAIL_1]") == "to jane@example.org"
    assert calls == []  # the caller records it with the reply it stores
    assert restorer.settle() == 1
    restorer.flush()
    assert calls == []
    unsettled = Restorer(_map(), calls.append, deferred=True)
    unsettled.text("[EMAIL_1]")
    unsettled.flush()  # nobody settled it: audited on its own
    assert calls == [1]


def test_a_deferred_restorer_still_audits_a_stream_up_front() -> None:
    calls: list[int] = []
    restorer = Restorer(_map(), calls.append, deferred=True)
    stream = restorer.stream(["[EMAIL_1]"])
    assert calls == [1]
    assert "".join(stream) == "jane@example.org"
