import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veil.core import CustomEntity, Entity, EntityType, Finding, Span
from veil.errors import InputError
from veil.transform import (
    Hash,
    Mask,
    Origin,
    Redact,
    Scope,
    Surrogate,
    Tag,
    TokenContext,
    TokenMap,
    TransformSettings,
    find_pseudonyms,
    protect,
    restore,
)
from veil.transform.normalize import normalize

KEY = b"tenant-a-key-0123456789abcdef012"
CTX = TokenContext(KEY, "conv-1", subject_id="subj-1")
E = EntityType
SURROGATES = TransformSettings.of(
    {e: Surrogate() for e in (E.PERSON, E.EMAIL, E.PHONE, E.CREDIT_CARD, E.IBAN, E.DATE)}
)


def at(text: str, value: str, entity: Entity, nth: int = 0) -> Finding:
    start = -1
    for _ in range(nth + 1):
        start = text.index(value, start + 1)
    return Finding(entity, Span(start, start + len(value)), 0.9, "test")


def test_tags_are_small_ordinals_in_order_of_appearance() -> None:
    text = "Alice Smith and Bob Jones wrote to alice@example.com"
    found = [at(text, "Alice Smith", E.PERSON), at(text, "Bob Jones", E.PERSON)]
    found.append(at(text, "alice@example.com", E.EMAIL))
    result = protect(text, found, context=CTX)
    assert result.text == "[PERSON_1] and [PERSON_2] wrote to [EMAIL_1]"
    assert [e.pseudonym for e in result.issued] == ["[PERSON_1]", "[PERSON_2]", "[EMAIL_1]"]
    assert result.token_map == result.issued


def test_same_value_same_tag_across_turns_and_spellings() -> None:
    turn1 = "Call +1 (555) 010-2345, I'm Alice  Smith, Jane.Doe@Example.com"
    first = protect(
        turn1,
        [
            at(turn1, "+1 (555) 010-2345", E.PHONE),
            at(turn1, "Alice  Smith", E.PERSON),
            at(turn1, "Jane.Doe@Example.com", E.EMAIL),
        ],
        context=CTX,
    )
    stored = TokenMap.loads(first.token_map.dumps())  # another process, another machine
    turn2 = "no, 555-010-2345 please, alice smith here, jane.doe@example.com, and Carol Ann"
    second = protect(
        turn2,
        [
            at(turn2, "555-010-2345", E.PHONE),
            at(turn2, "alice smith", E.PERSON),
            at(turn2, "jane.doe@example.com", E.EMAIL),
            at(turn2, "Carol Ann", E.PERSON),
        ],
        context=CTX,
        token_map=stored,
    )
    assert second.text == "no, [PHONE_1] please, [PERSON_1] here, [EMAIL_1], and [PERSON_2]"
    assert [e.value for e in second.issued] == ["Carol Ann"]
    assert len(second.token_map) == 4


def test_cards_and_ibans_are_one_value_whatever_the_grouping() -> None:
    text = (
        "4111 1111 1111 1111 / 4111-1111-1111-1111 / "
        "de89 3704 0044 0532 0130 00 / DE89370400440532013000"
    )
    found = [
        at(text, "4111 1111 1111 1111", E.CREDIT_CARD),
        at(text, "4111-1111-1111-1111", E.CREDIT_CARD),
        at(text, "de89 3704 0044 0532 0130 00", E.IBAN),
        at(text, "DE89370400440532013000", E.IBAN),
    ]
    result = protect(text, found, context=CTX)
    assert result.text == "[CREDIT_CARD_1] / [CREDIT_CARD_1] / [IBAN_1] / [IBAN_1]"


def test_deterministic_without_shared_state() -> None:
    text = "Alice Smith, 4111 1111 1111 1111"
    found = [at(text, "Alice Smith", E.PERSON), at(text, "4111 1111 1111 1111", E.CREDIT_CARD)]
    one = protect(text, found, context=CTX, settings=SURROGATES)
    two = protect(text, found, context=TokenContext(KEY, "conv-1"), settings=SURROGATES)
    assert one.text == two.text
    assert one.issued == two.issued


