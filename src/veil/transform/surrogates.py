"""Realistic, format-preserving fakes: the ``Surrogate`` operator's engine.

``make_surrogate`` draws everything from a :class:`~veil.transform.keys.Stream`
seeded by the value's identity, so one value always gets one fake. Shapes are kept:
a card keeps its length, grouping and network digits and gets a valid Luhn digit; an
IBAN keeps country, length and grouping and gets valid mod-97 check digits; a phone
keeps its punctuation, country code and leading digit; a date moves by the scope-wide
shift and is written as it was; a name keeps titles, initials and capitalization.
Email and URL hosts become reserved ``example.*`` domains (webmail domains are kept:
they identify nobody); IP addresses come from the documentation ranges. Whatever is
not understood keeps its shape: digits become digits, letters letters.
"""

from __future__ import annotations

import datetime as dt
import re

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum import luhn

from veil.core import Entity, EntityType
from veil.transform.dates import month_first, parse_date
from veil.transform.keys import Stream
from veil.transform.names import FREEMAIL, TITLES, names_for

__all__ = ["make_surrogate"]

_WORD = re.compile(r"\d+|[^\W\d_]+|[^\w]+|_+")
_STREET_WORDS = frozenset(
    {"street", "st", "road", "rd", "avenue", "ave", "lane", "ln", "drive", "court", "ct",
     "place", "pl", "square", "way", "close", "boulevard", "blvd", "flat", "apt", "suite",
     "unit", "floor", "strasse", "straße", "str", "weg", "gasse", "platz", "allee", "rue",
     "chemin", "calle", "avenida", "plaza", "via", "viale", "piazza", "straat",
     "laan", "plein", "north", "south", "east", "west", "po", "box"}
)  # fmt: skip
_LOWER = "abcdefghijklmnopqrstuvwxyz"


def _like(word: str, template: str) -> str:
    """``word`` written in the capitalization of ``template``."""
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template.islower():
        return word.lower()
    return word


def _digits(stream: Stream, n: int, *, lead: bool = True) -> str:
    first = str(1 + stream.below(9)) if lead and n else ""
    return first + "".join(stream.digit() for _ in range(n - len(first)))


def _shape(value: str, stream: Stream) -> str:
    out = []
    for ch in value:
        if ch.isdigit():
            out.append(stream.digit())
        elif ch.isalpha():
            letter = stream.choice(_LOWER)
            out.append(letter.upper() if ch.isupper() else letter)
        else:
            out.append(ch)
    return "".join(out)


def _person(value: str, stream: Stream, locale: str) -> str:
    given, surnames, _ = names_for(locale)
    words = value.split()
    names = [i for i, w in enumerate(words) if w.rstrip(".").casefold() not in TITLES]
    out = list(words)
    for rank, i in enumerate(names):
        word = words[i]
        if len(word.rstrip(".")) == 1:
            out[i] = stream.choice(_LOWER).upper() + word[1:]
            continue
        last = rank == len(names) - 1 and (len(names) > 1 or len(names) < len(words))
        out[i] = _like(stream.choice(surnames if last else given), word)
    return " ".join(out)


def _email(value: str, stream: Stream, locale: str) -> str:
    local, _, domain = value.rpartition("@")
    given, surnames, _ = names_for(locale)
    first = stream.choice(given).lower()
    last = stream.choice(surnames).lower().replace(" ", "")
    sep = next((c for c in local if c in "._-"), "")
    fake_local = f"{first}{sep}{last}" if sep or len(local) > 6 else first
    digit_count = sum(ch.isdigit() for ch in local)
    fake_local += _digits(stream, min(digit_count, 4), lead=False)
    if domain.casefold() in FREEMAIL:
        return f"{fake_local}@{domain}"
    labels = domain.split(".")
    suffix = labels[-2:] if len(labels) > 2 and len(labels[-2]) <= 3 else labels[-1:]
    return f"{fake_local}@example.{'.'.join(suffix) or 'com'}"


