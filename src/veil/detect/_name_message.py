"""Names across a whole message: lists, dialogues, repeats and signatures.

Passes over the scored chunks of :mod:`veil.detect.person` once the chunks are
known (the per-token cues are in :mod:`veil.detect._name_context`):

* "Smith, John" / "ROGERS, Olivia" is one name, unless the two are list items;
* in a list of single capitalised words, names lend each other confidence
  ("Gaetane, Hannah, Anthony and Derek");
* speaker labels of a dialogue do the same ("Ella: ...\nDestiny: ...");
* a word accepted as a name makes its lower-case mentions names too;
* a message often ends with the writer's name, in any case ("... - iwo",
  "Thanks,\nmary thompson-powell", "gracias, margarita").

Each pass is linear in the number of tokens and chunks.
"""

from __future__ import annotations

from veil.detect import lexicon
from veil.detect._name_chunks import Chunk, kind_of
from veil.detect._name_rules import CALENDAR, FOREIGN_WORDS, NOT_NAME, foreign_noun_shape
from veil.detect._name_tokens import Token

__all__ = [
    "Scored",
    "add_signature",
    "lower_mentions",
    "merge_last_first",
    "propagate_lists",
    "propagate_speakers",
    "signature",
]

#: Chunks of a message with their score and reason, in order.
Scored = list[tuple[Chunk, float, str]]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SIGN_OFFS = _words(
    """
    thanks thank thx ty cheers regards best gracias merci danke grazie obrigado obrigada
    bedankt saludos cordialement atentamente love sincerely
    """
)
# Zipf frequency under which a lower-case lexicon word may be a signed name; after a
# sentence end (not a dash or line break) the first word must be rarer still.
_SIGNED_ZIPF = 4.5
_SIGNATURE_ZIPF = 3.5
_MAX_SIGNATURE = 3


def _plain_name_word(tok: Token, *, first: bool) -> bool:
    low = tok.low
    if low in NOT_NAME or low in CALENDAR or low in FOREIGN_WORDS or foreign_noun_shape(low):
        return False
    if first and not tok.first:
        return False  # a signature opens with a given name ("- bye" is no name)
    if tok.zipf == 0.0:
        return len(low) >= 2
    return (tok.first or tok.last) and tok.zipf < _SIGNED_ZIPF


def signature(text: str, tokens: list[Token]) -> Chunk | None:
    """The lower-case name that signs off a message, or ``None``.

    One to three name words end the message (emoji and punctuation may follow),
    after a dash, a line break, a sentence end or a sign-off word and comma.
    """
    n = len(tokens)
    if n < 2 or any(ch.isalnum() for ch in text[tokens[-1].end :]):
        return None
    lo = n - 1
    while lo > 0 and n - lo < _MAX_SIGNATURE and tokens[lo].gap == " ":
        lo -= 1
    while lo < n and tokens[lo].gap == " ":
        lo += 1  # the run must start right after a separator
    if lo >= n or lo == 0:
        return None
    words = tokens[lo:]
    if any(t.cap or t.upper for t in words) or len(words[0].text) < 3:
        return None
    if not all(_plain_name_word(t, first=k == 0) for k, t in enumerate(words)):
        return None
    gap = tokens[lo].gap.strip()
    prev = tokens[lo - 1].low
    if "\n" in tokens[lo].gap or gap[-1:] in ("-", "–", "—"):
        return Chunk(lo, n, n, False, True)
    if gap == "," and prev in _SIGN_OFFS:
        return Chunk(lo, n, n, False, True)
    if gap[-1:] in ("?", "!", ".") and words[0].first and words[0].zipf < _SIGNATURE_ZIPF:
        return Chunk(lo, n, n, False, True)
    return None


def add_signature(text: str, tokens: list[Token], scored: Scored) -> None:
    """Add the signature name (:func:`signature`) unless a surer name covers it."""
    signed = signature(text, tokens)
    if signed is None:
        return
    overlapping = [k for k, (c, _, _) in enumerate(scored) if c.suffix_hi > signed.lo]
    if any(scored[k][1] >= 0.5 for k in overlapping):
        return
    for k in reversed(overlapping):
        del scored[k]
    scored.append((signed, 0.65, "lower-case name signing the message"))


def merge_last_first(tokens: list[Token], scored: Scored) -> None:
    """Join "Smith, John" / "ROGERS, Olivia" (a surname, a comma, a given name) into
    one name, unless the two are items of a list of names ("Hannah, Anthony, Derek").

    In a form field ("Patient: Simon, Tamas\n") the given name may be any name word,
    and after a name cue a lower-case "kiss-kis, ibolya" is one name too.
    """
    places = lexicon.places()
    k = 0
    while k < len(scored):
        a, sa, _ = scored[k]
        b = scored[k + 1][0] if k + 1 < len(scored) else None
        if b is not None and b.lo == a.suffix_hi and _last_first(tokens, a, b, places):
            if not _in_list(tokens, scored, k):
                merged = Chunk(a.lo, b.hi, b.suffix_hi, a.title, a.lowercase)
                sb = scored[k + 1][1]
                scored[k : k + 2] = [(merged, max(0.8, sb), "surname, given name")]
        elif a.lowercase and sa >= 0.5 and _lower_given_after(tokens, a):
            merged = Chunk(a.lo, a.suffix_hi + 1, a.suffix_hi + 1, a.title, True)
            scored[k] = (merged, sa, "surname, given name")
        k += 1