def test_two_tenants_never_correlate() -> None:
    text = "Alice Smith 4111 1111 1111 1111 alice@example.com"
    found = [
        at(text, "Alice Smith", E.PERSON),
        at(text, "4111 1111 1111 1111", E.CREDIT_CARD),
        at(text, "alice@example.com", E.EMAIL),
    ]
    for scope in Scope:
        cfg = TransformSettings.of({E.PERSON: Surrogate(), E.EMAIL: Hash()}, scope=scope)
        cfg = TransformSettings.of(
            {E.PERSON: Surrogate(), E.EMAIL: Hash(), E.CREDIT_CARD: Surrogate()}, scope=scope
        )
        a = protect(text, found, context=TokenContext(KEY, "c", "s"), settings=cfg)
        b = protect(text, found, context=TokenContext(b"tenant-b" * 4, "c", "s"), settings=cfg)
        pseudonyms_a = {e.pseudonym for e in a.issued}
        pseudonyms_b = {e.pseudonym for e in b.issued}
        assert not pseudonyms_a & pseudonyms_b
        assert not {e.identity for e in a.issued} & {e.identity for e in b.issued}


@pytest.mark.parametrize(
    ("scope", "same_conversation", "same_subject"),
    [
        (Scope.CONVERSATION, False, False),
        (Scope.SUBJECT, True, False),
        (Scope.TENANT, True, True),
    ],
)
def test_scope_decides_how_far_a_surrogate_is_stable(
    scope: Scope, same_conversation: bool, same_subject: bool
) -> None:
    text = "I am Alice Smith"
    found = [at(text, "Alice Smith", E.PERSON)]
    cfg = TransformSettings.of({E.PERSON: Surrogate()}, scope=scope)

    def fake(conversation: str, subject: str) -> str:
        ctx = TokenContext(KEY, conversation, subject_id=subject)
        return protect(text, found, context=ctx, settings=cfg).text

    base = fake("c1", "s1")
    assert (fake("c2", "s1") == base) is same_conversation
    assert (fake("c3", "s2") == base) is same_subject
    assert fake("c1", "s1") == base


def test_operators_per_entity() -> None:
    text = "Card 4111 1111 1111 1111, Alice Smith, born 1984-03-05, alice@example.com"
    found = [
        at(text, "4111 1111 1111 1111", E.CREDIT_CARD),
        at(text, "Alice Smith", E.PERSON),
        at(text, "1984-03-05", E.DATE),
        at(text, "alice@example.com", E.EMAIL),
    ]
    from veil.transform import DatePrecision, GeneralizeDate

    cfg = TransformSettings.of(
        {
            E.CREDIT_CARD: Mask(keep_last=4, char="#"),
            E.PERSON: Redact("[NAME]"),
            E.DATE: GeneralizeDate(DatePrecision.YEAR),
            E.EMAIL: Hash(length=8),
        }
    )
    result = protect(text, found, context=CTX, settings=cfg)
    assert re.fullmatch(
        r"Card #### #### #### 1111, \[NAME\], born 1984, <EMAIL:[0-9a-f]{8}>", result.text
    )
    assert [e.entity for e in result.issued] == [E.EMAIL]  # only pseudonyms are restorable
    assert [r.kind for r in result.replacements] == ["mask", "redact", "generalize", "hash"]
    assert restore(result.text, result.token_map).endswith("alice@example.com")


def test_custom_tag_format() -> None:
    text = "I am Alice"
    cfg = TransformSettings(default=Tag("<{entity}_{n}>"))
    result = protect(text, [at(text, "Alice", E.PERSON)], context=CTX, settings=cfg)
    assert result.text == "I am <PERSON_1>"
    hashed = TransformSettings(default=Tag("[{entity}_{h}]"))
    result = protect(text, [at(text, "Alice", E.PERSON)], context=CTX, settings=hashed)
    assert re.fullmatch(r"I am \[PERSON_[0-9a-f]{4}\]", result.text)


def test_replacements_point_into_both_texts() -> None:
    text = "x Alice Smith y"
    result = protect(text, [at(text, "Alice Smith", E.PERSON)], context=CTX)
    (rep,) = result.replacements
    assert text[rep.source.start : rep.source.end] == "Alice Smith"
    assert result.text[rep.target.start : rep.target.end] == "[PERSON_1]"
    assert "Alice" not in repr(result)
    assert "Alice" not in repr(result.token_map)


def test_bad_findings_fail_closed_without_quoting_text() -> None:
    text = "secret Alice Smith"
    overlapping = [at(text, "Alice Smith", E.PERSON), at(text, "Smith", E.PERSON)]
    with pytest.raises(InputError) as err:
        protect(text, overlapping, context=CTX)
    assert "Alice" not in str(err.value)
    with pytest.raises(InputError):
        protect(text, [Finding(E.PERSON, Span(7, 99), 0.9, "t")], context=CTX)


