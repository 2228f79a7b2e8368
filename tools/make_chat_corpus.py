"""Generate ``benchmarks/data/chat_v1.jsonl``: synthetic customer-chat messages with exact PII spans.

The corpus is independent of the Presidio-generated bench file: the templates below are our own,
written to look like what customers really type to clinics, banks, insurers and support desks
(lowercase, typos, emojis, signatures, multi-line addresses, several languages), and about a third
of the messages are hard negatives (order numbers, doses, ICD-10 codes, versions, eponyms ...).

Values come from Faker (MIT) and from our own small lists; every checksum-bearing identifier is
generated so that python-stdnum (or a Luhn check) accepts it. A message is assembled from segments
``(text, label | None)``, so every span offset is computed, never typed by hand.

The output is deterministic for a given Faker / python-stdnum / phonenumbers version:
``python tools/make_chat_corpus.py [--out PATH]``.
"""

# Templates and value tables are kept one natural-language line each, wider than 100 columns.
# ruff: noqa: E501
from __future__ import annotations

import argparse
import json
import random
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import phonenumbers
from faker import Faker
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.br import cpf
from stdnum.ca import sin
from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.gb import nhs
from stdnum.in_ import aadhaar, pan
from stdnum.it import codicefiscale
from stdnum.nl import bsn
from stdnum.pl import pesel
from stdnum.tr import tckimlik
from stdnum.us import rtn, ssn

SEED = 20240611
N_MESSAGES = 600  # every template is used three or four times
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "chat_v1.jsonl"

LABELS = frozenset(
    {
        "PERSON", "EMAIL", "PHONE", "ADDRESS", "LOCATION", "DATE", "CREDIT_CARD", "IBAN",
        "BANK_ACCOUNT", "NATIONAL_ID", "MEDICAL_ID", "DRIVER_LICENSE", "PASSPORT",
        "IP_ADDRESS", "URL", "USERNAME",
    }
)  # fmt: skip

Segment = tuple[str, str | None]

# ---------------------------------------------------------------------------------------------
# Small hand-made lists (real places, transliterated names, look-alike vocabulary)
# ---------------------------------------------------------------------------------------------

CITIES: dict[str, list[tuple[str, str, str]]] = {  # country -> (city, region, postcode prefix)
    "US": [
        ("Austin", "TX", "787"), ("Columbus", "OH", "432"), ("Portland", "OR", "972"),
        ("Denver", "CO", "802"), ("Phoenix", "AZ", "850"), ("Atlanta", "GA", "303"),
        ("Tampa", "FL", "336"), ("Seattle", "WA", "981"), ("Brooklyn", "NY", "112"),
        ("Chicago", "IL", "606"), ("Houston", "TX", "770"), ("San Diego", "CA", "921"),
        ("Boston", "MA", "021"), ("Raleigh", "NC", "276"), ("Springfield", "IL", "627"),
    ],
    "GB": [
        ("London", "", "SW9"), ("London", "", "E17"), ("Manchester", "", "M14"),
        ("Leeds", "", "LS6"), ("Bristol", "", "BS3"), ("Glasgow", "", "G12"),
        ("Birmingham", "", "B15"), ("Cardiff", "", "CF24"), ("Edinburgh", "", "EH8"),
        ("Nottingham", "", "NG7"), ("Liverpool", "", "L17"),
    ],
    "DE": [
        ("Berlin", "", "10"), ("Hamburg", "", "22"), ("München", "", "80"), ("Köln", "", "50"),
        ("Frankfurt am Main", "", "60"), ("Stuttgart", "", "70"), ("Leipzig", "", "04"),
        ("Dresden", "", "01"), ("Düsseldorf", "", "40"), ("Bremen", "", "28"),
    ],
    "FR": [
        ("Paris", "", "750"), ("Lyon", "", "6900"), ("Marseille", "", "130"),
        ("Toulouse", "", "3100"), ("Nantes", "", "4400"), ("Lille", "", "5900"),
        ("Bordeaux", "", "3300"), ("Strasbourg", "", "6700"),
    ],
    "ES": [
        ("Madrid", "", "280"), ("Barcelona", "", "080"), ("Valencia", "", "460"),
        ("Sevilla", "", "410"), ("Bilbao", "", "480"), ("Málaga", "", "290"),
        ("Zaragoza", "", "500"),
    ],
    "IT": [
        ("Roma", "RM", "001"), ("Milano", "MI", "201"), ("Napoli", "NA", "801"),
        ("Torino", "TO", "101"), ("Bologna", "BO", "401"), ("Firenze", "FI", "501"),
    ],
    "NL": [
        ("Amsterdam", "", "10"), ("Rotterdam", "", "30"), ("Utrecht", "", "35"),
        ("Den Haag", "", "25"), ("Eindhoven", "", "56"), ("Groningen", "", "97"),
    ],
    "PL": [
        ("Warszawa", "", "0"), ("Kraków", "", "3"), ("Gdańsk", "", "8"), ("Wrocław", "", "5"),
        ("Poznań", "", "6"), ("Łódź", "", "9"),
    ],
}  # fmt: skip
LOOSE_CITIES = [
    "Lisbon", "Dubai", "Toronto", "Bangkok", "Lagos", "Istanbul", "Hanoi", "Mumbai", "Budapest",
    "Krakow", "Mexico City", "Marrakech", "Cancun", "Vancouver", "Dublin", "Prague", "Bali",
    "Abuja", "Ho Chi Minh City", "Shanghai", "Chennai", "Izmir", "Seville", "Munich", "Lyon",
]  # fmt: skip
COUNTRIES_DE = ["Spanien", "Italien", "Frankreich", "Polen", "Kroatien", "Marokko", "Thailand"]
COUNTRIES = [
    "Canada", "Mexico", "Spain", "Portugal", "Germany", "France", "Italy", "Poland", "Vietnam",
    "India", "Nigeria", "Turkey", "Brazil", "Japan", "Thailand", "Ireland", "Morocco", "Egypt",
    "Hungary", "Colombia", "Australia", "Greece",
]  # fmt: skip
ARABIC_M = ["Mohammed", "Ahmed", "Omar", "Khalid", "Yousef", "Hassan", "Ali", "Samir", "Tariq"]
ARABIC_F = ["Fatima", "Aisha", "Layla", "Noura", "Mariam", "Rania", "Huda", "Salma", "Yasmin"]
ARABIC_LAST = [
    "Al-Rashid", "El-Sayed", "Haddad", "Khalil", "Al-Farsi", "Mansour", "Nasser", "Abdullah",
    "Hamdan", "Saleh", "Al Mansouri", "Bin Saleh", "Abu-Zaid", "El Amrani",
]  # fmt: skip
VI_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
VI_MIDDLE = ["Văn", "Minh", "Đức", "Thanh", "Quốc"]
VI_GIVEN_M = ["An", "Bình", "Hùng", "Dũng", "Tuấn", "Khoa", "Long", "Nam"]
VI_GIVEN_F = ["Hạnh", "Lan", "Linh", "Trang", "Phương", "Hương", "Mai", "Ngọc"]
WORD_NAMES_F = ["Hope", "Grace", "Joy", "May", "Rose", "Faith", "Summer", "June", "April", "Ivy"]
WORD_NAMES_M = ["Will", "Bill", "Mark", "Hunter", "Frank", "Chase", "Rich", "Sonny", "Art", "Jack"]
PARTICLES = {
    "nl_NL": ["van", "van der", "van den", "de"], "de_DE": ["von", "von der"],
    "fr_FR": ["de", "du", "Le"], "es_ES": ["de la", "del", "de"], "it_IT": ["di", "De", "Lo"],
}  # fmt: skip
TITLES_M = ["Dr.", "Dr", "Mr.", "Prof.", "Mr"]
TITLES_F = ["Dr.", "Dr", "Mrs", "Ms.", "Prof.", "Ms"]
NAME_LOCALES = [
    ("en_US", 5), ("en_GB", 2), ("es_MX", 1), ("es_ES", 1), ("de_DE", 1), ("fr_FR", 1),
    ("pl_PL", 1), ("vi", 1), ("en_IN", 1), ("ar", 1), ("yo_NG", 1), ("ig_NG", 1), ("ha_NG", 1),
    ("zh_CN", 1), ("hu_HU", 1), ("tr_TR", 1), ("it_IT", 1), ("nl_NL", 1), ("pt_BR", 1),
]  # fmt: skip
LANG_LOCALES = {"de": ["de_DE", "de_AT", "de_DE"], "fr": ["fr_FR"], "es": ["es_ES", "es_MX"]}
LOCALE_COUNTRY = {
    "en_US": "US", "en_GB": "GB", "de_DE": "DE", "de_AT": "DE", "fr_FR": "FR", "es_ES": "ES",
    "es_MX": "ES", "it_IT": "IT", "nl_NL": "NL", "pl_PL": "PL",
}  # fmt: skip
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
}
WEEKDAYS = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "de": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag",
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",
    "es": "lunes martes miércoles jueves viernes sábado domingo",
}
DRUGS = [
    "metformin", "ibuprofen", "amoxicillin", "lisinopril", "atorvastatin", "sertraline",
    "omeprazole", "levothyroxine", "salbutamol", "paracetamol", "amlodipine", "prednisone",
]  # fmt: skip
DOSES = [
    "500 mg", "20mg", "0.5 ml", "10 mg once daily", "500mg twice a day", "2 tablets 3x a day",
    "1000 IU", "250 mg every 8 hours", "5 ml", "40 mg at night", "75mcg",
]  # fmt: skip
EPONYMS = [
    "Parkinson's", "Crohn's disease", "Alzheimer's", "Hashimoto's", "Graves' disease",
    "Down syndrome", "Bell's palsy", "Raynaud's", "Hodgkin lymphoma", "Tourette's",
    "Achilles tendinitis", "Lyme disease", "Asperger's", "Addison's disease",
]  # fmt: skip
EPONYMS_FR = ["Crohn", "Parkinson", "Lyme", "Basedow", "Horton"]
ICD10 = ["E11.9", "J45.909", "M54.5", "I10", "F41.1", "K50.90", "G20", "Z00.00", "N39.0", "R51"]
COMPANIES = [
    "Amazon", "Vodafone", "Telekom", "Walgreens", "CVS", "Boots", "Santander", "Revolut",
    "Kaiser Permanente", "Allianz", "AXA", "Orange", "Zalando", "Aetna", "Blue Cross", "DHL",
    "Verizon", "Tesco", "Lidl", "Uber", "Netflix", "PayPal", "Movistar", "ING",
]  # fmt: skip
BANKS = ["Santander", "Revolut", "ING", "Chase", "Barclays", "N26", "Monzo", "BBVA", "Wells Fargo"]
PRODUCTS = [
    "iPhone 15 Pro", "Galaxy S23", "AirPods Pro", "Fitbit Charge 6", "Kindle Paperwhite",
    "Nespresso Vertuo", "Dyson V15", "PlayStation 5", "Echo Dot", "Pixel 8", "MacBook Air M2",
]  # fmt: skip
EMAIL_DOMAINS = [
    "gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "web.de", "gmx.de",
    "orange.fr", "protonmail.com", "yahoo.co.uk", "wp.pl", "libero.it", "hotmail.es", "aol.com",
]  # fmt: skip
EMOJIS = ["🙏", "😭", "🙂", "😅", "😡", "👍", "🙈", "😩", "❤️", "🤞", ":)", ":(", "!!!", "??"]
TYPOS = {
    "appointment": "appointmnet", "receive": "recieve", "address": "adress", "account": "acount",
    "please": "pls", "thanks": "thx", "because": "becuase", "tomorrow": "tommorow",
    "prescription": "perscription", "separate": "seperate", "definitely": "definately",
    "you": "u", "your": "ur", "are": "r", "message": "mesage", "number": "nunber",
}  # fmt: skip
PHONE_REGIONS = [
    "US", "US", "US", "GB", "GB", "DE", "DE", "FR", "ES", "IT", "NL", "PL", "IN", "NG", "VN",
    "CN", "TR", "HU", "MX", "CA", "AU", "BR",
]  # fmt: skip


