"""Group tokens into candidate person names and classify each word.

A chunk is a run of capitalised words, initials and inner particles joined by single
spaces (or the period of an initial or abbreviation), e.g. ``Ilsa D. Varkonyi``,
``Jan van der Berg``, ``John Smith Jr.``. Leading and trailing ordinary words
("Thanks", "Customer") are trimmed; an ordinary word inside a run ends the chunk.
"""

from __future__ import annotations

from dataclasses import dataclass

from veil.detect import lexicon
from veil.detect._name_rules import (
    CALENDAR,
    FOREIGN_WORDS,
    NOT_NAME,
    PARTICLES,
    SUFFIXES,
    TITLES,
    foreign_noun_shape,
)
from veil.detect._name_tokens import Token, is_sentence_start

__all__ = ["COMMON_ZIPF", "Chunk", "kind_of", "next_chunk", "typo_of_common"]

# A word at or above this Zipf frequency reads as an ordinary English word.
COMMON_ZIPF = 3.0
_JOINING_GAPS = frozenset({" ", "\u00a0", ". ", ".", ".\u00a0"})
_MAX_WORDS = 6
# A word one typo away from a word at least this frequent is that word, misspelt.
_TYPO_ZIPF = 4.0
_TYPO_MIN_LEN = 7
# Weekdays are listed as given names ("Sunday") but in messages they are days.
_WEEKDAYS = frozenset(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
)
# Never a name here (kind_of "X"), whatever the name lists say.
_NEVER = NOT_NAME | _WEEKDAYS


@dataclass(slots=True)
class Chunk:
    """Tokens ``[lo, hi)`` form the name; ``suffix_hi`` extends it over Jr./III/PhD."""

    lo: int
    hi: int
    suffix_hi: int
    title: bool  # an honorific stands right before the chunk
    lowercase: bool  # the chunk was taken in lower case after a cue


def is_initial(tok: Token) -> bool:
    """A single capital letter ("J" in "J. R. Smith"), not the pronoun "I" alone."""
    return len(tok.text) == 1 and tok.text.isupper() and tok.text != "I"


def kind_of(tok: Token) -> str:
    """One letter for what the lexicons say about a word.

    F given name, S surname, A name that is also a common word ("Will", "Hope"),
    W ordinary word (English, or a frequent word of another language), U unknown (in
    no lexicon), I initial, X never a name here.
    """
    low = tok.low
    first = tok.first
    if low in _NEVER or (not first and low in CALENDAR):
        return "X"
    if len(tok.text) == 1 and is_initial(tok):
        return "I"
    common = tok.zipf >= COMMON_ZIPF
    if not first and len(low) > 3 and _foreign_word(low):
        return "W"  # "Herren", "Monat", "Bestellung": ordinary words elsewhere
    if first or tok.last:
        if common:
            return "A"
        return "F" if first else "S"
    return "W" if common else "U"


def _foreign_word(low: str) -> bool:
    """A frequent word of another language that no given name shares.

    Words of three letters or fewer are left out: many are also surnames ("Ma", "Ho").
    """
    if len(low) <= 3:
        return False
    return low in FOREIGN_WORDS or foreign_noun_shape(low)


def _nameish(tok: Token, *, lowercase: float) -> bool:
    """``lowercase`` is the highest Zipf frequency a lower-case name word may have
    (0 when lower-case words are not allowed at all)."""
    if tok.cap or is_initial(tok):
        return True
    if tok.upper:
        # ALL-CAPS words are acronyms unless a name lexicon knows them ("SMITH").
        return (tok.first or tok.last) and tok.zipf < COMMON_ZIPF
    if lowercase >= 4.5 and tok.zipf == 0.0 and len(tok.text) > 1:
        # After "my name is" even an unknown lower-case word is a name, unless it is
        # an ordinary word with a typo ("my daughter allready paid").
        return not typo_of_common(tok.low)
    return (tok.first or tok.last) and tok.zipf < lowercase


def typo_of_common(low: str) -> bool:
    """``low`` is a frequent English word with one letter too many or two letters
    swapped ("allready", "recieved", "appointmnet")."""
    if len(low) < _TYPO_MIN_LEN:
        return False  # short names are one letter from many words ("amy", "am")
    freq = lexicon.word_frequencies()
    for k in range(len(low)):
        if freq.get(low[:k] + low[k + 1 :], 0.0) >= _TYPO_ZIPF:
            return True
        swapped = low[:k] + low[k + 1 : k + 2] + low[k : k + 1] + low[k + 2 :]
        if k + 1 < len(low) and freq.get(swapped, 0.0) >= _TYPO_ZIPF:
            return True
    return False


