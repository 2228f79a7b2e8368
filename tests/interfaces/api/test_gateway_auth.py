"""VEIL_AUTH=required: traffic routes need an API key holding ``chat``; the key's
tenant is the tenant the request acts in; every refusal is audited."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from veil.audit import Action
from veil.interfaces.api import GatewaySettings, Receptionist, create_app
from veil.interfaces.api.auth import staff_from_vault
from veil.pipeline import Veil
from veil.policy import Role
from veil.testing import canary_email

from .conftest import Served  # noqa: TID252

CHAT = "/v1/chat/completions"
BODY = {"model": "m", "messages": [{"role": "user", "content": "hello"}]}


@pytest.fixture
def served(veil: Veil) -> Iterator[Served]:
    app = Served(create_app(GatewaySettings(auth_required=True), veil, Receptionist()))
    yield app
    app.close()


def _service_key(veil: Veil, tenant: str) -> tuple[str, str]:
    assert veil.audit is not None
    staff = staff_from_vault(veil.vault, veil.audit)
    account = staff.accounts.create(None, tenant, "chatbot", Role.SERVICE, None)
    issued = staff.api_keys.create(None, tenant, account.id)
    assert issued is not None
    return issued.key, account.id


def test_no_key_is_401_and_nothing_is_processed(veil: Veil, served: Served) -> None:
    for path, body in ((CHAT, BODY), ("/v1/protect", {"text": "x", "conversation": "c"})):
        reply = httpx.post(served.url + path, json=body)
        assert reply.status_code == 401
        assert reply.headers["www-authenticate"] == "Bearer"
    forged = httpx.post(served.url + CHAT, json=BODY, headers={"authorization": "Bearer veil_sk_x"})
    assert forged.status_code == 401
    assert veil.turns(conversation="c") == []


def test_a_service_key_acts_in_its_own_tenant(veil: Veil, served: Served) -> None:
    key, account = _service_key(veil, "clinic-a")
    email = canary_email()
    headers = {
        "authorization": f"Bearer {key}",
        "x-veil-conversation": "c-1",
        "x-veil-subject": "s-1",
    }
    body = {"model": "m", "messages": [{"role": "user", "content": f"mail {email}"}]}
    reply = httpx.post(served.url + CHAT, json=body, headers=headers, timeout=30)
    assert reply.status_code == 200
    assert email in reply.json()["choices"][0]["message"]["content"]
    assert veil.turns(conversation="c-1", tenant="clinic-a")[0] == ("user", f"mail {email}")
    assert veil.turns(conversation="c-1") == []  # not in the default tenant
    assert veil.audit is not None
    issued = veil.audit.query(actions=[Action.TOKEN_ISSUE])
    assert [(r.tenant, r.actor) for r in issued] == [("clinic-a", account)]


def test_a_staff_session_without_chat_is_refused_and_audited(veil: Veil, served: Served) -> None:
    assert veil.audit is not None
    staff = staff_from_vault(veil.vault, veil.audit)
    staff.accounts.create(None, "clinic-a", "ana", Role.ANALYST, "a long enough passphrase 1")
    login = staff.logins.login("clinic-a", "ana", "a long enough passphrase 1")
    reply = httpx.post(
        served.url + CHAT, json=BODY, headers={"authorization": f"Bearer {login.token}"}
    )
    assert reply.status_code == 403
    denials = veil.audit.query(actions=[Action.ACCESS_DENIED])
    assert len(denials) >= 1
    assert denials[-1].tenant == "clinic-a"