def _fold(text: str) -> str:
    """Drop diacritics the way people do on an English keyboard (Đặng -> Dang)."""
    text = text.replace("Đ", "D").replace("đ", "d").replace("ł", "l").replace("Ł", "L")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _digits(rng: random.Random, n: int, first_nonzero: bool = False) -> str:
    head = str(rng.randint(1, 9)) if first_nonzero else str(rng.randint(0, 9))
    return head + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))


def _retry(rng: random.Random, make: Callable[[], str], ok: Callable[[str], bool]) -> str:
    for _ in range(100_000):
        value = make()
        if ok(value):
            return value
    raise RuntimeError("could not generate a valid value")


def _group(value: str, sizes: Sequence[int], sep: str) -> str:
    parts, i = [], 0
    for size in sizes:
        parts.append(value[i : i + size])
        i += size
    if i < len(value):
        parts.append(value[i:])
    return sep.join(p for p in parts if p)


# ---------------------------------------------------------------------------------------------
# Per-message context: random source, Faker instances, the people in the message
# ---------------------------------------------------------------------------------------------


@dataclass
class Person:
    first: str
    last: str
    family_first: bool  # Vietnamese, Chinese and Hungarian order: family name first
    middle: str = ""
    female: bool = False

    def full(self) -> str:
        if self.family_first:
            return " ".join(x for x in (self.last, self.middle, self.first) if x)
        return " ".join(x for x in (self.first, self.middle, self.last) if x)


@dataclass
class Ctx:
    rng: random.Random
    fakers: dict[str, Faker]
    index: int
    lang: str
    locale: str | None
    lower_names: bool
    fold_names: bool
    people: dict[int, Person] = field(default_factory=dict)
    genders: dict[int, str] = field(default_factory=dict)  # "f" / "m" where a template needs it

    def faker(self, locale: str) -> Faker:
        fk = self.fakers.get(locale)
        if fk is None:
            fk = self.fakers[locale] = Faker(locale)
        fk.seed_instance(f"{SEED}:{self.index}:{locale}:{self.rng.random()}")
        return fk

    def country(self) -> str:
        if self.locale in LOCALE_COUNTRY:
            return LOCALE_COUNTRY[self.locale]
        return self.rng.choice(["US", "US", "US", "GB", "GB", "DE", "FR", "ES", "IT", "NL", "PL"])

    def person(self, k: int) -> Person:
        if k not in self.people:
            self.people[k] = self._new_person(self.genders.get(k) or self.rng.choice("fm"))
        return self.people[k]

    def _new_person(self, gender: str) -> Person:
        rng = self.rng
        female = gender == "f"
        if self.locale and self.lang != "en":
            loc = self.locale
        else:
            loc = rng.choices([n for n, _ in NAME_LOCALES], [w for _, w in NAME_LOCALES])[0]
        if loc == "vi":
            given, middle = (VI_GIVEN_F, "Thị") if female else (VI_GIVEN_M, rng.choice(VI_MIDDLE))
            p = Person(rng.choice(given), rng.choice(VI_FAMILY), True, middle)
        elif loc == "ar":
            p = Person(rng.choice(ARABIC_F if female else ARABIC_M), rng.choice(ARABIC_LAST), False)
        elif loc == "zh_CN":
            fk = self.faker(loc)
            p = Person(fk.first_romanized_name(), fk.last_romanized_name(), rng.random() < 0.5)
        else:
            fk = self.faker(loc)
            first = fk.first_name_female() if female else fk.first_name_male()
            p = Person(first, fk.last_name(), loc == "hu_HU" and rng.random() < 0.6)
            roll = rng.random()
            if loc in PARTICLES and roll < 0.3 and " " not in p.last:
                p.last = f"{rng.choice(PARTICLES[loc])} {fk.last_name()}"
            elif roll < 0.4:
                p.last = f"{p.last}-{fk.last_name()}"
            elif loc.startswith("es") and roll < 0.7:
                p.last = f"{p.last} {fk.last_name()}"
            elif loc.startswith("en") and roll < 0.55:
                p.middle = rng.choice(string.ascii_uppercase) + "."
        if self.fold_names:
            p = Person(_fold(p.first), _fold(p.last), p.family_first, _fold(p.middle))
        p.female = female
        return p

    def cased(self, name: str) -> str:
        return name.lower() if self.lower_names else name


# ---------------------------------------------------------------------------------------------
# Value generators. Each slot returns segments; labeled segments are the gold spans.
# ---------------------------------------------------------------------------------------------


def _phone(ctx: Ctx, region: str | None = None) -> str:
    rng = ctx.rng
    if region is None:
        country = ctx.country() if ctx.locale else None
        region = country if country and rng.random() < 0.6 else rng.choice(PHONE_REGIONS)
    kind = rng.choice(
        [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]
    )
    example = phonenumbers.example_number_for_type(region, kind)
    if example is None:
        raise RuntimeError("phonenumbers has no example for this region")
    nsn = phonenumbers.national_significant_number(example)
    keep = min(3, len(nsn) - 4)

    def make() -> str:
        return nsn[:keep] + _digits(rng, len(nsn) - keep)

    def ok(candidate: str) -> bool:
        num = phonenumbers.parse("+" + str(example.country_code) + candidate)
        return bool(phonenumbers.is_valid_number(num))

    number = phonenumbers.parse("+" + str(example.country_code) + _retry(rng, make, ok))
    fmt = phonenumbers.PhoneNumberFormat
    style = rng.random()
    if style < 0.3:
        return str(phonenumbers.format_number(number, fmt.NATIONAL))
    if style < 0.6:
        return str(phonenumbers.format_number(number, fmt.INTERNATIONAL))
    if style < 0.7:
        return str(phonenumbers.format_number(number, fmt.E164))
    national = str(phonenumbers.format_number(number, fmt.NATIONAL))
    if style < 0.8:
        return re.sub(r"[\s()-]+", "", national)  # all digits run together
    if style < 0.9 and region == "US":
        digits = re.sub(r"\D", "", national)
        return rng.choice(["{}.{}.{}", "{}-{}-{}", "1-{}-{}-{}", "+1 ({}) {}-{}"]).format(
            digits[:3], digits[3:6], digits[6:]
        )
    intl = str(phonenumbers.format_number(number, fmt.INTERNATIONAL))
    if region in {"GB", "DE", "NL"} and national.startswith("0"):
        cc, _, rest = intl.partition(" ")
        return f"{cc} (0){rest}"
    return intl.replace(" ", rng.choice(["-", ".", " "]))


