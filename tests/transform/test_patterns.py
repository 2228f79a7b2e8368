from veil.transform.patterns import (
    core_key,
    has_core,
    max_rendering,
    split_edges,
    token_grammar,
)


def test_split_edges_and_keys() -> None:
    assert split_edges("[PERSON_1]") == ("[", "PERSON_1", "]")
    assert split_edges("+1 (555) 010-2345") == ("+", "1 (555) 010-2345", "")
    assert split_edges("Maria Keller") == ("", "Maria Keller", "")
    assert split_edges("--") == ("--", "", "")
    assert not has_core("[]")
    assert has_core("<a>")
    assert core_key("[PERSON_1]") == core_key("(person_1)") == "person_1"
    assert core_key("Maria  Keller") == core_key("maria\nkeller")
    assert max_rendering("Maria Keller") == len("Maria Keller") + 4


def test_token_grammar_matches_unissued_shapes_of_known_labels() -> None:
    (tags, hashes) = token_grammar(["[{entity}_{n}]", "<{entity}:{hash}>"], ["PERSON", "EMAIL"])
    assert tags.search("a [PERSON_7] b")
    assert tags.search("person_12's")
    assert not tags.search("report_2023")
    assert not tags.search("PERSON_x")
    hit = hashes.search("see <email:0123abcd0123abcd>")
    assert hit is not None
    assert hit.group("label") == "email"
    assert not hashes.search("<EMAIL:xyz>")
