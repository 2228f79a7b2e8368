"""The front door ``veil.pipeline.Veil``, end to end on a real embedded vault."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veil.core import EntityType, Finding
from veil.errors import (
    InputError,
    IntegrityError,
    StorageError,
    SubjectForgottenError,
    VeilError,
)
from veil.pipeline import Analyzer, Veil
from veil.storage import Store, TokenEntry
from veil.storage.database import Hook
from veil.testing import canary_card, canary_email, canary_iban, canary_phone
from veil.transform import Scope, Surrogate, TransformSettings
from veil.transform.normalize import normalize

E = EntityType


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    analyzer = Analyzer.from_settings()
    analyzer.warm_up()
    return analyzer


@pytest.fixture
def veil(tmp_path: Path, analyzer: Analyzer) -> Iterator[Veil]:
    with Veil.embedded(tmp_path / "data", analyzer=analyzer) as front:
        yield front


def message() -> tuple[str, list[str]]:
    # Canary names are random syllables that a name detector need not know; the
    # other canaries are unique per call.
    values = ["Maria Gonzalez", canary_email(), canary_card(), canary_phone(), canary_iban()]
    name, email, card, phone, iban = values
    text = (
        f"Hi, this is {name}. My card {card} was charged twice; refund to {iban}. "
        f"Reach me at {email} or {phone}."
    )
    return text, values


def conversation() -> str:
    return f"conv-{uuid.uuid4().hex}"


# -- round trips -----------------------------------------------------------------------


def test_protect_hides_values_and_restore_brings_them_back(veil: Veil) -> None:
    text, values = message()
    sent = veil.protect(text, conversation="c1", subject="s1")
    for value in values:
        assert value not in sent.text
    assert "[PERSON_1]" in sent.text
    assert veil.restore(sent.text, conversation="c1") == text
    reply = "Thanks [PERSON_1], we refunded [CREDIT_CARD_1]."
    assert veil.restore(reply, conversation="c1") == (
        f"Thanks {values[0]}, we refunded {values[2]}."
    )


def test_pseudonyms_are_stable_across_turns(veil: Veil) -> None:
    text, values = message()
    first = veil.protect(text, conversation="c1", subject="s1")
    second = veil.protect(f"It is still {values[1]}.", conversation="c1", subject="s1")
    assert second.text == "It is still [EMAIL_1]."
    assert len(second.issued) == 0
    assert len(second.token_map) == len(first.token_map)


WORDS = st.sampled_from(
    ["hello", "my", "card", "is", "call", "me", "at", "order", "#4411", "v1.2.3", "500 mg",
     "[PERSON_1]", "PERSON_1", "[email_1]", "<EMAIL:9f2c61d0a4b7e35c>", ",", ".", "\n", "ok?"]
)  # fmt: skip
NAMES = st.sampled_from(["Maria Gonzalez", "John Smith", "Aiko Tanaka", "Olu Adeyemi"])
EMAILS = st.from_regex(r"[a-z]{3,8}\.[a-z]{2,6}@example\.(org|com)", fullmatch=True)
CARDS = st.sampled_from(["4111 1111 1111 1111", "5500 0000 0000 0004", "3400 0000 0000 009"])
PHONES = st.integers(0, 999).map(lambda n: f"+44 7700 900{n:03d}")
PIECES = st.one_of(WORDS, NAMES, EMAILS, CARDS, PHONES, st.text(max_size=12))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.lists(PIECES, max_size=14).map(" ".join), min_size=1, max_size=3))
def test_restore_inverts_protect_through_the_vault(
    veil: Veil, analyzer: Analyzer, turns: list[str]
) -> None:
    conv = conversation()
    first: dict[tuple[str, str], str] = {}
    expected = []
    for turn in turns:
        sent = veil.protect(turn, conversation=conv, subject="s1")
        expected.append(unified(analyzer, turn, first))
        assert veil.restore(sent.text, conversation=conv) == expected[-1]
    replies = [veil.protect(t, conversation=conv, subject="s1").text for t in turns]
    assert veil.restore("\n".join(replies), conversation=conv) == "\n".join(expected)


def unified(analyzer: Analyzer, text: str, first: dict[tuple[str, str], str]) -> str:
    """``text`` with each value spelled as the conversation first spelled it: one value,
    one pseudonym ("+1 555 010 2345" and "555-010-2345" are the same phone)."""
    out, pos = [], 0
    for f in analyzer.analyze(text):
        value = text[f.start : f.end]
        out += [text[pos : f.start], first.setdefault((f.label, normalize(f.entity, value)), value)]
        pos = f.end
    return "".join([*out, text[pos:]])


# -- consistency across instances and processes ----------------------------------------

CHILD = """
import sys
from veil.pipeline import Veil
with Veil.embedded(sys.argv[1]) as veil:
    print(veil.protect(sys.argv[2], conversation=sys.argv[3], subject="s1").text, end="")