def _email_local(ctx: Ctx, p: Person) -> str:
    rng = ctx.rng
    first = re.sub(r"[^a-z]", "", _fold(p.first).lower()) or "me"
    last = re.sub(r"[^a-z]", "", _fold(p.last).lower()) or "mail"
    return rng.choice(
        [
            f"{first}.{last}", f"{first}{last}{rng.randint(1, 99)}", f"{first[0]}.{last}",
            f"{first}_{last[0]}", f"{last}.{first}", f"{first}{rng.randint(1960, 2005)}",
            f"{first[0]}{last}",
        ]
    )  # fmt: skip


def _email(ctx: Ctx, k: int, obfuscate: bool = False) -> str:
    local = _email_local(ctx, ctx.person(k))
    domain = ctx.rng.choice(EMAIL_DOMAINS)
    if not obfuscate:
        return f"{local}@{domain}"
    host, _, tld = domain.partition(".")
    return ctx.rng.choice(
        [
            f"{local} at {host} dot {tld}", f"{local}[at]{domain}", f"{local} (at) {domain}",
            f"{local} @ {domain}", f"{local} AT {host} DOT {tld}",
        ]
    )  # fmt: skip


def _username(ctx: Ctx, k: int) -> str:
    p, rng = ctx.person(k), ctx.rng
    first = re.sub(r"[^a-z]", "", _fold(p.first).lower()) or "user"
    last = re.sub(r"[^a-z]", "", _fold(p.last).lower()) or "x"
    word = rng.choice(["sunny", "gamer", "blue", "wolf", "kitty", "mr", "real", "the"])
    return rng.choice(
        [
            f"{first}{rng.randint(1, 999)}", f"{first}_{last}", f"{first[0]}{last}{rng.randint(10, 99)}",
            f"{word}_{first}", f"{first}.{last[:3]}", f"{last}{first[0]}_{rng.randint(80, 99)}",
        ]
    )  # fmt: skip


def _dob(ctx: Ctx) -> date:
    return date(1940, 1, 1) + timedelta(days=ctx.rng.randint(0, 365 * 75))


def _soon(ctx: Ctx) -> date:
    return date(2024, 9, 1) + timedelta(days=ctx.rng.randint(0, 300))


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _fmt_date(ctx: Ctx, d: date, with_year: bool = True) -> str:
    rng, lang = ctx.rng, ctx.lang
    month = MONTHS[lang].split()[d.month - 1]
    y = d.year if with_year else None
    if lang == "de":
        opts = [f"{d.day:02d}.{d.month:02d}.{y}", f"{d.day}. {month} {y}", f"{d.day}.{d.month}.{y}"]
    elif lang == "fr":
        opts = [f"{d.day:02d}/{d.month:02d}/{y}", f"{d.day} {month} {y}"]
    elif lang == "es":
        opts = [
            f"{d.day:02d}/{d.month:02d}/{y}",
            f"{d.day} de {month} de {y}",
            f"{d.day}-{d.month}-{y}",
        ]
    else:
        short = month[:3]
        opts = [
            f"{d.month:02d}/{d.day:02d}/{y}", f"{d.day:02d}/{d.month:02d}/{y}", f"{d.isoformat()}",
            f"{month} {d.day}, {y}", f"{d.day} {month} {y}", f"{short} {_ordinal(d.day)} {y}",
            f"{d.month}/{d.day}/{str(d.year)[2:]}", f"{d.day}.{d.month}.{y}",
            f"{_ordinal(d.day)} of {month} {y}", f"{d.month}-{d.day}-{y}",
        ]  # fmt: skip
    if not with_year:
        if lang == "de":
            opts = [f"{d.day}.{d.month}.", f"{d.day}. {month}"]
        elif lang == "fr":
            opts = [f"{d.day} {month}", f"{WEEKDAYS['fr'].split()[d.weekday()]} {d.day} {month}"]
        elif lang == "es":
            opts = [f"{d.day} de {month}", f"{WEEKDAYS['es'].split()[d.weekday()]} {d.day}"]
        else:
            wd = WEEKDAYS["en"].split()[d.weekday()]
            opts = [
                f"{month} {d.day}", f"{month} {_ordinal(d.day)}", f"{d.month}/{d.day}",
                f"{wd}, {month[:3]} {d.day}", f"{_ordinal(d.day)} of {month}", f"{wd} {d.month}/{d.day}",
            ]  # fmt: skip
    return rng.choice(opts)


def _card(ctx: Ctx) -> str:
    rng = ctx.rng
    kind = rng.choice(["visa16", "visa16", "mastercard", "mastercard", "amex", "discover"])
    number = ctx.faker("en_US").credit_card_number(kind)
    assert luhn.is_valid(number)
    sizes = [4, 6, 5] if kind == "amex" else [4, 4, 4, 4]
    return _group(number, sizes, rng.choice([" ", " ", "-", ""]))


IBAN_BBAN: dict[str, Callable[[random.Random], str]] = {
    "DE": lambda r: _digits(r, 18, True),
    "GB": lambda r: r.choice(["NWBK", "BARC", "LOYD", "HBUK", "MIDL"]) + _digits(r, 14),
    "FR": lambda r: _digits(r, 10) + _digits(r, 11) + _digits(r, 2),
    "ES": lambda r: _digits(r, 20),
    "IT": lambda r: r.choice(string.ascii_uppercase) + _digits(r, 10) + _digits(r, 12),
    "NL": lambda r: r.choice(["ABNA", "INGB", "RABO", "TRIO"]) + _digits(r, 10),
    "PL": lambda r: _digits(r, 24),
    "AT": lambda r: _digits(r, 16),
    "BE": lambda r: _digits(r, 12),
    "PT": lambda r: _digits(r, 21),
    "IE": lambda r: r.choice(["AIBK", "BOFI"]) + _digits(r, 14),
}


def _iban(ctx: Ctx, grouped: bool | None = None) -> str:
    rng = ctx.rng
    country = ctx.country() if rng.random() < 0.6 else rng.choice(sorted(IBAN_BBAN))
    if country not in IBAN_BBAN:
        country = "DE"

    def make() -> str:
        bban = IBAN_BBAN[country](rng)
        return country + std_iban.calc_check_digits(country + "00" + bban) + bban

    value = _retry(rng, make, std_iban.is_valid)
    if grouped is None:
        grouped = rng.random() < 0.65
    value = _group(value, [4] * 9, " ") if grouped else value
    return value.lower() if rng.random() < 0.1 else value


def _national_id(ctx: Ctx) -> list[Segment]:
    rng = ctx.rng
    kinds: dict[str, tuple[list[str], Callable[[], str]]] = {
        "US": (["SSN", "social security number", "ssn"], lambda: _ssn(ctx)),
        "GB": (["NI number", "National Insurance number", "NINO"], lambda: _nino(ctx)),
        "DE": (["Steuer-ID", "tax ID", "Steuer-IdNr"], lambda: _idnr(ctx)),
        "FR": (["numéro de sécu", "NIR", "social security no"], lambda: _nir(ctx)),
        "ES": (["DNI", "NIE"], lambda: _dni_or_nie(ctx)),
        "IT": (["codice fiscale", "CF"], lambda: _codice_fiscale(ctx)),
        "NL": (["BSN", "burgerservicenummer"], lambda: _bsn(ctx)),
        "PL": (["PESEL", "pesel"], lambda: _pesel(ctx)),
        "IN": (["Aadhaar", "aadhar no", "PAN"], lambda: _aadhaar_or_pan(ctx)),
        "TR": (["TC kimlik no", "TCKN"], lambda: _tckn(ctx)),
        "BR": (["CPF"], lambda: _cpf(ctx)),
        "CA": (["SIN", "social insurance number"], lambda: _sin(ctx)),
    }
    country = ctx.country() if rng.random() < 0.4 else rng.choice(sorted(kinds))
    names, make = kinds.get(country, kinds["US"])
    value = make()
    name = rng.choice(names)
    if name == "PAN":
        value = _pan(ctx)
    return [(f"{name} ", None), (value, "NATIONAL_ID")]


def _ssn(ctx: Ctx) -> str:
    def make() -> str:
        return _digits(ctx.rng, 9)

    value = _retry(ctx.rng, make, ssn.is_valid)
    return ctx.rng.choice(["{}-{}-{}", "{} {} {}", "{}{}{}"]).format(
        value[:3], value[3:5], value[5:]
    )


def _nino(ctx: Ctx) -> str:
    rng = ctx.rng
    first = rng.choice("ABCEGHJKLMNOPRSTWXYZ")
    second = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    if first + second in {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}:
        second = "A"
    digits = _digits(rng, 6)
    suffix = rng.choice("ABCD")
    if rng.random() < 0.5:
        return f"{first}{second} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
    return f"{first}{second}{digits}{suffix}"


def _nhs(ctx: Ctx) -> str:
    value = _retry(ctx.rng, lambda: _digits(ctx.rng, 10, True), nhs.is_valid)
    return _group(value, [3, 3, 4], ctx.rng.choice([" ", " ", "", "-"]))


def _idnr(ctx: Ctx) -> str:
    value = _retry(ctx.rng, lambda: _digits(ctx.rng, 11, True), idnr.is_valid)
    return value if ctx.rng.random() < 0.6 else _group(value, [2, 3, 3, 3], " ")


