"""Private building blocks shared by the contact and technical detectors.

Top-level domains, well-known mail providers, file extensions that collide with
country codes, and the Luhn checksum. Everything here is plain data or a pure
function; the sets are built on first use, never at import.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from functools import cache
from typing import Protocol, TypeVar

__all__ = [
    "ENGLISH_WORD_TLDS",
    "FILE_EXTENSION_TLDS",
    "SECOND_LEVEL_LABELS",
    "luhn_valid",
    "mail_providers",
    "non_overlapping",
    "top_level_domains",
    "word_set",
]


def word_set(spec: str) -> frozenset[str]:
    """The whitespace-separated words of ``spec`` as a set (keeps word lists readable)."""
    return frozenset(spec.split())


# Every ISO-3166 country-code TLD that is delegated (plus uk, eu, su, ac).
_CC_TLDS = """
ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br
bs bt bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz
ec ee eg er es et eu fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw
gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw
ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu
mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt
pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc
td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws
ye yt za zm zw
"""

# The generic TLDs people actually type; the long tail of brand TLDs is left out
# on purpose because most of them are ordinary English words.
_GENERIC_TLDS = """
com net org edu gov mil int info biz name pro mobi aero coop museum jobs travel tel asia
cat app dev online site shop store tech blog cloud xyz top club live email page website
space digital agency studio design media news today world life group company solutions
services network systems consulting health clinic care dental doctor hospital insurance
bank finance capital law legal academy school university education family fitness photo
photography art music video games fun social chat help support team works city london
berlin paris nyc tokyo amsterdam wien swiss bayern global ltd llc gmbh
"""

# ccTLDs that are also common file extensions: "setup.py", "deploy.sh", "notes.md".
FILE_EXTENSION_TLDS: frozenset[str] = word_set(
    "py pl sh md rs ps ai so cc ms pm ml mk am cs ts js sc tk"
)

# ccTLDs that are also everyday English words; "it.is" joins happen in hasty typing.
ENGLISH_WORD_TLDS: frozenset[str] = word_set("is it at be no to us in my so am me do as by id")

# Registry second levels such as "co.uk" or "com.br".
SECOND_LEVEL_LABELS: frozenset[str] = word_set("co com org net gov edu ac or ne go gob nic")

_MAIL_PROVIDERS = """
gmail googlemail yahoo ymail rocketmail hotmail outlook live msn icloud me mac aol
protonmail proton pm gmx web t-online freenet mail yandex zoho fastmail hey orange free
laposte sfr wanadoo libero virgilio tiscali alice btinternet sky virginmedia talktalk
comcast verizon att sbcglobal bellsouth charter cox qq 163 126 naver daum rediffmail
terra uol bol seznam wp onet o2 interia ziggo kpn xs4all telenet skynet bluewin hispeed
tutanota posteo mailbox inbox ukr rambler bk list
"""


@cache
def top_level_domains() -> frozenset[str]:
    """Lower-case top-level domains veil accepts for bare domains and obfuscated mail."""
    return frozenset(_CC_TLDS.split()) | frozenset(_GENERIC_TLDS.split())


@cache
def mail_providers() -> frozenset[str]:
    """Lower-case second-level labels of large consumer mail providers ("gmail", "gmx")."""
    return frozenset(_MAIL_PROVIDERS.split())


def luhn_valid(digits: str) -> bool:
    """True if the ASCII digit string passes the Luhn (mod 10) checksum."""
    if not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


class _Ranged(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


_R = TypeVar("_R", bound=_Ranged)


def non_overlapping(items: Iterable[_R], rank: Callable[[_R], float]) -> list[_R]:
    """Keep a set of non-overlapping items, best ``rank`` (then longest) first.

    Items are swept in start order and only compared inside a cluster of mutually
    chained overlaps, so the cost stays near-linear however many items there are.
    """
    kept: list[_R] = []
    cluster: list[_R] = []
    cluster_end = -1
    for item in [*sorted(items, key=lambda i: i.start), None]:
        if item is not None and item.start < cluster_end:
            cluster.append(item)
            cluster_end = max(cluster_end, item.end)
            continue
        # Chosen intervals are disjoint, so sorted by start they are sorted by end too.
        starts: list[int] = []
        ends: list[int] = []
        for c in sorted(cluster, key=lambda c: (-rank(c), c.start - c.end)):
            pos = bisect_left(starts, c.start)
            if (pos > 0 and ends[pos - 1] > c.start) or (pos < len(starts) and starts[pos] < c.end):
                continue
            starts.insert(pos, c.start)
            ends.insert(pos, c.end)
            kept.append(c)
        if item is not None:
            cluster, cluster_end = [item], item.end
    return kept
