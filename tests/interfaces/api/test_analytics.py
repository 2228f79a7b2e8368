"""Analysts get anonymized turns only, of their tenant, of subjects the policy allows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from veil.audit import Action
from veil.policy import Role, default_policy
from veil.testing import canary_email, canary_phone

from .test_subjects import World  # noqa: TID252

PATH = "/v1/analytics/export"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    found = World(tmp_path)
    from veil.interfaces.api.analytics import analytics_router

    found.client.app.include_router(analytics_router())  # type: ignore[attr-defined]
    yield found
    found.veil.close()


def test_only_consenting_subjects_anonymized_and_audited(world: World) -> None:
    mine, theirs, other_tenant = canary_email(), canary_phone(), canary_email()
    world.veil.record_turn(
        conversation="c-1", subject="s-1", role="user", text=f"mail {mine}", tenant="acme"
    )
    world.veil.record_turn(
        conversation="c-2", subject="s-2", role="user", text=f"call {theirs}", tenant="acme"
    )
    world.veil.record_turn(
        conversation="c-3", subject="s-3", role="user", text=f"x {other_tenant}", tenant="globex"
    )
    registry = world.client.app.state.subjects.consents  # type: ignore[attr-defined]
    registry.grant(
        default_policy(), "acme", "s-1", "analytics", source="test", notice_version="2026-01"
    )
    analyst = world.login("acme", Role.ANALYST)
    reply = world.client.post(PATH, headers=analyst)
    assert reply.status_code == 200
    rows = [json.loads(line) for line in reply.text.splitlines()]
    assert len(rows) == 1  # s-2 never consented to analytics; globex is not ours
    for value in (mine, theirs, other_tenant, "s-1", "c-1"):
        assert value not in reply.text
    exports = world.trail.query(actions=[Action.TURN_READ])
    assert [(r.actor, r.tenant, r.purpose) for r in exports][-1][1:] == ("acme", "analytics")


def test_other_roles_are_refused(world: World) -> None:
    for role in (Role.AGENT, Role.SUPERVISOR, Role.PRIVACY_OFFICER, Role.SERVICE):
        assert world.client.post(PATH, headers=world.login("acme", role)).status_code == 403
