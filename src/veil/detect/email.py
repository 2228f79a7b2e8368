"""E-mail addresses, plain and obfuscated.

Plain addresses (``local@domain.tld``, with plus-tags, subdomains, internationalized
labels after NFKC, inside ``<...>`` or after ``mailto:``) score high on shape alone.
Obfuscated spellings people use to dodge spam filters ("jane dot doe at gmail dot
com", "jane [at] example [dot] org", "jane at gmail.com") are accepted only when the
domain ends in a real top-level domain; the weakest form, a bare " at " followed by a
dotted domain, also needs a well-known mail provider or an e-mail word nearby.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from veil.core import EntityType, Finding, Span
from veil.detect._patterns import mail_providers, top_level_domains, word_set
from veil.detect.context import near

__all__ = ["EmailDetector"]

_LOCAL_CH = r"[\w!#$%&'*+/=?^`{|}~-]"
# Runs are possessive ("{0,62}+"): what may follow a run ("." or "@", a spelled-out
# dot or at-sign) never starts with a character of the run, so giving characters
# back could never lead to a match; not trying it saves most of a failed search.
_LABEL = r"[^\W_][\w-]{0,62}+"
# Each repetition is delimited by a literal "." so backtracking stays bounded.
_PLAIN = re.compile(
    rf"(?<![\w.!#$%&'*+/=?^`{{|}}~@-])"
    rf"(?P<local>{_LOCAL_CH}{{1,64}}+(?:\.{_LOCAL_CH}{{1,64}}+){{0,10}})"
    rf"@(?P<domain>{_LABEL}(?:\.{_LABEL}){{1,8}})"
)

_SP = r"[ \t]{0,3}"
_OPEN, _CLOSE = r"[\[({<]", r"[\])}>]"
_AT = rf"{_SP}{_OPEN}{_SP}(?:at|@){_SP}{_CLOSE}{_SP}|[ \t]{{1,3}}(?:at|@)[ \t]{{1,3}}"
_DOT = rf"{_SP}{_OPEN}{_SP}(?:dot|\.){_SP}{_CLOSE}{_SP}|[ \t]{{1,3}}dot[ \t]{{1,3}}|\."
_LOCAL_LABEL = r"[^\W_][\w+-]{0,40}+"
_DTOKEN = r"[^\W_][\w-]{0,40}+"
_OBFUSCATED = re.compile(
    rf"(?<![\w.+@-])(?P<local>{_LOCAL_LABEL}(?:(?:{_DOT}){_LOCAL_LABEL}){{0,5}})"
    rf"(?P<at>{_AT})(?P<domain>{_DTOKEN}(?:(?:{_DOT}){_DTOKEN}){{1,5}})",
    re.IGNORECASE,
)
_DOT_ONLY = re.compile(_DOT, re.IGNORECASE)
# Every obfuscated match holds an at-sign form, so a text without one is skipped
# with a single scan; the full pattern is several times slower to fail.
_AT_ONLY = re.compile(_AT, re.IGNORECASE)

_CONTEXT = frozenset({"email", "mail", "contact", "write", "inbox", "address", "reach", "send"})
# Words that sit before " at " in ordinary prose ("meet at ...", "log in at ...").
_PROSE_LOCALS = word_set(
    """meet met meeting me us him her them it look looking arrive arrived here there home work be
    is am are was were stay staying sign signed log logged in on up out back available reach
    find found visit see check online anytime only also and or but you i we they she he
    one someone email mail write contact message started start born live lives living
    stop stopped located based office school class shop shopping"""
)


def _labels(part: str) -> list[tuple[int, int]]:
    """Offsets of the labels in ``part`` separated by literal or spelled-out dots."""
    bounds: list[tuple[int, int]] = []
    pos = 0
    for sep in _DOT_ONLY.finditer(part):
        bounds.append((pos, sep.start()))
        pos = sep.end()
    bounds.append((pos, len(part)))
    return bounds


def _known_domain_end(domain: str, labels: list[tuple[int, int]]) -> int | None:
    """End offset of the longest label prefix (two labels or more) ending in a known TLD."""
    tlds = top_level_domains()
    for n in range(len(labels), 1, -1):
        start, end = labels[n - 1]
        if domain[start:end].lower() in tlds:
            return end
    return None


class EmailDetector:
    """Finds e-mail addresses (:attr:`EntityType.EMAIL`). Cheap to construct."""

    @property
    def name(self) -> str:
        return "email"

    def find(self, text: str) -> Iterator[Finding]:
        yield from self._plain(text)
        yield from self._obfuscated(text)

    def _plain(self, text: str) -> Iterator[Finding]:
        if "@" not in text:
            return  # the pattern needs a literal at-sign
        for m in _PLAIN.finditer(text):
            domain = m.group("domain")
            labels = _labels(domain)
            end = _known_domain_end(domain, labels)
            if end is not None:
                score, reason = 0.95, "address pattern, known top-level domain"
            else:
                tld = domain[labels[-1][0] :]
                if not (tld.isalpha() or tld.lower().startswith("xn--")) or len(tld) < 2:
                    continue
                end, score, reason = len(domain), 0.8, "address pattern"
            if any(
                domain[s:e].startswith("-") or domain[s:e].endswith("-") or "_" in domain[s:e]
                for s, e in labels
                if e <= end
            ):
                continue
            yield Finding(
                EntityType.EMAIL,
                Span(m.start(), m.start("domain") + end),
                score,
                self.name,
                reason,
            )

    def _obfuscated(self, text: str) -> Iterator[Finding]:
        if _AT_ONLY.search(text) is None:
            return
        pos = 0
        while True:
            m = _OBFUSCATED.search(text, pos)
            if m is None:
                return
            finding = self._judge(text, m)
            if finding is None:
                pos = m.start() + 1
                continue
            pos = finding.end
            yield finding

    def _judge(self, text: str, m: re.Match[str]) -> Finding | None:
        local, at, domain = m.group("local"), m.group("at"), m.group("domain")
        local_labels = [local[s:e].lower() for s, e in _labels(local)]
        labels = _labels(domain)
        words = local_labels + [domain[s:e].lower() for s, e in labels]
        if any(w in {"at", "dot"} for w in words):
            return None
        end = _known_domain_end(domain, labels)
        if end is None:
            return None
        bracketed_at = "@" in at or any(c in at for c in "[({<")
        used = [domain[labels[i][1] : labels[i + 1][0]] for i in range(len(labels) - 1)]
        spelled_dot = any(sep != "." for sep in used)
        if bracketed_at:
            score, reason = 0.85, "obfuscated address, bracketed at-sign"
        else:
            if local_labels[-1] in _PROSE_LOCALS or local_labels[0] in _PROSE_LOCALS:
                return None
            if spelled_dot:
                score, reason = 0.8, "obfuscated address, spelled-out separators"
            elif domain[labels[0][0] : labels[0][1]].lower() in mail_providers():
                score, reason = 0.75, "obfuscated address, known mail provider"
            elif near(text, m.start(), m.end(), _CONTEXT):
                score, reason = 0.65, "obfuscated address + context 'email'"
            else:
                return None
        return Finding(
            EntityType.EMAIL,
            Span(m.start(), m.start("domain") + end),
            score,
            self.name,
            reason,
        )
