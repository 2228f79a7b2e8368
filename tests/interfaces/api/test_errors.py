"""The one error table: every error class is listed; bodies are value-free."""

from __future__ import annotations

import inspect

import pytest

import veil.errors
from veil.errors import (
    DetectionError,
    InputTooLargeError,
    MalformedInputError,
    StorageError,
    VaultError,
    VeilError,
)
from veil.interfaces.api.errors import TABLE, error_body, problem_for
from veil.interfaces.api.upstream import UpstreamError, UpstreamTimeoutError

CLASSES = [
    value
    for value in vars(veil.errors).values()
    if inspect.isclass(value) and issubclass(value, VeilError)
]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_veil_error_is_in_the_table(cls: type[VeilError]) -> None:
    assert cls in TABLE


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (DetectionError("detector 'x' failed"), 503),
        (VaultError("key unavailable"), 503),
        (StorageError("db down"), 503),
        (InputTooLargeError(10, 5), 413),
        (MalformedInputError("bad"), 400),
        (UpstreamError("upstream answered 500"), 502),
        (UpstreamTimeoutError("upstream timed out"), 504),
        (KeyError("jane@example.org"), 500),
    ],
)
def test_statuses(exc: Exception, status: int) -> None:
    assert problem_for(exc).status == status


def test_only_input_errors_show_their_message() -> None:
    hidden = error_body(StorageError("row for jane@example.org"))
    assert "jane" not in str(hidden)
    assert error_body(KeyError("jane@example.org"))["error"] == {
        "message": "internal error",
        "type": "server_error",
        "param": None,
        "code": "internal_error",
    }
    shown = error_body(MalformedInputError("request body is not valid JSON"))
    assert shown["error"]["message"] == "request body is not valid JSON"  # type: ignore[index]
