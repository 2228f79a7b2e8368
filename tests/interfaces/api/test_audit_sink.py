"""A broken audit sink refuses every personal-data operation at the gateway (503),
and nothing reaches the upstream."""

from __future__ import annotations

import httpx
import pytest

from veil.pipeline import Veil
from veil.testing import canary_email

from .conftest import FakeUpstream, Served  # noqa: TID252

CHAT = "/v1/chat/completions"


def _break(veil: Veil) -> None:
    with veil.vault.store.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE audit_rows RENAME TO audit_rows_gone")


@pytest.mark.parametrize("text", ["hello, any free slot on Monday?", f"mail {canary_email()}"])
def test_chat_is_refused_without_audit(
    veil: Veil, gateway: Served, fake_upstream: FakeUpstream, text: str
) -> None:
    _break(veil)
    body = {"model": "m", "messages": [{"role": "user", "content": text}]}
    headers = {"x-veil-conversation": "c-1", "x-veil-subject": "s-1"}
    reply = httpx.post(gateway.url + CHAT, json=body, headers=headers, timeout=30)
    assert reply.status_code == 503
    assert reply.json()["error"]["code"] == "audit_unavailable"
    assert fake_upstream.bodies == []
    assert text not in reply.text


def test_protect_and_restore_are_refused_without_audit(
    veil: Veil, gateway: Served, fake_upstream: FakeUpstream
) -> None:
    email = canary_email()
    sent = httpx.post(
        gateway.url + "/v1/protect", json={"text": f"mail {email}", "conversation": "c-2"}
    )
    assert sent.status_code == 200
    _break(veil)
    again = httpx.post(
        gateway.url + "/v1/protect", json={"text": f"and {canary_email()}", "conversation": "c-2"}
    )
    assert again.status_code == 503
    back = httpx.post(
        gateway.url + "/v1/restore", json={"text": sent.json()["text"], "conversation": "c-2"}
    )
    assert back.status_code == 503
    assert email not in back.text
