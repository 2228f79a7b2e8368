"""Usernames and handles.

Two shapes: chat mentions ("@jane_doe99") and a token introduced by an account word
("my username is jdoe_77", "login: jdoe", "gamertag - xXSniperXx"). The span covers
the name only, not the "@", so a surrogate keeps the mention readable. E-mail
addresses are left to the e-mail detector. A plain word after an account word
("login failed", "username is incorrect") is not a username.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from veil.core import EntityType, Finding, Span
from veil.detect._patterns import top_level_domains, word_set
from veil.detect.context import with_typos

__all__ = ["UsernameDetector"]

# "@name" not glued to a preceding word (that would be an e-mail) and not followed by
# "@" or ".tld" (an address or a domain written with a leading at-sign).
_MENTION = re.compile(r"(?<![\w@.+-])@([A-Za-z0-9_](?:[\w.]{0,38}[A-Za-z0-9_])?)(?![\w@]|\.\w)")
# The look-ahead holds the first letter of every account word: it only lets the
# engine reject most positions with one test instead of trying each alternative.
_INTRO = re.compile(
    r"\b(?=[ulhagsnbiptdrx])"
    r"(?P<word>user[ \t]?name|user[ \t-]?id|login(?:[ \t]name)?|log-in|handle|"
    r"account[ \t]name|gamer[ \t]?tag|screen[ \t]?name|nickname|alias|"
    r"benutzername|benutzer|nutzername|anmeldename|nom d'utilisateur|identifiant|pseudo|"
    r"nombre de usuario|usuario|nome utente|"
    r"insta(?:gram)?|ig|twitter|tiktok|snap(?:chat)?|discord|telegram|reddit|github|"
    r"steam|xbox|psn|skype|twitch)s?"
    r"(?P<link>[ \t]*(?:[:=\-–]|(?:is|was|would[ \t]be|es|ist|est)\b)?[ \t]*(?:[:=\-–][ \t]*)?)"
    r"[\"'“‘(]?(?P<at>@?)(?P<name>[\w][\w.\-]{0,39})",
    re.IGNORECASE,
)
# A handle-shaped token after "account" or "logged in as": the shape must carry the
# evidence there, so it needs an underscore or dot between letters, or letters then digits.
_ACCOUNT_INTRO = re.compile(
    r"\b(?=[cdrusmtonlpaw])(?:(?:close|delete|deactivate|reactivate|unlock|suspend|cancel|my|the|old|new)"
    r"[ \t]+(?:account|acount|acct)|(?:logged|signed|log|sign)[ \t]+(?:in|on)[ \t]+as|"
    r"registered[ \t]+as|portal[ \t]+as|(?:app|site|website)[ \t]+as)"
    r"[ \t]*:?[ \t]*@?(?P<name>[A-Za-z][\w.\-]{1,39})",
    re.IGNORECASE,
)
# Misspelt account words ("usenrame"): any word this long is checked against them.
_LONG_WORD = re.compile(r"[^\W\d_]{6,14}")
_TYPO_TAIL = re.compile(
    r"[ \t]*(?:[:=]|is\b)?[ \t]*:?[ \t]*@?(?P<name>[A-Za-z][\w.\-]{1,39})", re.IGNORECASE
)
_TYPO_KEYWORDS = word_set("username gamertag nickname benutzername identifiant account")
_HANDLE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z0-9]+)+|[a-z]{3,}[0-9]{1,6}")
# Platform names ("insta", "steam") are handles only with a link or an at-sign.
_PLATFORMS = word_set(
    """insta instagram ig twitter tiktok snap snapchat discord telegram reddit github
    steam xbox psn skype twitch"""
)
_NAME_SHAPE = re.compile(r".*[\d_.].*|[a-z]+[A-Z]\w*")
_MENTION_STOP = word_set(
    """here everyone channel all home work someone anyone admin admins mods team"""
)
# Words that follow "login"/"username"/"handle" in ordinary sentences.
_PROSE = word_set(
    """is was the a an my your his her our their this that it these those and or but not
    no to for of in on at with by from as be been being page screen form issue issues
    problem problems error errors failed fails failing fail incorrect wrong invalid correct
    required missing taken available already locked blocked disabled expired changed
    different same empty too still also just keeps keep does doesn't didn't isn't wasn't
    won't can't cannot will would should could may might must has have had details info
    information credentials attempt attempts button link help support reset and please
    there here which what when where who how why again now then if so field box successful
    unsuccessful fine ok okay working broken done updated case sensitive visible hidden
    public private unique new old long short shown displayed"""
)


class UsernameDetector:
    """Finds usernames and chat handles (:attr:`EntityType.USERNAME`). Cheap to construct."""

    @property
    def name(self) -> str:
        return "username"

    def find(self, text: str) -> Iterator[Finding]:
        seen: set[int] = set()
        for m in _MENTION.finditer(text):
            handle = m.group(1)
            if handle.lower() in _MENTION_STOP or handle.isdigit():
                continue
            if "." in handle and _is_domain(handle):
                continue  # "@example.com": a domain, not a handle
            shaped = bool(_NAME_SHAPE.fullmatch(handle))
            # "@wolf_steven": an underscore never appears in a written personal name.
            score = 0.85 if "_" in handle else 0.75 if shaped else 0.6
            seen.add(m.start(1))
            yield Finding(
                EntityType.USERNAME,
                Span(m.start(1), m.end(1)),
                score,
                self.name,
                "chat handle after at-sign",
            )
        for m in _INTRO.finditer(text):
            finding = self._introduced(text, m)
            if finding is not None and finding.start not in seen:
                seen.add(finding.start)
                yield finding
        for m in _ACCOUNT_INTRO.finditer(text):
            name = m.group("name").rstrip(".-")
            start = m.start("name")
            if start in seen or len(name) < 5 or not _HANDLE.fullmatch(name):
                continue
            end = start + len(name)
            if (end < len(text) and text[end] == "@") or ("." in name and _is_domain(name)):
                continue
            seen.add(start)
            reason = "handle shape after account phrase"
            yield Finding(EntityType.USERNAME, Span(start, end), 0.8, self.name, reason)
        yield from self._after_typo(text, seen)

    def _after_typo(self, text: str, seen: set[int]) -> Iterator[Finding]:
        """Handle-shaped tokens after a misspelt account word ("usenrame: jdoe_7")."""
        typos = _keyword_typos()
        for w in _LONG_WORD.finditer(text):
            if w.group().lower() not in typos:
                continue
            m = _TYPO_TAIL.match(text, w.end())
            if m is None:
                continue
            name = m.group("name").rstrip(".-")
            start = m.start("name")
            end = start + len(name)
            if start in seen or len(name) < 5 or not _HANDLE.fullmatch(name):
                continue
            if (end < len(text) and text[end] == "@") or ("." in name and _is_domain(name)):
                continue
            seen.add(start)
            reason = "handle shape after misspelt account word"
            score = 0.85 if "_" in name else 0.8  # underscores are a handle's mark
            yield Finding(EntityType.USERNAME, Span(start, end), score, self.name, reason)

    def _introduced(self, text: str, m: re.Match[str]) -> Finding | None:
        name = m.group("name").rstrip(".-")
        start, end = m.start("name"), m.start("name") + len(name)
        if not name or name.lower() in _PROSE:
            return None
        if end < len(text) and text[end] == "@":
            return None  # an e-mail address; the e-mail detector owns it
        linked = bool(m.group("link").strip()) or bool(m.group("at"))
        word = m.group("word").lower()
        if not linked and (word.rstrip("s") in _PLATFORMS or word in _PLATFORMS):
            return None  # "github v1.2.3", "steam cleaner"
        shaped = bool(_NAME_SHAPE.fullmatch(name))
        if name.isdigit():
            if not linked or len(name) < 3:
                return None
            score = 0.6
        elif shaped:
            score = 0.85 if linked else 0.7
            if m.group("at") or "_" in name:
                score = 0.9  # "gamertag is @sunny_usman": both the word and the shape say so
        elif linked:
            score = 0.6
        else:
            return None  # "handle complaints", "login today"
        return Finding(
            EntityType.USERNAME,
            Span(start, end),
            score,
            self.name,
            "token after account word",
        )


@cache
def _keyword_typos() -> frozenset[str]:
    """One-typo spellings of the long account words, built on first use."""
    return frozenset(with_typos(_TYPO_KEYWORDS)) - _TYPO_KEYWORDS


def _is_domain(name: str) -> bool:
    return name.rsplit(".", 1)[1].lower() in top_level_domains()