# --- forged tokens and look-alikes -------------------------------------------------


def test_typed_token_is_neutralized_and_never_restores_a_value() -> None:
    turn1 = "I am Alice Smith"
    first = protect(turn1, [at(turn1, "Alice Smith", E.PERSON)], context=CTX)
    assert first.text == "I am [PERSON_1]"
    turn2 = "Please print [PERSON_1], PERSON_1's and person_1 for me"
    second = protect(turn2, [], context=CTX, token_map=first.token_map)
    assert "PERSON_1" not in second.text.upper()
    # The model repeats what it saw; the customer gets back exactly what they typed.
    assert restore(second.text, second.token_map) == turn2
    assert "Alice" not in restore(second.text, second.token_map)
    assert all(r.lookalike for r in second.replacements)


def test_token_typed_before_it_is_issued_stays_literal() -> None:
    turn1 = "What does [PERSON_2] mean?"
    first = protect(turn1, [], context=CTX)
    turn2 = "I am Alice Smith and he is Bob Stone"
    second = protect(
        turn2,
        [at(turn2, "Alice Smith", E.PERSON), at(turn2, "Bob Stone", E.PERSON)],
        context=CTX,
        token_map=first.token_map,
    )
    reply = f"You asked about {first.text} and {second.text}"
    restored = restore(reply, second.token_map)
    assert restored == f"You asked about {turn1} and {turn2}"


def test_typed_surrogate_of_another_value_cannot_resolve() -> None:
    turn1 = "I am Alice Smith"
    first = protect(turn1, [at(turn1, "Alice Smith", E.PERSON)], context=CTX, settings=SURROGATES)
    fake = first.text.removeprefix("I am ")
    assert fake != "Alice Smith"
    # Undetected: the customer types the surrogate in another case and spacing.
    turn2 = f"who is {fake.upper().replace(' ', '  ')}?"
    second = protect(turn2, [], context=CTX, settings=SURROGATES, token_map=first.token_map)
    assert restore(second.text, second.token_map) == turn2
    # Detected as a name: it is a value like any other and gets its own surrogate.
    turn3 = f"my name is {fake}"
    third = protect(
        turn3, [at(turn3, fake, E.PERSON)], context=CTX, settings=SURROGATES,
        token_map=first.token_map,
    )  # fmt: skip
    assert fake not in third.text
    assert restore(third.text, third.token_map) == turn3


def test_glued_surrogate_falls_back_to_a_delimited_tag() -> None:
    text = "xAlice Smithy"
    found = [Finding(E.PERSON, Span(1, 12), 0.9, "t")]
    result = protect(text, found, context=CTX, settings=SURROGATES)
    assert result.text == "x[PERSON_1]y"
    assert restore(result.text, result.token_map) == text


def test_idempotent_on_its_own_output() -> None:
    text = "Alice Smith paid with 4111 1111 1111 1111 on 2024-03-05; [PERSON_1] typed"
    found = [
        at(text, "Alice Smith", E.PERSON),
        at(text, "4111 1111 1111 1111", E.CREDIT_CARD),
        at(text, "2024-03-05", E.DATE),
    ]
    for cfg in (TransformSettings(), SURROGATES):
        first = protect(text, found, context=CTX, settings=cfg)
        again = find_pseudonyms(first.text, first.token_map)
        second = protect(
            first.text, again, context=CTX, settings=cfg, token_map=first.token_map,
            origin=Origin.VEIL,
        )  # fmt: skip
        assert second.text == first.text
        assert len(second.issued) == 0


def test_customer_origin_never_trusts_a_pseudonym_finding() -> None:
    text = "I am Alice Smith"
    first = protect(text, [at(text, "Alice Smith", E.PERSON)], context=CTX, settings=SURROGATES)
    forged = first.text
    second = protect(
        forged, find_pseudonyms(forged, first.token_map), context=CTX, settings=SURROGATES,
        token_map=first.token_map,
    )  # fmt: skip
    assert restore(second.text, second.token_map) == forged


# --- properties ---------------------------------------------------------------------

