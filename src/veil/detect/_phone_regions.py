"""Whether a region's numbering plan can make a valid number out of a run of digits.

:class:`phonenumbers.PhoneNumberMatcher` costs tens of microseconds per region and
run, and most digit runs in messages (house numbers, order numbers) are valid in no
region. This module answers "can region R find a VALID number in this run?" from
the regions' metadata alone, so the caller may skip regions that cannot.

The answer must never be a wrong "no". It rests on these facts about phonenumbers
9.x (``phonenumbermatcher.py`` and ``phonenumberutil.py``), for runs made only of
ASCII digits and ``" \\t().-/"`` (:func:`plain`; anything else gets "yes"):

- No candidate the matcher parses, whole or as an inner match, starts or ends
  between two digits of a maximal digit group (its pattern takes whole groups;
  inner matches start at "(" or after "/", spaces, " - " or ".", and are trimmed
  back to a digit).
  Without letters, "#", "," or ";" no extension is stripped, so a candidate's
  digits are those of a contiguous sequence of the run's groups.
- Unless R's international (IDD) prefix starts those digits, the number gets R's
  calling code, and its national significant number (nsn) is the digits with a
  prefix stripped (calling code, national prefix: a suffix), or what R's or the
  calling code's main region's ``national_prefix_transform_rule`` makes of them.
- ``is_valid_number`` needs the nsn to match, in length and in full, the
  ``general_desc`` of some region sharing the calling code.

So R can produce a valid number only if an IDD prefix starts at some group, or some
substring of the run's digits that ends at a group end has a length and a full
match the calling code's general descriptions allow, or a transform rule turns such
a substring into something other than one of its own suffixes (taken as "yes").
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache, lru_cache

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata, region_code_for_country_code

from veil.detect.context import words_after, words_before

__all__ = ["DigitGroups", "RegionSkip", "digit_groups", "invalid_ceiling", "plain"]

_PLAIN = re.compile(r"[0-9 \t().\-/]+")
_GROUP = re.compile(r"[0-9]+")
# phonenumbers refuses a national significant number longer than this.
_MAX_NSN = 17


def plain(run: str) -> bool:
    """True if ``run`` holds only ASCII digits and the separators the reasoning above
    covers (no "+", letters, "#", "," or ";")."""
    return _PLAIN.fullmatch(run) is not None


@dataclass(frozen=True, slots=True, eq=False)  # one per calling code: identity will do
class _Plan:
    """What a calling code accepts as a national significant number."""

    pattern: re.Pattern[str]  # any of its regions' general descriptions, in full
    lengths: tuple[int, ...]  # any of their possible lengths


@dataclass(frozen=True, slots=True)
class _Region:
    plan: _Plan
    idd: re.Pattern[str] | None
    transforms: tuple[tuple[re.Pattern[str], str], ...]  # (national prefix, rule)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """One object per pattern, so regions with the same IDD prefix share a memo entry."""
    return re.compile(pattern)


@cache
def _plan(country_code: int) -> _Plan | None:
    patterns: list[str] = []
    lengths: set[int] = set()
    for region in COUNTRY_CODE_TO_REGION_CODE.get(country_code, ()):
        meta = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
        desc = None if meta is None else meta.general_desc
        if desc is None or not desc.national_number_pattern:
            continue
        if f"(?:{desc.national_number_pattern})" not in patterns:
            patterns.append(f"(?:{desc.national_number_pattern})")
        # No lengths listed means any length passes the length test.
        lengths.update(desc.possible_length or range(1, _MAX_NSN + 1))
    if not patterns:
        return None
    return _Plan(re.compile("|".join(patterns)), tuple(sorted(lengths)))


@cache
def _region(region: str) -> _Region | None:
    """``None`` when phonenumbers does not know the region (the caller says "yes")."""
    meta = PhoneMetadata.metadata_for_region(region, None)
    if meta is None or meta.country_code is None:
        return None
    plan = _plan(meta.country_code)
    if plan is None:
        return None
    main = PhoneMetadata.metadata_for_region_or_calling_code(
        meta.country_code, region_code_for_country_code(meta.country_code)
    )
    transforms = tuple(
        (re.compile(m.national_prefix_for_parsing), m.national_prefix_transform_rule)
        for m in {id(meta): meta, id(main): main}.values()
        if m is not None and m.national_prefix_for_parsing and m.national_prefix_transform_rule
    )
    idd = _compiled(meta.international_prefix) if meta.international_prefix else None
    return _Region(plan, idd, transforms)


class DigitGroups:
    """The digit groups of one plain run, asked about one region after another."""

    __slots__ = ("_digits", "_ends", "_memo", "_starts")

    def __init__(self, run: str) -> None:
        self._digits = ""
        self._starts: list[int] = []
        self._ends: list[int] = []
        for group in _GROUP.findall(run):
            self._starts.append(len(self._digits))
            self._digits += group
            self._ends.append(len(self._digits))
        self._memo: dict[object, bool] = {}  # by IDD pattern and by plan

    def may_be_valid(self, region: str, *, zero_led: bool = False) -> bool:
        """False only if no number the matcher finds in the run for ``region`` can be
        valid (see the module docstring). ``zero_led``: the caller only takes a
        national number as valid when its first digit, a group's first, is "0"."""
        if zero_led and not any(self._digits[s] == "0" for s in self._starts):
            return False
        info = _region(region)
        if info is None:
            return True
        if info.idd is not None:
            # Most regions dial out with "00": ask once per prefix.
            idd = self._memo.get(info.idd)
            if idd is None:
                digits, match = self._digits, info.idd.match
                idd = self._memo[info.idd] = any(match(digits[s:]) for s in self._starts)
            if idd:
                return True
        if info.transforms and not self._transforms_leave_suffixes(info):
            return True
        # Regions sharing a calling code (US, CA) share the answer.
        found = self._memo.get(info.plan)
        if found is None:
            found = self._memo[info.plan] = self._plan_matches(info.plan)
        return found

    def _plan_matches(self, plan: _Plan) -> bool:
        digits, fullmatch = self._digits, plan.pattern.fullmatch
        for end in self._ends:
            for length in plan.lengths:
                if length > end:
                    break
                if fullmatch(digits[end - length : end]):
                    return True
        return False

    def _transforms_leave_suffixes(self, info: _Region) -> bool:
        """True if every transform rule, wherever it applies to a substring ending at
        a group end, yields a suffix of that substring (which is tested anyway).
        phonenumbers strips at most twice, each time from such a substring or a
        suffix of one, so nothing else can come out."""
        digits = self._digits
        for prefix, rule in info.transforms:
            for end in self._ends:
                for start in range(end):
                    number = digits[start:end]
                    m = prefix.match(number)
                    if m is None or not m.groups() or m.group(len(m.groups())) is None:
                        continue  # no match, or a plain strip: a suffix
                    if not number.endswith(prefix.sub(rule, number, count=1)):
                        return False
        return True