def _nir(ctx: Ctx) -> str:
    rng = ctx.rng
    d = _dob(ctx)
    dept = f"{rng.randint(1, 95):02d}"
    if dept == "20":
        dept = "21"
    body = (
        f"{rng.choice('12')}{d.year % 100:02d}{d.month:02d}{dept}{_digits(rng, 3)}{_digits(rng, 3)}"
    )
    value = body + nir.calc_check_digits(body)
    assert nir.is_valid(value)
    if rng.random() < 0.5:
        return _group(value, [1, 2, 2, 2, 3, 3, 2], " ")
    return value


def _dni_or_nie(ctx: Ctx) -> str:
    rng = ctx.rng
    if rng.random() < 0.6:
        body = _digits(rng, 8)
        value = body + dni.calc_check_digit(body)
        assert dni.is_valid(value)
        return value if rng.random() < 0.7 else f"{body}-{value[-1]}"
    body = rng.choice("XYZ") + _digits(rng, 7)
    value = body + nie.calc_check_digit(body)
    assert nie.is_valid(value)
    return value


def _codice_fiscale(ctx: Ctx) -> str:
    rng = ctx.rng
    d = _dob(ctx)
    day = d.day + (40 if rng.random() < 0.5 else 0)
    letters = "".join(rng.choice("BCDFGLMNPRSTVZ") for _ in range(6))
    town = rng.choice(["H501", "F205", "F839", "L219", "A944", "D612"])
    body = f"{letters}{d.year % 100:02d}{'ABCDEHLMPRST'[d.month - 1]}{day:02d}{town}"
    value = body + codicefiscale.calc_check_digit(body)
    assert codicefiscale.is_valid(value)
    return value


def _bsn(ctx: Ctx) -> str:
    return _retry(ctx.rng, lambda: _digits(ctx.rng, 9, True), bsn.is_valid)


def _pesel(ctx: Ctx) -> str:
    d = _dob(ctx)
    month = d.month + (20 if d.year >= 2000 else 0)
    head = f"{d.year % 100:02d}{month:02d}{d.day:02d}"
    return _retry(ctx.rng, lambda: head + _digits(ctx.rng, 5), pesel.is_valid)


def _aadhaar_or_pan(ctx: Ctx) -> str:
    value = _retry(ctx.rng, lambda: _digits(ctx.rng, 12, True), aadhaar.is_valid)
    return value if ctx.rng.random() < 0.4 else _group(value, [4, 4, 4], " ")


def _pan(ctx: Ctx) -> str:
    rng = ctx.rng
    upper = string.ascii_uppercase
    value = "".join(rng.choice(upper) for _ in range(3)) + "P" + rng.choice(upper)
    value += _digits(rng, 4, True) + rng.choice(upper)
    assert pan.is_valid(value)
    return value


def _tckn(ctx: Ctx) -> str:
    body = _digits(ctx.rng, 9, True)
    value = body + tckimlik.calc_check_digits(body)
    assert tckimlik.is_valid(value)
    return value


def _cpf(ctx: Ctx) -> str:
    value = _retry(ctx.rng, lambda: _digits(ctx.rng, 11, True), cpf.is_valid)
    return f"{value[:3]}.{value[3:6]}.{value[6:9]}-{value[9:]}"


def _sin(ctx: Ctx) -> str:
    value = _retry(ctx.rng, lambda: str(ctx.rng.randint(1, 7)) + _digits(ctx.rng, 8), sin.is_valid)
    return _group(value, [3, 3, 3], ctx.rng.choice([" ", "-"]))


def _mrn(ctx: Ctx) -> str:
    rng = ctx.rng
    return rng.choice(
        [
            _digits(rng, 8), _digits(rng, 7), f"{rng.choice('AEKMPR')}{_digits(rng, 7)}",
            f"MRN{_digits(rng, 7)}", f"{_digits(rng, 3)}-{_digits(rng, 3)}-{_digits(rng, 3)}",
            f"{rng.choice(['KP', 'UH', 'SM'])}{_digits(rng, 8)}",
        ]
    )  # fmt: skip


def _member_id(ctx: Ctx) -> str:
    rng = ctx.rng
    upper = "ACDEFGHJKMNPQRTUVWXY"
    if ctx.lang == "de" or (ctx.locale and ctx.locale.startswith("de")):
        return rng.choice(string.ascii_uppercase) + _digits(rng, 9)  # KVNR layout
    mbi = (
        f"{rng.randint(1, 9)}{rng.choice(upper)}{rng.choice(upper + '0123456789')}{rng.randint(0, 9)}"
        f"-{rng.choice(upper)}{rng.choice(upper + '0123456789')}{rng.randint(0, 9)}"
        f"-{rng.choice(upper)}{rng.choice(upper)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
    )
    return rng.choice(
        [
            f"W{_digits(rng, 9)}", f"{''.join(rng.choice(upper) for _ in range(3))}{_digits(rng, 9)}",
            mbi, f"{_digits(rng, 9)}-01", f"U{_digits(rng, 7)} {_digits(rng, 2)}",
        ]
    )  # fmt: skip


def _driver_license(ctx: Ctx) -> str:
    rng = ctx.rng
    if ctx.country() == "GB" and rng.random() < 0.7:
        return _uk_licence(ctx)
    letter = rng.choice(string.ascii_uppercase)
    return rng.choice(
        [
            f"{letter}{_digits(rng, 7)}", f"{_digits(rng, 3)} {_digits(rng, 3)} {_digits(rng, 3)}",
            f"{letter}{_digits(rng, 3)}-{_digits(rng, 3)}-{_digits(rng, 2)}-{_digits(rng, 3)}-{_digits(rng, 1)}",
            _digits(rng, 8), f"{letter}{_digits(rng, 12)}",
        ]
    )  # fmt: skip


def _uk_licence(ctx: Ctx) -> str:
    rng = ctx.rng
    surname = re.sub(r"[^A-Z]", "", _fold(ctx.person(1).last).upper()).ljust(5, "9")[:5]
    d = _dob(ctx)
    month = d.month + (50 if rng.random() < 0.5 else 0)
    initials = re.sub(r"[^A-Z]", "", _fold(ctx.person(1).first).upper())[:1].ljust(2, "9")
    tail = f"{rng.randint(0, 9)}{rng.choice(string.ascii_uppercase)}{rng.choice(string.ascii_uppercase)}"
    return f"{surname}{str(d.year)[2]}{month:02d}{d.day:02d}{str(d.year)[3]}{initials}{tail}"


def _passport(ctx: Ctx) -> str:
    rng = ctx.rng
    upper = string.ascii_uppercase
    return rng.choice(
        [
            _digits(rng, 9), f"{rng.choice(upper)}{_digits(rng, 8)}",
            "C" + "".join(rng.choice("CFGHJKLMNPRTVWXYZ0123456789") for _ in range(8)),
            f"{_digits(rng, 2)}{rng.choice(upper)}{rng.choice(upper)}{_digits(rng, 5)}",
            f"{rng.choice('JKLMNPRSTUVZ')}{_digits(rng, 7)}",
        ]
    )  # fmt: skip


def _real_city(ctx: Ctx, country: str) -> tuple[str, str, str]:
    city, region, prefix = ctx.rng.choice(CITIES[country])
    return city, region, prefix


def _address(ctx: Ctx, country: str | None = None, one_line: bool = False) -> str:
    rng = ctx.rng
    country = country or ctx.country()
    city, region, prefix = _real_city(ctx, country)
    if country == "US":
        fk = ctx.faker("en_US")
        street = fk.street_address()
        if rng.random() < 0.35 and "Suite" not in street and "Apt" not in street:
            street += (
                rng.choice([", Apt ", " Apt. ", " #", ", Unit "])
                + f"{rng.randint(1, 40)}{rng.choice(['', 'B', 'C'])}"
            )
        lines = [street, f"{city}, {region} {prefix}{_digits(rng, 2)}"]
    elif country == "GB":
        fk = ctx.faker("en_GB")
        street = f"{rng.randint(1, 220)} {fk.street_name()}"
        if rng.random() < 0.35:
            street = f"Flat {rng.randint(1, 12)}, {street}"
        postcode = f"{prefix} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        lines = [street, city, postcode] if rng.random() < 0.5 else [street, f"{city} {postcode}"]
    elif country == "DE":
        fk = ctx.faker("de_DE")
        number = f"{rng.randint(1, 140)}{rng.choice(['', '', 'a', 'b'])}"
        lines = [f"{fk.street_name()} {number}", f"{prefix}{_digits(rng, 3)} {city}"]
    elif country == "FR":
        fk = ctx.faker("fr_FR")
        kind = rng.choice(["rue", "avenue", "boulevard", "rue", "impasse", "place"])
        street = f"{rng.randint(1, 120)}{rng.choice(['', '', ' bis'])} {kind} {fk.last_name()}"
        postcode = (prefix + _digits(rng, 5))[:5]
        lines = [street, f"{postcode} {city}"]
        if rng.random() < 0.25:
            lines.insert(1, f"Apt {rng.randint(1, 60)}, {rng.randint(1, 8)}e étage")
    elif country == "ES":
        fk = ctx.faker("es_ES")
        kind = rng.choice(["Calle", "C/", "Avenida", "Avda.", "Plaza", "Paseo"])
        street = f"{kind} {fk.last_name()} {rng.randint(1, 150)}"
        if rng.random() < 0.6:
            street += f", {rng.randint(1, 9)}º {rng.choice('ABCD')}"
        lines = [street, f"{(prefix + _digits(rng, 5))[:5]} {city}"]
    elif country == "IT":
        fk = ctx.faker("it_IT")
        street = f"{rng.choice(['Via', 'Viale', 'Piazza', 'Corso'])} {fk.last_name()} {rng.randint(1, 200)}"
        lines = [street, f"{prefix}{_digits(rng, 2)} {city} ({region})"]
    elif country == "NL":
        fk = ctx.faker("nl_NL")
        suffix = rng.choice(["straat", "weg", "laan", "gracht", "plein"])
        street = f"{fk.last_name().split()[-1].capitalize()}{suffix} {rng.randint(1, 300)}"
        if rng.random() < 0.3:
            street += rng.choice(["-II", " hs", "A"])
        postcode = f"{prefix}{_digits(rng, 2)} {rng.choice('ABCDEGHJKLMNPRSTVWXZ')}{rng.choice('ABCDEGHJKLMNPRSTVWXZ')}"
        lines = [street, f"{postcode} {city}"]
    else:  # PL
        fk = ctx.faker("pl_PL")
        street = f"ul. {fk.last_name()} {rng.randint(1, 90)}"
        if rng.random() < 0.5:
            street += f"/{rng.randint(1, 60)}"
        lines = [street, f"{prefix}{_digits(rng, 1)}-{_digits(rng, 3)} {city}"]
    if one_line or rng.random() < 0.3:
        return ", ".join(lines)
    return "\n".join(lines)


