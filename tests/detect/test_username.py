"""Tests for veil.detect.username."""

from __future__ import annotations

import pytest

from veil.core import EntityType
from veil.detect.base import Detector
from veil.detect.username import UsernameDetector


def found(text: str) -> list[str]:
    return [text[f.start : f.end] for f in UsernameDetector().find(text) if f.score >= 0.5]


def test_is_a_detector() -> None:
    detector = UsernameDetector()
    assert isinstance(detector, Detector)
    assert detector.name == "username"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thanks @jane_doe99!", "jane_doe99"),
        ("ping @jane.doe about it", "jane.doe"),
        ("my username is jdoe_77", "jdoe_77"),
        ("Username: isabel99", "isabel99"),
        ("user name = j.smith", "j.smith"),
        ("login: jdoe", "jdoe"),
        ("user id: 48213", "48213"),
        ("my gamertag is xXSniperXx", "xXSniperXx"),
        ("screen name - cool_cat", "cool_cat"),
        ("account name 'mary_k'", "mary_k"),
        ("my handle is jdoe_77.", "jdoe_77"),
        ("Benutzername: hans_m", "hans_m"),
    ],
)
def test_positives(text: str, expected: str) -> None:
    assert found(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "email jane@example.com",
        "login: jane@example.com",
        "write to @example.com",
        "@everyone hi",
        "meet @ 5",
        "login failed again",
        "please handle it",
        "we handle complaints daily",
        "My login is not working",
        "username is incorrect",
        "Nick is here",
        "order #12345",
        "price 5@10",
    ],
)
def test_negatives(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Account word, then the handle with its at-sign.
        ("my gamer tag is @sunny_usman, i bought coins", "sunny_usman"),
        ("my insta is @brett240 if you want pics", "brett240"),
        ("IG: wolf_steven", "wolf_steven"),
        ("my discord is kitty_cat99", "kitty_cat99"),
        # Account actions and sign-in phrases with a handle-shaped token.
        ("Please close account williamstorresa_94. I'm moving.", "williamstorresa_94"),
        ("pls close acount mariana.mac. thanks", "mariana.mac"),
        ("I uploaded my documents to the portal as jhall15 but nothing arrived", "jhall15"),
        ("I'm logged in as cecile_lehebert right now", "cecile_lehebert"),
        ("signed in as j.smith", "j.smith"),
        # Other languages.
        ("mon identifiant est timothee742 et mon mail", "timothee742"),
        ("mon pseudo : petit_loup", "petit_loup"),
        ("Nutzername: hans_m", "hans_m"),
        ("mi nombre de usuario es pepe_77", "pepe_77"),
        # A misspelt account word.
        ("i cant log in, usenrame qiaox_88, email", "qiaox_88"),
        ("nicknmae: zed_01", "zed_01"),
    ],
)
def test_more_phrasings(text: str, expected: str) -> None:
    assert found(text) == [expected]


def test_underscore_handles_outrank_name_guesses() -> None:
    (f,) = UsernameDetector().find("my insta is @wolf_steven")
    assert f.score > 0.8


@pytest.mark.parametrize(
    "text",
    [
        "please close account 12345678 today",  # a bank account number
        "my account ID12345 is locked",  # an account id, not a handle shape
        "the account e.g. savings",
        "my account no.5",
        "github v1.2.3 release",
        "steam cleaner model x500",
        "ig 2.0 update",
        "logged in as admin",
        "close account today please",
        "invoice INV-2024-001 for the portal as discussed",
        "tracking 1Z999AA10123456784",
        "order 12345 on the new account",
    ],
)
def test_more_negatives(text: str) -> None:
    assert found(text) == []


def test_one_finding_per_handle_and_value_free_reason() -> None:
    findings = list(UsernameDetector().find("my username is @jdoe_77"))
    assert len(findings) == 1
    (f,) = findings
    assert f.entity is EntityType.USERNAME
    assert f.reason
    assert "jdoe" not in f.reason


@pytest.mark.parametrize(
    "text",
    [
        "@" * 100_000,
        "@a" * 50_000,
        "a" * 100_000,
        "username: " * 10_000,
        "_" * 100_000,
        "usenrame " * 10_000,
        "close account " * 10_000,
        "a_" * 50_000,
    ],
)
def test_hostile_input_completes(text: str) -> None:
    list(UsernameDetector().find(text))


def test_megabyte_of_mixed_text() -> None:
    chunk = "hey @jane_doe99, my username is jdoe_77 and login failed. "
    n = 1_000_000 // len(chunk)
    assert len(list(UsernameDetector().find(chunk * n))) == 2 * n


def test_look_ahead_keeps_every_account_word() -> None:
    """The first-letter look-ahead of the patterns only speeds them up: without it they
    match exactly the same, in any letter case."""
    import re

    from veil.detect import username

    words = [
        "username", "user name", "userid", "user-id", "login", "login name", "log-in",
        "handle", "account name", "gamertag", "screen name", "nickname", "alias",
        "benutzername", "benutzer", "nutzername", "anmeldename", "identifiant", "pseudo",
        "usuario", "insta", "instagram", "ig", "twitter", "tiktok", "snap", "snapchat",
        "discord", "telegram", "reddit", "github", "steam", "xbox", "psn", "skype", "twitch",
    ]  # fmt: skip
    phrases = ["close account", "delete acct", "deactivate account", "reactivate account",
               "unlock account", "suspend account", "cancel account", "my account",
               "the acount", "old account", "new account", "logged in as", "signed on as",
               "log in as", "sign in as", "registered as", "portal as", "app as",
               "site as", "website as"]  # fmt: skip
    texts = [f"my {w} is jdoe_77" for w in words] + [f"pls {p} jdoe_77 now" for p in phrases]
    texts += ["nom d'utilisateur: jdoe_77", "nombre de usuario jdoe_77", "nome utente jdoe_77"]
    for pattern, ahead in (
        (username._INTRO, r"(?=[ulhagsnbiptdrx])"),
        (username._ACCOUNT_INTRO, r"(?=[cdrusmtonlpaw])"),
    ):
        assert ahead in pattern.pattern
        plain = re.compile(pattern.pattern.replace(ahead, ""), pattern.flags)
        hits = 0
        for text in texts + [t.upper() for t in texts] + [t.title() for t in texts]:
            got = [m.span() for m in pattern.finditer(text)]
            assert got == [m.span() for m in plain.finditer(text)], text
            hits += bool(got)
        assert hits >= 60
