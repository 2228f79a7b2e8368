"""Policy files are checked completely; every problem names its line."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from veil.core import EntityType
from veil.errors import ConfigurationError
from veil.policy.document import Duration, LegalBasis
from veil.policy.loader import PolicyHolder, default_policy, load_policy, parse_policy

BASE = """\
version = "t1"

[controller]
name = "Test Clinic"
contact = "privacy@test.example"

[categories.contact]
description = "Contact details"
entities = ["EMAIL", "PHONE"]

[categories.health]
description = "Health"
entities = ["MEDICAL_ID"]

[categories.transcripts]
description = "Conversations"
transcript = true

[purposes.support]
description = "Support"
legal_basis = "contract"
categories = ["contact", "transcripts"]

[purposes.analytics]
description = "Analytics"
legal_basis = "consent"
categories = ["transcripts", "health"]
notice_version = "n2"
accepted_notices = ["n1"]

[recipients.model]
description = "A model"
kind = "model_provider"
purposes = ["support", "analytics"]
categories = ["contact", "transcripts"]
country = "US"
transfer = "SCCs"

[[retention]]
category = "contact"
keep = "30d"

[[retention]]
category = "transcripts"
purpose = "support"
keep = "6m"

[[retention]]
category = "transcripts"
purpose = "analytics"
keep = "1y"

[[retention]]
category = "health"
keep = "7y"

[[holds]]
name = "claim-1"
tenant = "t"
subjects = ["s-1"]