@lru_cache(maxsize=8)
def digit_groups(run: str) -> DigitGroups:
    """One :class:`DigitGroups` per run for the few runs read last, so that the region
    skip and the phone detector's ceilings share its per-plan answers."""
    return DigitGroups(run)


_NANP_INSIDE = re.compile(r"\d{3}\)?[ .\-]?\d{3}[ .\-]\d{4}")


def invalid_ceiling(run: str) -> float:
    """The highest base score a hit that is not a valid number can get in a plain run
    (no "+", no "00" group): ``veil.detect.phone._score(raw, False)`` of a part ``raw``."""
    if _NANP_INSIDE.search(run):
        return 0.5
    return 0.4 if any(ch in run for ch in " -.()/") else 0.3


class RegionSkip:
    """For one run whose invalid hits score under the caller's floor: may a region's
    matcher be skipped? Yes when the region can read no valid number from the run
    and, if a telephone word (``cues``) would lift an invalid hit to the floor
    (``cue_matters``), none is near any possible hit. ``trunk_zero`` are the regions
    whose national numbers are only believed with their "0" written."""

    __slots__ = ("_cues", "_end", "_groups", "_quiet", "_start", "_text", "_trunk_zero")

    def __init__(
        self,
        text: str,
        start: int,
        end: int,
        *,
        cues: Collection[str],
        trunk_zero: Collection[str],
        cue_matters: bool,
    ) -> None:
        self._text, self._start, self._end = text, start, end
        self._cues, self._trunk_zero = cues, trunk_zero
        self._groups = digit_groups(text[start:end])
        self._quiet: bool | None = None if cue_matters else True

    def __call__(self, region: str) -> bool:
        if self._groups.may_be_valid(region, zero_led=region in self._trunk_zero):
            return False
        if self._quiet is None:
            self._quiet = not self._cue_near()
        return self._quiet

    def _cue_near(self) -> bool:
        """True if a telephone word is near some possible hit: hits never start or end
        between two digits of a group (see the module's notes), and PhoneDetector
        looks 5 words back from the start and 2 words on from the end."""
        text, start, cues = self._text, self._start, self._cues
        run = text[start : self._end]
        n = len(run)
        edges = [
            i
            for i in range(n + 1)
            if i in (0, n) or not (run[i - 1].isdigit() and run[i].isdigit())
        ]
        starts, ends = edges[:-1], edges[1:]
        return any(
            any(w in cues for w in words_before(text, start + i, count=5)) for i in starts
        ) or any(any(w in cues for w in words_after(text, start + i, count=2)) for i in ends)
