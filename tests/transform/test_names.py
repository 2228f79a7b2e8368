from veil.transform.names import CITIES, GIVEN, SURNAMES, names_for


def test_every_locale_has_all_lists() -> None:
    assert set(GIVEN) == set(SURNAMES) == set(CITIES)
    for lang in GIVEN:
        assert len(set(GIVEN[lang])) == len(GIVEN[lang]) >= 16
        assert len(set(SURNAMES[lang])) == len(SURNAMES[lang]) >= 16


def test_locale_lookup() -> None:
    assert names_for("de_AT")[0] is GIVEN["de"]
    assert names_for("fr-CA")[1] is SURNAMES["fr"]
    assert names_for("xx")[0] is GIVEN["en"]
