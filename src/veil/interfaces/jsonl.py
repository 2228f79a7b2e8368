"""JSON Lines input that never loses a good row to a bad one.

Each line is decoded on its own: invalid UTF-8, invalid JSON, a wrong shape or a
lone surrogate yields a :class:`~veil.errors.MalformedInputError` naming the line
(never quoting it), and reading goes on with the next line. Callers decide whether
a bad line refuses the whole run (``--strict``) or is reported and skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from veil.errors import MalformedInputError
from veil.evaluation import GoldSpan, LabeledText

__all__ = ["Row", "read_rows"]

_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_LINE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    id: str
    text: str
    raw: dict[str, Any]


def read_rows(
    stream: IO[bytes], *, jsonl: bool = True, labeled: bool = False
) -> Iterator[Row | MalformedInputError]:
    """Yield a :class:`Row` per input line, or the error that line caused.

    With ``jsonl=False`` every line is a text and its id is its line number.
    """
    for number, raw_line in enumerate(stream, start=1):
        if len(raw_line) > MAX_LINE_BYTES:
            yield MalformedInputError(f"line longer than {MAX_LINE_BYTES} bytes", line=number)
            continue
        try:
            line = raw_line.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield MalformedInputError(f"invalid UTF-8 at byte {exc.start}", line=number)
            continue
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        if not jsonl:
            yield Row(number, str(number), line, {})
            continue
        try:
            yield _parse(number, line, labeled=labeled)
        except MalformedInputError as exc:
            yield exc


def _parse(number: int, line: str, *, labeled: bool) -> Row:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise MalformedInputError(f"invalid JSON at column {exc.colno}", line=number) from None
    except RecursionError:
        raise MalformedInputError("JSON nested too deeply", line=number) from None
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        raise MalformedInputError('expected an object with a string "text"', line=number)
    match = _SURROGATE.search(obj["text"])
    if match:
        raise MalformedInputError(
            f"text contains a lone surrogate at offset {match.start()}", line=number
        )
    row_id = obj.get("id", number)
    if not isinstance(row_id, str | int) or isinstance(row_id, bool):
        raise MalformedInputError('"id" must be a string or an integer', line=number)
    if labeled:
        _spans(obj, number)
    return Row(number, str(row_id), obj["text"], obj)


def _spans(obj: dict[str, Any], number: int) -> tuple[GoldSpan, ...]:
    spans = obj.get("spans", [])
    if not isinstance(spans, list):
        raise MalformedInputError('"spans" must be a list', line=number)
    out = []
    size = len(obj["text"])
    for i, span in enumerate(spans):
        try:
            start, end, label = span["start"], span["end"], span["label"]
        except (TypeError, KeyError):
            raise MalformedInputError(f"span {i} needs start, end and label", line=number) from None
        if not (isinstance(start, int) and isinstance(end, int) and isinstance(label, str)):
            raise MalformedInputError(f"span {i} has wrong field types", line=number)
        if not 0 <= start <= end <= size:
            raise MalformedInputError(f"span {i} is outside the text", line=number)
        out.append(GoldSpan(start, end, label))
    return tuple(out)


def labeled(row: Row) -> LabeledText:
    """The gold-labeled view of a row read with ``labeled=True``."""
    return LabeledText(row.id, row.text, _spans(row.raw, row.line))