def _last_first(tokens: list[Token], a: Chunk, b: Chunk, places: frozenset[str]) -> bool:
    ta, tb = tokens[a.hi - 1], tokens[b.lo]
    if a.hi - a.lo > 2 or b.hi - b.lo != 1 or tb.gap != ", " or not (ta.last or ta.upper):
        return False
    if ta.low in places and (tb.low in places or not (ta.last or ta.upper)):
        return False  # "Paris, France"
    kind = kind_of(tb)
    if tb.first and kind == "F":
        return True
    return kind in "FSA" and _field(tokens, a.lo, b.hi)


def _field(tokens: list[Token], lo: int, hi: int) -> bool:
    """Tokens ``[lo, hi)`` fill a form field: a colon or line start before, a line
    end or the end of the text after."""
    before = tokens[lo].gap
    after = tokens[hi].gap if hi < len(tokens) else "\n"
    return (lo == 0 or ":" in before or "\n" in before) and "\n" in after


def _lower_given_after(tokens: list[Token], a: Chunk) -> bool:
    """ "kiss-kis, ibolya,": a lower-case given name after a comma, then a comma or
    line end."""
    k = a.suffix_hi
    if k >= len(tokens) or tokens[k].gap != ", ":
        return False
    tok = tokens[k]
    after = tokens[k + 1].gap if k + 1 < len(tokens) else "\n"
    ends = "," in after or "\n" in after or k + 1 == len(tokens)
    return tok.first and not (tok.cap or tok.upper) and tok.zipf < _SIGNED_ZIPF and ends


def propagate_lists(tokens: list[Token], scored: Scored) -> None:
    """Raise the single-word names of a list ("A, B, C and D") when names dominate it.

    A list of three or more capitalised single words, none a place, where at least
    two are listed or unknown names and one is already accepted, makes them all names.
    """
    k = 0
    while k < len(scored):
        end = k + 1
        while end < len(scored) and _listed_after(tokens, scored[end - 1][0], scored[end][0]):
            end += 1
        group = scored[k:end]
        if len(group) >= 3 and _name_list(tokens, group):
            for idx in range(k, end):
                chunk, score, _ = scored[idx]
                if score < 0.65:
                    scored[idx] = (chunk, 0.65, "in a list of names")
        k = end


def _in_list(tokens: list[Token], scored: Scored, k: int) -> bool:
    """Chunks ``k`` and ``k + 1`` continue a list: one before them, or a name after."""
    if k > 0 and _listed_after(tokens, scored[k - 1][0], scored[k][0]):
        return True
    return (
        k + 2 < len(scored)
        and scored[k + 2][1] >= 0.5
        and _listed_after(tokens, scored[k + 1][0], scored[k + 2][0])
    )


def _listed_after(tokens: list[Token], a: Chunk, b: Chunk) -> bool:
    if a.hi - a.lo != 1 or b.hi - b.lo != 1 or a.suffix_hi != a.hi:
        return False
    if b.lo == a.hi:
        return tokens[b.lo].gap == ", "
    return (
        b.lo == a.hi + 1
        and tokens[a.hi].low in ("and", "&", "or")
        and tokens[a.hi].gap in (" ", ", ")
        and tokens[b.lo].gap == " "
    )


def _name_list(tokens: list[Token], group: Scored) -> bool:
    places = lexicon.places()
    words = [tokens[c.lo] for c, _, _ in group]
    if any(not t.cap or (t.low in places and not (t.first or t.last)) for t in words):
        return False
    kinds = [kind_of(t) for t in words]
    if any(k not in "FSUA" for k in kinds) or sum(k in "FSU" for k in kinds) < 2:
        return False
    return any(score >= 0.6 for _, score, _ in group)


def lower_mentions(tokens: list[Token], scored: Scored) -> None:
    """Add lower-case mentions of words already accepted as names ("calls me borna")."""
    known = {
        tokens[k].low
        for chunk, score, _ in scored
        if score >= 0.6
        for k in range(chunk.lo, chunk.hi)
        if len(tokens[k].low) > 2 and tokens[k].zipf < 3.0
    }
    if not known:
        return
    lower = {t.low: t for t in tokens if not (t.cap or t.upper) and t.low in known}
    known = {w for w, t in lower.items() if kind_of(t) in "FSU"}
    if not known:
        return
    covered = {k for chunk, _, _ in scored for k in range(chunk.lo, chunk.suffix_hi)}
    for k, tok in enumerate(tokens):
        if k not in covered and tok.low in known and not (tok.cap or tok.upper):
            scored.append(
                (Chunk(k, k + 1, k + 1, False, True), 0.7, "repeats a name in lower case")
            )


def propagate_speakers(text: str, tokens: list[Token], scored: Scored) -> None:
    """Speaker labels of a dialogue ("Ella: ...\nDestiny: ...") lend each other
    confidence: with two or more single-word labels and one accepted, all are names."""
    labels = [
        k
        for k, (c, _, _) in enumerate(scored)
        if c.hi - c.lo == 1
        and (c.lo == 0 or "\n" in tokens[c.lo].gap)
        and text[tokens[c.lo].end : tokens[c.lo].end + 1] == ":"
        and kind_of(tokens[c.lo]) in "FSUA"
    ]
    if len(labels) < 2 or not any(scored[k][1] >= 0.6 for k in labels):
        return
    for k in labels:
        chunk, score, _ = scored[k]
        if score < 0.6:
            scored[k] = (chunk, 0.6, "speaker label in a dialogue")
