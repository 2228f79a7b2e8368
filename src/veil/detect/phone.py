"""Telephone numbers, validated with ``phonenumbers``.

A cheap pattern first picks out runs of digits and phone punctuation; only those
short runs go through :class:`phonenumbers.PhoneNumberMatcher`, once per configured
region (international ``+CC`` numbers need one pass). A number that is valid for
some region scores higher than one that is merely possible; formatting, "call"-like
words and the international prefix raise the score. Runs that look like dates,
times, amounts, card numbers, IBANs or order/tracking references are dropped before
the matcher sees them. Given the caller's threshold, a region is not asked about a
run when it could only find invalid numbers too weak to pass it (most house and
order numbers), which ``_phone_regions`` tells from the numbering plans.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher, PhoneNumberType

from veil.core import EntityType, Finding, Span
from veil.detect._patterns import luhn_valid, non_overlapping, word_set
from veil.detect._phone_loose import loose_numbers
from veil.detect._phone_regions import RegionSkip, digit_groups, invalid_ceiling, plain
from veil.detect.context import near, words_before

__all__ = ["DEFAULT_REGIONS", "PhoneDetector"]

DEFAULT_REGIONS: tuple[str, ...] = (
    "US", "GB", "DE", "FR", "ES", "IT", "NL", "IN", "AU", "CA", "IE", "BR", "MX", "PL", "TR",
)  # fmt: skip

# Bounded run of digits and phone punctuation, with an optional extension.
_CANDIDATE = re.compile(
    r"(?<![\w+#$€£¥₹])(?:\+|\b00)?[ \t]?\(?[ \t]?\d[\d \t().\-/]{4,40}\d"
    r"(?:[ \t]{0,3}[,;]?[ \t]{0,3}(?:ext\.?|extension|x|#)[ \t]{0,3}\d{1,6}\b)?",
    re.IGNORECASE,
)
_DATE_INSIDE = re.compile(r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")
_DATE_WHOLE = re.compile(r"\d{1,2}([-.])\d{1,2}\1(?:19|20)\d\d")
_DOTTED_NUMBER = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}|\d{1,3}(?:\.\d{3})+|\d+\.\d+")
_YEAR_RANGE = re.compile(r"(?:19|20)\d\d[ \t]?[-/][ \t]?(?:19|20)?\d\d")
# US social security numbers (3-2-4) and ZIP+4 codes (5-4) are written like phone numbers.
_ID_SHAPES = re.compile(r"\d{3}-\d{2}-\d{4}|\d{5}-\d{4}")
_DIGIT_GROUP = re.compile(r"\d+")
_IBAN_HEAD = re.compile(r"[A-Z]{2}\d{2}[ ]?$")
_TIME_AFTER = re.compile(r"[:h]\d")
_CURRENCY_AFTER = re.compile(
    r"[ \t]?(?:[$€£¥₹%]|(?:usd|eur|gbp|inr|aud|cad|chf|brl|mxn|pln|try|dollars?|euros?|"
    r"pounds?|rupees?|reais|pesos?)\b)",
    re.IGNORECASE,
)

_POSITIVE = word_set(
    """call phone telephone tel ph mobile mob cell cellphone fax whatsapp reach contact text
    sms ring dial landline number hotline telefon telefono teléfono téléphone handy portable
    móvil movil celular cellulare tlf"""
)
_NEGATIVE = word_set(
    """order invoice tracking track ref reference confirmation booking ticket case claim
    policy account acct iban card serial sku transaction receipt parcel shipment member
    customer id pin code zip postcode amount total balance price cost paid pay payment
    routing sort swift bic passport license licence ssn nhs item model part version patient
    mrn isbn social security ssn tax tin itin driver dl nin vat"""
)


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    score: float
    reason: str


def _excluded(text: str, start: int, end: int) -> bool:
    """True if the run is a date, time, amount, card number, IBAN or dotted number."""
    run = text[start:end]
    if _DATE_INSIDE.search(run) or _DATE_WHOLE.fullmatch(run) or _DOTTED_NUMBER.fullmatch(run):
        return True
    # Real numbers are written in a few groups; "1 2 3 4 5 6 7 8 9" is a list.
    if (
        _YEAR_RANGE.fullmatch(run)
        or _ID_SHAPES.fullmatch(run)
        or len(_DIGIT_GROUP.findall(run)) > 8
    ):
        return True
    if end < len(text) and (text[end].isalpha() or _TIME_AFTER.match(text, end)):
        return True
    if _CURRENCY_AFTER.match(text, end) or _IBAN_HEAD.search(text, max(0, start - 5), start):
        return True
    digits = "".join(ch for ch in run if ch.isdigit())
    return not run.startswith("+") and 13 <= len(digits) <= 19 and luhn_valid(digits)


# Countries where the national trunk "0" is always written in national format; elsewhere
# (India's mobiles, Brazil's "(11) 9...") people routinely leave it out.
_WRITTEN_TRUNK_ZERO = frozenset({"GB", "DE", "FR", "NL", "AU", "IE", "TR", "AT", "CH", "BE", "NZ"})


def _prefix_ok(raw: str, region: str) -> bool:
    """A national number from a trunk-0 country is only believed with its 0 written."""
    if raw.startswith(("+", "00")) or region not in _WRITTEN_TRUNK_ZERO:
        return True
    return raw.lstrip("( \t").startswith("0")


_SIX_DIGITS = re.compile(r"(?:\D*\d){6}")
# The highest scores _score gives: valid international and valid national numbers.
_INTERNATIONAL_VALID = 0.85
_NATIONAL_VALID = 0.7


def _score(raw: str, valid: bool) -> tuple[float, str]:
    """Base score of a matched number from how it was written."""
    international = raw.startswith(("+", "00"))
    formatted = any(ch in raw for ch in " -.()/")
    digits = sum(ch.isdigit() for ch in raw)
    if international:
        return (
            (_INTERNATIONAL_VALID, "valid international number")
            if valid
            else (0.6, "possible number")
        )
    if valid and formatted:
        return (_NATIONAL_VALID if digits >= 9 else 0.55), "valid national number"
    if valid:
        return (0.55, "valid national number") if digits >= 10 else (0.4, "national number")
    if formatted and re.fullmatch(r"\(?\d{3}\)?[ .\-]?\d{3}[ .\-]\d{4}", raw.split("x")[0].strip()):
        return 0.5, "possible number, north-american grouping"
    return (0.4, "possible number") if formatted else (0.3, "possible number")


_INNER_TRUNK = re.compile(r"(?<!\d)00")


def _ceiling(run: str, best: float) -> Callable[[str], float] | None:
    """The highest base score each region can give a hit in ``run``, or None if
    that is ``best`` for every region.

    In a plain run (no "+", no "00" group) a region that can read no valid number
    (``DigitGroups.may_be_valid``; trunk-zero regions need a group led by "0", see
    :func:`_prefix_ok`) gives invalid hits only, scored at most :func:`invalid_ceiling`.
    """
    if not plain(run) or _INNER_TRUNK.search(run):
        return None
    groups, invalid = digit_groups(run), invalid_ceiling(run)

    def ceiling(region: str) -> float:
        zero_led = region in _WRITTEN_TRUNK_ZERO
        return best if groups.may_be_valid(region, zero_led=zero_led) else invalid

    return ceiling


class _Asking:
    """Asks regions' matchers about one run, in order, skipping those that cannot
    change the result.

    A hit over the whole run overlaps every other hit there, and ``non_overlapping``
    ranks by score, then length, then order. So while the first-ranked hit so far
    (``lead``) covers the whole run, a later region whose ceiling is no higher than
    its score can only add hits that rank after it and are dropped, provided that
    ``lead`` still ranks first at the end; the caller checks that (``passed``,
    :meth:`lead_is_whole`) and asks again without passing over when it does not.
    A whole-run hit with the best score any region can give stops the loop.
    """

    __slots__ = ("_digits", "_end", "_first", "_run", "_start", "best", "lead", "passed", "skip")

    def __init__(self, run: str, start: int, digits: int, skip: RegionSkip | None) -> None:
        self._run, self._start, self._digits, self.skip = run, start, digits, skip
        stripped = run.lstrip(" \t")
        self._first, self._end = start + len(run) - len(stripped), start + len(run)
        self.best = _best_score(stripped)
        self.lead: _Hit | None = None
        self.passed = False

    def lead_is_whole(self) -> bool:
        lead = self.lead
        return lead is not None and lead.start == self._first and lead.end == self._end

    def regions(
        self, regions: Sequence[str], *, ceiling: Callable[[str], float] | None
    ) -> list[_Hit]:
        hits: list[_Hit] = []
        for region in regions:
            if self.skip is not None and self.skip(region):
                continue  # it could only find invalid hits, all under the floor
            lead = self.lead
            if (
                ceiling is not None
                and lead is not None
                and self.lead_is_whole()
                and ceiling(region) <= lead.score
            ):
                self.passed = True
                continue
            found = _region_hits(self._run, self._start, region, self._digits)
            hits += found
            for hit in found:
                if lead is None or (hit.score, hit.end - hit.start) > (
                    lead.score,
                    lead.end - lead.start,
                ):
                    lead = hit
            self.lead = lead
            if lead is not None and lead.score >= self.best and self.lead_is_whole():
                break
        return hits


def _region_hits(run: str, start: int, region: str, digits: int) -> list[_Hit]:
    """What phonenumbers' matcher finds in ``run`` for ``region``, scored."""
    hits: list[_Hit] = []
    for pm in PhoneNumberMatcher(run, region, leniency=Leniency.POSSIBLE):
        # In long runs (tracking numbers, card-like groups) a sub-match must be
        # cut off from the rest by a slash, not just by a space.
        if digits > 15 and not _slash_bounded(run, pm.start, pm.end):
            continue
        # The cheap written-prefix test first: it spares most validity checks.
        valid = _prefix_ok(pm.raw_string, region) and phonenumbers.is_valid_number(pm.number)
        score, why = _score(pm.raw_string, valid)
        reason = f"{why} (phonenumbers, region {region})"
        if pm.raw_string.startswith(("+", "00")):
            reason = f"{why} (phonenumbers)"
        hits.append(_Hit(start + pm.start, start + pm.end, score, reason))
    return hits


