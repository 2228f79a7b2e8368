import pytest

from veil.core import CustomEntity, EntityType
from veil.errors import ConfigurationError
from veil.transform.keys import Derivation, Stream, TokenContext
from veil.transform.settings import Scope

KEY = b"0123456789abcdef0123456789abcdef"


def test_context_validates_and_hides_the_key() -> None:
    ctx = TokenContext(KEY, "conv", subject_id="subj")
    assert "0123" not in repr(ctx)
    assert ctx.scope_id(Scope.CONVERSATION) == "conv"
    assert ctx.scope_id(Scope.SUBJECT) == "subj"
    assert ctx.scope_id(Scope.TENANT) == ""
    with pytest.raises(ConfigurationError):
        TokenContext(b"short", "conv")
    with pytest.raises(ConfigurationError):
        TokenContext(KEY, "")
    with pytest.raises(ConfigurationError):
        TokenContext(KEY, "conv").scope_id(Scope.SUBJECT)


def test_identity_separates_every_field() -> None:
    d = Derivation(KEY, Scope.CONVERSATION, "c1")
    base = d.identity(EntityType.PERSON, "alice")
    assert base == Derivation(KEY, Scope.CONVERSATION, "c1").identity(EntityType.PERSON, "alice")
    others = {
        d.identity(EntityType.USERNAME, "alice"),
        d.identity(EntityType.PERSON, "alice", "lookalike"),
        d.identity(CustomEntity("PERSONA"), "lice"),
        Derivation(KEY, Scope.CONVERSATION, "c2").identity(EntityType.PERSON, "alice"),
        Derivation(KEY, Scope.SUBJECT, "c1").identity(EntityType.PERSON, "alice"),
        Derivation(b"x" * 32, Scope.CONVERSATION, "c1").identity(EntityType.PERSON, "alice"),
    }
    assert base not in others
    assert len(others) == 6
    assert len(base) == 64


def test_seeds_are_purpose_bound() -> None:
    d = Derivation(KEY, Scope.TENANT, "")
    assert d.seed("id", "tag") != d.seed("id", "hash") != d.seed("id", "tag", 1)
    assert d.scope_seed("date-shift") != d.scope_seed("other")


def test_stream_is_deterministic_and_bounded() -> None:
    a, b = Stream(b"seed"), Stream(b"seed")
    draws = [a.below(7) for _ in range(200)]
    assert draws == [b.below(7) for _ in range(200)]
    assert set(draws) == set(range(7))
    assert Stream(b"seed").choice("xyz") in "xyz"
    assert Stream(b"s").digit().isdigit()
    with pytest.raises(ValueError, match="positive"):
        a.below(0)
