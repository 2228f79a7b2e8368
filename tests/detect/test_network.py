"""Tests for veil.detect.network."""

from __future__ import annotations

import pytest

from veil.core import EntityType
from veil.detect.base import Detector
from veil.detect.network import IpAddressDetector, UrlDetector


def ips(text: str) -> list[str]:
    return [text[f.start : f.end] for f in IpAddressDetector().find(text) if f.score >= 0.5]


def urls(text: str) -> list[str]:
    return [text[f.start : f.end] for f in UrlDetector().find(text) if f.score >= 0.5]


def test_are_detectors() -> None:
    assert isinstance(IpAddressDetector(), Detector)
    assert isinstance(UrlDetector(), Detector)
    assert IpAddressDetector().name == "ip_address"
    assert UrlDetector().name == "url"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("server 192.168.1.10.", "192.168.1.10"),
        ("from 8.8.8.8, then", "8.8.8.8"),
        ("ip 1.2.3.4", "1.2.3.4"),
        ("IP:192.168.1.1", "192.168.1.1"),
        ("host fe80::1%eth0 is down", "fe80::1%eth0"),
        ("IP is ::1.", "::1"),
        ("2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3::8a2e:370:7334"),
        ("2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:0db8:0000:0000:0000:ff00:0042:8329"),
        ("mapped ::ffff:192.0.2.128 here", "::ffff:192.0.2.128"),
    ],
)
def test_ip_positives(text: str, expected: str) -> None:
    assert ips(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "version 1.2.3.4",
        "v1.2.3.4",
        "firmware 10.2.0.15",
        "999.1.1.1",
        "1.2.3.4.5",
        "at 10:30:00",
        "mac 00:1A:2B:3C:4D:5E",
        "dose 500 mg",
        "code E11.9",
        "price 3.14",
    ],
)
def test_ip_negatives(text: str) -> None:
    assert ips(text) == []


def test_ip_entity_and_reason() -> None:
    (f,) = IpAddressDetector().find("server 192.168.1.10")
    assert f.entity is EntityType.IP_ADDRESS
    assert f.score >= 0.9
    assert "192" not in f.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://example.com/a?b=c).", "https://example.com/a?b=c"),
        ("(www.example.org/path)", "www.example.org/path"),
        (
            "docs: https://en.wikipedia.org/wiki/Foo_(bar)!",
            "https://en.wikipedia.org/wiki/Foo_(bar)",
        ),
        ("visit example.co.uk, thanks", "example.co.uk"),
        ("my site is johnsmith.net", "johnsmith.net"),
        ("go to example.com/pricing.", "example.com/pricing"),
        ("http://www.GoalForum.com.au/", "http://www.GoalForum.com.au/"),
        ("ftp://files.example.de/x.zip;", "ftp://files.example.de/x.zip"),
        ("Amazon.com order", "Amazon.com"),
    ],
)
def test_url_positives(text: str, expected: str) -> None:
    assert urls(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "open report.pdf and setup.py",
        "run deploy.sh then read notes.md",
        "e.g. this",
        "at 5 p.m. today",
        "Hello.It's me",
        "I was done.it is fine",
        "mail jane@example.com",
        "version 2.0.1",
        "code E11.9",
        "node.js is great",
        "http://localhost",
    ],
)
def test_url_negatives(text: str) -> None:
    assert urls(text) == []


def test_url_context_raises_bare_domain() -> None:
    plain = next(iter(UrlDetector().find("johnsmith.net")))
    hinted = next(iter(UrlDetector().find("website johnsmith.net")))
    assert hinted.score > plain.score
    assert "johnsmith" not in hinted.reason


@pytest.mark.parametrize(
    "text",
    [
        "1." * 50_000,
        "a." * 50_000,
        ":" * 100_000,
        "a:" * 50_000,
        "f" * 100_000,
        "http://" + "a" * 100_000,
        "www." * 25_000,
        "a-" * 50_000,
    ],
)
def test_hostile_input_completes(text: str) -> None:
    list(IpAddressDetector().find(text))
    list(UrlDetector().find(text))


def test_megabyte_of_mixed_text() -> None:
    chunk = "Server 10.0.0.1 at https://example.com/x, see setup.py and johnsmith.net. "
    n = 1_000_000 // len(chunk)
    text = chunk * n
    assert len(list(IpAddressDetector().find(text))) == n
    assert len(list(UrlDetector().find(text))) == 2 * n