def _street_only(ctx: Ctx) -> str:
    return _address(ctx, one_line=True).split(", ")[0]


def _url(ctx: Ctx, k: int) -> str:
    p, rng = ctx.person(k), ctx.rng
    first = re.sub(r"[^a-z]", "", _fold(p.first).lower()) or "me"
    last = re.sub(r"[^a-z]", "", _fold(p.last).lower()) or "x"
    token = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(18))
    return rng.choice(
        [
            f"https://www.linkedin.com/in/{first}-{last}-{rng.randint(100, 999)}",
            f"facebook.com/{first}.{last}", f"https://{first}{last}.com",
            f"https://www.instagram.com/{first}_{last}/", f"https://drive.google.com/file/d/{token}/view",
            f"www.{last}-{first}.de", f"https://github.com/{first}{last[:1]}",
        ]
    )  # fmt: skip


# Look-alikes that must stay unlabeled.
def _order(ctx: Ctx) -> str:
    rng = ctx.rng
    return rng.choice(
        [
            f"#{_digits(rng, 7, True)}", f"ORD-2024-{_digits(rng, 7)}",
            f"{_digits(rng, 3, True)}-{_digits(rng, 7)}-{_digits(rng, 7)}", f"{_digits(rng, 9, True)}",
            f"#{rng.choice('ABCDEFGH')}{_digits(rng, 5)}",
        ]
    )  # fmt: skip


def _tracking(ctx: Ctx) -> str:
    rng = ctx.rng
    upper = string.ascii_uppercase
    return rng.choice(
        [
            f"1Z{_digits(rng, 3)}{rng.choice(upper)}{rng.choice(upper)}{_digits(rng, 11)}",
            f"9400 {_digits(rng, 4)} {_digits(rng, 4)} {_digits(rng, 4)} {_digits(rng, 4)} {_digits(rng, 2)}",
            f"JD{_digits(rng, 18)}", f"{rng.choice(upper)}{rng.choice(upper)}{_digits(rng, 9)}GB",
            _digits(rng, 12, True), f"00340434{_digits(rng, 12)}",
        ]
    )  # fmt: skip


def _price(ctx: Ctx) -> str:
    rng = ctx.rng
    n = rng.randint(5, 2500)
    cents = rng.randint(0, 99)
    return rng.choice(
        [
            f"${n}.{cents:02d}", f"€{n}", f"£{n}.{cents:02d}", f"{n},{cents:02d} €", f"{n} EUR",
            f"${n:,}", f"{n} zł", f"USD {n}",
        ]
    )  # fmt: skip


def _time(ctx: Ctx) -> str:
    rng = ctx.rng
    h, m = rng.randint(7, 19), rng.choice([0, 15, 30, 45])
    h12 = h - 12 if h > 12 else h
    ampm = "pm" if h >= 12 else "am"
    return rng.choice(
        [f"{h12}{ampm}", f"{h}:{m:02d}", f"{h12}:{m:02d} {ampm}", f"{h12}.{m:02d}{ampm}"]
    )


SLOTS: dict[str, Callable[[Ctx, int], list[Segment]]] = {
    # people (k selects the person in the message; 1 by default)
    "name": lambda c, k: [(c.cased(c.person(k).full()), "PERSON")],
    "first": lambda c, k: [(c.cased(c.person(k).first), "PERSON")],
    "last": lambda c, k: [(c.cased(c.person(k).last), "PERSON")],
    "name_lf": lambda c, k: [
        (f"{c.person(k).last.upper()}, {c.person(k).first}", "PERSON")
        if c.rng.random() < 0.5
        else (c.cased(f"{c.person(k).last}, {c.person(k).first}"), "PERSON")
    ],
    "initial_name": lambda c, k: [
        (c.cased(f"{c.person(k).first[0]}. {c.person(k).last}"), "PERSON")
    ],
    "title_name": lambda c, k: [
        (c.rng.choice(TITLES_F if c.person(k).female else TITLES_M) + " ", None),
        (c.cased(f"{c.person(k).first} {c.person(k).last}" if c.rng.random() < 0.4 else c.person(k).last), "PERSON"),
    ],
    "wname_f": lambda c, k: [(c.cased(c.rng.choice(WORD_NAMES_F)), "PERSON")],
    "wname_m": lambda c, k: [(c.cased(c.rng.choice(WORD_NAMES_M)), "PERSON")],
    # contact
    "email": lambda c, k: [(_email(c, k), "EMAIL")],
    "email_obf": lambda c, k: [(_email(c, k, obfuscate=True), "EMAIL")],
    "phone": lambda c, k: [(_phone(c), "PHONE")],
    "phone_us": lambda c, k: [(_phone(c, "US"), "PHONE")],
    "phone_gb": lambda c, k: [(_phone(c, "GB"), "PHONE")],
    "user": lambda c, k: [(_username(c, k), "USERNAME")],
    "handle": lambda c, k: [("@" + _username(c, k), "USERNAME")],
    "url": lambda c, k: [(_url(c, k), "URL")],
    "ipv4": lambda c, k: [(c.faker("en_US").ipv4_public(), "IP_ADDRESS")],
    "ipv6": lambda c, k: [(c.faker("en_US").ipv6(), "IP_ADDRESS")],
    # places and dates
    "addr": lambda c, k: [(_address(c), "ADDRESS")],
    "addr1": lambda c, k: [(_address(c, one_line=True), "ADDRESS")],
    "addr_gb": lambda c, k: [(_address(c, "GB"), "ADDRESS")],
    "addr_us": lambda c, k: [(_address(c, "US"), "ADDRESS")],
    "street": lambda c, k: [(_street_only(c), "ADDRESS")],
    "city": lambda c, k: [(c.rng.choice([*LOOSE_CITIES, _real_city(c, c.country())[0]]), "LOCATION")],
    "country": lambda c, k: [(c.rng.choice(COUNTRIES_DE if c.lang == "de" else COUNTRIES), "LOCATION")],
    "dob": lambda c, k: [(_fmt_date(c, _dob(c)), "DATE")],
    "date": lambda c, k: [(_fmt_date(c, _soon(c), with_year=c.rng.random() < 0.3), "DATE")],
    # finance
    "card": lambda c, k: [(_card(c), "CREDIT_CARD")],
    "iban": lambda c, k: [(_iban(c), "IBAN")],
    "iban_plain": lambda c, k: [(_iban(c, grouped=False), "IBAN")],
    "acct_us": lambda c, k: [(_digits(c.rng, c.rng.randint(8, 12)), "BANK_ACCOUNT")],
    "routing": lambda c, k: [
        (_retry(c.rng, lambda: _digits(c.rng, 9), rtn.is_valid), "BANK_ACCOUNT")
    ],
    "sortcode": lambda c, k: [
        (f"{_digits(c.rng, 2)}-{_digits(c.rng, 2)}-{_digits(c.rng, 2)}", "BANK_ACCOUNT")
    ],
    "acct_uk": lambda c, k: [(_digits(c.rng, 8), "BANK_ACCOUNT")],
    # identifiers
    "ssn": lambda c, k: [(_ssn(c), "NATIONAL_ID")],
    "nino": lambda c, k: [(_nino(c), "NATIONAL_ID")],
    "nhs": lambda c, k: [(_nhs(c), "NATIONAL_ID")],
    "natid": lambda c, k: _national_id(c),
    "idnr": lambda c, k: [(_idnr(c), "NATIONAL_ID")],
    "nir": lambda c, k: [(_nir(c), "NATIONAL_ID")],
    "dni": lambda c, k: [(_dni_or_nie(c), "NATIONAL_ID")],
    "pesel": lambda c, k: [(_pesel(c), "NATIONAL_ID")],
    "aadhaar": lambda c, k: [(_aadhaar_or_pan(c), "NATIONAL_ID")],
    "cf": lambda c, k: [(_codice_fiscale(c), "NATIONAL_ID")],
    "bsn": lambda c, k: [(_bsn(c), "NATIONAL_ID")],
    "mrn": lambda c, k: [(_mrn(c), "MEDICAL_ID")],
    "member_id": lambda c, k: [(_member_id(c), "MEDICAL_ID")],
    "dl": lambda c, k: [(_driver_license(c), "DRIVER_LICENSE")],
    "dl_gb": lambda c, k: [(_uk_licence(c), "DRIVER_LICENSE")],
    "passport": lambda c, k: [(_passport(c), "PASSPORT")],
    # look-alikes, never labeled
    "order": lambda c, k: [(_order(c), None)],
    "tracking": lambda c, k: [(_tracking(c), None)],
    "invoice": lambda c, k: [(c.rng.choice([f"INV-{_digits(c.rng, 8)}", f"2024/{_digits(c.rng, 5)}", f"RE-{_digits(c.rng, 6)}"]), None)],
    "claim": lambda c, k: [(c.rng.choice([f"CLM-2024-{_digits(c.rng, 7)}", _digits(c.rng, 7, True), f"C{_digits(c.rng, 9)}"]), None)],
    "policy": lambda c, k: [(c.rng.choice([f"POL-{_digits(c.rng, 8)}", f"HX-{_digits(c.rng, 4)}-{_digits(c.rng, 4)}", f"AU {_digits(c.rng, 2)} {_digits(c.rng, 3)} {_digits(c.rng, 3)}"]), None)],
    "ticket": lambda c, k: [(c.rng.choice([f"#{_digits(c.rng, 5, True)}", f"TCK-{_digits(c.rng, 6)}", f"case {_digits(c.rng, 8, True)}"]), None)],
    "ref": lambda c, k: [("".join(c.rng.choice(string.ascii_uppercase + string.digits) for _ in range(12)), None)],
    "price": lambda c, k: [(_price(c), None)],
    "dose": lambda c, k: [(c.rng.choice(DOSES), None)],
    "drug": lambda c, k: [(c.rng.choice(DRUGS[:6] if k == 1 else DRUGS[6:]), None)],
    "icd": lambda c, k: [(c.rng.choice(ICD10), None)],
    "eponym": lambda c, k: [(c.rng.choice(EPONYMS), None)],
    "eponym_fr": lambda c, k: [(c.rng.choice(EPONYMS_FR), None)],
    "version": lambda c, k: [(c.rng.choice(["4.2.1", "v2.10.3", "17.4.1", "3.0", "12.1.0 (build 4471)", "5.33.2"]), None)],
    "room": lambda c, k: [(c.rng.choice(["214", "4B", "12", "B-107", "3.14", "1020"]), None)],
    "last4": lambda c, k: [(_digits(c.rng, 4), None)],
    "time": lambda c, k: [(_time(c), None)],
    "weekday": lambda c, k: [(c.rng.choice(WEEKDAYS[c.lang].split()), None)],
    "company": lambda c, k: [(c.rng.choice(COMPANIES), None)],
    "bank": lambda c, k: [(c.rng.choice(BANKS), None)],
    "product": lambda c, k: [(c.rng.choice(PRODUCTS), None)],
}  # fmt: skip