ALPHABET = "ab Q\n_[]'.-0123456789PERSONperson"
ENTITIES: list[Entity] = [E.PERSON, E.EMAIL, E.PHONE, E.CREDIT_CARD, E.DATE, CustomEntity("TICKET")]
REVERSIBLE = [
    TransformSettings(),
    SURROGATES,
    TransformSettings(default=Hash()),
    TransformSettings(default=Tag("<{entity}_{h}>")),
]


@st.composite
def texts_with_findings(draw: st.DrawFn, alphabet: str = ALPHABET) -> tuple[str, list[Finding]]:
    text = draw(st.text(alphabet, max_size=60))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8, unique=True)))
    findings = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        if end > start:
            findings.append(Finding(draw(st.sampled_from(ENTITIES)), Span(start, end), 0.9, "t"))
    return text, findings


def unified(text: str, findings: list[Finding]) -> str:
    """``text`` with each value spelled as the first spelling of its identity."""
    first: dict[tuple[str, str], str] = {}
    out, pos = [], 0
    for f in findings:
        value = text[f.start : f.end]
        spelling = first.setdefault((f.label, normalize(f.entity, value)), value)
        out += [text[pos : f.start], spelling]
        pos = f.end
    return "".join([*out, text[pos:]])


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(texts_with_findings(), st.sampled_from(REVERSIBLE))
def test_restore_inverts_protect(case: tuple[str, list[Finding]], cfg: TransformSettings) -> None:
    text, findings = case
    result = protect(text, findings, context=CTX, settings=cfg)
    assert restore(result.text, result.token_map) == unified(text, findings)


@FAST
@given(texts_with_findings(), st.sampled_from(REVERSIBLE), texts_with_findings())
def test_restore_inverts_protect_across_turns(
    turn1: tuple[str, list[Finding]], cfg: TransformSettings, turn2: tuple[str, list[Finding]]
) -> None:
    first = protect(*turn1, context=CTX, settings=cfg)
    second = protect(*turn2, context=CTX, settings=cfg, token_map=first.token_map)
    reply = first.text + "|" + second.text
    both = unified(turn1[0] + "|" + turn2[0], _joined(turn1, turn2))
    assert restore(reply, second.token_map) == both


def _joined(a: tuple[str, list[Finding]], b: tuple[str, list[Finding]]) -> list[Finding]:
    shift = len(a[0]) + 1
    moved = [Finding(f.entity, Span(f.start + shift, f.end + shift), 0.9, "t") for f in b[1]]
    return a[1] + moved


CANARY = st.text("QXZJK", min_size=2, max_size=4).map(lambda s: f"{s}7{s}")


@FAST
@given(
    st.lists(st.tuples(st.text("ab _[]'.person_1", max_size=8), CANARY), max_size=6),
    st.sampled_from([TransformSettings(), TransformSettings(default=Redact()),
                     TransformSettings(default=Hash())]),
)  # fmt: skip
def test_no_value_survives(parts: list[tuple[str, str]], cfg: TransformSettings) -> None:
    text, findings = "", []
    for gap, value in parts:
        text += gap
        findings.append(Finding(E.PERSON, Span(len(text), len(text) + len(value)), 0.9, "t"))
        text += value
    result = protect(text, findings, context=CTX, settings=cfg)
    for _, value in parts:
        assert value not in result.text


@FAST
@given(texts_with_findings(), st.sampled_from(REVERSIBLE))
def test_protect_is_idempotent(case: tuple[str, list[Finding]], cfg: TransformSettings) -> None:
    text, findings = case
    first = protect(text, findings, context=CTX, settings=cfg)
    again = find_pseudonyms(first.text, first.token_map)
    second = protect(
        first.text, again, context=CTX, settings=cfg, token_map=first.token_map,
        origin=Origin.VEIL,
    )  # fmt: skip
    assert second.text == first.text
    assert len(second.issued) == 0


def test_hostile_inputs_complete() -> None:
    for text in ("[PERSON_" * 12_500, "PERSON_1 " * 11_000, "a" * 100_000, "_1]" * 33_000):
        result = protect(text, [], context=CTX)
        assert restore(result.text, result.token_map) == text
    mixed = "Alice Smith paid 4111 1111 1111 1111. [PERSON_1] asked 555-010-2345.\n" * 15_000
    spans = [m.span() for m in re.finditer(r"Alice Smith", mixed)][:500]
    found = [Finding(E.PERSON, Span(a, b), 0.9, "t") for a, b in spans]
    result = protect(mixed, found, context=CTX, settings=SURROGATES)
    assert restore(result.text, result.token_map) == mixed
