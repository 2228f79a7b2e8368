import io

from veil.errors import MalformedInputError
from veil.interfaces.jsonl import Row, labeled, read_rows

CANARY = "canary-7f3a@example.org"


def rows(data: bytes, **kw: bool) -> list[Row | MalformedInputError]:
    return list(read_rows(io.BytesIO(data), **kw))


def test_good_and_bad_lines_are_reported_by_line_without_content() -> None:
    data = b"\n".join(
        [
            b'{"id": "a", "text": "hello"}',
            b'{"id": "b", "text": "' + CANARY.encode() + b'"',  # broken JSON
            b'{"id": "c", "text": "\xff\xfe ' + CANARY.encode() + b'"}',  # invalid UTF-8
            b'{"id": "d", "text": "x\\udc80 ' + CANARY.encode() + b'"}',  # lone surrogate
            b'["not", "an", "object"]',
            b"",
            b'{"id": 7, "text": "world"}',
        ]
    )
    out = rows(data)
    assert [r.id for r in out if isinstance(r, Row)] == ["a", "7"]
    errors = [r for r in out if isinstance(r, MalformedInputError)]
    assert [e.line for e in errors] == [2, 3, 4, 5]
    assert all(CANARY not in str(e) for e in errors)
    assert "surrogate" in str(errors[2])


def test_plain_lines() -> None:
    out = rows(b"first\nsecond\r\n", jsonl=False)
    assert [(r.id, r.text) for r in out if isinstance(r, Row)] == [("1", "first"), ("2", "second")]


def test_labeled_rows_validate_spans() -> None:
    out = rows(
        b'{"id":"x","text":"abc","spans":[{"start":0,"end":9,"label":"PERSON"}]}', labeled=True
    )
    assert isinstance(out[0], MalformedInputError)
    assert "outside" in str(out[0])
    good = rows(
        b'{"id":"x","text":"abc","spans":[{"start":0,"end":3,"label":"PERSON"}]}', labeled=True
    )
    assert isinstance(good[0], Row)
    assert labeled(good[0]).spans[0].label == "PERSON"


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    out = rows(b"[" * 100_000 + b"]" * 100_000)
    assert isinstance(out[0], MalformedInputError)