"""


def test_same_value_same_pseudonym_in_another_process(tmp_path: Path, analyzer: Analyzer) -> None:
    directory = tmp_path / "data"
    text, values = message()
    with Veil.embedded(directory, analyzer=analyzer) as veil:
        first = veil.protect(text, conversation="c1", subject="s1")
    later = f"Me again, {values[0]}, card {values[2]}; new mail {canary_email()}"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(directory), later, "c1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.startswith("Me again, [PERSON_1], card [CREDIT_CARD_1]; new mail [EMAIL_2]")
    with Veil.embedded(directory, analyzer=analyzer) as veil:
        assert veil.restore(first.text + child.stdout, conversation="c1") == text + later


def test_tenant_scoped_surrogates_agree_across_instances(
    tmp_path: Path, analyzer: Analyzer
) -> None:
    cfg = TransformSettings.of({E.PERSON: Surrogate(), E.EMAIL: Surrogate()}, scope=Scope.TENANT)
    text = f"I am Maria Gonzalez, {canary_email()}"
    with Veil.embedded(tmp_path / "d", analyzer=analyzer, settings=cfg) as one:
        a = one.protect(text, conversation="c1", subject="s1").text
    with Veil.embedded(tmp_path / "d", analyzer=analyzer, settings=cfg) as two:
        b = two.protect(text, conversation="c2", subject="s2").text
        other_tenant = two.protect(text, conversation="c3", subject="s2", tenant="acme").text
    assert a == b
    assert "Maria" not in a
    assert other_tenant != a  # each tenant's pseudonym key is its own
    with Veil.embedded(tmp_path / "elsewhere", analyzer=analyzer, settings=cfg) as fresh:
        assert fresh.protect(text, conversation="c1", subject="s1").text != a


def test_the_tenant_pseudonym_key_survives_kek_rotation(tmp_path: Path, analyzer: Analyzer) -> None:
    from veil.vault import LocalKeyFile, Vault

    cfg = TransformSettings.of({E.PERSON: Surrogate()}, scope=Scope.TENANT)
    vault = Vault.embedded(tmp_path / "d")
    before = Veil(analyzer, vault, settings=cfg).protect(
        "I am Maria Gonzalez", conversation="c1", subject="s1"
    )
    assert isinstance(vault.keys, LocalKeyFile)
    old = vault.keys.keks()[0]
    vault.keys.add_kek()
    vault.rewrap()
    vault.keys.retire(old)
    after = Veil(analyzer, Vault.embedded(tmp_path / "d"), settings=cfg).protect(
        "I am Maria Gonzalez", conversation="c2", subject="s2"
    )
    assert after.text == before.text != "I am Maria Gonzalez"


def test_an_explicit_pseudonym_key_is_used_and_checked(tmp_path: Path, analyzer: Analyzer) -> None:
    from veil.vault import Vault

    cfg = TransformSettings.of({E.PERSON: Surrogate()}, scope=Scope.TENANT)
    key = b"k" * 32
    texts = []
    for name in ("a", "b"):
        front = Veil(analyzer, Vault.embedded(tmp_path / name), pseudonym_key=key, settings=cfg)
        texts.append(front.protect("I am Maria Gonzalez", conversation="c", subject="s").text)
    assert texts[0] == texts[1] != "I am Maria Gonzalez"
    with pytest.raises(VeilError):
        Veil(analyzer, Vault.embedded(tmp_path / "c"), pseudonym_key=b"short")


# -- forged tokens ---------------------------------------------------------------------


def test_forged_tokens_typed_by_a_customer_never_restore(veil: Veil) -> None:
    text, values = message()
    veil.protect(text, conversation="c1", subject="s1")
    forged = "Who is [PERSON_1]? Or person_1, [Person_1]'s card CREDIT_CARD_1?"
    sent = veil.protect(forged, conversation="c1", subject="s1")
    assert "[PERSON_1]" not in sent.text
    restored = veil.restore(sent.text, conversation="c1")
    assert restored == forged
    assert all(value not in restored for value in values)
    # Typed before anything was issued, and in another conversation: never a value.
    early = veil.protect("[PERSON_1] here", conversation="c2", subject="s1")
    named = veil.protect(f"I am {values[0]}", conversation="c2", subject="s1")
    assert veil.restore(named.text, conversation="c2") == f"I am {values[0]}"
    assert veil.restore(early.text, conversation="c2") == "[PERSON_1] here"
    assert veil.restore("[PERSON_1]", conversation="c3") == "[PERSON_1]"


def test_restore_only_resolves_this_tenants_tokens(veil: Veil) -> None:
    text, _ = message()
    sent = veil.protect(text, conversation="c1", subject="s1")
    assert veil.restore(sent.text, conversation="c1", tenant="other") == sent.text


def test_two_tenants_may_use_the_same_conversation_id(veil: Veil) -> None:
    # Conversation ids are the caller's: two tenants can pick the same one, and each
    # then issues [EMAIL_1] there. Neither may collide with, nor read, the other's.
    mine, theirs = canary_email(), canary_email()
    a = veil.protect(f"I am {mine}", conversation="c1", subject="s1", tenant="acme")
    b = veil.protect(f"I am {theirs}", conversation="c1", subject="s1", tenant="globex")
    assert a.text == b.text == "I am [EMAIL_1]"
    assert veil.restore(a.text, conversation="c1", tenant="acme") == f"I am {mine}"
    assert veil.restore(b.text, conversation="c1", tenant="globex") == f"I am {theirs}"
    assert veil.restore(a.text, conversation="c1") == a.text  # the default tenant: nothing
    again = veil.protect(f"Still {mine}", conversation="c1", subject="s1", tenant="acme")
    assert again.text == "Still [EMAIL_1]"
    assert len(again.issued) == 0


def test_phone_extensions_are_part_of_the_value(veil: Veil) -> None:
    text = "Call +44 7700 900000 #4411 or the desk on +44 7700 900000."
    sent = veil.protect(text, conversation="c1", subject="s1")
    assert "4411" not in sent.text
    assert sent.text == "Call [PHONE_1] or the desk on [PHONE_2]."
    assert veil.restore(sent.text, conversation="c1") == text
    # The other order, over two turns: the second spelling is not folded into the first.
    first = veil.protect("Desk: +44 7700 900000", conversation="c2", subject="s1")
    second = veil.protect("Mine: +44 7700 900000 ext. 4411", conversation="c2", subject="s1")
    assert first.text == "Desk: [PHONE_1]"
    assert second.text == "Mine: [PHONE_2]"
    assert veil.restore(second.text, conversation="c2") == "Mine: +44 7700 900000 ext. 4411"
    assert veil.restore(first.text, conversation="c2") == "Desk: +44 7700 900000"


def test_a_phone_with_an_extension_round_trips_exactly(veil: Veil) -> None:
    for n, text in enumerate(
        ["Ring 020 7946 0018 ext 12 please", "Call +44 7700 900000 x4411 after five"]
    ):
        sent = veil.protect(text, conversation=f"c{n}", subject="s1")
        assert "[PHONE_1]" in sent.text
        assert veil.restore(sent.text, conversation=f"c{n}") == text


# -- streaming -------------------------------------------------------------------------


def test_streaming_restore_equals_restore(veil: Veil) -> None:
    text, _ = message()
    sent = veil.protect(text, conversation="c1", subject="s1")
    reply = f"Sure [PERSON_1]! Card CREDIT_CARD_1 and [EMAIL_1]'s inbox. {sent.text} [PERSON_"
    expected = veil.restore(reply, conversation="c1")
    assert text in expected
    for cut in range(len(reply) + 1):
        chunks = [reply[:cut], reply[cut:]]
        assert "".join(veil.restore_stream(chunks, conversation="c1")) == expected
    assert "".join(veil.restore_stream(iter(reply), conversation="c1")) == expected
    assert list(veil.restore_stream([], conversation="c1")) == []


# -- forget ----------------------------------------------------------------------------


def raw_files_contain(directory: Path, needle: str) -> list[str]:
    hits = []
    for path in directory.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if needle.encode() in data or needle.encode("utf-16-le") in data:
                hits.append(path.name)
    return hits


def test_forget_leaves_no_canary_on_disk_and_nothing_to_restore(
    tmp_path: Path, analyzer: Analyzer
) -> None:
    directory = tmp_path / "data"
    text, values = message()
    with (
        Veil.embedded(directory, analyzer=analyzer) as veil,
        Veil.embedded(directory, analyzer=analyzer) as other_process,
    ):
        sent = veil.protect(text, conversation="c1", subject="s1")
        kept = veil.protect("I am John Smith", conversation="c2", subject="s2")
        assert other_process.restore(sent.text, conversation="c1") == text
        for value in values:  # sealed from the start
            assert raw_files_contain(directory, value) == []
        veil.forget("s1")
        assert veil.restore(sent.text, conversation="c1") == sent.text
        assert other_process.restore(sent.text, conversation="c1") == sent.text
        with pytest.raises(SubjectForgottenError):
            veil.protect(text, conversation="c1", subject="s1")
        with pytest.raises(SubjectForgottenError):  # its key cache does not help it
            other_process.protect(text, conversation="c9", subject="s1")
        with pytest.raises(SubjectForgottenError):
            veil.protect("nothing personal here", conversation="c9", subject="s1")
        assert kept.text != "I am John Smith"
        assert veil.restore(kept.text, conversation="c2") == "I am John Smith"
        veil.forget("s1")  # idempotent
    for value in values:
        assert raw_files_contain(directory, value) == []


def test_a_restored_backup_of_a_forgotten_subject_stays_unreadable(
    tmp_path: Path, analyzer: Analyzer
) -> None:
    directory = tmp_path / "data"
    text, _ = message()
    with Veil.embedded(directory, analyzer=analyzer) as veil:
        sent = veil.protect(text, conversation="c1", subject="s1")
        # The backup: a consistent copy of the application database, made before forget.
        with veil._maps.store.engine.connect() as conn:
            conn.exec_driver_sql(f"VACUUM INTO '{tmp_path / 'backup.db'}'")
        veil.forget("s1")
    (directory / "veil.db").unlink()
    for suffix in ("-wal", "-shm"):
        (directory / f"veil.db{suffix}").unlink(missing_ok=True)
    (tmp_path / "backup.db").rename(directory / "veil.db")
    with Veil.embedded(directory, analyzer=analyzer) as veil:
        assert veil.restore(sent.text, conversation="c1") == sent.text
        with pytest.raises(SubjectForgottenError):
            veil.protect(text, conversation="c1", subject="s2")


# -- fail closed -----------------------------------------------------------------------


class BrokenAnalyzer(Analyzer):
    def __init__(self, error: Exception) -> None:
        self.error = error

    def analyze(self, text: str) -> list[Finding]:
        raise self.error


@pytest.mark.parametrize("error", [VeilError("detector down"), RuntimeError("x Maria Gonzalez")])
def test_detection_failure_raises_without_text(tmp_path: Path, error: Exception) -> None:
    with (
        Veil.embedded(tmp_path / "d", analyzer=BrokenAnalyzer(error)) as veil,
        pytest.raises(VeilError) as info,
    ):
        veil.protect("I am Maria Gonzalez", conversation="c1", subject="s1")
    assert "Maria" not in str(info.value)


def test_tampered_vault_entry_fails_closed(tmp_path: Path, analyzer: Analyzer) -> None:
    text, _ = message()
    with Veil.embedded(tmp_path / "d", analyzer=analyzer) as veil:
        sent = veil.protect(text, conversation="c1", subject="s1")
        (row,) = [t for t in veil._maps.store.get_tokens("default", "c1") if t.token == "[EMAIL_1]"]
        flipped = row.envelope[:-1] + bytes([row.envelope[-1] ^ 1])
        with veil._maps.store.engine.begin() as conn:
            conn.exec_driver_sql(
                "UPDATE vault_entries SET envelope = ? WHERE token = '[EMAIL_1]'", (flipped,)
            )
    # A fresh instance (another process) opens every envelope: the flip is caught.
    # One that already holds the map reuses it for up to ``map_cache_seconds``.
    with Veil.embedded(tmp_path / "d", analyzer=analyzer) as veil:
        with pytest.raises(IntegrityError):
            veil.restore(sent.text, conversation="c1")
        with pytest.raises(IntegrityError):
            veil.protect(text, conversation="c1", subject="s1")


def test_the_map_cache_expires(tmp_path: Path, analyzer: Analyzer) -> None:
    from veil.vault import Vault

    veil = Veil(analyzer, Vault.embedded(tmp_path / "d"), map_cache_seconds=0.0)
    sent = veil.protect("I am Maria Gonzalez", conversation="c1", subject="s1")
    with veil._maps.store.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE vault_entries SET envelope = X'00' WHERE token = ?", ("[PERSON_1]",)
        )
    with pytest.raises(IntegrityError):
        veil.restore(sent.text, conversation="c1")


def test_storage_failure_fails_closed(veil: Veil) -> None:
    with veil._maps.store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE vault_entries")
    with pytest.raises(StorageError):
        veil.protect("I am Maria Gonzalez", conversation="c1", subject="s1")


@pytest.mark.parametrize("bad", ["", "veil:key:default", "x" * 300])
def test_bad_or_reserved_ids_are_refused(veil: Veil, bad: str) -> None:
    with pytest.raises(InputError):
        veil.protect("hello", conversation=bad, subject="s1")
    with pytest.raises(InputError):
        veil.protect("hello", conversation="c1", subject=bad)
    with pytest.raises(InputError):
        veil.restore("hello", conversation=bad)
    with pytest.raises(InputError):
        veil.forget(bad)


# -- storage: one transaction per message, and racing writers --------------------------


class CountingStore(Store):
    batches: list[int]
    before_first: list[Veil]

    def put_tokens(self, entries: Sequence[TokenEntry], *, hooks: Sequence[Hook] = ()) -> None:
        if self.before_first:  # another process issues first, between our read and write
            self.before_first.pop().protect("I am Olu Adeyemi", conversation="c1", subject="s2")
        self.batches.append(len(entries))
        super().put_tokens(entries, hooks=hooks)


def counting(veil: Veil) -> CountingStore:
    store = CountingStore(veil._maps.store.engine)
    store.batches, store.before_first = [], []
    veil._maps.store = store
    return store


def test_one_batched_write_per_message(veil: Veil) -> None:
    veil.protect("warm the tenant key", conversation="c0", subject="s1")
    store = counting(veil)
    text, values = message()
    veil.protect(text, conversation="c1", subject="s1")
    assert store.batches == [len(values)]


def test_a_racing_writer_is_detected_and_the_message_reissued(
    tmp_path: Path, analyzer: Analyzer
) -> None:
    with (
        Veil.embedded(tmp_path / "d", analyzer=analyzer) as mine,
        Veil.embedded(tmp_path / "d", analyzer=analyzer) as theirs,
    ):
        mine.protect("warm the tenant key", conversation="c0", subject="s1")
        store = counting(mine)
        store.before_first.append(theirs)
        sent = mine.protect("I am Maria Gonzalez", conversation="c1", subject="s1")
        assert sent.text == "I am [PERSON_2]"
        assert store.batches == [1, 1]  # the first attempt collided on [PERSON_1]
        assert mine.restore("[PERSON_1], [PERSON_2]", conversation="c1") == (
            "Olu Adeyemi, Maria Gonzalez"
        )


def test_minimized_entities_are_redacted_not_pseudonymized(veil: Veil) -> None:
    email, card = canary_email(), canary_card()
    text = f"mail {email}, card {card}"
    done = veil.protect(text, conversation="min-1", subject="s", redact={E.CREDIT_CARD})
    assert email not in done.text
    assert card not in done.text
    assert "[CREDIT_CARD withheld]" in done.text
    assert {e.entity for e in done.token_map} == {E.EMAIL}  # nothing to restore the card from
    restored = veil.restore(done.text, conversation="min-1")
    assert email in restored
    assert card not in restored
    # The same Veil without minimization still pseudonymizes cards.
    again = veil.protect(f"card {card}", conversation="min-2", subject="s")
    assert "withheld" not in again.text
