"""Staff events match the audit vocabulary; alerts are value-free JSON lines."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from veil.audit import Action, Outcome
from veil.policy.auth_events import DENIED, OK, AuthAction, LoggingNotifier, StaffSettings


def test_every_staff_action_is_an_audit_action() -> None:
    assert {Action(a.value) for a in AuthAction} <= set(Action)
    assert {Outcome(OK), Outcome(DENIED)} == {Outcome.OK, Outcome.DENIED}


def test_logging_notifier_writes_one_json_object(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="veil.alerts"):
        LoggingNotifier().notify("t1", "break_glass", '{"grant": "bg_1"}')
    [record] = caplog.records
    assert record.name == "veil.alerts"
    assert record.levelno == logging.WARNING
    assert json.loads(record.getMessage()) == {
        "alert": "break_glass",
        "tenant": "t1",
        "message": '{"grant": "bg_1"}',
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"max_failures": 0},
        {"idle_timeout": timedelta(0)},
        {"lockout": timedelta(seconds=-1)},
        {"break_glass": timedelta(0)},
        {"touch_every": timedelta(hours=1)},
    ],
)
def test_settings_refuse_nonsense(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"must be|positive"):
        StaffSettings(**bad)  # type: ignore[arg-type]


def test_default_settings() -> None:
    settings = StaffSettings()
    assert settings.max_failures == 10
    assert settings.step_up == timedelta(minutes=5)
    assert settings.break_glass == timedelta(minutes=60)
