"""The transparency notice is derived from the policy, and its HTML escapes policy text."""

from __future__ import annotations

import json
from pathlib import Path

from veil.policy.loader import default_policy, parse_policy
from veil.policy.notice import render_notice_html, transparency

_DEFAULT_TEXT = (
    Path(__file__).parents[2] / "src" / "veil" / "policy" / "default_policy.toml"
).read_text()
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_notice_says_what_why_who_how_long() -> None:
    notice = transparency(default_policy())
    assert [c.name for c in notice.collected][:2] == ["identity", "contact"]
    assert "email addresses" in notice.collected[1].examples
    purposes = {p.name: p for p in notice.purposes}
    assert purposes["analytics"].consent_required
    assert "withdraw" in purposes["analytics"].legal_basis_words
    assert not purposes["ai_assistance"].consent_required
    assert "service you asked" in purposes["ai_assistance"].legal_basis_words
    assert {r.name for r in notice.recipients} == {"assistant", "upstream"}
    keep = {(r.category, r.purpose): r.keep_words for r in notice.retention}
    assert keep[("transcripts", "quality_review")] == "90 days"
    assert keep[("identity", None)] == "30 days"
    # the model provider receives no financial or government ids: say so
    assert "payment card numbers" in notice.ai_never_receives
    assert "passport numbers" in notice.ai_never_receives
    assert "names" not in notice.ai_never_receives
    assert notice.ai_cannot[0] == "give a diagnosis or medical advice"


def test_notice_is_json_serializable() -> None:
    data = json.loads(json.dumps(transparency(default_policy()).as_dict()))
    assert data["policy_version"] == default_policy().version
    assert data["sections"][0]["heading"] == "Your rights"
    assert data["purposes"][0]["legal_basis"] == "contract"


def test_notice_follows_the_policy() -> None:
    text = _DEFAULT_TEXT.replace(
        'categories = ["identity", "contact", "health", "online", "transcripts"]',
        'categories = ["identity", "contact", "health", "online", "transcripts", "financial"]',
    )
    notice = transparency(parse_policy(text))
    assert "payment card numbers" not in notice.ai_never_receives
    assert "passport numbers" in notice.ai_never_receives


def test_html_escapes_hostile_policy_text() -> None:
    text = _DEFAULT_TEXT
    for value in (
        '"How our assistant handles your information"',  # title
        '"Names, dates such as a date of birth, and user names"',  # a category
        '"book, move and cancel appointments"',  # what the AI can do
        '"Your rights"',  # a section heading
        '"Questions about your data: privacy@clinic.example"',  # the contact line
    ):
        assert value in text
        text = text.replace(value, f"'{HOSTILE}'")
    notice = transparency(parse_policy(text))
    assert notice.title == HOSTILE
    page = render_notice_html(notice)
    assert "<script>" not in page
    assert "<img" not in page
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
    for start in ("<title>", "<h1>", "<dt>", "<li>", "<h2>", "<footer>\n<p>"):
        assert start + escaped in page, start
