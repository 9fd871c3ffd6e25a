"""Reading and writing JSON the way the corpus needs it: atomically, and in one canonical layout.

Canonical layout: keys in the order the schema declares them, lists of spans sorted by offset
with one span per line, two-space indentation elsewhere, UTF-8 without escapes, final newline,
and a whole number written as an integer (`4500`, not `4500.0`: JSON has one number type, and
the dataset's float64 columns give back the integer form).
One span per line means a pull-request diff shows exactly which span an annotator changed, and
every span has its own line number for error messages.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, fsync, then rename: readers never see half a file."""
    atomic_write_chunks(path, [data])


def atomic_write_chunks(path: Path, chunks: Iterable[bytes]) -> None:
    """atomic_write_bytes for output made piece by piece (a large report need not fit in memory).

    A symbolic link is written through, as a plain open() would: its target is replaced (the
    temporary file is made beside the target, so the rename stays on one file system) and the
    link stays a link. On any error the temporary file is removed and `path` is as it was."""
    path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.chmod(tmp_name, _mode_for(path))  # mkstemp makes 0600; keep the file readable as before
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:  # already gone, or the folder refuses: the original error is the one to report
            pass
        raise


def _mode_for(path: Path) -> int:
    """The existing file's permissions, else what a plain open() would give under the umask."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def _resolve_local(node: dict, root_schema: dict) -> dict:
    """Follow local '#/$defs/...' references; cross-file references carry no key order we need."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/") and seen < 16:
        target: Any = root_schema
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
        seen += 1
    return node


def _object_schema(node: dict | None, root_schema: dict) -> dict | None:
    if not isinstance(node, dict):
        return None
    node = _resolve_local(node, root_schema)
    if "properties" in node:
        return node
    for branch in node.get("oneOf", []) + node.get("anyOf", []):
        found = _object_schema(branch, root_schema)
        if found is not None:
            return found
    return None


def _ordered(value: Any, node: dict | None, root_schema: dict) -> Any:
    """Rebuild dicts with schema-declared key order (unknown keys last, sorted)."""
    obj_schema = _object_schema(node, root_schema) if node is not None else None
    if isinstance(value, dict):
        props = obj_schema.get("properties", {}) if obj_schema else {}
        keys = [k for k in props if k in value] + sorted(k for k in value if k not in props)
        return {k: _ordered(value[k], props.get(k), root_schema) for k in keys}
    if isinstance(value, list):
        items = None
        if isinstance(node, dict):
            resolved = _resolve_local(node, root_schema)
            items = resolved.get("items")
        return [_ordered(v, items, root_schema) for v in value]
    return value


_EXACT_INT = 2**53  # the largest integers a float holds exactly


def canonical_number(value: Any) -> Any:
    """A float with a whole value as the int it equals; anything else as it is."""
    if type(value) is float and value.is_integer() and -_EXACT_INT <= value <= _EXACT_INT:
        return int(value)
    return value


def canonical_numbers(value: Any) -> Any:
    """`value` with canonical_number applied at every leaf."""
    if isinstance(value, dict):
        return {k: canonical_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical_numbers(v) for v in value]
    return canonical_number(value)


def is_whole_number(value: Any) -> bool:
    """An int, or a float that the canonical layout writes as one (1169.0): a span list whose
    offsets are written so is laid out as a span list, so that one `fmt` run makes it canonical."""
    return isinstance(value, int) or (type(value) is float and canonical_number(value) is not value)


def _is_span_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and is_whole_number(v.get("start")) and is_whole_number(v.get("end")) for v in value)
    )


def _span_sort_key(span: dict) -> tuple:
    return (span["start"], span["end"], str(span.get("id", "")))


# One encoder for every call: json.dumps with options builds a new encoder each time, and the
# canonical-layout check serialises every span of every file.
_ONE_LINE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), allow_nan=False)
_KEY = json.JSONEncoder(ensure_ascii=False)


try:  # the C encoder called directly: JSONEncoder.encode builds a new one on every call
    from json.encoder import c_make_encoder as _c_make_encoder, encode_basestring as _encode_str

    _ONE_LINE_C = _c_make_encoder(None, _ONE_LINE.default, _encode_str, None, ": ", ", ", False, False, False)
except (ImportError, TypeError):  # no C accelerator (or another signature): the plain encoder
    _ONE_LINE_C = None


def _one_line(value: Any) -> str:
    if _ONE_LINE_C is None or isinstance(value, str):
        return _ONE_LINE.encode(value)
    return "".join(_ONE_LINE_C(value, 0))


def one_line(value: Any) -> str:
    """`value` on one line exactly as the canonical layout writes a span (`newscorpus span` prints it)."""
    return _one_line(value)


def canonical_dumps(data: Any, schema: dict | None = None) -> str:
    """Serialise `data` in the canonical layout described above."""
    data = _ordered(data, schema, schema or {}) if schema else data
    return _dump(data, 0) + "\n"


def _dump(value: Any, level: int) -> str:
    pad = "  " * (level + 1)
    close = "  " * level
    if isinstance(value, dict) and value:
        parts = [f"{pad}{_KEY.encode(k)}: {_dump(v, level + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(parts) + "\n" + close + "}"
    if _is_span_list(value):
        spans = sorted(value, key=_span_sort_key)
        return "[\n" + ",\n".join(f"{pad}{_one_line(canonical_numbers(s))}" for s in spans) + "\n" + close + "]"
    if isinstance(value, list) and value and any(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(f"{pad}{_dump(v, level + 1)}" for v in value) + "\n" + close + "]"
    return _one_line(canonical_numbers(value))


def load_json_file(path: Path) -> Any:
    """Plain strict load for trusted internal files; contributor files go through the validator."""
    return json.loads(Path(path).read_bytes().decode("utf-8"))
