import pytest

from veil.errors import UnknownEntityError
from veil.evaluation import GoldSpan, LabeledText, LabelMap, evaluate

ROW = LabeledText(
    "r1",
    "Jane Doe paid with 4111 1111 1111 1111 at Acme",
    (GoldSpan(0, 8, "PERSON"), GoldSpan(19, 38, "CREDIT_CARD"), GoldSpan(42, 46, "ORGANIZATION")),
)


def test_perfect_prediction() -> None:
    report = evaluate([ROW], lambda t: [(0, 8, "PERSON"), (19, 38, "CREDIT_CARD")])
    assert report.overall.leak == 0
    assert report.overall.recall == 1
    assert report.overall.precision == 1
    assert report.types["PERSON"].f(1) == 1
    assert report.checksum_leak == 0


def test_leak_counts_uncovered_non_space_characters() -> None:
    # "Jane" covered, "Doe" not: 3 of 7 person characters leak; card fully leaks (16 digits).
    report = evaluate([ROW], lambda t: [(0, 4, "PERSON")])
    assert report.types["PERSON"].leaked_chars == 3
    assert report.types["CREDIT_CARD"].leaked_chars == 16
    assert report.overall.leak == pytest.approx(19 / 23)
    assert report.checksum_leak == 1
    assert report.types["PERSON"].found == 0  # 4/7 < 80 %


def test_wrong_label_still_covers_but_is_not_typed_correct() -> None:
    report = evaluate([ROW], lambda t: [(0, 8, "LOCATION")])
    assert report.types["PERSON"].leaked_chars == 0
    assert report.types["LOCATION"].precision == 0
    assert report.overall.precision == 1


def test_flagging_an_organization_is_not_a_false_positive() -> None:
    report = evaluate([ROW], lambda t: [(42, 46, "PERSON")])
    assert report.overall.precision == 1
    assert report.excluded["ORGANIZATION"].found == 1


def test_false_positive_lowers_precision() -> None:
    report = evaluate([ROW], lambda t: [(9, 13, "PERSON")])
    assert report.overall.precision == 0


def test_label_map_aliases_and_unknown_labels() -> None:
    mapping = LabelMap({"CUSTOMER": "PERSON", "NRP": None})
    assert mapping("EMAIL_ADDRESS") == "EMAIL"
    assert mapping("GPE") == "LOCATION"
    assert mapping("customer") == "PERSON"
    assert mapping("NRP") is None
    with pytest.raises(UnknownEntityError, match="WIDGET"):
        mapping("WIDGET")


def test_report_serializes() -> None:
    data = evaluate([ROW, ROW], lambda t: [(0, 8, "PERSON")]).as_dict()
    assert data["texts"] == 2
    assert set(data["types"]) == {"PERSON", "CREDIT_CARD"}  # type: ignore[arg-type]
