"""Strict reading of contributor files, and where things are in them (line and column).

`read_json_strict` is layer 1 for JSON files: UTF-8 without BOM, well-formed JSON, no
duplicate keys, no NaN/Infinity. It uses the C JSON parser (fast for the usual case of a
good file) with hooks that notice duplicates and non-finite constants; only when something
has to be located does it run the small scanner below.

`PositionIndex` maps a JSON path (a tuple of keys and list indices) to the 1-based line and
column where that value starts, so a schema error at $.entities[3].end can name its line.
The index is built lazily, only for files that have something to report.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

JsonPath = tuple  # tuple[str | int, ...]

BOM = "\ufeff"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def format_path(path: JsonPath) -> str:
    """('entities', 3, 'end') -> '$.entities[3].end' (the JSONPath form used in messages)."""
    out = ["$"]
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _IDENT.match(part):
            out.append(f".{part}")
        else:
            out.append("[" + json.dumps(part, ensure_ascii=False) + "]")
    return "".join(out)


class LineIndex:
    """Offset (code points into a str, or bytes into a bytes) -> 1-based (line, column)."""

    def __init__(self, text: str | bytes):
        newline = b"\n" if isinstance(text, bytes) else "\n"
        starts = [0]
        find = text.find
        pos = find(newline)
        while pos != -1:
            starts.append(pos + 1)
            pos = find(newline, pos + 1)
        self._starts = starts

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def line_start(self, line: int) -> int:
        return self._starts[line - 1]


@dataclass
class Finding:
    """A layer-1 problem found while reading: which kind, where, and what."""

    kind: str  # "utf8" | "bom" | "syntax" | "duplicate" | "nonfinite"
    message: str
    line: int | None = None
    column: int | None = None
    json_path: str | None = None


@dataclass
class ReadResult:
    text: str | None = None
    data: Any = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def decode_utf8(data: bytes) -> tuple[str | None, list[Finding]]:
    """Strict UTF-8 decode; a BOM is a finding of its own (it would shift every offset)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return None, [Finding("bom", "the file starts with a UTF-8 byte-order mark (bytes EF BB BF)", 1, 1)]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line, col = LineIndex(data[: exc.start + 1]).line_col(exc.start)
        bad = data[exc.start : exc.start + 4].hex(" ")
        return None, [
            Finding(
                "utf8",
                f"invalid UTF-8 at byte {exc.start} (bytes {bad}): {exc.reason}",
                line,
                col,
            )
        ]


def read_json_strict(data: bytes) -> ReadResult:
    """Layer 1 for a JSON file's bytes."""
    text, findings = decode_utf8(data)
    if text is None:
        return ReadResult(findings=findings)
    duplicate_seen = False
    nonfinite_seen = False

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict:
        nonlocal duplicate_seen
        obj = dict(pairs)
        if len(obj) != len(pairs):
            duplicate_seen = True
        return obj

    def constant_hook(name: str) -> float:
        nonlocal nonfinite_seen
        nonfinite_seen = True
        return float(name.replace("Infinity", "inf"))

    try:
        data_obj = json.loads(text, object_pairs_hook=pairs_hook, parse_constant=constant_hook)
    except json.JSONDecodeError as exc:
        return ReadResult(text=text, findings=[Finding("syntax", f"JSON syntax error: {exc.msg}", exc.lineno, exc.colno)])
    except RecursionError:
        return ReadResult(text=text, findings=[Finding("syntax", "JSON syntax error: nested too deeply", 1, 1)])
    except ValueError as exc:  # e.g. an integer literal with more digits than Python allows
        return ReadResult(text=text, findings=[Finding("syntax", f"JSON value error: {exc}", 1, 1)])
    result = ReadResult(text=text, data=data_obj)
    if duplicate_seen or nonfinite_seen:
        scan = PositionIndex(text)
        for dup in scan.duplicates:
            first_line, first_col = dup.first
            result.findings.append(
                Finding(
                    "duplicate",
                    f"key {json.dumps(dup.key, ensure_ascii=False)} appears twice in the object at "
                    f"{format_path(dup.object_path)} (first at line {first_line}, column {first_col})",
                    dup.second[0],
                    dup.second[1],
                    format_path(dup.object_path + (dup.key,)),
                )
            )
        for path, token, (line, col) in scan.nonfinite:
            result.findings.append(
                Finding("nonfinite", f"{token} is not a JSON number (at {format_path(path)})", line, col, format_path(path))
            )
        if not result.findings:  # the hooks saw something the scanner could not place
            result.findings.append(Finding("duplicate" if duplicate_seen else "nonfinite", "duplicate key or NaN/Infinity in the file", 1, 1))
    return result


