"""Records of processing are derived from the policy: change the policy, the record changes."""

from __future__ import annotations

import json
from pathlib import Path

from veil.policy.loader import default_policy, parse_policy
from veil.policy.records import (
    SECURITY_MEASURES,
    records_of_processing,
    render_records_html,
    render_records_markdown,
)

_DEFAULT_TEXT = (
    Path(__file__).parents[2] / "src" / "veil" / "policy" / "default_policy.toml"
).read_text()


def test_one_record_per_purpose_with_its_facts() -> None:
    ropa = records_of_processing(default_policy())
    assert ropa.controller.name == "Example Clinic"
    assert [r.purpose for r in ropa.records] == ["ai_assistance", "quality_review", "analytics"]
    assistance = ropa.records[0]
    assert assistance.legal_basis == "contract"
    assert assistance.legal_basis_article == "GDPR Art. 6(1)(b)"
    assert assistance.data_subjects == ("patients", "prospective patients")
    retention = {c.name: c.retention for c in assistance.categories}
    assert retention["transcripts"] == "30d"
    assert retention["financial"] == "7d"
    upstream = {r.name: r for r in assistance.recipients}["upstream"]
    assert "financial" not in upstream.categories
    assert assistance.transfers == ()
    assert ropa.records[1].recipients == ()
    assert any("AES-256-GCM" in m for m in SECURITY_MEASURES)
    assert any("hash-chained" in m for m in ropa.security_measures)
    assert json.loads(json.dumps(ropa.as_dict()))["records"][2]["legal_basis"] == "consent"


def test_changing_the_policy_changes_the_record() -> None:
    text = (
        _DEFAULT_TEXT.replace('name = "Example Clinic"', 'name = "Other Clinic"')
        .replace(
            'description = "The language model provider configured for the assistant"\n'
            'kind = "model_provider"\n'
            'purposes = ["ai_assistance"]',
            'description = "The language model provider configured for the assistant"\n'
            'kind = "model_provider"\n'
            'purposes = ["ai_assistance", "quality_review"]\n'
            'country = "US"\ntransfer = "EU-US Data Privacy Framework"',
        )
        .replace(
            'category = "transcripts"\npurpose = "quality_review"\nkeep = "90d"',
            'category = "transcripts"\npurpose = "quality_review"\nkeep = "6m"',
        )
        .replace(
            'legal_basis = "legitimate_interests"',
            'legal_basis = "consent"\nnotice_version = "qr-1"',
        )
    )
    before = records_of_processing(default_policy())
    after = records_of_processing(parse_policy(text))
    assert after.controller.name == "Other Clinic"
    review = after.records[1]
    assert review.legal_basis == "consent"
    assert review.legal_basis_article == "GDPR Art. 6(1)(a)"
    assert [r.name for r in review.recipients] == ["upstream"]
    assert review.recipients[0].categories == ("identity", "contact", "health", "transcripts")
    assert review.transfers == ("upstream: US (EU-US Data Privacy Framework)",)
    assert {c.name: c.retention for c in review.categories}["transcripts"] == "6m"
    assert before.records[1] != review
    markdown = render_records_markdown(after)
    assert "Other Clinic" in markdown
    assert "upstream: US (EU-US Data Privacy Framework)" in markdown


def test_markdown_and_html_keep_hostile_text_inert() -> None:
    hostile = "a | b <script>x</script> [link](http://evil)"
    text = _DEFAULT_TEXT.replace(
        '"Count topics and waiting times on anonymized data to plan staffing"', f'"{hostile}"'
    )
    ropa = records_of_processing(parse_policy(text))
    markdown = render_records_markdown(ropa)
    assert r"a \| b \<script\>x\</script\> \[link\](http://evil)" in markdown
    assert "<script>" not in markdown
    page = render_records_html(ropa)
    assert "<script>" not in page
    assert "a | b &lt;script&gt;x&lt;/script&gt; [link](http://evil)" in page
    assert page.count("<section>") == 3
