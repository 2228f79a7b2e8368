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

from veil.core import EntityType, Finding, Span
from veil.detect._patterns import top_level_domains, word_set

__all__ = ["UsernameDetector"]

# "@name" not glued to a preceding word (that would be an e-mail) and not followed by
# "@" or ".tld" (an address or a domain written with a leading at-sign).
_MENTION = re.compile(r"(?<![\w@.+-])@([A-Za-z0-9_](?:[\w.]{0,38}[A-Za-z0-9_])?)(?![\w@]|\.\w)")
_INTRO = re.compile(
    r"\b(?P<word>user[ \t]?name|user[ \t-]?id|login(?:[ \t]name)?|log-in|handle|"
    r"account[ \t]name|gamer[ \t]?tag|screen[ \t]?name|nickname|alias|"
    r"benutzername|nom d'utilisateur|usuario|nome utente)s?"
    r"(?P<link>[ \t]*(?:[:=\-–]|(?:is|was|would[ \t]be|es|ist)\b)?[ \t]*(?:[:=\-–][ \t]*)?)"
    r"[\"'“‘(]?(?P<name>[\w][\w.\-]{0,39})",
    re.IGNORECASE,
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
            if "." in handle and handle.rsplit(".", 1)[1].lower() in top_level_domains():
                continue  # "@example.com": a domain, not a handle
            shaped = bool(_NAME_SHAPE.fullmatch(handle))
            score = 0.75 if shaped else 0.6
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

    def _introduced(self, text: str, m: re.Match[str]) -> Finding | None:
        name = m.group("name").rstrip(".-")
        start, end = m.start("name"), m.start("name") + len(name)
        if not name or name.lower() in _PROSE:
            return None
        if end < len(text) and text[end] == "@":
            return None  # an e-mail address; the e-mail detector owns it
        linked = bool(m.group("link").strip())
        shaped = bool(_NAME_SHAPE.fullmatch(name))
        if name.isdigit():
            if not linked or len(name) < 3:
                return None
            score = 0.6
        elif shaped:
            score = 0.85 if linked else 0.7
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
