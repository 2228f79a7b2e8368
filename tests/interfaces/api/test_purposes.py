"""Purpose, consent, restriction and minimization at the gateway (issue 6).

A refused request reaches the upstream zero times and leaves a ``purpose.refuse``
audit row; the ``upstream`` recipient of the built-in policy gets no card numbers,
not even as pseudonyms.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import httpx
import pytest

from veil.audit import Action, Outcome
from veil.interfaces.api import GatewaySettings, HttpUpstream, create_app
from veil.pipeline import Veil
from veil.policy import ConsentRegistry, default_policy, load_policy
from veil.storage.consents import ConsentStore
from veil.testing import canary_card, canary_email

from .conftest import FakeUpstream, Served  # noqa: TID252

CHAT = "/v1/chat/completions"
SUBJECT = "cust-41"


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    """The built-in policy, with analytics (a consent-based purpose) allowed upstream."""
    text = files("veil.policy").joinpath("default_policy.toml").read_text(encoding="utf-8")
    head, upstream = text.split("[recipients.upstream]", 1)
    upstream = upstream.replace(
        'purposes = ["ai_assistance"]', 'purposes = ["ai_assistance", "analytics"]', 1
    )
    path = tmp_path / "policy.toml"
    path.write_text(head + "[recipients.upstream]" + upstream, encoding="utf-8")
    return path


@pytest.fixture
def served(veil: Veil, fake_upstream: FakeUpstream, policy_file: Path) -> Iterator[Served]:
    settings = GatewaySettings(
        upstream_url=fake_upstream.url, upstream_retries=0, policy_path=policy_file
    )
    app = Served(create_app(settings, veil, HttpUpstream(settings)))
    yield app
    app.close()


def _chat(served: Served, text: str, purpose: str | None = None) -> httpx.Response:
    headers = {"x-veil-conversation": "c-1", "x-veil-subject": SUBJECT}
    if purpose is not None:
        headers["x-veil-purpose"] = purpose
    body = {"model": "m", "messages": [{"role": "user", "content": text}]}
    return httpx.post(served.url + CHAT, json=body, headers=headers, timeout=30)


def _refusals(veil: Veil) -> list[dict[str, object]]:
    assert veil.audit is not None
    rows = veil.audit.query(actions=[Action.PURPOSE_REFUSE])
    return [row.as_dict() for row in rows]


def test_withdrawn_consent_means_zero_upstream_calls_and_an_audited_refusal(
    veil: Veil, served: Served, fake_upstream: FakeUpstream, policy_file: Path
) -> None:
    registry = ConsentRegistry(ConsentStore(veil.vault.store.engine))
    policy = load_policy(policy_file)
    refused = _chat(served, "how long do I wait?", purpose="analytics")
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "no valid consent for purpose 'analytics'"
    assert fake_upstream.bodies == []

    registry.grant(policy, "default", SUBJECT, "analytics", source="test", notice_version="2026-01")
    assert _chat(served, "how long do I wait?", purpose="analytics").status_code == 200
    assert len(fake_upstream.bodies) == 1

    registry.withdraw("default", SUBJECT, "analytics", source="test")
    for _ in range(3):
        assert _chat(served, "and now?", purpose="analytics").status_code == 403
    assert len(fake_upstream.bodies) == 1  # not one call after the withdrawal
    rows = _refusals(veil)
    assert len(rows) == 4
    assert {r["outcome"] for r in rows} == {Outcome.DENIED.value}
    assert {r["purpose"] for r in rows} == {"analytics"}
    assert veil.audit is not None
    assert {r["subject_hash"] for r in rows} == {veil.audit.subject_hash("default", SUBJECT)}


def test_restriction_and_undeclared_purposes_are_refused(
    veil: Veil, served: Served, fake_upstream: FakeUpstream
) -> None:
    email = canary_email()
    refused = _chat(served, "hi", purpose=email)  # free text in the header is never echoed
    assert refused.status_code == 403
    assert email not in refused.text
    ConsentRegistry(ConsentStore(veil.vault.store.engine)).restrict(
        "default", SUBJECT, source="test"
    )
    assert _chat(served, "hi").status_code == 403
    assert fake_upstream.bodies == []
    rows = _refusals(veil)
    assert [r["purpose"] for r in rows] == ["(undeclared)", "ai_assistance"]
    assert email not in str(rows)


def test_the_upstream_recipient_never_receives_card_numbers(
    served: Served, fake_upstream: FakeUpstream
) -> None:
    assert "financial" not in default_policy().recipients["upstream"].categories
    card, email = canary_card(), canary_email()
    reply = _chat(served, f"card {card}, mail {email}")
    assert reply.status_code == 200
    sent = fake_upstream.all_bytes().decode()
    assert card not in sent
    assert card.replace(" ", "") not in sent
    assert email not in sent
    assert "[CREDIT_CARD withheld]" in sent
    shown = reply.json()["choices"][0]["message"]["content"]
    assert email in shown  # pseudonymized, so restored
    assert card not in shown  # withheld, so gone for good


def test_the_protect_api_passes_the_same_gate(veil: Veil, served: Served) -> None:
    card = canary_card()
    body = {"text": f"card {card}", "conversation": "c-9", "subject": SUBJECT}
    refused = httpx.post(served.url + "/v1/protect", json=body | {"purpose": "analytics"})
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "no valid consent for purpose 'analytics'"
    allowed = httpx.post(served.url + "/v1/protect", json=body)
    assert allowed.status_code == 200
    assert allowed.json()["text"] == "card [CREDIT_CARD withheld]"  # upstream gets no cards