def _phone(value: str, stream: Stream, region: str) -> str:
    positions = [i for i, ch in enumerate(value) if ch.isdigit()]
    keep = 1
    if value.lstrip().startswith("+"):
        try:
            keep = len(str(phonenumbers.parse(value, None).country_code)) + 1
        except phonenumbers.NumberParseException:
            keep = 2
    candidate = value
    for _ in range(24):
        chars = list(value)
        for i in positions[keep:]:
            chars[i] = stream.digit()
        candidate = "".join(chars)
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(candidate, region)):
                return candidate
        except phonenumbers.NumberParseException:
            return candidate
    return candidate


def _card(value: str, stream: Stream) -> str:
    positions = [i for i, ch in enumerate(value) if ch.isdigit()]
    if len(positions) < 12:
        return _shape(value, stream)
    chars = list(value)
    for i in positions[2:-1]:
        chars[i] = stream.digit()
    payload = "".join(chars[i] for i in positions[:-1])
    chars[positions[-1]] = luhn.calc_check_digit(payload)
    return "".join(chars)


def _iban(value: str, stream: Stream) -> str:
    positions = [i for i, ch in enumerate(value) if ch.isalnum()]
    if len(positions) < 5 or not value[positions[0]].isalpha():
        return _shape(value, stream)
    candidate = value
    for _ in range(16):
        chars = list(value.upper())
        for i in positions[4:]:
            chars[i] = stream.digit() if chars[i].isdigit() else stream.choice(_LOWER).upper()
        compact = "".join(chars[i] for i in positions)
        check = stdnum_iban.calc_check_digits(compact)
        chars[positions[2]], chars[positions[3]] = check[0], check[1]
        candidate = "".join(chars)
        if stdnum_iban.is_valid(candidate):
            break
    return candidate


def _date(value: str, stream: Stream, region: str, shift_days: int) -> str:
    parsed = parse_date(value, month_first=month_first(region))
    if parsed is None:
        return _shape(value, stream)
    date, shape = parsed
    try:
        shifted = date + dt.timedelta(days=shift_days)
    except OverflowError:
        shifted = date - dt.timedelta(days=abs(shift_days))
    return shape.render(shifted)


def _ip(value: str, stream: Stream) -> str:
    if ":" in value:
        return f"2001:db8::{stream.below(0xFFFF):x}:{stream.below(0xFFFF):x}"
    net = stream.choice(("192.0.2", "198.51.100", "203.0.113"))
    return f"{net}.{1 + stream.below(254)}"


def _url(value: str, stream: Stream) -> str:
    match = re.match(r"([a-zA-Z][\w+.-]{0,15}://)?([^/?#\s]*)(.*)", value, re.DOTALL)
    scheme, _host, rest = (
        (match.group(1) or "", match.group(2), match.group(3)) if match else ("", "", value)
    )
    return f"{scheme}example.com{_shape(rest, stream)}"


def _address(value: str, stream: Stream, locale: str) -> str:
    _, surnames, cities = names_for(locale)
    out = []
    for token in _WORD.findall(value):
        if token.isdigit():
            out.append(_digits(stream, len(token), lead=token[0] != "0"))
        elif token.isalpha() and len(token) > 2 and token.casefold() not in _STREET_WORDS:
            out.append(_like(stream.choice(surnames + cities).split()[0], token))
        else:
            out.append(token)
    return "".join(out)


def make_surrogate(
    entity: Entity, value: str, *, stream: Stream, locale: str, region: str, shift_days: int
) -> str:
    """A fake for ``value``; the caller re-draws (new stream) if it collides."""
    if entity == EntityType.PERSON:
        return _person(value, stream, locale)
    if entity == EntityType.EMAIL and "@" in value:
        return _email(value, stream, locale)
    if entity == EntityType.PHONE:
        return _phone(value, stream, region)
    if entity == EntityType.CREDIT_CARD:
        return _card(value, stream)
    if entity == EntityType.IBAN:
        return _iban(value, stream)
    if entity == EntityType.DATE:
        return _date(value, stream, region, shift_days)
    if entity == EntityType.IP_ADDRESS:
        return _ip(value, stream)
    if entity == EntityType.URL:
        return _url(value, stream)
    if entity == EntityType.LOCATION:
        return _like(stream.choice(names_for(locale)[2]), value)
    if entity == EntityType.ADDRESS:
        return _address(value, stream, locale)
    if entity == EntityType.USERNAME:
        return f"{stream.choice(names_for(locale)[0]).lower()}{_digits(stream, 3, lead=False)}"
    return _shape(value, stream)
