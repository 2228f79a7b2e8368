"""Unit tests for veil.ingest.normalize: every rule, with spans mapped back exactly."""

from __future__ import annotations

import pytest

from veil.core import Span
from veil.ingest import NormalizedText, normalize


def back(result: NormalizedText, needle: str) -> str:
    """The original characters behind the first occurrence of ``needle`` in the text."""
    start = result.text.index(needle)
    span = result.to_original(Span(start, start + len(needle)))
    return result.original[span.start : span.end]


# --- fast path ---------------------------------------------------------------------------


def test_ascii_is_returned_as_is_without_map() -> None:
    text = "Call me at +1 555 0100, jane@example.com -- 'ok' \"sure\"\t\n"
    result = normalize(text)
    assert result.text is text
    assert not result.changed
    assert result._starts is None
    assert result.to_original(Span(3, 9)) == Span(3, 9)


def test_unchanged_non_ascii_keeps_no_map() -> None:
    result = normalize("Zoë lives in Москва, Αθήνα")
    assert result.text == result.original
    assert not result.changed
    assert result._starts is None


def test_one_to_one_changes_keep_offsets_without_map() -> None:
    result = normalize("a\u00a0b – “c”")
    assert result.text == 'a b - "c"'
    assert result.changed
    assert result._starts is None
    assert result.to_original(Span(2, 3)) == Span(2, 3)


# --- invisible characters ----------------------------------------------------------------


def test_zero_width_inside_email_is_removed_and_covered() -> None:
    original = "mail j\u200bane@ex\u200bample.com now"
    result = normalize(original)
    assert result.text == "mail jane@example.com now"
    start = result.text.index("jane")
    span = result.to_original(Span(start, start + len("jane@example.com")))
    assert span == Span(5, 23)
    assert original[span.start : span.end] == "j\u200bane@ex\u200bample.com"


@pytest.mark.parametrize(
    "invisible",
    [
        "\u200b",
        "\u200c",
        "\u200d",
        "\u2060",
        "\ufeff",
        "\u180e",
        "\u00ad",
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202d",
        "\u202e",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u200e",
        "\u200f",
        "\u2061",
        "\U000e0041",
        "\ufe0f",
        "\u034f",
    ],
)
def test_each_invisible_character_is_removed(invisible: str) -> None:
    result = normalize(f"12{invisible}34")
    assert result.text == "1234"
    assert result.to_original(Span(0, 4)) == Span(0, 5)


def test_removed_characters_just_outside_a_span_are_not_covered() -> None:
    original = "x \u200b\u200b4242\u200b y"
    result = normalize(original)
    assert result.text == "x 4242 y"
    assert result.to_original(Span(2, 6)) == Span(4, 8)


def test_leading_and_trailing_invisibles_are_outside_the_full_span() -> None:
    result = normalize("\ufeffhello\u200b")
    assert result.text == "hello"
    assert result.to_original(Span(0, 5)) == Span(1, 6)


def test_only_invisibles_gives_empty_text() -> None:
    result = normalize("\u200b" * 5)
    assert result.text == ""
    assert result.to_original(Span(0, 0)) == Span(0, 0)


def test_keycap_digits_read_as_digits_and_cover_their_marks() -> None:
    original = "1\ufe0f\u20e32\ufe0f\u20e3"
    result = normalize(original)
    assert result.text == "12"
    assert result.to_original(Span(0, 2)) == Span(0, 6)
    assert result.to_original(Span(1, 2)) == Span(3, 6)


def test_bidi_override_inside_a_number() -> None:
    original = "IBAN GB82\u202eWEST\u202c12345698765432"
    result = normalize(original)
    assert result.text == "IBAN GB82WEST12345698765432"
    assert back(result, "GB82WEST12345698765432") == original[5:]


# --- NFKC --------------------------------------------------------------------------------


def test_fullwidth_card_number_maps_back_to_fullwidth_digits() -> None:
    original = "card ４１１１ １１１１ １１１１ １１１１ thanks"
    result = normalize(original)
    assert result.text == "card 4111 1111 1111 1111 thanks"
    assert back(result, "4111 1111 1111 1111") == "４１１１ １１１１ １１１１ １１１１"


