from veil.core import EntityType
from veil.transform.issuance import Issuer
from veil.transform.keys import TokenContext
from veil.transform.settings import Hash, Surrogate, Tag, TransformSettings
from veil.transform.tokens import TokenEntry, TokenMap

E = EntityType
CTX = TokenContext(b"k" * 32, "conv-1")
CFG = TransformSettings()


def issuer(
    text: str = "", token_map: TokenMap | None = None, keys: frozenset[str] = frozenset()
) -> Issuer:
    return Issuer(text, CTX, CFG, token_map or TokenMap(), keys)


def test_one_entry_per_identity_and_form() -> None:
    it = issuer()
    a = it.entry(E.PERSON, "Alice Smith", Tag())
    assert it.entry(E.PERSON, "alice  smith", Tag()) is a
    assert it.entry(E.PERSON, "Bob", Tag()).pseudonym == "[PERSON_2]"
    assert it.entry(E.PERSON, "Alice Smith", Surrogate()).form == "surrogate"
    assert it.is_new(a)
    assert len(it.token_map) == 3
    assert len(it.base) == 0


def test_existing_entries_are_reused_and_ordinals_continue() -> None:
    first = issuer()
    old = first.entry(E.PERSON, "Alice Smith", Tag())
    second = issuer(token_map=first.token_map)
    assert second.entry(E.PERSON, "Alice Smith", Tag()) == old
    assert not second.is_new(old)
    assert second.entry(E.PERSON, "Bob", Tag()).pseudonym == "[PERSON_2]"


def test_candidates_clashing_with_the_text_are_skipped() -> None:
    it = issuer("typed [PERSON_1] and [person_2]", keys=frozenset({"person_1", "person_2"}))
    assert it.entry(E.PERSON, "Alice", Tag()).pseudonym == "[PERSON_3]"


def test_surrogate_never_equals_its_value_or_text_and_falls_back_to_tags() -> None:
    it = issuer("Alice")
    fake = it.entry(E.PERSON, "Alice", Surrogate())
    assert fake.pseudonym != "Alice"
    assert fake.form == "surrogate"
    short = it.entry(E.DATE, "5/3", Surrogate())  # too short to find again
    assert short.pseudonym == "[DATE_1]"


def test_collisions_redraw() -> None:
    probe = issuer().entry(E.EMAIL, "a@b.c", Hash())
    taken = TokenMap([TokenEntry(probe.pseudonym, "x", E.EMAIL, "other", probe.form)])
    redrawn = issuer(token_map=taken).entry(E.EMAIL, "a@b.c", Hash())
    assert redrawn.pseudonym != probe.pseudonym
    assert redrawn.form == probe.form
