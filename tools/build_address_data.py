"""Dev-time helper: list Faker's street words per locale that veil's lists lack.

Faker (MIT, a dev extra, never a runtime dependency) keeps street suffixes and
prefixes for many locales. This script prints the ones that are not yet in
``src/veil/data/address/street_*.txt`` so a maintainer can review and add the
real street words by hand; the data files stay curated, never generated, because
Faker's lists also hold place names and filler that would hurt precision.

    python tools/build_address_data.py            # review candidates
    python tools/build_address_data.py --locale de_DE --locale fi_FI
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src" / "veil" / "data" / "address"
ATTRS = ("street_suffixes", "street_prefixes", "street_prefixes_long", "street_types")


def known_words() -> set[str]:
    words: set[str] = set()
    for name in ("street_suffixes.txt", "street_prefixes.txt", "street_compounds.txt"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                words.add(line.split()[0].lower().rstrip("."))
    return words


def faker_words(locale: str) -> dict[str, set[str]]:
    module = importlib.import_module(f"faker.providers.address.{locale}")
    provider = module.Provider
    found: dict[str, set[str]] = {}
    for attr in ATTRS:
        if attr not in vars(provider):
            continue
        values = vars(provider)[attr]
        items = values.keys() if isinstance(values, dict) else values
        found[attr] = {str(v).strip().lower().rstrip(".") for v in items if str(v).strip()}
    return found


def main() -> None:
    import faker.providers.address as base

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--locale", action="append", help="limit to these Faker locales")
    args = parser.parse_args()
    locales = args.locale or sorted(m.name for m in pkgutil.iter_modules(base.__path__))
    known = known_words()
    for locale in locales:
        for attr, words in faker_words(locale).items():
            missing = sorted(w for w in words if w not in known and len(w.split()) == 1)
            if missing and len(missing) <= 60:  # long lists are street names, not types
                print(f"{locale:8} {attr:22} {' '.join(missing)}")


if __name__ == "__main__":
    main()
