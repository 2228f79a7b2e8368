"""Where things are in a policy file: line numbers for key paths, and typed reads
that report each problem with the line it is on.

:mod:`tomllib` gives no positions for a valid document, so :class:`Lines` scans the
text once and maps every key path — ``[table]`` and ``[[array]]`` headers (with the
array's index), dotted keys, inline tables, array elements — to the 1-based line that
defines it. It assumes a document tomllib accepted; on a broken one it stops at the
first duplicate key or unterminated string and says where (tomllib reports those
"at end of document"). :class:`Reader` reads the decoded document with types checked
and records ``(line, problem)`` pairs; a problem's line is that of the longest
recorded prefix of its path.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Mapping
from typing import Any

from veil.errors import ConfigurationError

__all__ = ["NAME", "VERSION", "KeyPath", "Lines", "Reader", "decode"]

KeyPath = tuple[str | int, ...]
NAME = re.compile(r"[a-z][a-z0-9_-]{0,63}")
VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_BARE = re.compile(r"[A-Za-z0-9_-]+")
_AT = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)$")
_MAX_PROBLEMS = 25


class _ScanError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


class Lines:
    """Key path → 1-based line, for a TOML document (tolerant of a broken one: it
    stops at the first duplicate key or unterminated string and says where)."""

    def __init__(self, text: str) -> None:
        self.text, self.i, self.line = text, 0, 1
        self.lines: dict[KeyPath, int] = {}
        self._arrays: dict[KeyPath, int] = {}  # array-of-tables path → last index
        self._values: set[KeyPath] = set()

    def scan(self) -> None:
        table: KeyPath = ()
        while self._trivia():
            if self.text.startswith("[[", self.i):
                self._move(2)
                keys = self._key()
                base = (*self._resolve(keys[:-1]), keys[-1])
                index = self._arrays.get(base, -1) + 1
                self._arrays[base] = index
                table = (*base, index)
                self._mark(table, prefixes=True)
                self._move(2)
            elif self.text.startswith("[", self.i):
                self._move(1)
                table = self._resolve(self._key())
                self._mark(table, prefixes=True)
                self._move(1)
            else:
                self._keyval(table)

    def _resolve(self, keys: list[str]) -> KeyPath:
        path: KeyPath = ()
        for key in keys:
            path = (*path, key)
            if path in self._arrays:
                path = (*path, self._arrays[path])
        return path

    def _mark(self, path: KeyPath, *, prefixes: bool = False) -> None:
        self.lines[path] = self.line
        for n in range(1, len(path) if prefixes else 0):
            self.lines.setdefault(path[:n], self.line)

    def _move(self, n: int = 1) -> None:
        self.line += self.text.count("\n", self.i, self.i + n)
        self.i += n

    def _peek(self) -> str:
        return self.text[self.i : self.i + 1]

    def _blank(self) -> None:
        while self._peek() in (" ", "\t") and self._peek():
            self._move()

    def _trivia(self) -> bool:
        """Skip blanks, newlines and comments; False at the end of the text."""
        while self.i < len(self.text):
            c = self._peek()
            if c in " \t\r\n":
                self._move()
            elif c == "#":
                end = self.text.find("\n", self.i)
                self._move((len(self.text) if end < 0 else end) - self.i)
            else:
                return True
        return False

    def _key(self) -> list[str]:
        keys: list[str] = []
        while True:
            self._blank()
            if self._peek() in ('"', "'"):
                start = self.i
                self._string()
                keys.append(tomllib.loads(f"k = {self.text[start : self.i]}")["k"])
            else:
                match = _BARE.match(self.text, self.i)
                if match is None:
                    raise _ScanError(self.line, "expected a key")
                keys.append(match.group())
                self._move(match.end() - self.i)
            self._blank()
            if self._peek() != ".":
                return keys
            self._move()

    def _keyval(self, table: KeyPath) -> None:
        line, keys = self.line, self._key()
        path = (*table, *keys)
        if path in self._values:
            raise _ScanError(line, f"key '{'.'.join(keys)}' is defined twice")
        self._values.add(path)
        self._mark(path, prefixes=True)
        self._move(1)  # "="
        self._blank()
        self._value(path)

    def _value(self, path: KeyPath) -> None:
        c = self._peek()
        if c in ('"', "'"):
            self._string()
        elif c == "[":
            self._items(path, "]", "array")
        elif c == "{":
            self._items(path, "}", "inline table")
        else:
            while self._peek() not in (",", "]", "}", "#", "\n", ""):
                self._move()

    def _items(self, path: KeyPath, close: str, kind: str) -> None:
        """An array's elements or an inline table's pairs, up to ``close``."""
        opened, index = self.line, 0
        self._move()
        while True:
            # Arrays may span lines; inline tables may not, but a broken document
            # still ends the loop: every turn consumes text or raises.
            if not self._trivia():
                raise _ScanError(opened, f"unclosed {kind}")
            if self._peek() == close:
                self._move()
                return
            if close == "]":
                self.lines[(*path, index)] = self.line
                self._value((*path, index))
            else:
                self._keyval(path)
            if not self._trivia():
                raise _ScanError(opened, f"unclosed {kind}")
            if self._peek() == ",":
                self._move()
                index += 1
            elif self._peek() != close:
                raise _ScanError(self.line, f"expected ',' or '{close}' in {kind}")

    def _string(self) -> None:
        line, quote = self.line, self._peek()
        if self.text.startswith(quote * 3, self.i):
            self._move(3)
            end = self.i
            while True:
                end = self.text.find(quote * 3, end)
                if end < 0:
                    raise _ScanError(line, "unterminated string")
                if quote == "'" or not _escaped(self.text, end):
                    break
                end += 1
            run = 3
            while run < 5 and self.text.startswith(quote, end + run):
                run += 1  # up to two quotes may end the content itself
            self._move(end + run - self.i)
            return
        self._move()
        while (c := self._peek()) != quote:
            if c in ("\n", ""):
                raise _ScanError(line, "unterminated string")
            self._move(2 if c == "\\" and quote == '"' else 1)
        self._move()


def _escaped(text: str, at: int) -> bool:
    backslashes = len(text[:at]) - len(text[:at].rstrip("\\"))
    return backslashes % 2 == 1


def _syntax_error(text: str, origin: str, exc: tomllib.TOMLDecodeError) -> ConfigurationError:
    message = str(exc)
    match = _AT.search(message)
    reason = message[: match.start()] if match else message
    if match and match.group(1):
        line, where = int(match.group(1)), f" (column {match.group(2)})"
    else:
        scanner, line, where = Lines(text), text.count("\n") + 1, ""
        try:
            scanner.scan()
        except _ScanError as found:
            line, reason = found.line, str(found)
        except (IndexError, ValueError, tomllib.TOMLDecodeError):
            pass
    return ConfigurationError(f"{origin} line {line}: invalid TOML: {reason}{where}")


def decode(text: str, origin: str) -> tuple[dict[str, Any], Reader]:
    """The decoded document and a :class:`Reader` over it; a syntax error raises
    ConfigurationError naming the line (for duplicates and unterminated strings too)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(text, origin, exc) from None
    scanner = Lines(text)
    with contextlib.suppress(_ScanError, IndexError, ValueError, tomllib.TOMLDecodeError):
        scanner.scan()  # the document is valid; only lines past a scanner slip degrade
    return raw, Reader(origin, scanner.lines)


