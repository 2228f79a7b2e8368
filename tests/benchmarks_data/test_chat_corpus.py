"""Well-formedness of ``benchmarks/data/chat_v1.jsonl`` and reproducibility of its generator."""

import itertools
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "benchmarks" / "data" / "chat_v1.jsonl"
SCRIPT = ROOT / "tools" / "make_chat_corpus.py"
ALLOWED = {
    "PERSON", "EMAIL", "PHONE", "ADDRESS", "LOCATION", "DATE", "CREDIT_CARD", "IBAN",
    "BANK_ACCOUNT", "NATIONAL_ID", "MEDICAL_ID", "DRIVER_LICENSE", "PASSPORT", "IP_ADDRESS",
    "URL", "USERNAME",
}  # fmt: skip


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    with CORPUS.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_rows_have_the_bench_format(rows: list[dict[str, Any]]) -> None:
    assert 500 <= len(rows) <= 700
    for row in rows:
        assert set(row) == {"id", "text", "spans"}
        assert isinstance(row["id"], str)
        assert row["id"]
        assert isinstance(row["text"], str)
        assert row["text"].strip()
        for span in row["spans"]:
            assert set(span) == {"start", "end", "label"}


def test_ids_are_unique(rows: list[dict[str, Any]]) -> None:
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))


def test_spans_are_inside_text_non_empty_and_trimmed(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        text = row["text"]
        for span in row["spans"]:
            start, end = span["start"], span["end"]
            assert isinstance(start, int)
            assert isinstance(end, int)
            assert 0 <= start < end <= len(text), row["id"]
            value = text[start:end]
            assert value.strip(), row["id"]
            assert value == value.strip(), row["id"]


def test_labels_are_veil_entity_names(rows: list[dict[str, Any]]) -> None:
    labels = {span["label"] for row in rows for span in row["spans"]}
    assert labels <= ALLOWED
    assert labels == ALLOWED  # every type is represented at least once


def test_spans_do_not_overlap(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        spans = sorted((s["start"], s["end"]) for s in row["spans"])
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start, row["id"]


def test_conventions_titles_and_possessives_stay_outside(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        text = row["text"]
        for span in row["spans"]:
            if span["label"] != "PERSON":
                continue
            value = text[span["start"] : span["end"]]
            assert not re.match(r"(?i)(dr|mr|mrs|ms|prof)\.?\s", value), row["id"]
            assert not value.endswith("'s"), row["id"]


def test_about_a_third_are_negatives(rows: list[dict[str, Any]]) -> None:
    negatives = sum(1 for row in rows if not row["spans"])
    assert 0.2 <= negatives / len(rows) <= 0.4


def test_checksummed_values_validate(rows: list[dict[str, Any]]) -> None:
    luhn = pytest.importorskip("stdnum.luhn")
    iban = pytest.importorskip("stdnum.iban")
    for row in rows:
        for span in row["spans"]:
            value = row["text"][span["start"] : span["end"]]
            if span["label"] == "CREDIT_CARD":
                assert luhn.is_valid(re.sub(r"\D", "", value)), row["id"]
            elif span["label"] == "IBAN":
                assert iban.is_valid(value), row["id"]


@pytest.mark.slow  # needs the dev extra (Faker): python -m pytest -m slow tests/benchmarks_data
def test_regenerating_gives_byte_identical_output(tmp_path: Path) -> None:
    pytest.importorskip("faker")
    out = tmp_path / "chat_v1.jsonl"
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)], check=True, capture_output=True
    )
    assert out.read_bytes() == CORPUS.read_bytes()