# ---------------------------------------------------------------------------------------------
# Templates: (domain, language, locale hint or "", text). Written for this corpus.
# ---------------------------------------------------------------------------------------------

TEMPLATES: list[tuple[str, str, str, str]] = [
    # --- clinic ---
    ("clinic", "en", "", "hi, this is {name}, dob {dob}. i need to reschedule my appointment with Dr. {last:2} on {date}, cant make it"),
    ("clinic", "en", "", "Hello,\nI'm writing on behalf of my mother {name:1f}, born {dob}. She was seen at your clinic on {date} and we still haven't got the blood test results. Her MRN is {mrn}.\nThank you,\n{name:2}"),
    ("clinic", "en", "", "can i get a refill on my {drug} {dose}? pharmacy has my old number, new one is {phone}. {first}"),
    ("clinic", "en", "", "Patient: {name_lf}\nDOB: {dob}\nMember ID: {member_id}\nReason: follow up re {eponym}"),
    ("clinic", "en", "", "my daughter {wname_f} has had a fever since {weekday}, can dr {last:2} see her today? my cell is {phone}"),
    ("clinic", "en", "", "Good morning, I would like to book a cleaning for my husband {name:2m} and myself. We're both patients, my file number is {mrn}. Any time on {date} works. {first}"),
    ("clinic", "en", "", "hey its {first} again 😅 i sent my insurance card pic but the portal says invalid. member id {member_id}, group 4471. thanks"),
    ("clinic", "en", "en_GB", "Hi, my NHS number is {nhs} and I'd like to know if my referral to the {eponym} clinic went through. {name}"),
    ("clinic", "en", "en_GB", "To whom it may concern,\nPlease send my medical records to my new GP at\n{addr_gb}\nName: {name}\nDate of birth: {dob}\nNHS no. {nhs}\nRegards"),
    ("clinic", "en", "", "hello doctor my father {name:1m} (DOB {dob}) had a fall, he is in room {room} and takes {drug} {dose}. please call me back on {phone}"),
    ("clinic", "en", "", "Appt request: {name_lf} / {dob} / {phone} / prefers mornings"),
    ("clinic", "en", "", "Hi! I'm a new patient, I moved here from {city} last month. Could you transfer my file from my old practice? my name is {name} and my previous MRN was {mrn}"),
    ("clinic", "en", "", "Re: invoice {invoice}\nI was charged {price} for a visit that insurance should cover. the policy holder is my wife, {name:2f}, member {member_id}."),
    ("clinic", "en", "", "can you confirm my lab results went to {email}? I had the draw on {date}. patient id {mrn}"),
    ("clinic", "en", "", "my son {wname_m} needs his vaccination record for school, his birthday is {dob}. I'm his mom, {first:1f}"),
    ("clinic", "en", "", "Dear Dr {last:2},\nthank you for seeing me on {date}. The {drug} {dose} works much better. I'll come back in 3 months.\nBest wishes\n{name}"),
    ("clinic", "en", "", "{title_name} here, I need a sick note for work for last week, I had the flu. Please email it to {email}"),
    ("clinic", "en", "", "I think you have my old address on file, I'm now at {addr}. also my phone changed to {phone}\n- {initial_name}"),
    ("clinic", "en", "", "is it possible to get my husband's {drug} prescription? his name is {name:2m}, date of birth {dob}, I'm picking it up at {time}"),
    ("clinic", "en", "", "hi there my name is {name} and I was referred by {title_name:2} for an MRI. my insurance member number {member_id}"),
    ("clinic", "en", "en_US", "Please cancel {first:1f}'s appointment tomorrow, she's sick. Her MRN {mrn}. You can text me at {phone_us}"),
    ("clinic", "en", "", "who do I talk to about my results from {date}?? nobody calls back. {name}, {phone}"),
    # clinic negatives
    ("clinic", "en", "", "what are your opening hours on {weekday}? do i need an appointment for a flu shot"),
    ("clinic", "en", "", "the doctor said take {drug} {dose} but the box says {dose}, which one is right?"),
    ("clinic", "en", "", "is {eponym} covered under the basic plan or do I need the premium one"),
    ("clinic", "en", "", "my prescription says ICD {icd}, the pharmacy wants a different code, can the clinic fix it?"),
    ("clinic", "en", "", "running 10 min late for my {time} appointment, sorry!!"),
    ("clinic", "en", "", "Is the blood test lab in building B, room {room}? The sign at the entrance says something else"),
    ("clinic", "en", "", "how long does it take to get blood test results back? its been 5 days 😩"),
    ("clinic", "en", "", "Can I take {drug} together with {drug:2} or should I wait a few hours in between?"),
    ("clinic", "en", "", "I was diagnosed with {eponym} last year. Does the new patient app (version {version}) let me log symptoms?"),
    ("clinic", "en", "", "do you accept {company} insurance? and is there parking near the clinic"),
    ("clinic", "en", "", "Will the clinic be open on {weekday}? I hope so, I ran out of {drug}"),
    ("clinic", "en", "", "My dad has {eponym} and his neurologist recommended {drug} {dose}. Is that usual?"),
    # --- bank ---
    ("bank", "en", "", "I lost my card!! please block it asap, the number is {card}. my name {name}"),
    ("bank", "en", "", "Hi, I need to make a transfer to {name:2}, IBAN {iban}, amount {price}. Is there a fee for international?"),
    ("bank", "en", "en_US", "hello, my debit card ending in {last4} was declined at {company}, but i have money in account {acct_us}. routing {routing}. whats going on"),
    ("bank", "en", "", "Dear Sir/Madam,\nI dispute the transaction of {price} on {date}. I never authorised it.\nCard: {card}\nAccount holder: {name}\nPhone: {phone}"),
    ("bank", "en", "en_GB", "sort code {sortcode} acc no {acct_uk}, can you confirm this is the right account for the refund? - {first}"),
    ("bank", "en", "", "Please update my address to:\n{addr}\nThanks,\n{name}"),
    ("bank", "en", "", "my online banking username is {user} and it keeps saying locked. tried from {ipv4} and from my phone"),
    ("bank", "en", "en_US", "I'd like to add my son {name:2m} as an authorized user, his SSN is {ssn} and his dob is {dob}"),
    ("bank", "en", "", "{name_lf} - need a new PIN mailer sent to {addr1}"),
    ("bank", "en", "", "hi someone called me from {phone} pretending to be the bank and asked for my card number {card}, i think i gave it to them 😭 please help"),
    ("bank", "en", "", "Wire instructions: beneficiary {name}, IBAN {iban}, reference {invoice}"),
    ("bank", "en", "", "Can you tell me why my transfer to {iban_plain} bounced? transaction ref {ref}"),
    ("bank", "en", "", "i changed my email to {email} but statements still go to the old one"),
    ("bank", "en", "en_US", "Hello, I'm {name}. My SSN is {ssn}. I want to close my savings account {acct_us} and move the money to checking."),
    ("bank", "en", "en_GB", "Customer {name} lost passport {passport} and driving licence {dl_gb}, needs ID verification at the branch in {city}"),
    ("bank", "en", "", "hey is this the right iban for my rent? {iban_plain} my landlord {name:2} sent it on whatsapp"),
    ("bank", "en", "", "Mortgage application - {name} and {name:2}\nDOB {dob} / {dob}\nCurrent address: {addr}"),
    ("bank", "en", "", "pls send the new card to {addr1} not the old address. card was {card}"),
    ("bank", "en", "", "I'm on holiday in {country} and my card doesn't work at ATMs. phone {phone}, {name}"),
    ("bank", "en", "", "{name} here. got a text that my account was logged into from {ipv4}, that wasnt me! my login is {user}"),
    ("bank", "en", "", "hello i want to open account for my wife {first:2f}, she has {natid}. what else do u need"),
    ("bank", "en", "", "Thanks for your help today. For the record, my new number is {phone} and email {email}.\nKind regards,\n{title_name}"),
    # bank negatives
    ("bank", "en", "", "whats the daily limit for contactless payments? tried to pay {price} and it failed"),
    ("bank", "en", "", "card ending in {last4} expired, when will the new one arrive?"),
    ("bank", "en", "", "the app version {version} keeps crashing when i open statements"),
    ("bank", "en", "", "why was i charged a {price} fee on {weekday}?"),
    ("bank", "en", "", "Is the branch open on {weekday} afternoon? I need to deposit a cheque"),
    ("bank", "en", "", "transaction ID {ref} shows pending for 3 days now, amount {price}"),
    ("bank", "en", "", "How do I set up Apple Pay with my {bank} card? The button is greyed out"),
    ("bank", "en", "", "Will the grace period apply if I pay the {price} on {weekday}? Mark it as paid please"),
    ("bank", "en", "", "what's the interest rate on the savings account, is it still 4.1%? and is there a minimum of {price}"),
    # --- insurance ---
    ("insurance", "en", "", "hi i want to file a claim, my car was hit in a parking lot in {city} on {date}. policy {policy}, my license no {dl}"),
    ("insurance", "en", "", "Member ID: {member_id}\nName: {name}\nDOB: {dob}\nI need a new insurance card, mine went through the wash 🙈"),
    ("insurance", "en", "", "my husband {name:2m} (member {member_id}) had surgery at {company} hospital on {date} and they billed us {price}"),
    ("insurance", "en", "", "Claim {claim} - please send the cheque to\n{addr}"),
    ("insurance", "en", "", "Our new baby {name:2f} was born {dob}, how do I add her to my plan? My member number is {member_id}"),
    ("insurance", "en", "", "please call me on {phone} about claim {claim}, I'm free after {time}. {name}"),
    ("insurance", "en", "", "I'm traveling to {country} next month, am I covered there? policy {policy}"),
    ("insurance", "en", "en_US", "Hello, my Social Security number is {ssn}; your form rejected it. Name on policy: {name_lf}"),
    ("insurance", "en", "", "stolen bike claim. i live at {addr1}, it was taken from the basement. {name}"),
    ("insurance", "en", "", "Please update the beneficiary on my life policy to my daughter {name:2f}, born {dob}."),
    ("insurance", "en", "", "The other driver was {name:2m}, phone {phone}, his licence {dl}. accident on {date}"),
    ("insurance", "en", "", "my passport number is {passport} if you need it for the travel insurance. flying to {city} on {date}"),
    ("insurance", "en", "", "{name}\n{addr}\n{phone}\n\nHi, please find attached the receipts for claim {claim}."),
    ("insurance", "en", "", "i uploaded my documents to the portal as {user} but you say nothing arrived?? {email}"),
    # insurance negatives
    ("insurance", "en", "", "whats the deductible for the silver plan? is it {price} or {price}?"),
    ("insurance", "en", "", "claim {claim} status? it's been 3 weeks"),
    ("insurance", "en", "", "Does my plan cover {eponym} treatment and physio?"),
    ("insurance", "en", "", "do you cover windshield replacement? my deductible is {price}, policy {policy}"),
    ("insurance", "en", "", "the form says ICD-10 {icd} but my doctor told me it should be {icd}"),
    ("insurance", "en", "", "Can I pay the premium monthly instead of yearly? It's {price} a year now"),
    # --- telecom / shop / support ---
    ("shop", "en", "", "where is my order {order}?? tracking {tracking} says delivered but nothing at {addr1}"),
    ("shop", "en", "", "Deliver to:\n{name}\n{addr}\nPhone: {phone}"),
    ("support", "en", "", "i cant log in, username {user}, email {email}, i reset the password twice"),
    ("shop", "en", "", "can you send the replacement to my work address instead:\n{addr}\nattn {name}"),
    ("telecom", "en", "", "my phone number {phone} was ported to another provider without my permission!!! account holder {name}"),
    ("shop", "en", "", "Hi, I ordered a {product} (order {order}) and the courier left it with my neighbour {name:2} at number 14. Not ok."),
    ("shop", "en", "", "the delivery guy called me from {phone} and said he couldnt find the building, its {addr1}, blue door"),
    ("telecom", "en", "", "my router shows public ip {ipv4} and im not getting the speed im paying for ({price}/month)"),
    ("support", "en", "", "Please close account {user}. I'm moving to {country}. - {name}"),
    ("shop", "en", "", "here's my profile {url}, the seller never shipped the item"),
    ("support", "en", "", "email me at {email_obf} pls dont call"),
    ("support", "en", "", "you can reach me at {email_obf} or text {phone}"),
    ("support", "en", "", "got a login alert from {ipv6} at {time}, that was NOT me. my account is {email}"),
    ("shop", "en", "", "my insta is {handle} if you want to see pics of the damaged package"),
    ("shop", "en", "", "ordered a gift for my daughter {wname_f} to be delivered on {date} to {addr1}"),
    ("telecom", "en", "", "Hello,\nplease transfer the contract from {name} to {name:2f}. Her date of birth is {dob} and her {natid}."),
    ("telecom", "en", "", "hi, its {name} ({user}). my bill is wrong, you charged {price} for roaming in {country} but i had the travel pack"),
    ("shop", "en", "", "Return label please. Order {order}. Name {name_lf}, {addr1}"),
    ("support", "en", "", "I'm locked out. The account is under my wife's name, {name:2f}, and the email is {email:2}"),
    ("telecom", "en", "", "new sim for {name}, passport no {passport}, address {addr1}"),
    ("shop", "en", "", "hi!! package {tracking} is stuck in {city} for a week 😡 i need it before {date}"),
    ("support", "en", "", "my website {url} is down since yesterday, the server ip is {ipv4}"),
    ("shop", "en", "", "cancel order {order} please, ordered twice by mistake. {email}"),
    ("support", "en", "", "Hi, your agent {first:2f} was super helpful yesterday, please tell her thanks! - {name}"),
    ("telecom", "en", "", "{name}\n{phone}\n{email}\n\nmy internet has been down since {weekday}, ticket {ticket}"),
    ("shop", "en", "", "I never received a refund for the {product}. Paid with card {card} on {date}."),
    ("support", "en", "", "dear support, my gamer tag is {handle}, i bought coins for {price} and they are not in my account"),
    ("shop", "en", "en_US", "hey this is {name}, i need to change delivery address to {addr_us}\nand phone to {phone_us}"),
    # telecom / shop negatives
    ("shop", "en", "", "order {order} arrived damaged, the box was crushed. Can I get a replacement {product}?"),
    ("shop", "en", "", "tracking number {tracking} hasnt updated since {weekday}"),
    ("telecom", "en", "", "after updating to {version} my phone drops calls every few minutes"),
    ("support", "en", "", "invoice {invoice} shows {price} but my plan is {price}, please check"),
    ("shop", "en", "", "do you ship to the islands? and how much is express for orders over {price}"),
    ("support", "en", "", "ticket {ticket} still open, nobody replied since {weekday} {time}"),
    ("telecom", "en", "", "Is there a 5G mast near the city centre? Signal is terrible after {time}"),
    ("shop", "en", "", "The {product} I bought from {company} stopped charging. Warranty is 2 years right?"),
    ("support", "en", "", "i hope you can help, the app ({version}) logs me out every time i open it"),
    ("shop", "en", "", "Will the {product} be back in stock before {weekday}? May I reserve one?"),
    ("telecom", "en", "", "how do i change my plan from 20GB to unlimited? currently paying {price}"),
    ("support", "en", "", "the reset link in your email goes to an error page (code 500). tried at {time} and again now"),
    # --- German ---
    ("bank", "de", "de", "Hallo, mein Name ist {name}, geboren am {dob}. Ich habe meine Karte verloren, bitte sperren. Kartennummer {card}"),
    ("bank", "de", "de", "Guten Tag,\nbitte überweisen Sie die Erstattung auf mein Konto: IBAN {iban}, Kontoinhaber {name}.\nMit freundlichen Grüßen\n{name}"),
    ("shop", "de", "de", "Neue Lieferadresse:\n{addr}\nTel. {phone}"),
    ("clinic", "de", "de", "Ich habe einen Termin am {date} bei Dr. {last:2}, kann ich den verschieben? Versichertennummer {member_id}"),
    ("clinic", "de", "de", "Wann ist die Praxis am {weekday} geöffnet? Ich brauche nur ein Rezept für {drug} {dose}."),
    ("shop", "de", "de", "Meine Bestellung {order} ist immer noch nicht da, Sendungsnummer {tracking}. Was ist los?"),
    ("bank", "de", "de", "hi, meine Steuer-ID ist {idnr}, brauchen Sie noch meine Adresse? {addr1}"),
    ("shop", "de", "de", "Paket bitte bei meinem Nachbarn {name:2m} abgeben, {addr1}. Danke! {first}"),
    ("telecom", "de", "de", "Sehr geehrte Damen und Herren, meine Rufnummer {phone} soll auf {name:2} umgeschrieben werden. Geburtsdatum {dob}."),
    ("support", "de", "de", "Die App (Version {version}) stürzt ständig ab. Können Sie das prüfen?"),
    # --- French ---
    ("clinic", "fr", "fr", "Bonjour, je m'appelle {name} et je souhaite prendre rendez-vous le {date}. Mon numéro : {phone}"),
    ("bank", "fr", "fr", "Bonjour,\nVoici mon RIB pour le remboursement : {iban}\nCordialement,\n{name}"),
    ("insurance", "fr", "fr", "mon numéro de sécu c'est {nir}, je suis né le {dob}"),
    ("shop", "fr", "fr", "Bonjour, ma commande {order} est bloquée depuis {weekday}. Merci de vérifier."),
    ("bank", "fr", "fr", "Merci d'envoyer la nouvelle carte à mon adresse :\n{addr}\n{first}"),
    ("insurance", "fr", "fr", "Est-ce que la maladie de {eponym_fr} est prise en charge à 100% ?"),
    ("support", "fr", "fr", "je n'arrive plus à me connecter, mon identifiant est {user} et mon mail {email}"),
    # --- Spanish ---
    ("clinic", "es", "es", "Hola, soy {name}, mi DNI es {dni} y necesito cambiar mi cita del {date}"),
    ("bank", "es", "es", "buenas, me robaron la tarjeta {card} ayer en {city}, por favor bloquearla"),
    ("shop", "es", "es", "Envíen el pedido a:\n{addr}\nGracias, {first}"),
    ("clinic", "es", "es", "Hola, ¿a qué hora abren el {weekday}? Tengo que recoger {drug} {dose}"),
    ("support", "es", "es", "mi correo es {email} y mi teléfono {phone}, llámenme por la tarde"),
    ("bank", "es", "es", "Mi NIE es {dni}, la transferencia a {iban} todavía no ha llegado"),
    ("insurance", "es", "es", "Buenos días, el siniestro {claim} sigue sin resolver. ¿Me pueden llamar?"),
    # --- English with local identifiers ---
    ("bank", "en", "pl_PL", "PESEL {pesel}, name {name}, I need a statement in English for my visa"),
    ("telecom", "en", "", "I uploaded my aadhaar {aadhaar} but KYC failed twice. name {name}"),
    ("bank", "en", "it_IT", "Hi, I'm {name} from {city}, my codice fiscale is {cf}. can I open an account as a non-resident?"),
    ("support", "en", "nl_NL", "my BSN is {bsn}, do you need it for the registration? {first}"),
    ("bank", "en", "en_GB", "my national insurance number is {nino} and I'm trying to open an ISA, {name}"),
    # --- more places, documents and profiles ---
    ("support", "en", "", "can u delete my old profile {url}? i dont use it anymore"),
    ("shop", "en", "", "I'm {name}, I run a small shop at {url} and would like to become a seller on your marketplace"),
    ("insurance", "en", "", "renewing my travel policy, passport {passport}, I live in {city} now"),
    ("bank", "en", "en_US", "KYC docs: driver's license {dl}, SSN {ssn}, address {addr_us}"),
    ("telecom", "en", "", "visiting family in {city} for two weeks and then going to {country} - will roaming work? my number {phone}"),
    ("clinic", "en", "", "i was born in {country} and my vaccination records might still be there, is that a problem? {name}"),
    ("bank", "en", "", "Passport: {passport}\nNationality: {country}\nDOB: {dob}\nFull name: {name}"),
    ("support", "en", "", "my old account was {url}, the new one is {handle}"),
    ("telecom", "de", "de", "Ich bin nächste Woche in {country}, funktioniert mein Vertrag dort? Nummer {phone}"),
    ("insurance", "es", "es", "Viajo a {city} el {date}, mi pasaporte es {passport}. ¿Estoy cubierto?"),
    ("clinic", "en", "", "appointments on {weekday} are always full, could you add more slots? also waiting room {room} has no wifi"),
    ("shop", "en", "", "Where can I find the serial number on the {product}? Is it the 12-digit code under the battery?"),
    ("support", "fr", "fr", "L'application version {version} ne fonctionne plus depuis la mise à jour, que faire ?"),
    ("bank", "de", "de", "Wie hoch ist die Gebühr für eine Auslandsüberweisung über {price}?"),
]  # fmt: skip