def _slash_bounded(run: str, s: int, e: int) -> bool:
    before, after = run[:s].rstrip(), run[e:].lstrip()
    return (not before or before.endswith("/")) and (not after or after.startswith("/"))


def _best_score(raw: str) -> float:
    """The highest score any region can give a hit on ``raw`` or on a part of it.

    A part has no more digits than the whole, and is formatted only if the whole is,
    so the whole's valid score bounds every national part; a part that starts with
    "00" may be scored as international.
    """
    if _INNER_TRUNK.search(raw):
        return _INTERNATIONAL_VALID
    return _score(raw, True)[0]


# Loose numbers (at most 0.6) are weighed against strict findings in ``find`` (the
# 0.6 whole-run test): every hit that could reach 0.6 is kept, so that interplay is
# exactly what it is without a floor.
_LOOSE_FLOOR = 0.6


class PhoneDetector:
    """Finds telephone numbers (:attr:`EntityType.PHONE`).

    ``regions`` are ISO 3166 codes whose national formats are tried; numbers with an
    international prefix are found whatever the regions. Cheap to construct.

    ``min_score`` is the caller's threshold: findings scoring below it may be left
    out, which lets runs that no region can read as a valid number skip the
    regions' matchers. With the default 0.0 every finding is reported. Findings at
    or above it are exactly those of ``PhoneDetector(regions)``.
    """

    def __init__(self, regions: Sequence[str] = DEFAULT_REGIONS, *, min_score: float = 0.0) -> None:
        self._regions = tuple(r.upper() for r in regions) or ("US",)
        self._floor = min(min_score, _LOOSE_FLOOR)

    @property
    def name(self) -> str:
        return "phone"

    def warm_up(self) -> None:
        """Compile phonenumbers' patterns for every region now.

        phonenumbers compiles each region's patterns on first use, which made the first
        messages touching a region several milliseconds slower (the p99 of a fresh
        process). Running the regions' own example numbers through ``find`` pays that
        once, at start-up, with no personal data involved.
        """
        samples: list[str] = []
        for region in self._regions:
            for kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE):
                example = phonenumbers.example_number_for_type(region, kind)
                if example is None:
                    continue
                for fmt in (PhoneNumberFormat.NATIONAL, PhoneNumberFormat.INTERNATIONAL):
                    samples.append(phonenumbers.format_number(example, fmt))
        for sample in samples:
            for _ in self.find(f"call {sample} or order 4521-88-1034 ref 2270-66-1551"):
                pass

    def find(self, text: str) -> Iterator[Finding]:
        # No run can hold the six digits a number needs: skip the scan entirely.
        if _SIX_DIGITS.match(text) is None:
            return
        for m in _CANDIDATE.finditer(text):
            start, end = m.span()
            if _excluded(text, start, end):
                continue
            hits = self._match(text, start, end)
            strict: list[Finding] = []
            for hit in non_overlapping(hits, rank=lambda h: h.score):
                finding = self._finding(text, hit)
                if finding is not None:
                    strict.append(finding)
            yield from strict
            if any(f.start <= start and end <= f.end and f.score >= 0.6 for f in strict):
                continue  # the whole run is a number already
            # Odd groupings phonenumbers refuses, taken when a telephone word says so.
            for s, e, score, reason in loose_numbers(text, (start, end), _excluded):
                if not any(f.start <= s and e <= f.end and f.score >= score for f in strict):
                    yield Finding(EntityType.PHONE, Span(s, e), score, self.name, reason)

    def _match(self, text: str, start: int, end: int) -> list[_Hit]:
        run = text[start:end]
        digits = sum(ch.isdigit() for ch in run)
        if digits < 6:
            return []
        regions = self._regions[:1] if run.startswith("+") else self._regions
        ask = _Asking(run, start, digits, self._skip(text, start, end))
        hits = ask.regions(regions, ceiling=_ceiling(run, ask.best))
        if ask.passed and not ask.lead_is_whole():
            # A later region outranked the whole-run hit that others were passed
            # over for: their hits might count after all, so ask them.
            hits = _Asking(run, start, digits, ask.skip).regions(regions, ceiling=None)
        return hits

    def _skip(self, text: str, start: int, end: int) -> RegionSkip | None:
        """What decides which regions may skip the run, or None if none may.

        A region may skip the run when every hit it could find there is invalid and
        under the floor, whatever part of the run it covers and whatever words are
        around it. Why the output over the floor stays the same: a skipped hit was
        under it. In ``non_overlapping`` (ranked by base score) only hits ranked
        after it can change keep-status, so their base scores are no higher, and
        their context bonus is no higher than the best one over the whole run, which
        is what is bounded: they too end under the floor. Being under
        ``min(floor, 0.6)``, none of them decides the loose numbers' 0.6 whole-run
        test, and none suppresses a loose number that reaches the floor. An invalid
        hit never stops the region loop early (it scores under ``_best_score``).
        """
        if self._floor <= 0.3:
            return None  # every hit scores 0.3 or more
        run = text[start:end]
        if not plain(run) or _INNER_TRUNK.search(run):
            return None  # "+", "00", letters, "#": hits may score 0.6, or be parsed
        base = invalid_ceiling(run)
        if base >= self._floor:
            return None
        cue_matters = round(min(0.95, base + 0.2), 2) >= self._floor
        return RegionSkip(
            text,
            start,
            end,
            cues=_POSITIVE,
            trunk_zero=_WRITTEN_TRUNK_ZERO,
            cue_matters=cue_matters,
        )

    def _finding(self, text: str, hit: _Hit) -> Finding | None:
        score, reason = hit.score, hit.reason
        close = words_before(text, hit.start, count=3)
        positive = near(text, hit.start, hit.end, _POSITIVE, before=5, after=2)
        if any(w in _NEGATIVE for w in close):
            return None
        if hit.start > 0 and text[hit.start - 1] == "#" and not positive:
            return None
        if positive:
            score, reason = min(0.95, score + 0.2), reason + " + context 'phone'"
        elif near(text, hit.start, hit.end, _NEGATIVE, before=4, after=1):
            score -= 0.2
        if score < 0.3:
            return None
        return Finding(
            EntityType.PHONE, Span(hit.start, hit.end), round(score, 2), self.name, reason
        )