@dataclass
class _Duplicate:
    object_path: JsonPath
    key: str
    first: tuple[int, int]
    second: tuple[int, int]


_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_NUMBER = re.compile(r"-?(?:Infinity|NaN|(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)")
_LITERALS = ("true", "false", "null")


class PositionIndex:
    """JSON path -> (line, column) of the value there, for a text the JSON parser accepted."""

    def __init__(self, text: str):
        self._text = text
        self._lines = LineIndex(text)
        self.values: dict[JsonPath, int] = {}
        self.keys: dict[JsonPath, int] = {}
        self.duplicates: list[_Duplicate] = []
        self.nonfinite: list[tuple[JsonPath, str, tuple[int, int]]] = []
        try:
            self._value(_WS.match(text, 0).end(), ())
        except (RecursionError, IndexError, ValueError):
            pass  # positions found so far are still right; the rest falls back to ancestors

    def _value(self, pos: int, path: JsonPath) -> int:
        text = self._text
        self.values[path] = pos
        char = text[pos]
        if char == "{":
            seen: dict[str, int] = {}
            pos = _WS.match(text, pos + 1).end()
            if text[pos] == "}":
                return pos + 1
            while True:
                match = _STRING.match(text, pos)
                key = json.loads(match.group())
                key_pos = pos
                pos = _WS.match(text, match.end()).end() + 1  # skip ':'
                pos = _WS.match(text, pos).end()
                if key in seen:
                    self.duplicates.append(_Duplicate(path, key, self._lines.line_col(seen[key]), self._lines.line_col(key_pos)))
                else:
                    seen[key] = key_pos
                    self.keys[path + (key,)] = key_pos
                    pos = self._value(pos, path + (key,))
                    pos = _WS.match(text, pos).end()
                    if text[pos] == "}":
                        return pos + 1
                    pos = _WS.match(text, pos + 1).end()
                    continue
                # duplicate: scan the value without overwriting the first one's positions
                pos = self._value(pos, path + (key, "#duplicate"))
                pos = _WS.match(text, pos).end()
                if text[pos] == "}":
                    return pos + 1
                pos = _WS.match(text, pos + 1).end()
        if char == "[":
            index = 0
            pos = _WS.match(text, pos + 1).end()
            if text[pos] == "]":
                return pos + 1
            while True:
                pos = self._value(pos, path + (index,))
                index += 1
                pos = _WS.match(text, pos).end()
                if text[pos] == "]":
                    return pos + 1
                pos = _WS.match(text, pos + 1).end()
        if char == '"':
            return _STRING.match(text, pos).end()
        for literal in _LITERALS:
            if text.startswith(literal, pos):
                return pos + len(literal)
        match = _NUMBER.match(text, pos)
        token = match.group()
        if "Infinity" in token or "NaN" in token:
            self.nonfinite.append((path, token, self._lines.line_col(pos)))
        return match.end()

    def locate(self, path: JsonPath, key: bool = False) -> tuple[int | None, int | None]:
        """(line, column) of the value at `path`, or of its nearest ancestor that exists."""
        path = tuple(path)
        if key and path in self.keys:
            return self._lines.line_col(self.keys[path])
        while True:
            if path in self.values:
                return self._lines.line_col(self.values[path])
            if not path:
                return None, None
            path = path[:-1]