class Reader:
    """Typed reads from the decoded document; each problem is recorded with its line."""

    def __init__(self, origin: str, lines: Mapping[KeyPath, int]) -> None:
        self.origin, self.lines = origin, lines
        self.problems: list[tuple[int, str]] = []

    def fail(self, path: KeyPath, message: str) -> None:
        line = next(
            (self.lines[path[:n]] for n in range(len(path), 0, -1) if path[:n] in self.lines), 1
        )
        self.problems.append((line, message))

    def report(self) -> str:
        found = sorted(set(self.problems))
        lines = [f"{self.origin} line {line}: {message}" for line, message in found]
        if len(lines) > _MAX_PROBLEMS:
            lines[_MAX_PROBLEMS:] = [f"... and {len(lines) - _MAX_PROBLEMS} more problem(s)"]
        return "\n".join(lines)

    def table(
        self,
        raw: object,
        path: KeyPath,
        what: str,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
    ) -> dict[str, Any] | None:
        if not isinstance(raw, dict):
            self.fail(path, f"{what} must be a table")
            return None
        for key in raw:
            if key not in required and key not in optional:
                self.fail((*path, key), f"{what} has unknown key '{key}'")
        for key in required:
            if key not in raw:
                self.fail(path, f"{what} is missing required key '{key}'")
        return raw

    def text(
        self,
        raw: Mapping[str, Any],
        key: str,
        path: KeyPath,
        what: str,
        pattern: re.Pattern[str] | None = None,
    ) -> str | None:
        if key not in raw:
            return None
        value = raw[key]
        if not isinstance(value, str) or not value.strip():
            self.fail((*path, key), f"{what}: '{key}' must be a non-empty string")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.fail((*path, key), f"{what}: '{key}' must be letters, digits, '.', '_' or '-'")
            return None
        return value

    def flag(self, raw: Mapping[str, Any], key: str, path: KeyPath, what: str) -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            self.fail((*path, key), f"{what}: '{key}' must be true or false")
            return False
        return value

    def texts(
        self, raw: Mapping[str, Any], key: str, path: KeyPath, what: str, *, quote: bool = True
    ) -> list[tuple[KeyPath, str]]:
        """(element path, value) of a list of strings; wrong types and repeats are problems."""
        value, where = raw.get(key, []), (*path, key)
        if not isinstance(value, list):
            self.fail(where, f"{what}: '{key}' must be a list of strings")
            return []
        out: list[tuple[KeyPath, str]] = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.fail((*where, i), f"{what}: '{key}' item {i + 1} must be a non-empty string")
            elif item in (v for _, v in out):
                shown = f"'{item}'" if quote else f"item {i + 1}"
                self.fail((*where, i), f"{what} lists {shown} twice under '{key}'")
            else:
                out.append(((*where, i), item))
        return out

    def refs(
        self,
        raw: Mapping[str, Any],
        key: str,
        path: KeyPath,
        what: str,
        known: Mapping[str, object],
        kind: str,
    ) -> list[tuple[KeyPath, str]]:
        """Like :meth:`texts`, for names that must be declared elsewhere in the policy."""
        out = []
        for where, name in self.texts(raw, key, path, what):
            if name in known:
                out.append((where, name))
            else:
                self.fail(where, f"{what} names unknown {kind} '{name}'")
        return out

    def named(self, raw: object, section: str, what: str) -> list[tuple[str, KeyPath, object]]:
        """The entries of a table of named things (``[purposes.<name>]``), names checked."""
        if raw is None:
            return []
        if not isinstance(raw, dict) or not raw:
            self.fail((section,), f"'{section}' must be a non-empty table of {what} entries")
            return []
        out: list[tuple[str, KeyPath, object]] = []
        for name, body in raw.items():
            if NAME.fullmatch(name):
                out.append((name, (section, name), body))
            else:
                self.fail(
                    (section, name),
                    f"{what} name '{name}' must be lower-case letters, digits, '_' or '-'",
                )
        return out

    def array(self, raw: object, section: str) -> list[tuple[KeyPath, object]]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.fail((section,), f"'{section}' must be an array of tables ([[{section}]])")
            return []
        return [((section, i), body) for i, body in enumerate(raw)]
