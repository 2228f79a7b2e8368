"""Places no lexicon knows, found by the words around them.

Small towns are missing from any shipped gazetteer; the context still names them:
a place preposition ("in", "from", "near"), a verb of living or travel ("live in",
"based in", "grew up in", "moved to", "flew to"), a settlement noun ("the city
of", "University of", "hometown"), or a country after the word ("Brenvik,
Norway", a town line above a country line). :func:`unknown_place` returns the end
of such a run of capitalised unknown words. Names and ordinary words stay out,
except that after a verb of living a word that is also a surname may be a town,
and an ordinary word may open a place whose last word is unknown ("Store Merløse").

:func:`qualifier_end` extends a place over a bracketed qualifier ("Frankfurt
(Oder)", "Cyprus (Greek)"). Everything looks at a few tokens around one index.
"""

from __future__ import annotations

from veil.detect import lexicon
from veil.detect._name_rules import FOREIGN_WORDS, FUNCTION_WORDS, NOT_NAME, PLACE_NOUNS
from veil.detect._name_rules import foreign_noun_shape as _foreign_shape
from veil.detect._name_tokens import Token

__all__ = ["foreign", "qualifier_end", "unknown_place"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Prepositions that, right before an unknown capitalised word, make it a place.
_STRONG_PREPS = _words("in from near nach aus à au en")
_TRAVEL_VERBS = _words(
    """
    flew fly flying flies moved move moving relocated relocate travel travelled traveled
    travelling traveling went go going drove drive driving arrived arrive arriving returned
    return returning headed heading trip flight flights ticket tickets commute commuting
    """
)
# Verbs of living before "in"/"from"/"to": the word after names a place even when a
# surname list also knows it ("grew up in Sund", "based in Brenvik").
_LIVING = _words(
    """
    live lives lived living based located born raised grew situated settled stay staying
    stays reside resides resided residing moved relocated originally hometown
    """
)
# Nouns after which "of" + capitalised words name a place ("the city of X").
_OF_NOUNS = _words(
    """
    city town village municipality county province state region district suburb suburbs
    outskirts university port island republic borough parish commune canton prefecture
    """
)
# Nouns right before a place name ("hometown Brenvik", "home city Tromsø").
_BEFORE_NOUNS = _words("city town village hometown")
_PLACE_KINDS = frozenset({"country", "region", "continent"})
_MAX_RUN = 3


def foreign(low: str) -> bool:
    """A frequent word of another language (greeting, noun, function word)."""
    return (
        low in FOREIGN_WORDS
        or low in FUNCTION_WORDS
        or low in PLACE_NOUNS
        or low in NOT_NAME
        or _foreign_shape(low)
    )


def _cue(tokens: list[Token], i: int) -> str:
    """How the words before token ``i`` announce a place: "living", "plain" or ""."""
    if i == 0 or tokens[i].gap not in (" ", ": "):
        return ""
    prev = tokens[i - 1].low
    before = tokens[i - 2].low if i > 1 and tokens[i - 1].gap == " " else ""
    if prev in _STRONG_PREPS or (prev in ("to", "at") and before in _TRAVEL_VERBS):
        if before in _LIVING or (before == "up" and i > 2 and tokens[i - 3].low == "grew"):
            return "living"
        return "plain"
    if prev == "of" and before in _OF_NOUNS:
        return "living"
    if prev in _BEFORE_NOUNS and tokens[i].gap == " ":
        return "living"
    return ""


def unknown_place(tokens: list[Token], i: int) -> int:
    """End of a run of unknown capitalised words at ``i`` that names a place, else ``i``."""
    cue = _cue(tokens, i)
    if not cue and (tokens[i].zipf > 0.0 or tokens[i].first or tokens[i].last):
        return i  # without a cue only an unknown word may open a place
    j = i
    common = 0
    while j < len(tokens) and j - i < _MAX_RUN:
        t = tokens[j]
        if not (t.cap or t.upper) or len(t.text) < 3 or foreign(t.low):
            break
        if j > i and (t.gap not in (" ", "-") or tokens[j - 1].possessive):
            break
        named = t.first or t.last
        if t.zipf > 0.0:
            common += 1
            if j > i + 1 or common > 1:
                break
        elif named and cue != "living":
            break
        j += 1
    if j > i and tokens[j - 1].zipf > 0.0:
        j -= 1  # an ordinary word only opens a place: "Store Merløse", not "Good Mood"
    if j == i or (j == i + 1 and tokens[i].zipf > 0.0):
        return i
    if cue:
        return j
    return j if _country_after(tokens, j) else i


def _country_after(tokens: list[Token], j: int) -> bool:
    """A country or region follows after a comma or on the next line ("Vierhöf, Austria")."""
    if j >= len(tokens):
        return False
    gap = tokens[j].gap.strip(" \t")
    if gap not in (",", "\n", ",\n") or not (tokens[j].cap or tokens[j].upper):
        return False
    entries = lexicon.place_entries()
    for k in range(j, min(len(tokens), j + 3)):
        key = " ".join(t.low for t in tokens[j : k + 1])
        place = entries.get(key)
        if place is not None and place.kind in _PLACE_KINDS:
            return True
    return False


def qualifier_end(text: str, end: int) -> int:
    """``end`` moved past " (Oder)" / " (Greek)" right after a place, if there is one."""
    k = end + 1 if text[end : end + 1] == " " else end
    if text[k : k + 1] != "(":
        return end
    close = text.find(")", k, k + 40)
    if close < 0:
        return end
    inner = text[k + 1 : close].split(" ")
    if not 1 <= len(inner) <= 3 or not all(w[:1].isupper() and w.isalpha() for w in inner):
        return end
    return close + 1