def test_fullwidth_letters_and_at_sign() -> None:
    result = normalize("ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ")
    assert result.text == "jane@example.com"
    assert result._starts is None  # all 1:1


def test_small_commercial_at() -> None:
    assert normalize("jane\ufe6bexample.com").text == "jane@example.com"


def test_ligature_expansion_widens_to_the_whole_ligature() -> None:
    original = "a ﬁle"
    result = normalize(original)
    assert result.text == "a file"
    assert result.to_original(Span(2, 3)) == Span(2, 3)  # "f" -> whole "ﬁ"
    assert result.to_original(Span(3, 4)) == Span(2, 3)  # "i" -> whole "ﬁ"
    assert result.to_original(Span(3, 6)) == Span(2, 5)  # "ile" -> "ﬁle"
    assert result.to_original(Span(5, 6)) == Span(4, 5)


def test_fraction_expansion() -> None:
    result = normalize("take ½ tablet")
    assert result.text == "take 1\u20442 tablet"
    assert back(result, "1\u20442") == "½"
    assert result.to_original(Span(7, 8)) == Span(5, 6)
    assert back(result, "tablet") == "tablet"


def test_superscripts_circled_and_math_digits() -> None:
    assert normalize("x² ① 𝟒𝟐 ❶").text == "x2 1 42 1"


def test_mathematical_letters_map_back() -> None:
    original = "name 𝐉𝐚𝐧𝐞 here"
    result = normalize(original)
    assert result.text == "name Jane here"
    assert back(result, "Jane") == "𝐉𝐚𝐧𝐞"


def test_decomposed_letter_is_composed_and_maps_to_both_characters() -> None:
    original = "Zoe\u0308 Smith"
    result = normalize(original)
    assert result.text == "Zoë Smith"
    assert result.to_original(Span(2, 3)) == Span(2, 4)
    assert back(result, "Zoë") == "Zoe\u0308"
    assert back(result, "Smith") == "Smith"


def test_diacritics_and_case_are_kept() -> None:
    text = "Zoë Ångström, José MÜLLER, Łódź, Dvořák"
    assert normalize(text).text == text


def test_other_script_digits_become_ascii() -> None:
    assert normalize("٠١٢٣٤٥٦٧٨٩ ۰۱۲ ०१२").text == "0123456789 012 012"


# --- spaces, dashes, quotes --------------------------------------------------------------


def test_exotic_spaces_become_space_and_separators_newline() -> None:
    text = "a\u00a0b\u2009c\u202fd\u3000e\u1680f\u2028g\u2029h\u0085i"
    result = normalize(text)
    assert result.text == "a b c d e f\ng\nh\ni"
    assert len(result.text) == len(text)


def test_dashes_and_minus_become_hyphen() -> None:
    text = "555\u2010010\u2011123\u2012x\u2013y\u2014z\u2015w\u2212v\ufe63u\uff0dt"
    assert normalize(text).text == "555-010-123-x-y-z-w-v-u-t"


def test_quotes_and_apostrophes_become_ascii() -> None:
    result = normalize("O’Brien said “hi” ‘ok’ „ja“ «oui» O´Neil 5″")
    assert result.text == 'O\'Brien said "hi" \'ok\' "ja" "oui" O\'Neil 5"'
    assert len(result.text) == len(result.original)


# --- homoglyphs --------------------------------------------------------------------------


def test_cyrillic_letter_inside_latin_word_is_folded() -> None:
    original = "login at p\u0430ypal.com please"
    result = normalize(original)
    assert result.text == "login at paypal.com please"
    assert back(result, "paypal.com") == "p\u0430ypal.com"


def test_all_cyrillic_word_is_unchanged() -> None:
    for text in ("Москва", "Я живу в Москве", "рука и сок", "Москва с тобой"):
        assert normalize(text).text == text


def test_greek_words_are_unchanged() -> None:
    for text in ("Αθήνα", "ΚΑΙ ΝΑΙ", "και ναι", "Ο Νίκος"):
        assert normalize(text).text == text


def test_lookalike_only_word_folds_among_latin_words() -> None:
    assert normalize("meet \u0430t noon").text == "meet at noon"
    assert normalize("my name is \u0420\u043e\u0440").text == "my name is Pop"


