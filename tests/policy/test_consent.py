"""Consent registry and the purpose decision, on a real SQLite database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from veil.core import EntityType
from veil.errors import InputError, PolicyError
from veil.policy.consent import ConsentRegistry, require_purpose
from veil.policy.document import LegalBasis, Policy
from veil.policy.loader import parse_policy
from veil.storage import Store, migrate, open_engine
from veil.storage.consents import ConsentStore

T, S = "tenant-1", "subject-1"
_DEFAULT_TEXT = (
    Path(__file__).parents[2] / "src" / "veil" / "policy" / "default_policy.toml"
).read_text()
_TEAM_TEXT = _DEFAULT_TEXT.replace(
    "# --- retention",
    '[recipients.analytics-team]\ndescription = "Our analytics team"\nkind = "processor"\n'
    'purposes = ["analytics"]\ncategories = ["transcripts"]\n\n# --- retention',
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self) -> datetime:
        self.now += timedelta(hours=1)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def registry(tmp_path: Path, clock: Clock) -> ConsentRegistry:
    engine = open_engine(f"sqlite:///{tmp_path / 'veil.db'}")
    migrate(engine, "core")
    return ConsentRegistry(ConsentStore(engine, clock=clock))


@pytest.fixture
def policy() -> Policy:
    """The built-in policy plus a recipient for the consent-based purpose."""
    return parse_policy(_TEAM_TEXT)


def test_grant_withdraw_regrant_keeps_every_event(
    registry: ConsentRegistry, policy: Policy, clock: Clock
) -> None:
    t1 = clock.tick()
    registry.grant(policy, T, S, "analytics", source="web-form", notice_version="2026-01")
    t2 = clock.tick()
    registry.withdraw(T, S, "analytics", source="agent:42")
    t3 = clock.tick()
    registry.grant(policy, T, S, "analytics", source="api", notice_version="2026-01")
    history = registry.history(T, S)
    assert [(e.granted, e.source, e.at) for e in history] == [
        (True, "web-form", t1),
        (False, "agent:42", t2),
        (True, "api", t3),
    ]
    with registry.store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM consent_events")).scalar_one() == 3
    assert registry.status(T, S, at=t1 - timedelta(minutes=1)).consent("analytics") is None
    assert registry.status(T, S, at=t1).consent("analytics") == history[0]
    assert registry.status(T, S, at=t2).consent("analytics") is None
    assert registry.status(T, S, at=t3).consent("analytics") == history[2]
    assert registry.status(T, S).consent("analytics") == history[2]


def test_withdrawn_consent_refuses_the_purpose(registry: ConsentRegistry, policy: Policy) -> None:
    with pytest.raises(PolicyError, match=r"^no valid consent for purpose 'analytics'$"):
        require_purpose(policy, registry, T, S, "analytics", "analytics-team")
    registry.grant(policy, T, S, "analytics", source="api", notice_version="2026-01")
    grant = require_purpose(policy, registry, T, S, "analytics", "analytics-team")
    assert grant.legal_basis is LegalBasis.CONSENT
    assert grant.consent is not None
    assert grant.consent.notice_version == "2026-01"
    registry.withdraw(T, S, "analytics", source="api")
    with pytest.raises(PolicyError, match=r"^no valid consent for purpose 'analytics'$"):
        require_purpose(policy, registry, T, S, "analytics", "analytics-team")


def test_consent_under_an_outdated_notice_is_not_valid(registry: ConsentRegistry) -> None:
    old = parse_policy(_TEAM_TEXT)
    registry.grant(old, T, S, "analytics", source="api", notice_version="2026-01")
    text = _TEAM_TEXT.replace('notice_version = "2026-01"', 'notice_version = "2026-06"')
    newer = parse_policy(text)
    with pytest.raises(PolicyError, match="no valid consent"):
        require_purpose(newer, registry, T, S, "analytics", "analytics-team")
    accepting = parse_policy(
        text.replace('notice_version = "2026-06"', 'notice_version = "2026-06"\n'
                     'accepted_notices = ["2026-01"]')
    )  # fmt: skip
    assert require_purpose(accepting, registry, T, S, "analytics", "analytics-team").consent


def test_restriction_blocks_every_purpose_until_lifted(
    registry: ConsentRegistry, policy: Policy
) -> None:
    assert require_purpose(policy, registry, T, S, "ai_assistance", "assistant")
    registry.restrict(T, S, source="web-form")
    for purpose, recipient in (("ai_assistance", "assistant"), ("ai_assistance", "upstream")):
        with pytest.raises(PolicyError, match=r"^processing is restricted for this subject$"):
            require_purpose(policy, registry, T, S, purpose, recipient)
    require_purpose(policy, registry, T, "another-subject", "ai_assistance", "assistant")
    registry.lift(T, S, source="api")
    assert require_purpose(policy, registry, T, S, "ai_assistance", "assistant")
    assert [r.restricted for r in registry.restrictions(T, S)] == [True, False]


@pytest.mark.parametrize(
    ("purpose", "recipient", "reason"),
    [
        ("marketing", "assistant", "purpose 'marketing' is not declared"),
        ("ai_assistance", "openai", "recipient 'openai' is not declared"),
        ("quality_review", "upstream", "recipient 'upstream' is not allowed for purpose"),
        ("Name: Jane <x@y>", "assistant", "purpose (malformed name) is not declared"),
    ],
)
def test_undeclared_or_disallowed_use_is_refused(
    registry: ConsentRegistry, policy: Policy, purpose: str, recipient: str, reason: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        require_purpose(policy, registry, T, S, purpose, recipient)
    assert str(caught.value).startswith(reason)
    assert "Jane" not in str(caught.value)


def test_minimization_redacts_what_the_recipient_may_not_receive(
    registry: ConsentRegistry, policy: Policy
) -> None:
    local = require_purpose(policy, registry, T, S, "ai_assistance", "assistant")
    assert local.redact == frozenset()
    assert local.transcripts
    remote = require_purpose(policy, registry, T, S, "ai_assistance", "upstream")
    assert remote.redact == {
        EntityType.CREDIT_CARD, EntityType.IBAN, EntityType.BANK_ACCOUNT,
        EntityType.NATIONAL_ID, EntityType.DRIVER_LICENSE, EntityType.PASSPORT,
    }  # fmt: skip
    assert remote.legal_basis is LegalBasis.CONTRACT
    assert remote.consent is None
    assert remote.detail() == {
        "legal_basis": "contract",
        "recipient": "upstream",
        "policy_version": policy.version,
        "redact": "BANK_ACCOUNT,CREDIT_CARD,DRIVER_LICENSE,IBAN,NATIONAL_ID,PASSPORT",
    }


def test_types_no_category_covers_are_redacted(registry: ConsentRegistry) -> None:
    text = _TEAM_TEXT.replace('"DATE", ', "")
    policy = parse_policy(text)
    grant = require_purpose(policy, registry, T, S, "ai_assistance", "assistant")
    assert grant.redact == {EntityType.DATE}


def test_grant_is_checked_against_the_policy(registry: ConsentRegistry, policy: Policy) -> None:
    with pytest.raises(PolicyError, match="purpose 'marketing' is not declared"):
        registry.grant(policy, T, S, "marketing", source="api", notice_version="2026-01")
    with pytest.raises(PolicyError, match="'ai_assistance' does not rest on consent"):
        registry.grant(policy, T, S, "ai_assistance", source="api", notice_version="2026-01")
    with pytest.raises(PolicyError, match="notice version shown is not accepted"):
        registry.grant(policy, T, S, "analytics", source="api", notice_version="2025-01")
    with pytest.raises(InputError, match="source"):
        registry.grant(policy, T, S, "analytics", source="Jane Doe", notice_version="2026-01")
    with pytest.raises(InputError, match="subject id"):
        registry.withdraw(T, "", "analytics", source="api")
    with pytest.raises(InputError, match="purpose names"):
        registry.withdraw(T, S, "Bad Purpose", source="api")
    assert registry.history(T, S) == []


def test_erasure_removes_consent_rows(registry: ConsentRegistry, policy: Policy) -> None:
    registry.grant(policy, T, S, "analytics", source="api", notice_version="2026-01")
    registry.restrict(T, S, source="api")
    Store(registry.store.engine).erase_subject(T, S, b"\x02" * 32)
    assert registry.history(T, S) == []
    assert registry.restrictions(T, S) == []
    assert not registry.status(T, S).restricted


def test_hooks_run_with_each_write(registry: ConsentRegistry, policy: Policy) -> None:
    calls: list[str] = []
    registry.grant(
        policy, T, S, "analytics", source="api", notice_version="2026-01",
        hooks=[lambda conn: calls.append("grant")],
    )  # fmt: skip
    registry.withdraw(T, S, "analytics", source="api", hooks=[lambda conn: calls.append("w")])
    registry.restrict(T, S, source="api", hooks=[lambda conn: calls.append("r")])
    registry.lift(T, S, source="api", hooks=[lambda conn: calls.append("l")])
    assert calls == ["grant", "w", "r", "l"]
