"""Strict reading of contributor files, and where things are in them (line and column).

`read_json_strict` is layer 1 for JSON files: UTF-8 without BOM, well-formed JSON, no
duplicate keys, no NaN/Infinity, no lone surrogate escapes. It uses the C JSON parser (fast
for the usual case of a good file) with hooks that notice duplicates and non-finite
constants; only when something has to be located does it run the small scanner below.

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

from newscorpus.rules import LINE_BREAKS

JsonPath = tuple  # tuple[str | int, ...]

BOM = "\ufeff"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


LINE_BREAK_RE = re.compile(f"[{LINE_BREAKS}]")  # any one of rules.LINE_BREAKS


def line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """[a, b): the whole lines of `text` that hold [start, end), lines ending at any of
    rules.LINE_BREAKS (CR, U+2028 and U+2029 too, not only LF)."""
    a = text.rfind("\n", 0, start) + 1
    for other in LINE_BREAK_RE.finditer(text, a, start):  # a CR or U+2028 inside the LF-line
        a = other.end()
    after = LINE_BREAK_RE.search(text, end)
    return a, (after.start() if after else len(text))


def format_path(path: JsonPath) -> str:
    """('entities', 3, 'end') -> '$.entities[3].end' (the JSONPath form used in messages)."""
    out = ["$"]
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _IDENT.match(part):
            out.append(f".{part}")
        else:
            quoted = json.dumps(part, ensure_ascii=False)  # a lone surrogate in a key stays an escape:
            out.append("[" + quoted.encode("utf-8", "backslashreplace").decode("utf-8") + "]")  # printable
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

    kind: str  # "utf8" | "bom" | "syntax" | "duplicate" | "nonfinite" | "surrogate"
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


def _syntax_error(text: str, exc: json.JSONDecodeError) -> tuple[str, int, int]:
    """The decoder's message, plus what a person editing by hand most often did there: Python's
    "Expecting value" at a closing bracket means a trailing comma, which JSON does not allow."""
    message, line, column = f"JSON syntax error: {exc.msg}", exc.lineno, exc.colno
    here = text[exc.pos:exc.pos + 1]
    before = text[:exc.pos].rstrip()
    comma = None
    if exc.msg.startswith("Illegal trailing comma"):  # Python 3.13 names it itself
        comma = exc.pos if text[exc.pos:exc.pos + 1] == "," else len(before) - 1
        here = text[comma + 1:].lstrip()[:1]
    elif here in "}]" and here and before.endswith(",") and exc.msg.startswith(("Expecting value", "Expecting property name")):
        comma = len(before) - 1
    if comma is not None:
        line, column = LineIndex(text).line_col(comma)  # lines by "\n", as the decoder counts them
        return f"JSON syntax error: a comma before the closing {here!r} (JSON allows no trailing comma; delete it)", line, column
    if here == "'" and exc.msg.startswith(("Expecting value", "Expecting property name")):
        return f"{message} (JSON strings and keys take double quotes \", not single quotes ')", line, column
    if exc.msg.startswith("Expecting ',' delimiter"):
        if before.endswith('"') and here not in '"}],:' and here.strip():
            # a string closed and text goes on: a straight quotation mark inside the text
            return f'{message} (a " inside a string ends it: write it \\" or use curly quotes “ ”; the raw text decides which)', line, column
        return f"{message} (a comma is missing between two items, just before this place)", line, column
    return message, line, column


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
        message, line, column = _syntax_error(text, exc)
        return ReadResult(text=text, findings=[Finding("syntax", message, line, column)])
    except RecursionError:
        return ReadResult(text=text, findings=[Finding("syntax", "JSON syntax error: nested too deeply", 1, 1)])
    except ValueError as exc:  # e.g. an integer literal with more digits than Python allows
        return ReadResult(text=text, findings=[Finding("syntax", f"JSON value error: {exc}", 1, 1)])
    result = ReadResult(text=text, data=data_obj)
    lone = lone_surrogate_escapes(text)
    if duplicate_seen or nonfinite_seen or lone:
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
        if lone:
            result.findings.extend(_surrogate_findings(text, scan, lone))
        if not result.findings:  # the hooks saw something the scanner could not place
            result.findings.append(Finding("duplicate" if duplicate_seen else "nonfinite", "duplicate key or NaN/Infinity in the file", 1, 1))
    return result


# A \u escape of a UTF-16 surrogate (D800-DFFF); whether its backslash really starts an escape
# (and is not the second half of an escaped backslash, "\\ud800") is decided by counting.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def lone_surrogate_escapes(text: str) -> list[int]:
    """Offsets of the \\u escapes in `text` (JSON the parser accepted) that decode to a lone
    UTF-16 surrogate: a high one (D800-DBFF) not followed by a low one, or a low one
    (DC00-DFFF) not preceded by a high one. A valid pair such as \\ud83d\\ude00 is one
    character and is fine; an escaped backslash followed by ud800 is no escape at all.

    A lone surrogate can only come from such an escape (strict UTF-8 text holds none), and the
    canonical layout writes no escapes at all: for the usual file this is one regex search that
    finds nothing (about 4 us for an 11 kB annotation, where `"\\u" in text` takes 12 us: the
    C search for a two-character needle is slower than the regex's literal-prefix scan)."""
    first = _SURROGATE_ESCAPE.search(text)
    if first is None:
        return []
    found: list[int] = []
    paired_low = -1  # offset of the low half of the last valid pair
    for match in _SURROGATE_ESCAPE.finditer(text, first.start()):
        pos = match.start()
        if pos == paired_low:
            continue
        run = 1  # the backslash at pos starts an escape when the run of backslashes ending there is odd
        while pos - run >= 0 and text[pos - run] == "\\":
            run += 1
        if run % 2 == 0:
            continue
        code = int(text[pos + 2 : pos + 6], 16)
        if code < 0xDC00:
            after = _SURROGATE_ESCAPE.match(text, pos + 6)
            if after is not None and int(text[pos + 8 : pos + 12], 16) >= 0xDC00:
                paired_low = pos + 6
                continue
        found.append(pos)
    return found


def _string_starts(scan: "PositionIndex", text: str) -> tuple[list[int], list[tuple[JsonPath, bool]]]:
    """Start offsets of every string (key or value) in `scan`, sorted, with (path, is a key)."""
    starts = [(pos, path, False) for path, pos in scan.values.items() if text[pos] == '"']
    starts += [(pos, path, True) for path, pos in scan.keys.items()]
    starts.sort(key=lambda item: item[0])
    return [pos for pos, _, _ in starts], [(path, is_key) for _, path, is_key in starts]


def _surrogate_findings(text: str, scan: "PositionIndex", lone: list[int]) -> list[Finding]:
    offsets, strings = _string_starts(scan, text)
    findings = []
    for pos in lone:
        escape = text[pos : pos + 6]
        i = bisect.bisect_right(offsets, pos) - 1  # the string that holds the escape starts last before it
        if i >= 0 and _STRING.match(text, offsets[i]).end() > pos:
            path, is_key = strings[i]
        else:  # the scanner gave up before this string (nesting too deep): name no wrong path
            path, is_key = (), False
        high = int(escape[2:], 16) < 0xDC00
        half = (
            "a high surrogate (the first half of a UTF-16 pair) with no low half (\\udc00-\\udfff) right after it"
            if high
            else "a low surrogate (the second half of a UTF-16 pair) with no high half (\\ud800-\\udbff) right before it"
        )
        what = f"the key {format_path(path)}" if is_key else f"the string at {format_path(path)}" if path else "a string"
        line, col = scan.line_col(pos)
        findings.append(
            Finding(
                "surrogate",
                f"{what} has the escape {escape}, {half}: it stands for no character, so the file cannot be "
                "written as UTF-8 (`newscorpus fmt` and `newscorpus build` fail on it)",
                line,
                col,
                format_path(path),
            )
        )
    return findings


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

    def line_col(self, offset: int) -> tuple[int, int]:
        """(line, column) of a code-point offset into the text."""
        return self._lines.line_col(offset)

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