def _leading_word(tokens: list[Token], i: int) -> bool:
    """An ordinary word at the start of a run: "Tell Peter", "Dear Customer".

    Sentence-initial verbs and adverbs are often also listed as given names
    ("Will", "Early"), so there a very common word is trimmed even if it is one.
    """
    tok = tokens[i]
    kind = kind_of(tok)
    if kind in "WX":
        return True
    if kind != "A":
        return False
    if not tok.first and tok.zipf >= 4.0:
        return True
    return tok.zipf >= 5.0 and is_sentence_start(tokens, i, TITLES)


def _abbreviated_title(tokens: list[Token], k: int) -> bool:
    """ "Sra." or "Dr." inside a run starts a new name rather than continuing one."""
    return tokens[k].low in TITLES and k + 1 < len(tokens) and tokens[k + 1].gap[:1] == "."


def _joins(prev: Token, tok: Token) -> bool:
    gap = tok.gap
    if gap == " " or gap == "\u00a0":
        return True
    if gap in _JOINING_GAPS:
        # "J. Smith", "Dr. Smith", "Hanne I. Kreutzmann", "susan a. green"
        return len(prev.text) == 1 or prev.low in TITLES
    return False


def _letter_inside(tokens: list[Token], j: int, limit: float) -> bool:
    """A lower-case middle initial ("benjamin a seiler", "susan a. green") at ``j``.

    "a" and "i" are words too: without their period they only count before a
    surname that is not an ordinary word.
    """
    t = tokens[j]
    if len(t.text) != 1 or not t.text.islower() or j + 1 >= len(tokens):
        return False
    nxt = tokens[j + 1]
    if not _joins(t, nxt) or len(nxt.text) < 2 or not _nameish(nxt, lowercase=limit):
        return False
    dotted = nxt.gap[:1] == "."
    return dotted or t.low not in ("a", "i") or nxt.zipf < COMMON_ZIPF


def _pronoun_initial(tokens: list[Token], k: int, lo: int, j: int) -> bool:
    """A capital "I." between two name words is an initial, not the pronoun."""
    return tokens[k].text == "I" and lo < k < j - 1 and tokens[k + 1].gap[:1] == "."


def next_chunk(tokens: list[Token], i: int, *, lowercase: float = 0.0) -> Chunk | None:
    """The chunk that starts at token ``i`` (after an optional title), or ``None``.

    With ``lowercase`` > 0 (a cue such as "my name is" came before), lower-case words
    that the name lexicons know and whose Zipf frequency is below it may form the
    chunk; later words of the chunk may be somewhat more common ("john smith").
    """
    n = len(tokens)
    title = False
    tok = tokens[i]
    if tok.low in TITLES and (tok.cap or tok.upper) and i + 1 < n:
        nxt = tokens[i + 1]
        if _joins(tok, nxt) and (_nameish(nxt, lowercase=0.0) or nxt.low in PARTICLES):
            title = True
            i += 1
    lo = i
    j = i
    while j < n and j - lo < _MAX_WORDS:
        t = tokens[j]
        if j > lo and not _joins(tokens[j - 1], t):
            break
        if j > lo and tokens[j - 1].possessive:
            break
        if t.low in PARTICLES and not t.cap and (j > lo or title):
            # A particle only counts when a capitalised name part follows it.
            k = j
            while k < n and tokens[k].low in PARTICLES and not tokens[k].cap:
                k += 1
            # In a lower-case name a lower-case part may follow ("amy de huisman").
            named = k < n and (
                tokens[k].cap or (lowercase > 0 and _nameish(tokens[k], lowercase=4.5))
            )
            if (
                named
                and k - j <= 3
                and _joins(tokens[k - 1], tokens[k])
                and not _abbreviated_title(tokens, k)
            ):
                j = k
                continue
            break
        limit = lowercase if j == lo else lowercase and max(lowercase, 5.2)
        if j > lo and lowercase > 0 and _letter_inside(tokens, j, limit):
            j += 1
            continue
        if not _nameish(t, lowercase=limit) or (j > lo and _abbreviated_title(tokens, j)):
            break
        if j > lo and t.low in SUFFIXES and not t.first:
            break
        j += 1
    if j == lo:
        return None
    # Trim ordinary words at the start ("Tell Peter", "Dear Customer"); cut at the
    # first ordinary word inside. Lower-case particles are not ordinary words here.
    while lo < j and not title and _leading_word(tokens, lo):
        lo += 1
    for k in range(lo, j):
        t = tokens[k]
        if _pronoun_initial(tokens, k, lo, j) or (t.low in PARTICLES and lo < k < j - 1):
            continue  # "Hanne I. Kreutzmann", "Aisha Al Mansouri", "Khalid Bin Saleh"
        if kind_of(t) in "WX" and (t.cap or t.upper) and not (title and k == lo):
            j = k
            break
    if j <= lo:
        return None
    hi = j
    while j < n and j - hi < 2 and tokens[j].low in SUFFIXES and tokens[j].gap in (" ", ", "):
        j += 1
    return Chunk(lo=lo, hi=hi, suffix_hi=j, title=title, lowercase=lowercase > 0)
