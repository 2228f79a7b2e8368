"""Cues right around a candidate name, beyond the cue phrases of ``_name_rules``.

* a relative or role after a possessive announces a name, even in lower case
  ("my daughter amy", "our new baby lori", "ur agent oluchi"), and a given name
  that is also an ordinary word when a verb follows ("my son mark needs");
* "<name> here" opens a message ("wladimir schomber here");
* "name" itself, unless it names a thing ("name semsinisa", not "file name");
* a title written in lower case with its period ("prof. owoyemi-soyinka");
* a verb only people do after a single word makes it a name ("Ciset lives on",
  "Zak shouted"): :data:`HUMAN_VERBS`.

Message-wide passes (lists, dialogues, repeats, signatures) are in
:mod:`veil.detect._name_message`. Every function looks at a few tokens around
one index.
"""

from __future__ import annotations

from veil.detect._name_rules import (
    PERSON_AFTER,
    TITLES,
)
from veil.detect._name_tokens import Token

__all__ = [
    "HUMAN_VERBS",
    "STRONG_ENDINGS",
    "here_cue",
    "relation_cue",
    "relation_named",
    "strong_cue",
    "thing_name",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Verbs (after the word) that only people do: "Ciset lives on", "Ley began writing".
HUMAN_VERBS = _words(
    """
    lives lived began begins shouted yelled whispered smiled laughed cried replied says said
    told asked wrote writes married died grew studied studies works worked thinks thought
    wants wanted loves loved likes liked hates feels felt knows knew met meets sang sings
    """
)
_POSSESSIVES = _words("my our his her their your ur yr")
# Relatives and roles that, after a possessive, are followed by a name.
_RELATIONS = _words(
    """
    daughter son wife husband mother father mom mum dad brother sister child kid baby
    grandson granddaughter grandmother grandfather grandma grandpa aunt uncle nephew niece
    cousin partner fiancé fiancée girlfriend boyfriend friend colleague coworker boss
    manager supervisor doctor nurse dentist therapist agent advisor adviser
    representative rep landlord tenant spouse guardian caregiver
    """
)
_GREETINGS = _words("hi hello hey hiya dear morning evening")
_ADJECTIVES = _words("new little older younger elder eldest oldest youngest late big baby ex")
_NAME_WORDS = _words("name names surname")
# "file name X", "user name X": the name of a thing, not a person.
_THING_NAMES = _words(
    """
    user file domain brand product company business account host server street store shop
    app device model network wifi project team pet dog cat screen display folder
    """
)
_MORE_VERBS = _words("needs need does did gets got goes went is was has had")
#: Every word a strong cue (:func:`strong_cue`, :func:`relation_named`) ends with.
STRONG_ENDINGS = TITLES | _NAME_WORDS | _RELATIONS


def strong_cue(tokens: list[Token], i: int) -> bool:
    """A cue before token ``i`` that makes even an unknown lower-case word a name.

    A relative or role after a possessive ("my daughter", "our new baby", "my
    wife, anna"), "<name> here" at the start, a title with its period in lower case
    ("prof. owoyemi-soyinka"), or "name" itself ("name semsinisa sakarya-arsoy",
    not "file name").
    """
    if i == 0:
        return here_cue(tokens, i)
    prev = tokens[i - 1]
    if prev.low not in STRONG_ENDINGS and i > 1:
        return False  # the common case: no strong cue ends here
    if prev.low in TITLES and tokens[i].gap[:1] == "." and tokens[i].gap.strip() == ".":
        return True
    if prev.low in _NAME_WORDS and tokens[i].gap in (" ", ": ", ":", ":\t"):
        return not thing_name(tokens, i)
    return relation_cue(tokens, i) or here_cue(tokens, i)


def thing_name(tokens: list[Token], i: int) -> bool:
    """ "file name", "product name" right before token ``i``: no person follows."""
    return i >= 2 and tokens[i - 1].low in _NAME_WORDS and tokens[i - 2].low in _THING_NAMES


def relation_cue(tokens: list[Token], i: int) -> bool:
    """ "my daughter", "our new baby", "my wife, anna" (not "my husband's") before ``i``."""
    if i < 2 or tokens[i].gap not in (" ", ", ") or tokens[i - 1].gap != " ":
        return False
    rel = tokens[i - 1]
    if rel.low not in _RELATIONS or rel.possessive:
        return False
    if tokens[i].low in HUMAN_VERBS or tokens[i].low in PERSON_AFTER:
        return False  # "my son has": the common-word list misses a few verbs
    owner = tokens[i - 2]
    if owner.low in _ADJECTIVES and i >= 3 and owner.gap == " ":
        owner = tokens[i - 3]
    return owner.low in _POSSESSIVES


def relation_named(tokens: list[Token], i: int) -> bool:
    """ "my son mark needs", "my daughter may has": after a relative, a given name that
    is also an ordinary word is a name when a verb follows it."""
    if i < 2 or i + 1 >= len(tokens) or tokens[i - 1].low not in _RELATIONS:
        return False
    if not relation_cue(tokens, i) or tokens[i].gap != " ":
        return False
    tok, nxt = tokens[i], tokens[i + 1]
    verb = nxt.low in HUMAN_VERBS or nxt.low in PERSON_AFTER or nxt.low in _MORE_VERBS
    return tok.first and not (tok.cap or tok.upper) and nxt.gap == " " and verb


def here_cue(tokens: list[Token], i: int) -> bool:
    """ "wladimir schomber here" at the start of a message (after a greeting at most)."""
    if i > 1 or (i == 1 and tokens[0].low not in _GREETINGS):
        return False
    for k in range(i + 1, min(len(tokens), i + 4)):
        if tokens[k].gap != " ":
            return False
        if tokens[k].low == "here":
            return True
    return False
