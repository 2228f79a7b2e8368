"""The shipped lexicons load lazily, are lower-case and contain what they promise."""

from __future__ import annotations

from veil.detect import lexicon


def test_loaders_return_cached_frozensets() -> None:
    for loader in (lexicon.first_names, lexicon.surnames, lexicon.common_words, lexicon.places):
        first = loader()
        assert isinstance(first, frozenset)
        assert loader() is first  # cached: one load per process
        assert len(first) > 1000
        assert all(w == w.lower() for w in list(first)[:2000])


def test_names_from_many_locales() -> None:
    firsts = lexicon.first_names()
    for name in ("john", "priya", "łukasz", "zoë", "mohammed", "rubén", "krisztián"):
        assert name in firsts, name
    lasts = lexicon.surnames()
    for name in ("smith", "nowak", "nguyễn", "müller", "garcía"):
        assert name in lasts, name
    # Particles are rules, not surnames.
    assert "van" not in lasts
    assert "de" not in lasts


def test_common_words_keep_words_that_are_also_names_but_not_pure_names() -> None:
    words = lexicon.common_words()
    for word in ("will", "hope", "the", "appointment", "reading"):
        assert word in words, word
    for name in ("john", "peter", "priya", "michael"):
        assert name not in words, name
    freq = lexicon.word_frequencies()
    assert freq["the"] > freq["appointment"] > 2.5


def test_places_with_kinds_and_exonyms() -> None:
    entries = lexicon.place_entries()
    assert entries["germany"].kind == "country"
    assert entries["deutschland"].kind == "country"  # exonym from Faker's de locale
    assert entries["ontario"].kind == "region"
    assert entries["scotland"].kind == "region"
    london = entries["london"]
    assert london.kind == "city"
    assert london.log_population > 6
    assert "new york" in lexicon.places()
    assert "münchen" in lexicon.places()
    assert "st. louis" in lexicon.places()
    assert set(entries) == set(lexicon.places())
