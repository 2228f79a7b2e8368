"""Train the person/place name tagger shipped as ``veil/data/model/names.json.gz``.

Development-time only (needs Faker; nothing here is imported at run time)::

    python tools/train_name_model.py [--messages 40000] [--epochs 6] [--seed 7]

Training data are synthetic messages built from the hand-written templates in
``tools/name_templates.py``: names from Faker person providers in many locales, places
from the shipped place lexicon and Faker address providers, and negatives
(companies, products, eponymous conditions, departments, weekdays, capitalised
ordinary words, invented brand words). A share of entity words is presented to the
model as unknown to every lexicon so that it learns shape and context, and a share of
messages is lower-cased. No benchmark corpus is read. The model is an averaged
perceptron over :func:`veil.detect.name_model.features`; deterministic for a seed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

from faker import Faker

sys.path.insert(0, str(Path(__file__).resolve().parent))
from name_templates import (
    CAPS,
    DEPTS,
    EPONYMS,
    MONTHS,
    ORGS,
    PREFIXES,
    PRODUCTS,
    SUFFIXES,
    TEMPLATES,
    TITLES,
    WEEKDAYS,
    split,
)  # fmt: skip

from veil.detect import lexicon
from veil.detect._name_tokens import Token, tokenize
from veil.detect.name_model import TAGS, NameModel, TaggedSpan, candidate, features

OUT = Path(__file__).resolve().parents[1] / "src/veil/data/model/names.json.gz"
LOCALES = [
    "en_US",
    "en_GB",
    "en_IE",
    "en_AU",
    "en_IN",
    "en_NG",
    "de_DE",
    "de_AT",
    "fr_FR",
    "fr_CA",
    "es_ES",
    "es_MX",
    "es_AR",
    "it_IT",
    "pt_BR",
    "pt_PT",
    "nl_NL",
    "pl_PL",
    "cs_CZ",
    "sk_SK",
    "hu_HU",
    "ro_RO",
    "hr_HR",
    "sl_SI",
    "sv_SE",
    "no_NO",
    "da_DK",
    "fi_FI",
    "et_EE",
    "lv_LV",
    "lt_LT",
    "tr_TR",
    "el_GR",
    "ru_RU",
    "uk_UA",
    "bg_BG",
    "id_ID",
    "fil_PH",
    "vi_VN",
    "yo_NG",
    "zu_ZA",
    "sw",
    "ga_IE",
    "is_IS",
    "sq_AL",
    "az_AZ",
    "ka_GE",
    "hy_AM",
]
CITY_LOCALES = [
    "de_DE",
    "fr_FR",
    "es_ES",
    "it_IT",
    "pl_PL",
    "nl_NL",
    "cs_CZ",
    "hu_HU",
    "pt_PT",
    "sv_SE",
    "da_DK",
    "fi_FI",
    "en_GB",
]
ROMAN = {"ja_JP", "zh_CN", "ko_KR"}
Example = tuple[str, list[Token], list[int], frozenset[int], list[int]]
_SLOT = re.compile(r"\{(\w+)\}")
_SYLL = [
    "ka",
    "lo",
    "ri",
    "ven",
    "tor",
    "ma",
    "ne",
    "xi",
    "zu",
    "bel",
    "dra",
    "fen",
    "qua",
    "vox",
    "tek",
    "mi",
    "nor",
    "sa",
    "lin",
    "ex",
    "tri",
    "zen",
]


class Sampler:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.fakers = {loc: Faker(loc) for loc in LOCALES + CITY_LOCALES + sorted(ROMAN)}
        for i, f in enumerate(self.fakers.values()):
            f.seed_instance(rng.randrange(1 << 30) + i)
        entries = lexicon.place_entries()
        self.cities = sorted(k for k, v in entries.items() if v.kind == "city")
        self.big = sorted(
            k for k, v in entries.items() if v.kind == "city" and v.log_population >= 5.5
        )
        self.regions = sorted(k for k, v in entries.items() if v.kind == "region" and len(k) > 3)
        self.orgs, self.prods, self.epos = split(ORGS), split(PRODUCTS), split(EPONYMS)
        self.depts, self.caps = split(DEPTS), split(CAPS)
        freq = lexicon.word_frequencies()
        self.common = sorted(w for w, z in freq.items() if z >= 3.5 and w.isalpha())

    def _fake(self) -> Faker:
        r = self.rng.random()
        loc = self.rng.choice(sorted(ROMAN)) if r < 0.06 else self.rng.choice(LOCALES)
        return self.fakers[loc]

    def first(self) -> str:
        f = self._fake()
        if (
            f is self.fakers.get("ja_JP")
            or f is self.fakers.get("zh_CN")
            or f is self.fakers.get("ko_KR")
        ):
            try:
                return str(f.first_romanized_name())
            except AttributeError:
                pass
        return str(f.first_name())

    def last(self) -> str:
        f = self._fake()
        if f in (self.fakers.get(x) for x in ROMAN):
            try:
                return str(f.last_romanized_name())
            except AttributeError:
                pass
        return str(f.last_name())

    def person(self) -> str:
        r = self.rng.random()
        first, last = self.first(), self.last()
        if r < 0.45:
            return f"{first} {last}"
        if r < 0.55:
            return first
        if r < 0.63:
            return f"{first} {self.first()} {last}"
        if r < 0.71:
            return f"{first} {self.rng.choice('ABCDEFGHJKLMNPRSTW')}. {last}"
        if r < 0.76:
            return f"{first[0]}. {last}"
        if r < 0.81:
            return f"{last}, {first}"
        if r < 0.86:
            return f"{first} {last}-{self.last()}"
        if r < 0.90:
            return f"{first} {last}".upper()
        return f"{first} {last}"

    def city(self) -> str:
        r = self.rng.random()
        if r < 0.35:
            name = self.rng.choice(self.cities)
        elif r < 0.55:
            name = self.rng.choice(self.big)
        else:
            return str(self.fakers[self.rng.choice(CITY_LOCALES)].city())
        return " ".join(w[:1].upper() + w[1:] for w in name.split(" "))

    def country(self) -> str:
        return str(self.fakers["en_US"].country())

    def region(self) -> str:
        return " ".join(w[:1].upper() + w[1:] for w in self.rng.choice(self.regions).split(" "))

    def title_case(self) -> str:
        words = [self.rng.choice(self.common) for _ in range(self.rng.randint(1, 3))]
        return " ".join(w.capitalize() for w in words)

    def brand(self) -> str:
        word = "".join(self.rng.choice(_SYLL) for _ in range(self.rng.randint(2, 3)))
        return word.capitalize() + self.rng.choice(["", "", " Pro", " Health", " Bank", " App"])

    def fill(self, slot: str) -> tuple[str, str | None]:
        rng = self.rng
        table = {
            "P": lambda: (self.person(), "PER"),
            "F": lambda: (self.first(), "PER"),
            "L": lambda: (self.last(), "PER"),
            "T": lambda: (rng.choice(TITLES), None),
            "C": lambda: (self.city(), "LOC"),
            "K": lambda: (self.country(), "LOC"),
            "R": lambda: (self.region(), "LOC"),
            "W": lambda: (rng.choice([self.city, self.country, self.region])(), "LOC"),
            "ORG": lambda: (rng.choice(self.orgs) if rng.random() < 0.6 else self.brand(), None),
            "PROD": lambda: (rng.choice(self.prods) if rng.random() < 0.6 else self.brand(), None),
            "EPO": lambda: (rng.choice(self.epos), None),
            "DEPT": lambda: (rng.choice(self.depts), None),
            "CAP": lambda: (rng.choice(self.caps), None),
            "TC": lambda: (self.title_case(), None),
            "DAY": lambda: (rng.choice(WEEKDAYS), None),
            "MON": lambda: (rng.choice(MONTHS), None),
        }  # fmt: skip
        return table[slot]()


def message(s: Sampler, templates: list[str]) -> tuple[str, list[tuple[int, int, str]]]:
    """One synthetic message and its entity character spans."""
    rng = s.rng
    parts = [rng.choice(PREFIXES)]
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        parts.append(rng.choice(templates))
    text, spans = "", []
    for k, part in enumerate(parts):
        if k > 1:
            text += rng.choice([" ", " ", "\n", "  "])
        pos = 0
        for m in _SLOT.finditer(part):
            text += part[pos : m.start()]
            value, kind = s.fill(m.group(1))
            if kind is not None:
                spans.append((len(text), len(text) + len(value), kind))
            text += value
            pos = m.end()
        text += part[pos:]
    text += rng.choice(SUFFIXES)
    r = rng.random()
    if r < 0.12:
        text = text.lower()
    elif r < 0.27:
        for a, b, _ in spans:
            text = text[:a] + text[a:b].lower() + text[b:]
    elif r < 0.3:
        text = text.upper()
    return text, spans


def labelled(text: str, spans: list[tuple[int, int, str]]) -> tuple[list[Token], list[int]]:
    tokens = tokenize(text)
    tags = [0] * len(tokens)
    for a, b, kind in spans:
        inside = [k for k, t in enumerate(tokens) if t.start >= a and t.end <= b]
        for n, k in enumerate(inside):
            tags[k] = TAGS.index(("B-" if n == 0 else "I-") + kind)
    return tokens, tags


def build(sampler: Sampler, templates: list[str], count: int, unknown: float) -> list[Example]:
    rng = sampler.rng
    data = []
    for _ in range(count):
        text, spans = message(sampler, templates)
        tokens, tags = labelled(text, spans)
        hidden = frozenset(k for k, t in enumerate(tags) if t and rng.random() < unknown)
        for k in hidden:
            tokens[k].first = tokens[k].last = False
        cands = [k for k, t in enumerate(tokens) if candidate(t)]
        data.append((text, tokens, tags, hidden, cands))
    return data


def fit(data: list[Example], epochs: int, rng: random.Random) -> dict[str, list[float]]:
    """Averaged perceptron (lazy averaging with per-weight time stamps)."""
    n_tags = len(TAGS)
    w: dict[str, list[float]] = defaultdict(lambda: [0.0] * n_tags)
    total: dict[str, list[float]] = defaultdict(lambda: [0.0] * n_tags)
    stamp: dict[str, list[int]] = defaultdict(lambda: [0] * n_tags)
    step = 0

    def update(name: str, tag: int, delta: float) -> None:
        total[name][tag] += (step - stamp[name][tag]) * w[name][tag]
        stamp[name][tag] = step
        w[name][tag] += delta

    for epoch in range(epochs):
        rng.shuffle(data)
        errors = seen = 0
        for text, tokens, tags, unknown, cands in data:
            prev = 0
            cset = set(cands)
            for i in range(len(tokens)):
                if i not in cset:
                    prev = 0
                    continue
                step += 1
                feats = features(tokens, i, text, unknown=unknown)
                pt = TAGS[prev]
                names = [*feats, "pt=" + pt, "ptc=" + pt + feats[1]]
                scores = [0.0] * n_tags
                for name in names:
                    row = w.get(name)
                    if row is not None:
                        for k in range(n_tags):
                            scores[k] += row[k]
                guess = max(range(n_tags), key=scores.__getitem__)
                gold = tags[i]
                seen += 1
                if guess != gold:
                    errors += 1
                    for name in names:
                        update(name, gold, 1.0)
                        update(name, guess, -1.0)
                prev = gold  # teacher forcing on the previous tag
        print(f"epoch {epoch + 1}: token error {errors / max(1, seen):.4f}", flush=True)
    return {
        name: [(total[name][k] + (step - stamp[name][k]) * row[k]) / step for k in range(n_tags)]
        for name, row in w.items()
    }


def calibrate(weights: dict[str, list[float]], data: list[Example]) -> None:
    """Span precision/recall by margin on messages from templates the model never saw."""
    model = NameModel(weights)
    rows: list[tuple[float, bool, bool]] = []
    gold_total = 0
    for text, tokens, tags, _, _ in data:
        gold = _gold_spans(tags)
        gold_total += len(gold)
        for span in model.spans(tokens, text):
            words = tokens[span.lo : span.hi]
            risky = any(t.zipf >= 3.0 for t in words) or not any(t.cap or t.upper for t in words)
            hit = any(g.lo < span.hi and span.lo < g.hi for g in gold)
            rows.append((span.margin, risky, hit))
    for risky in (False, True):
        print("risky spans" if risky else "plain spans")
        for m in (0, 2, 4, 8, 12, 16, 20, 24, 30):
            sel = [ok for margin, r, ok in rows if r == risky and margin >= m]
            prec = sum(sel) / max(1, len(sel))
            print(f"  margin>={m:2d}: spans {len(sel):5d} overlap precision {prec:.3f}")
    print(f"gold spans {gold_total}")


def _gold_spans(tags: list[int]) -> list[TaggedSpan]:
    out, lo = [], -1
    for i, t in enumerate([*tags, 0]):
        if lo >= 0 and t not in (2, 4):
            out.append(TaggedSpan(lo, i, TAGS[tags[lo]][2:], 0.0))
            lo = -1
        if t in (1, 3):
            lo = i
    return out


def train(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    sampler = Sampler(rng)
    templates = [t for t in TEMPLATES.strip().splitlines() if t.strip()]
    if args.calibrate:
        # Hold out every fifth template to see how margins behave on unseen phrasing.
        seen = [t for k, t in enumerate(templates) if k % 5]
        unseen = [t for k, t in enumerate(templates) if not k % 5]
        weights = fit(build(sampler, seen, args.messages, args.unknown), args.epochs, rng)
        calibrate(weights, build(sampler, unseen, 3000, 0.3))
        return
    weights = fit(build(sampler, templates, args.messages, args.unknown), args.epochs, rng)
    kept = {k: row for k, row in weights.items() if max(abs(v) for v in row) >= args.prune}
    scale = 1000
    payload = {
        "tags": list(TAGS),
        "scale": scale,
        "weights": {k: [round(v * scale) for v in row] for k, row in sorted(kept.items())},
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(gzip.compress(json.dumps(payload, separators=(",", ":")).encode(), 9, mtime=0))
    print(f"{len(kept)} features -> {OUT} ({OUT.stat().st_size // 1024} KiB)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=40000)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--unknown", type=float, default=0.3, help="share of entity words shown as unknown"
    )
    ap.add_argument("--calibrate", action="store_true", help="hold out templates, print margins")
    ap.add_argument("--prune", type=float, default=0.002, help="drop features with smaller weights")
    train(ap.parse_args())


if __name__ == "__main__":
    main()