_SLOT = re.compile(r"\{([a-z_0-9]+)(?::(\d)([fm]?))?\}")
_WORD = re.compile(r"[A-Za-z]+")


def _typo(rng: random.Random, text: str) -> str:
    """Misspell like a hurried typist: common slips, and now and then two swapped letters."""

    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if low in TYPOS and rng.random() < 0.5:
            return TYPOS[low]
        if len(word) > 5 and rng.random() < 0.06:
            i = rng.randint(1, len(word) - 3)
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        return word

    return _WORD.sub(swap, text)


def render(template: str, ctx: Ctx) -> list[Segment]:
    """Fill a template into segments; literal text is unlabeled."""
    segments: list[Segment] = []
    pos = 0
    for m in _SLOT.finditer(template):
        segments.append((template[pos : m.start()], None))
        k = int(m.group(2) or 1)
        if m.group(3):
            ctx.genders[k] = m.group(3)
        segments.extend(SLOTS[m.group(1)](ctx, k))
        pos = m.end()
    segments.append((template[pos:], None))
    return segments


def _roughen(segments: list[Segment], rng: random.Random, lang: str) -> list[Segment]:
    """Apply the way people type: all lowercase, typos, missing final punctuation, emojis."""
    lower_all = rng.random() < (0.25 if lang == "en" else 0.1)
    typos = lang == "en" and rng.random() < 0.35
    sloppy_commas = rng.random() < 0.15
    out: list[Segment] = []
    for text, label in segments:
        if lower_all:
            text = text.lower()
        if label is None:
            if typos:
                text = _typo(rng, text)
            if sloppy_commas:
                text = text.replace(", ", ",")
        out.append((text, label))
    last_text, last_label = out[-1]
    if last_label is None and last_text.endswith((".", "?", "!")) and rng.random() < 0.35:
        out[-1] = (last_text.rstrip(".?!"), None)
    if rng.random() < 0.2:
        out.append((rng.choice([" ", " ", ""]) + rng.choice(EMOJIS), None))
    return out