[transparency]
title = "How we use data"
intro = "Intro text"
ai_can = ["book"]
ai_cannot = ["diagnose"]
"""


def _edit(old: str, new: str, *, count: int = 1) -> str:
    assert BASE.count(old) >= count, old
    return BASE.replace(old, new, count)


def _line_of(text: str, marker: str, nth: int = 1) -> int:
    seen = 0
    for number, line in enumerate(text.splitlines(), 1):
        if marker in line:
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(f"marker {marker!r} not in text")


# (id, policy text, marker whose line the error must name (nth occurrence), problem text)
CASES = [
    # syntax
    ("syntax-bare-value", _edit('keep = "30d"', "keep = 30d"), ("keep = 30d", 1), "invalid TOML"),
    (
        "syntax-unterminated",
        _edit('intro = "Intro text"', 'intro = "Intro text'),
        ("intro =", 1),
        "invalid TOML",
    ),
    (
        "syntax-duplicate-key",
        _edit('legal_basis = "contract"\n', 'legal_basis = "contract"\nlegal_basis = "consent"\n'),
        ('legal_basis = "consent"', 1),
        "invalid TOML",
    ),
    (
        "syntax-duplicate-table",
        _edit("[recipients.model]", "[purposes.support]\nx = 1\n\n[recipients.model]"),
        ("[purposes.support]", 2),
        "invalid TOML",
    ),
    # unknown references
    (
        "unknown-category",
        _edit('categories = ["transcripts", "health"]', 'categories = ["transcripts", "helth"]'),
        ('"helth"', 1),
        "purpose 'analytics' names unknown category 'helth'",
    ),
    (
        "unknown-category-multiline",
        _edit(
            'categories = ["transcripts", "health"]',
            'categories = [\n  "transcripts",\n  "helth",\n]',
        ),
        ('"helth"', 1),
        "names unknown category 'helth'",
    ),
    (
        "unknown-purpose",
        _edit('purposes = ["support", "analytics"]', 'purposes = ["support", "analytcs"]'),
        ('"analytcs"', 1),
        "recipient 'model' names unknown purpose 'analytcs'",
    ),
    (
        "unknown-recipient-category",
        _edit(
            'categories = ["contact", "transcripts"]\ncountry',
            'categories = ["contact", "finance"]\ncountry',
        ),
        ('"finance"', 1),
        "names unknown category 'finance'",
    ),
    (
        "unknown-entity",
        _edit('entities = ["EMAIL", "PHONE"]', 'entities = ["EMAIL", "PHOEN"]'),
        ('"PHOEN"', 1),
        "category 'contact' names unknown entity type 'PHOEN'",
    ),
    (
        "unknown-retention-purpose",
        _edit('purpose = "analytics"', 'purpose = "analytix"'),
        ('"analytix"', 1),
        "names unknown purpose 'analytix'",
    ),
    (
        "unknown-hold-category",
        _edit('subjects = ["s-1"]', 'categories = ["nope"]'),
        ('"nope"', 1),
        "legal hold 1 names unknown category 'nope'",
    ),
    (
        "unknown-legal-basis",
        _edit('legal_basis = "contract"', 'legal_basis = "contracts"'),
        ('"contracts"', 1),
        "unknown legal basis 'contracts'",
    ),
    (
        "unknown-kind",
        _edit('kind = "model_provider"', 'kind = "vendor"'),
        ('"vendor"', 1),
        "unknown kind 'vendor'",
    ),
    (
        "unknown-key",
        _edit('transfer = "SCCs"', 'transfer = "SCCs"\ncolour = "red"'),
        ("colour", 1),
        "recipient 'model' has unknown key 'colour'",
    ),
    # overlapping / duplicates
    (
        "overlapping-categories",
        _edit('entities = ["MEDICAL_ID"]', 'entities = ["MEDICAL_ID", "EMAIL_ADDRESS"]'),
        ('"EMAIL_ADDRESS"', 1),
        "entity type EMAIL is in both category 'contact' and category 'health'",
    ),
    (
        "duplicate-list-item",
        _edit(
            'categories = ["contact", "transcripts"]\n\n',
            'categories = ["contact", "transcripts", "contact"]\n\n',
        ),
        ('"contact"]', 1),
        "purpose 'support' lists 'contact' twice",
    ),
    (
        "duplicate-retention",
        _edit("[[holds]]", '[[retention]]\ncategory = "contact"\nkeep = "1y"\n\n[[holds]]'),
        ("[[retention]]", 5),
        "retention for category 'contact' and any purpose is declared twice (first on line "
        f"{BASE.splitlines().index('[[retention]]') + 1})",
    ),
    (
        "duplicate-hold",
        _edit("[transparency]", '[[holds]]\nname = "claim-1"\ntenant = "u"\n\n[transparency]'),
        ("[[holds]]", 2),
        "legal hold 'claim-1' is declared twice",
    ),
    (
        "bad-name",
        _edit(
            "[recipients.model]",
            '[purposes."Big Data"]\ndescription = "x"\n'
            'legal_basis = "contract"\ncategories = ["contact"]\n\n[recipients.model]',
        ),
        ('[purposes."Big Data"]', 1),
        "purpose name 'Big Data' must be lower-case",
    ),
    # durations
    (
        "bad-duration-words",
        _edit('keep = "6m"', 'keep = "6 months"'),
        ('"6 months"', 1),
        "retention rule 2 has bad duration '6 months'",
    ),
    ("bad-duration-zero", _edit('keep = "6m"', 'keep = "0d"'), ('"0d"', 1), "greater than zero"),
    (
        "bad-duration-order",
        _edit('keep = "6m"', 'keep = "6d1y"'),
        ('"6d1y"', 1),
        "bad duration '6d1y'",
    ),
    ("bad-duration-unit", _edit('keep = "6m"', 'keep = "6x"'), ('"6x"', 1), "bad duration"),
    # missing fields
    (
        "missing-description",
        _edit('description = "Support"\n', ""),
        ("[purposes.support]", 1),
        "purpose 'support' is missing required key 'description'",
    ),
    (
        "missing-legal-basis",
        _edit('legal_basis = "contract"\n', ""),
        ("[purposes.support]", 1),
        "purpose 'support' is missing required key 'legal_basis'",
    ),
    (
        "missing-notice-version",
        _edit('notice_version = "n2"\naccepted_notices = ["n1"]\n', ""),
        ("[purposes.analytics]", 1),
        "purpose 'analytics' rests on consent but declares no notice_version",
    ),
    (
        "accepted-without-notice",
        _edit('notice_version = "n2"\n', ""),
        ("accepted_notices", 1),
        "lists accepted_notices but no notice_version",
    ),
    (
        "missing-section",
        BASE[: BASE.index("[transparency]")],
        ("version", 1),
        "the policy is missing required key 'transparency'",
    ),
    (
        "missing-retention",
        _edit('[[retention]]\ncategory = "health"\nkeep = "7y"\n', ""),
        ('"health"]', 1),
        "purpose 'analytics' uses category 'health' but no retention rule",
    ),
    (
        "retention-unused-pair",
        _edit(
            "[[holds]]",
            '[[retention]]\ncategory = "health"\npurpose = "support"\nkeep = "1y"\n\n[[holds]]',
        ),
        ("[[retention]]", 5),
        "retention rule 5: purpose 'support' does not use category 'health'",
    ),
    (
        "category-without-entities",
        _edit('entities = ["MEDICAL_ID"]', "entities = []"),
        ("[categories.health]", 1),
        "category 'health' lists no entity types",
    ),
    (
        "transcript-with-entities",
        _edit("transcript = true", 'transcript = true\nentities = ["PERSON"]'),
        ('["PERSON"]', 1),
        "transcript category 'transcripts' may not",
    ),
    # wrong types
    (
        "wrong-type-duration",
        _edit('keep = "7y"', "keep = 7"),
        ("keep = 7", 1),
        "retention rule 4: 'keep' must be a non-empty string",
    ),
    (
        "wrong-type-list",
        _edit('entities = ["EMAIL", "PHONE"]', 'entities = "EMAIL"'),
        ('entities = "EMAIL"', 1),
        "'entities' must be a list of strings",
    ),
    (
        "wrong-type-item",
        _edit('ai_can = ["book"]', 'ai_can = ["book", 3]'),
        ("ai_can", 1),
        "'ai_can' item 2 must be a non-empty string",
    ),
    (
        "wrong-type-flag",
        _edit("transcript = true", 'transcript = "yes"'),
        ('"yes"', 1),
        "'transcript' must be true or false",
    ),
    (
        "wrong-type-table",
        _edit('[[holds]]\nname = "claim-1"\ntenant = "t"\nsubjects = ["s-1"]\n', "").replace(
            'version = "t1"\n', 'version = "t1"\nholds = ["claim-1"]\n'
        ),
        ('holds = ["claim-1"]', 1),
        "legal hold 1 must be a table",
    ),
    (
        "wrong-type-section",
        _edit("[controller]", "retention_note = 1\n[controller]"),
        ("retention_note", 1),
        "the policy has unknown key 'retention_note'",
    ),
    # inline tables and dotted keys
    (
        "inline-table",
        _edit(
            '[recipients.model]\ndescription = "A model"\nkind = "model_provider"\n'
            'purposes = ["support", "analytics"]\ncategories = ["contact", "transcripts"]\n'
            'country = "US"\ntransfer = "SCCs"\n',
            '[recipients]\nmodel = { description = "A", '
            'kind = "model_provider", purposes = ["support"], categories = ["contact", "nope"] }\n',
        ),
        ('"nope"', 1),
        "recipient 'model' names unknown category 'nope'",
    ),
    (
        "dotted-keys",
        _edit(
            '[purposes.support]\ndescription = "Support"\nlegal_basis = "contract"\n'
            'categories = ["contact", "transcripts"]\n',
            '[purposes]\nsupport.description = "S"\n'
            'support.legal_basis = "contrakt"\nsupport.categories = ["contact", "transcripts"]\n',
        ),
        ('"contrakt"', 1),
        "purpose 'support' has unknown legal basis 'contrakt'",
    ),
]


@pytest.mark.parametrize(("text", "marker", "problem"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_problem_names_line_and_problem(text: str, marker: tuple[str, int], problem: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_policy(text)
    line = _line_of(text, *marker)
    messages = str(caught.value).splitlines()
    assert any(m.startswith(f"policy.toml line {line}: ") and problem in m for m in messages), (
        messages
    )


def test_base_policy_is_valid() -> None:
    policy = parse_policy(BASE)
    assert list(policy.purposes) == ["support", "analytics"]
    assert policy.purposes["analytics"].legal_basis is LegalBasis.CONSENT
    assert policy.purposes["analytics"].accepts_notice("n1")
    assert not policy.purposes["analytics"].accepts_notice("n0")
    assert policy.categories["contact"].entities == {EntityType.EMAIL, EntityType.PHONE}
    assert policy.retention_for("transcripts", "analytics") == Duration(years=1)
    assert policy.retention_for("contact", "support") == Duration(days=30)
    assert policy.holds[0].subjects == {"s-1"}


def test_every_problem_is_reported_sorted_by_line() -> None:
    text = _edit('entities = ["EMAIL", "PHONE"]', 'entities = ["EMAIL", "PHOEN"]')
    text = text.replace('keep = "1y"', 'keep = "1 year"')
    with pytest.raises(ConfigurationError) as caught:
        parse_policy(text)
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("policy.toml line 9: ")
    assert lines[1].startswith(f"policy.toml line {_line_of(text, '1 year')}: ")


def test_hold_subject_ids_are_never_quoted() -> None:
    text = _edit('subjects = ["s-1"]', 'subjects = ["secret-subject-7", "secret-subject-7"]')
    with pytest.raises(ConfigurationError) as caught:
        parse_policy(text)
    assert "item 2 twice" in str(caught.value)
    assert "secret-subject-7" not in str(caught.value)


def test_default_policy_is_valid_and_needs_no_consent_for_assistance() -> None:
    policy = default_policy()
    assistance = policy.purposes["ai_assistance"]
    assert assistance.legal_basis is LegalBasis.CONTRACT
    classified = policy.entities_of(policy.categories)
    assert classified == frozenset(EntityType)  # every built-in type has a category
    for purpose in policy.purposes.values():
        for category in purpose.categories:
            assert policy.retention_for(category, purpose.name) is not None


def test_load_policy_names_the_file_and_non_utf8_line(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_bytes(BASE.encode().replace(b'"Health"', b'"Heal\xfft"'))
    with pytest.raises(ConfigurationError, match=rf"^{path} line 12: policy file is not UTF-8"):
        load_policy(path)
    with pytest.raises(ConfigurationError, match="cannot read policy file"):
        load_policy(tmp_path / "missing.toml")


def test_holder_swaps_good_files_and_keeps_the_old_policy_on_bad_ones(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(BASE)
    holder = PolicyHolder(source=path)
    assert holder.current.version == "t1"
    path.write_text(BASE.replace('version = "t1"', 'version = "t2"'))
    assert holder.reload().version == "t2"
    old = holder.current
    path.write_text(BASE.replace('keep = "7y"', 'keep = "7 years"'))
    line = _line_of(BASE, 'keep = "7y"')
    with pytest.raises(ConfigurationError, match=f"line {line}: retention rule 4 has bad duration"):
        holder.reload()
    assert holder.current is old
    assert holder.last_error is not None
    assert f"line {line}" in holder.last_error


def test_holder_on_load_failure_keeps_old_policy(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(BASE)

    def refuse(policy: object) -> None:
        raise ConfigurationError("audit refused")

    holder = PolicyHolder(default_policy(), source=path, on_load=refuse)
    with pytest.raises(ConfigurationError, match="audit refused"):
        holder.reload()
    assert holder.current is default_policy()
    assert PolicyHolder().current is default_policy()
    with pytest.raises(ConfigurationError, match="built-in policy"):
        PolicyHolder().reload()


def test_readers_never_see_a_half_swapped_policy(tmp_path: Path) -> None:
    one, two = tmp_path / "one.toml", tmp_path / "two.toml"
    one.write_text(BASE)
    two.write_text(BASE.replace('version = "t1"', 'version = "t2"').replace("support", "help"))
    holder = PolicyHolder(source=one)
    seen: set[tuple[str, str]] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            policy = holder.current
            seen.add((policy.version, next(iter(policy.purposes))))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(30):
            holder.reload(two if i % 2 == 0 else one)
    finally:
        stop.set()
        reader.join()
    assert seen <= {("t1", "support"), ("t2", "help")}
    assert holder.current.version == "t1"
