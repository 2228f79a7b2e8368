"""The customer-facing notice: JSON and an HTML page, from the policy in force."""

from __future__ import annotations

import httpx

from veil.policy import default_policy

from .conftest import Served  # noqa: TID252


def test_notice_json_says_what_why_who_and_how_long(gateway: Served) -> None:
    reply = httpx.get(gateway.url + "/v1/transparency")
    assert reply.status_code == 200
    body = reply.json()
    text = str(body)
    policy = default_policy()
    for purpose in policy.purposes.values():
        assert purpose.description in text
    assert policy.controller.name in text
    assert "30 days" in text or "30d" in text


def test_privacy_page_is_html_with_a_strict_content_policy(gateway: Served) -> None:
    reply = httpx.get(gateway.url + "/privacy")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in reply.headers["content-security-policy"]
    assert "<script" not in reply.text.lower()
    assert default_policy().controller.name in reply.text