def test_lookalike_only_word_stays_among_cyrillic_words() -> None:
    text = "Привет с Boston"  # "с" (with) sits next to a Cyrillic word
    assert normalize(text).text == text
    assert normalize("с").text == "с"


def test_email_spoofed_with_cyrillic_and_greek() -> None:
    original = "mail \u0458\u043ehn@\u0435x\u0430mple.\u03bfrg"
    assert normalize(original).text == "mail john@example.org"


def test_lookalikes_with_digits_are_folded() -> None:
    assert normalize("plate \u0410123\u0412\u0421").text == "plate A123BC"


def test_digit_lookalike_inside_number_becomes_digit() -> None:
    original = "4111 1111 1111 111\u041e"
    result = normalize(original)
    assert result.text == "4111 1111 1111 1110"
    assert result.to_original(Span(15, 19)) == Span(15, 19)


def test_cyrillic_diaeresis_lookalike_keeps_diaeresis() -> None:
    assert normalize("Zo\u0451 Smith").text == "Zoë Smith"


def test_genuine_word_with_digits_is_unchanged() -> None:
    assert normalize("Москва2024 и 5кг").text == "Москва2024 и 5кг"


# --- to_original contract ----------------------------------------------------------------


def test_empty_spans_map_to_positions() -> None:
    result = normalize("a\u200bb ﬁ")
    assert result.text == "ab fi"
    assert result.to_original(Span(1, 1)) == Span(2, 2)
    assert result.to_original(Span(4, 4)) == Span(4, 4)  # inside the ligature
    assert result.to_original(Span(5, 5)) == Span(5, 5)


def test_span_beyond_text_is_rejected() -> None:
    result = normalize("a\u200bb")
    with pytest.raises(ValueError, match="exceeds"):
        result.to_original(Span(0, 3))
    with pytest.raises(ValueError, match="exceeds"):
        normalize("abc").to_original(Span(2, 4))


def test_error_message_carries_no_text() -> None:
    result = normalize("secret\u200bvalue")
    with pytest.raises(ValueError, match="exceeds") as info:
        result.to_original(Span(0, 99))
    assert "secret" not in str(info.value)


def test_inconsistent_construction_is_rejected() -> None:
    with pytest.raises(ValueError, match="offset map"):
        NormalizedText("ab", "a")


def test_lone_surrogates_are_kept() -> None:
    original = "x\udc80y\u200b\ud800"
    result = normalize(original)
    assert result.text == "x\udc80y\ud800"
    assert result.to_original(Span(0, 4)) == Span(0, 5)
    assert result.to_original(Span(3, 4)) == Span(4, 5)


def test_equal_and_hashable() -> None:
    assert normalize("ﬁ") == normalize("ﬁ")
    assert hash(normalize("ﬁ")) == hash(normalize("ﬁ"))


# --- hostile and large input -------------------------------------------------------------


def test_one_megabyte_mixed_text() -> None:
    chunk = "Zoë ｊａｎｅ＠ｅｘ\u200bample.com p\u0430ypal Москва ﬁ ½ – “x” 4111\u00a01111 "
    original = chunk * (1_000_000 // len(chunk))
    result = normalize(original)
    assert result.changed
    start = result.text.rindex("jane@example.com")
    span = result.to_original(Span(start, start + 16))
    assert original[span.start : span.end] == "ｊａｎｅ＠ｅｘ\u200bample.com"
    assert result.to_original(Span(0, len(result.text))) == Span(0, len(original))


def test_hundred_thousand_zero_width_characters() -> None:
    original = "a" + "\u200b" * 100_000 + "b"
    result = normalize(original)
    assert result.text == "ab"
    assert result.to_original(Span(0, 2)) == Span(0, len(original))
    assert result.to_original(Span(1, 2)) == Span(100_001, 100_002)


def test_hostile_combining_marks_and_lookalikes() -> None:
    zalgo = "e" + "\u0301\u0323" * 50_000
    assert len(normalize(zalgo).text) <= len(zalgo)
    lookalikes = "\u0430 " * 100_000
    assert normalize(lookalikes).text == lookalikes
    mixed = "a\u0430" * 100_000
    assert normalize(mixed).text == "aa" * 100_000
