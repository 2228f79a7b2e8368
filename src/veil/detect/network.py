"""IP addresses and web addresses.

:class:`IpAddressDetector` validates every IPv4/IPv6 candidate with :mod:`ipaddress`
and skips dotted quads that follow "version", "v", "build" and the like.
:class:`UrlDetector` finds ``http(s)://``, ``ftp://`` and ``www.`` addresses, and
bare domains ("example.co.uk") whose top-level domain is real and which do not look
like file names ("setup.py", "report.pdf"). Trailing sentence punctuation and
unbalanced closing brackets are never part of a URL.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from veil.core import EntityType, Finding, Span
from veil.detect._patterns import (
    ENGLISH_WORD_TLDS,
    FILE_EXTENSION_TLDS,
    SECOND_LEVEL_LABELS,
    top_level_domains,
    word_set,
)
from veil.detect.context import near, words_before

__all__ = ["IpAddressDetector", "UrlDetector"]

_IPV4 = re.compile(r"(?<![\w.])(?<![0-9A-Fa-f:]:)\d{1,3}(?:\.\d{1,3}){3}(?![\w-]|\.\d)")
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}"
    r"(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{1,4})?(?:%[\w.]{1,16})?(?![\w:]|\.\w)"
)
_VERSION_WORDS = word_set(
    """version ver v release build firmware software os ios android update patch kernel
    app driver bios revision rev"""
)
_IP_WORDS = word_set("ip ipv4 ipv6 address server host gateway router dns vpn proxy")


class IpAddressDetector:
    """Finds IPv4 and IPv6 addresses (:attr:`EntityType.IP_ADDRESS`). Cheap to construct."""

    @property
    def name(self) -> str:
        return "ip_address"

    def find(self, text: str) -> Iterator[Finding]:
        for m in _IPV4.finditer(text):
            start, end = m.span()
            if start > 0 and text[start - 1] in "vV":
                continue
            if any(w in _VERSION_WORDS for w in words_before(text, start, count=2)):
                continue
            try:
                ipaddress.IPv4Address(m.group())
            except ValueError:
                continue
            context = near(text, start, end, _IP_WORDS)
            # "1.2.3.4" with only one-digit parts is as often a list or version as an address.
            base = 0.85 if any(len(part) > 1 for part in m.group().split(".")) else 0.55
            score = round(min(0.95, base + 0.1), 2) if context else base
            why = "ipv4 address, octets validated" + (" + context 'ip'" if context else "")
            yield Finding(EntityType.IP_ADDRESS, Span(start, end), score, self.name, why)
        for m in _IPV6.finditer(text):
            value = m.group()
            if value.endswith(":") and not value.endswith("::"):
                value = value[:-1]
            if "::" not in value and value.count(":") < 7:
                continue  # times such as 10:30:00, MAC-like fragments
            try:
                ipaddress.IPv6Address(value)
            except ValueError:
                continue
            start = m.start()
            context = near(text, start, start + len(value), _IP_WORDS)
            score = 0.95 if context else 0.85
            why = "ipv6 address, validated" + (" + context 'ip'" if context else "")
            yield Finding(
                EntityType.IP_ADDRESS, Span(start, start + len(value)), score, self.name, why
            )


_SCHEMED = re.compile(
    r"(?<![\w.@-])(?:(?:https?|ftp)://|www\.)[^\s<>\"'`{}|\\^\[\]]{1,2048}", re.IGNORECASE
)
_BARE = re.compile(
    r"(?<![\w@.\-/:])[^\W_][\w-]{0,62}(?:\.[^\W_][\w-]{0,62}){1,4}(?![\w@-]|\.[^\W_])"
    r"(?:/[^\s<>\"'`{}|\\^\[\]]{0,512})?"
)
_TRAILING = ".,;:!?'\"*"
_PAIRS = {")": "(", "]": "[", "}": "{", ">": "<"}
_URL_WORDS = word_set("website site web domain url link visit page blog homepage portal")


def _trim(url: str) -> str:
    """Drop trailing punctuation and closing brackets that the URL did not open."""
    while url:
        last = url[-1]
        unbalanced = last in _PAIRS and url.count(last) > url.count(_PAIRS[last])
        if last in _TRAILING or unbalanced:
            url = url[:-1]
        else:
            break
    return url


class UrlDetector:
    """Finds web addresses and bare domains (:attr:`EntityType.URL`). Cheap to construct."""

    @property
    def name(self) -> str:
        return "url"

    def find(self, text: str) -> Iterator[Finding]:
        schemed = [m.span() for m in _SCHEMED.finditer(text)]
        for start, end in schemed:
            url = _trim(text[start:end])
            if len(url) < 8 or "." not in url.split("//")[-1]:
                continue
            yield Finding(
                EntityType.URL,
                Span(start, start + len(url)),
                0.9,
                self.name,
                "web address with scheme or www",
            )
        i = 0  # both match lists are in text order: one forward pointer suffices
        for m in _BARE.finditer(text):
            while i < len(schemed) and schemed[i][1] <= m.start():
                i += 1
            if i < len(schemed) and schemed[i][0] <= m.start():
                continue
            finding = self._bare(text, m)
            if finding is not None:
                yield finding

    def _bare(self, text: str, m: re.Match[str]) -> Finding | None:
        whole = _trim(m.group())
        host, _, _path = whole.partition("/")
        labels = host.split(".")
        tld = labels[-1]
        if not tld.isalpha() or not (tld.islower() or host.isupper()):
            return None  # "Hello.It" is a missing space, not a domain
        tld = tld.lower()
        if tld not in top_level_domains() or any(
            label.endswith("-") or "_" in label for label in labels
        ):
            return None
        registered = labels[-2].lower()
        if tld in FILE_EXTENSION_TLDS and registered not in SECOND_LEVEL_LABELS:
            return None
        if len(registered) == 1 and tld not in {"com", "net", "org", "io", "co"}:
            return None  # "p.m", "e.g": abbreviations
        if registered.isdigit():
            return None
        start, end = m.start(), m.start() + len(whole)
        score = 0.45 if tld in ENGLISH_WORD_TLDS and len(labels) == 2 else 0.65
        reason = "bare domain, known top-level domain"
        if near(text, start, end, _URL_WORDS):
            score, reason = round(score + 0.2, 2), reason + " + context 'website'"
        return Finding(EntityType.URL, Span(start, end), score, self.name, reason)
