"""The word lists and postcode shapes behind :mod:`veil.detect.address`.

Everything is read from ``veil/data/address/*.txt`` on first use and cached, so
importing the detector costs nothing. Lists are lower-cased for matching unless
a file says otherwise (region codes and all-caps country codes stay exact).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

__all__ = ["AddressLexicon", "PostcodeShape", "lexicon"]


@dataclass(frozen=True, slots=True)
class PostcodeShape:
    """One postcode format: ``strength`` is ``strong``, ``shaped`` or ``plain``."""

    name: str
    strength: str
    pattern: re.Pattern[str]
    folded: re.Pattern[str]  # the same, case-insensitive ("eh8 7fx" in chat)


@dataclass(frozen=True, slots=True)
class AddressLexicon:
    """All address vocabulary, lower-cased where matching is case-insensitive."""

    suffixes: dict[str, str]  # street word after the name -> strong | weak
    prefixes: dict[str, str]  # street word before the name -> strong | weak
    compounds: tuple[str, ...]  # glued endings, longest first
    units: dict[str, str]  # unit designator -> alone | chain
    po_boxes: dict[tuple[str, ...], str]  # phrase words -> strong | weak
    po_box_max_words: int
    regions: frozenset[str]  # exact upper-case codes
    countries: dict[tuple[str, ...], bool]  # lower-cased words -> exact-case required
    country_max_words: int
    country_exact: frozenset[tuple[str, ...]]  # original spelling of all-caps codes
    postcodes: tuple[PostcodeShape, ...]
    words: dict[str, frozenset[str]]  # small named word lists from vocabulary.txt


def _lines(name: str) -> list[str]:
    text = resources.files("veil.data.address").joinpath(name).read_text(encoding="utf-8")
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def _pairs(name: str, sep: str | None = None) -> dict[str, str]:
    result: dict[str, str] = {}
    for line in _lines(name):
        word, _, tag = line.rpartition(" ") if sep is None else line.rpartition(sep)
        result[word.strip().lower()] = tag.strip()
    return result


_SPLIT = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


def split_words(phrase: str) -> tuple[str, ...]:
    """Lower-cased words of ``phrase``, the same way the tokenizer cuts text."""
    return tuple(w.lower() for w in _SPLIT.findall(phrase))


def _sections(name: str) -> dict[str, frozenset[str]]:
    sections: dict[str, set[str]] = {}
    current: set[str] = set()
    for line in _lines(name):
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], set())
        else:
            current.update(line.split())
    return {k: frozenset(v) for k, v in sections.items()}


@functools.cache
def lexicon() -> AddressLexicon:
    """Load (once) and return the address vocabulary."""
    po_boxes = {split_words(k): v for k, v in _pairs("po_boxes.txt", sep="|").items()}
    countries: dict[tuple[str, ...], bool] = {}
    exact: set[tuple[str, ...]] = set()
    for line in _lines("countries.txt"):
        words = split_words(line)
        is_code = line.replace(".", "").isupper() and len(line.replace(".", "")) <= 3
        countries[words] = is_code
        if is_code:
            exact.add(tuple(_SPLIT.findall(line)))
    shapes = []
    for line in _lines("postcodes.txt"):
        name, strength, regex = line.split("|", 2)
        shapes.append(
            PostcodeShape(name, strength, re.compile(regex), re.compile(regex, re.IGNORECASE))
        )
    compounds = sorted((c.lower() for c in _lines("street_compounds.txt")), key=len, reverse=True)
    return AddressLexicon(
        suffixes=_pairs("street_suffixes.txt"),
        prefixes=_pairs("street_prefixes.txt"),
        compounds=tuple(dict.fromkeys(compounds)),
        units=_pairs("unit_designators.txt"),
        po_boxes=po_boxes,
        po_box_max_words=max(len(k) for k in po_boxes),
        regions=frozenset(line.split()[0] for line in _lines("regions.txt")),
        countries=countries,
        country_max_words=max(len(k) for k in countries),
        country_exact=frozenset(exact),
        postcodes=tuple(shapes),
        words=_sections("vocabulary.txt"),
    )