def build_message(
    index: int, template: tuple[str, str, str, str], fakers: dict[str, Faker]
) -> dict[str, Any]:
    """One corpus row; spans are computed from the segments, so offsets are exact."""
    domain, lang, hint, text = template
    rng = random.Random(f"{SEED}:{index}")
    locale = rng.choice(LANG_LOCALES[hint]) if hint in LANG_LOCALES else hint or None
    ctx = Ctx(
        rng=rng,
        fakers=fakers,
        index=index,
        lang=lang,
        locale=locale,
        lower_names=rng.random() < 0.2,
        fold_names=lang == "en" and rng.random() < 0.5,
    )
    segments = _roughen(render(text, ctx), rng, lang)
    parts: list[str] = []
    spans: list[dict[str, Any]] = []
    offset = 0
    for value, label in segments:
        if label is not None:
            if not value or value != value.strip() or label not in LABELS:
                raise ValueError(f"bad labeled segment in template {domain}/{lang}")
            spans.append({"start": offset, "end": offset + len(value), "label": label})
        parts.append(value)
        offset += len(value)
    return {"id": f"chat{index:04d}-{domain}-{lang}", "text": "".join(parts), "spans": spans}


def generate() -> list[dict[str, Any]]:
    """All rows: rounds over the shuffled templates until N_MESSAGES, with the fixed seed."""
    fakers: dict[str, Faker] = {}
    order_rng = random.Random(SEED)
    rows: list[dict[str, Any]] = []
    while len(rows) < N_MESSAGES:
        for template in order_rng.sample(TEMPLATES, len(TEMPLATES)):
            if len(rows) == N_MESSAGES:
                break
            rows.append(build_message(len(rows), template, fakers))
    return rows


def dumps(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    rows = generate()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(dumps(rows), encoding="utf-8")
    counts = Counter(span["label"] for row in rows for span in row["spans"])
    negatives = sum(1 for row in rows if not row["spans"])
    print(f"{len(rows)} messages, {sum(counts.values())} spans, {negatives} without spans")
    for label, count in counts.most_common():
        print(f"  {label:<15} {count}")


if __name__ == "__main__":
    main()
