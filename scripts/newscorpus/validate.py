"""`newscorpus validate`: check raw files, metadata, annotations and corpus files.

Every finding is a `Diagnostic` with a stable rule code from `newscorpus.rules`. Checks run
in layers per file (L1 file, L2 schema, L3 spans, L4 references, L5 values; L6 corpus
pairing and hashes); a file that fails a layer is not checked by the later ones, so one
mistake does not cascade into a hundred errors.

Per-document work is `validate_document(root, doc_id)` (and `validate_pass_document` for
an annotation pass): a pure, picklable top-level function, run in a process pool for big
corpora. Results are sorted, so the output is byte-identical whatever `--jobs` is.

This module must stay light to import: it never imports datasets, pandas or pyarrow, and
it imports jsonschema (the reference engine, which writes the messages) only when the fast
engine (jsonschema_rs) rejects a file or is not installed.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import difflib
import gc
import hashlib
import json
import operator
import os
import re
import shlex
import signal
import stat
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, islice, repeat
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from newscorpus import __version__, values
from newscorpus.corpus import (
    ANNOTATED_DIR,
    ANNOTATION_SUFFIX,
    META_SUFFIX,
    PASSES_DIR,
    PUBLISHED_PROSE,
    RAW_DIR,
    RAW_SUFFIX,
    REGISTRY_FILE,
    SPLITS_FILE,
    SPLITS_REL,
    REGISTRY_REL,
    CorpusNotFound,
    CorpusPaths,
    annotation_rel,
    find_root,
    meta_rel,
    raw_rel,
    registry_rel,
    source_problem,
)
from newscorpus import jsonio as _jsonio
from newscorpus.jsonio import atomic_write_chunks
from newscorpus.model import CorpusReport, Diagnostic, DocumentResult
from newscorpus.positions import PositionIndex, decode_utf8, format_path, line_bounds, read_json_strict
from newscorpus.rules import CURRENCY_UNIT_PATTERN, FILE_SIZE_LIMITS, KIND_UNITS, MAX_EXACT_INT, RULES
from newscorpus.spec import SCHEMA_DIR, SCHEMA_FILES, VOCABULARY_REL, SchemaFileError, load_schemas, schema_document_problems
from newscorpus.spill import SpillList

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
ENGINE_ENV = "NEWSCORPUS_SCHEMA_ENGINE"  # auto (default) | rs | jsonschema
ENGINES = ("auto", "rs", "jsonschema")
POOL_MIN_TASKS = 64  # below this many documents a process pool costs more than it saves
SPAN_LAYERS = ("entities", "quotes", "dates", "numeric_claims")  # annotated layers (zones apart)
SCHEMA_KIND = {"annotation": "annotation", "metadata": "metadata", "registry": "entity_registry", "splits": "splits"}
ALLOWED_EXTRA_FILES = frozenset({".gitkeep", ".gitattributes"})


class UsageError(Exception):
    """A usage or environment problem (bad path, no corpus): exit code 2."""


# =============================================================================== report


@dataclass
class ValidationReport(CorpusReport):
    """`CorpusReport` plus annotation passes and the corpus-level files that were checked."""

    root: str = ""
    strict: bool = False
    whole_corpus: bool = False
    passes: dict[str, list[DocumentResult]] = field(default_factory=dict)  # annotator -> results
    corpus_files: dict[str, str | None] = field(default_factory=dict)  # registry/splits path -> sha256
    ignored: list[str] = field(default_factory=list)  # targets that are not corpus files
    # every document's findings, gathered as results arrive: the results themselves may be on
    # disk (SpillList), and findings are few where documents are many
    document_diagnostics: list[Diagnostic] = field(default_factory=list)
    not_run: dict[str, tuple[str, ...]] = field(default_factory=dict)  # file -> checks skipped (few: files with errors)

    def add_result(self, result: DocumentResult, annotator: str | None = None) -> None:
        """File a document's result: gold (annotator None) or one annotator's pass."""
        self.document_diagnostics.extend(result.diagnostics)
        self.not_run.update(result.not_run)
        if annotator is None:
            self.documents.append(result)
        else:
            self.passes.setdefault(annotator, []).append(result)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        found = set(self.corpus_diagnostics)
        found.update(self.document_diagnostics)
        return sorted(found, key=Diagnostic.sort_key)

    def ok(self, strict: bool | None = None) -> bool:
        strict = self.strict if strict is None else strict
        return not any(d.fails(strict) for d in self.diagnostics)

    def exit_code(self) -> int:
        return EXIT_OK if self.ok() else EXIT_INVALID


# =============================================================================== one file


def _q(text: Any, limit: int = 80) -> str:
    """A string shown in a message: quoted, escapes visible, long ones shortened."""
    if not isinstance(text, str):
        text = json.dumps(text, ensure_ascii=False, default=str)[: limit * 2]
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    if len(text) > limit:
        half = limit // 2 - 2
        text = text[:half] + " … " + text[-half:]
    shown = json.dumps(text, ensure_ascii=False)
    return shown.encode("utf-8", "backslashreplace").decode("utf-8")


# The checks of a file in the order they run; one stage's errors stop the ones after it (the
# layout check, a warning, also waits for a file without errors; it is not listed).
CHECK_STAGES: dict[str, tuple[str, ...]] = {
    "annotation": ("schema (L2)", "spans (L3)", "references (L4)", "values (L5)"),
    "metadata": ("schema (L2)", "sizes (L6)", "title and evidence spans (L3)", "publisher link (L4)", "dates (L5)"),
}


class _File:
    """One file under check: its content, its diagnostics, and where its JSON paths are."""

    def __init__(self, rel: str, kind: str):
        self.rel = rel
        self.kind = kind  # raw | metadata | annotation | registry | splits
        self.bytes: bytes | None = None
        self.text: str | None = None
        self.data: Any = None
        self.sha256: str | None = None
        self.diagnostics: list[Diagnostic] = []
        self._index: PositionIndex | None = None
        self.not_run: tuple[str, ...] = ()  # checks skipped because an earlier layer failed

    def stop_before(self, stage: str) -> None:
        """Record that the checks from `stage` on (in CHECK_STAGES[kind]) did not run."""
        stages = CHECK_STAGES[self.kind]
        self.not_run = stages[stages.index(stage):]

    def index(self) -> PositionIndex | None:
        if self._index is None and self.text is not None and self.kind != "raw":
            self._index = PositionIndex(self.text)
        return self._index

    def add(
        self,
        code: str,
        message: str,
        path: tuple | None = None,
        *,
        line: int | None = None,
        column: int | None = None,
        json_path: str | None = None,
        span: tuple[int, int] | None = None,
        hint: str | None = None,
        key: bool = False,
    ) -> None:
        if path is not None:
            json_path = format_path(path)
            if line is None and self.index() is not None:
                line, column = self.index().locate(path, key=key)
        self.diagnostics.append(
            Diagnostic(
                code=code,
                severity=RULES[code].severity,
                path=self.rel,
                message=message,
                line=line,
                column=column,
                json_path=json_path,
                span=span,
                hint=hint,
            )
        )

    def error_count(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "error")


def _read_bytes(root: Path, f: _File) -> bytes | None:
    path = os.path.join(root, f.rel)  # a str path: pathlib's objects cost more than the read
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            f.add("L1-unreadable", f"{f.rel} is not a regular file (a directory or a special file)", line=1)
            return None
        limit = FILE_SIZE_LIMITS[f.kind]
        if info.st_size > limit:
            f.add(
                "L1-file-too-large",
                f"{f.rel} is {info.st_size:,} bytes; a {f.kind} file may be at most {limit:,} bytes",
                line=1,
            )
            return None
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        f.add("L1-unreadable", f"{f.rel} cannot be read: {exc.strerror or exc}", line=1)
        return None
    if not data:
        f.add("L1-empty-file", f"{f.rel} is empty", line=1)
        return None
    f.bytes = data
    f.sha256 = hashlib.sha256(data).hexdigest()
    return data


_FINDING_CODES = {
    "utf8": "L1-not-utf8",
    "bom": "L1-bom",
    "syntax": "L1-json-syntax",
    "duplicate": "L1-duplicate-key",
    "nonfinite": "L1-nan-infinity",
    "surrogate": "L1-lone-surrogate",
}
_FINDING_HINTS = {
    "syntax": "fix the file at that place, then run `newscorpus fmt` for the canonical layout",
    "surrogate": "write the character itself instead of the escape (an emoji written as escapes needs both "
    "halves, e.g. \\ud83d\\ude00), or delete the escape if it is debris from a copy and paste",
}


def _load_raw(root: Path, f: _File) -> bool:
    data = _read_bytes(root, f)
    if data is None:
        return False
    text, findings = decode_utf8(data)
    for finding in findings:
        f.add(_FINDING_CODES[finding.kind], finding.message, line=finding.line, column=finding.column)
    f.text = text
    return text is not None


def _load_json(root: Path, f: _File) -> bool:
    data = _read_bytes(root, f)
    if data is None:
        return False
    result = read_json_strict(data)
    f.text = result.text
    for finding in result.findings:
        f.add(
            _FINDING_CODES[finding.kind],
            finding.message,
            line=finding.line,
            column=finding.column,
            json_path=finding.json_path,
            hint=_FINDING_HINTS.get(finding.kind),
        )
    if result.findings:
        return False
    f.data = result.data
    return True


# =============================================================================== L2 schema


def schema_engine() -> str:
    """The schema engine chosen by NEWSCORPUS_SCHEMA_ENGINE: auto, rs or jsonschema."""
    value = os.environ.get(ENGINE_ENV, "auto").strip().lower() or "auto"
    aliases = {"reference": "jsonschema", "jsonschema-rs": "rs", "jsonschema_rs": "rs", "fast": "rs"}
    value = aliases.get(value, value)
    return value if value in ENGINES else "auto"


@lru_cache(maxsize=32)
def _rs_validator(root: str, kind: str):
    """A compiled jsonschema_rs validator, or None when the package is not installed."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    try:
        docs = load_schemas(Path(root)).documents
        registry = jsonschema_rs.Registry([(doc["$id"], doc) for doc in docs.values()])
        return jsonschema_rs.validator_for(docs[kind], registry=registry)
    except Exception:  # a schema the fast engine cannot compile: the reference engine decides
        return None


@lru_cache(maxsize=32)
def _reference_validator(root: str, kind: str):
    from jsonschema import Draft202012Validator

    schemas = load_schemas(Path(root))
    return Draft202012Validator(schemas.documents[kind], registry=schemas.registry)


def fast_engine_available(root: str | Path) -> bool:
    return _rs_validator(str(Path(root)), "annotation") is not None


def _schema_valid_quick(root: Path, kind: str, data: Any) -> bool:
    """Yes/no: does `data` match the schema? (fast engine when allowed, else the reference)."""
    if schema_engine() != "jsonschema":
        validator = _rs_validator(str(root), kind)
        if validator is not None:
            try:
                if validator.is_valid(data):
                    return True
            except Exception:
                pass
    return not any(True for _ in _reference_validator(str(root), kind).iter_errors(data))


def _path_key(path: Iterable) -> tuple:
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in path)


def _leaf_error(error):
    """For oneOf/anyOf failures, the sub-error that best says what is wrong."""
    from jsonschema.exceptions import best_match

    while error.context:
        branch_errors = list(error.context)
        types = [e for e in branch_errors if e.validator == "type" and list(e.absolute_path) == list(error.absolute_path)]
        if len(types) == len(branch_errors):
            return error  # every branch wants another type: say so once
        non_type = [e for e in branch_errors if not (e.validator == "type" and list(e.absolute_path) == list(error.absolute_path))]
        error = best_match(non_type or branch_errors)
    return error


def _vocabulary_def_for_enum(root: Path, enum: list) -> str | None:
    defs = load_schemas(root).documents["vocabulary"].get("$defs", {})
    for name, node in defs.items():
        if isinstance(node, dict) and node.get("enum") == enum:
            return name
    return None


def _schema_message(root: Path, error) -> tuple[str, str, str | None]:
    """(code, message, hint) for one jsonschema error."""
    where = format_path(error.absolute_path)
    validator = error.validator
    instance = error.instance
    if validator == "enum":
        name = _vocabulary_def_for_enum(root, list(error.validator_value))
        allowed = ", ".join(str(v) for v in error.validator_value)
        near = difflib.get_close_matches(str(instance), [str(v) for v in error.validator_value], n=1, cutoff=0.5)
        hint = f"did you mean {_q(near[0])}?" if near else None
        if name:
            return (
                "L2-unknown-label",
                f"{_q(instance)} at {where} is not a {name} of schema/vocabulary.schema.json (allowed: {allowed})",
                hint,
            )
        return "L2-schema", f"{_q(instance)} at {where} is not one of: {allowed}", hint
    if validator == "required":
        missing = [k for k in error.validator_value if isinstance(instance, dict) and k not in instance]
        whose = "the file" if where == "$" else where
        return "L2-schema", f"{whose} is missing the required key{'s' if len(missing) > 1 else ''} {', '.join(_q(k) for k in missing)}", _labels_hint(root, error.schema, missing)
    if validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extra = sorted(k for k in instance if k not in allowed) if isinstance(instance, dict) else []
        hints = []
        for key in extra:
            near = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            if near:
                hints.append(f"{_q(key)} -> {_q(near[0])}?")
        return (
            "L2-schema",
            f"{where} has unexpected key{'s' if len(extra) > 1 else ''} {', '.join(_q(k) for k in extra)} (allowed: {', '.join(allowed)})",
            ("did you mean " + "; ".join(hints)) if hints else None,
        )
    if validator == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return "L2-schema", f"{where} must be {' or '.join(wanted)}, not {_json_type(instance)} {_q(instance, 40)}", None
    if validator in ("oneOf", "anyOf") and error.context:
        wanted = sorted({str(e.validator_value) for e in error.context if e.validator == "type"})
        return "L2-schema", f"{where} must be one of: {', '.join(wanted)}; got {_json_type(instance)} {_q(instance, 40)}", None
    if validator == "pattern":
        return "L2-schema", f"{_q(instance)} at {where} does not match the pattern {error.validator_value}", _form_hint(error.schema)
    if validator == "const":
        return "L2-schema", f"{where} must be {_q(error.validator_value)}, not {_q(instance, 40)}", None
    message = error.message
    if len(message) > 300:
        message = message[:297] + "..."
    return "L2-schema", f"{where}: {message}", None


def _form_hint(node: Any) -> str | None:
    """What a patterned string looks like, from its schema node's description and examples (the
    schema is the one place the form is written down)."""
    if not isinstance(node, dict):
        return None
    parts = [node["description"]] if isinstance(node.get("description"), str) else []
    examples = [e for e in node.get("examples", ()) if isinstance(e, str)]
    if examples:
        parts.append("for example " + ", ".join(_q(e) for e in examples[:3]))
    return "; ".join(parts) or None


def _labels_hint(root: Path, node: Any, keys: list[str]) -> str | None:
    """The labels a missing key takes, when it is a label set of the vocabulary (what a
    contributor filling a skeleton from `newscorpus new` needs next)."""
    props = node.get("properties", {}) if isinstance(node, dict) else {}
    schemas = load_schemas(root)
    prefix = schemas.documents["vocabulary"].get("$id", "") + "#/$defs/"
    found = []
    for key in keys:
        ref = props.get(key, {}).get("$ref", "") if isinstance(props.get(key), dict) else ""
        name = ref[len(prefix):] if ref.startswith(prefix) else None
        labels = schemas.vocabulary.enums.get(name) if name else None
        if labels:
            found.append(f"{_q(key)} is one of {', '.join(labels)} ({name} in {VOCABULARY_REL})")
        elif _allows_null(props.get(key)):
            found.append(f'write "{key}": null where the text has none')
    return "; ".join(found) or None


def _allows_null(node: Any) -> bool:
    """Whether a property's schema takes null (`"type": [..., "null"]` or a null branch of oneOf)."""
    if not isinstance(node, dict):
        return False
    kinds = node.get("type")
    if kinds == "null" or (isinstance(kinds, list) and "null" in kinds):
        return True
    return any(_allows_null(branch) for branch in [*node.get("oneOf", ()), *node.get("anyOf", ())])


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _check_schema(root: Path, f: _File) -> bool:
    kind = SCHEMA_KIND[f.kind]
    if schema_engine() != "jsonschema":
        validator = _rs_validator(str(root), kind)
        if validator is not None:
            try:
                if validator.is_valid(f.data):
                    return True
            except Exception:
                pass  # e.g. a lone surrogate the fast engine cannot take: ask the reference
    errors = sorted(
        _reference_validator(str(root), kind).iter_errors(f.data),
        key=lambda e: (_path_key(e.absolute_path), str(e.validator), e.message),
    )
    for error in errors:
        leaf = _leaf_error(error)
        code, message, hint = _schema_message(root, leaf)
        ident = _item_id(f.data, leaf.absolute_path)
        if ident and leaf.absolute_path and leaf.absolute_path[-1] == "id":
            ident = None  # the finding is about the id itself, which it quotes
        f.add(code, f"{ident}: {message}" if ident else message, tuple(leaf.absolute_path), hint=hint)
    return not errors


_LOCAL_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")  # a span id (q4) or a registry id (ntv): safe to print unquoted


def _item_id(data: Any, path: Iterable) -> str | None:
    """The `id` of the innermost list item on `path` ("q4" for $.quotes[3].kind), the name a
    contributor knows the item by; None when there is none."""
    found, node = None, data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(part, int) and isinstance(node, dict) and isinstance(node.get("id"), str) and _LOCAL_ID.fullmatch(node["id"]):
            found = node["id"]  # only a well-formed id: a malformed one is quoted where it is reported
    return found


_START_END = operator.itemgetter("start", "end")
_INT_TYPES = frozenset({int, bool})  # what isinstance(x, int) accepts among JSON values
_ONE_LINE_C = _jsonio._ONE_LINE_C


class _KeyOrder:
    """jsonio's canonical layout with each schema node resolved once, not once per value.

    `canonical_bytes` equals `jsonio.canonical_dumps(data, schema)` (a test checks it); the
    canonical-layout warning runs on every file, so this is the validator's hottest path. Most
    files are canonical already, so a value whose keys are in order is used as it is, not copied."""

    def __init__(self, schema: dict):
        self.schema = schema
        self._props: dict[int, dict] = {}
        self._items: dict[int, Any] = {}
        self._orders: dict[tuple, tuple[list[str], bool]] = {}  # (props id, keys as found) -> order

    def props(self, node: Any) -> dict:
        key = id(node)
        if key not in self._props:
            found = _jsonio._object_schema(node, self.schema) if node is not None else None
            self._props[key] = found.get("properties", {}) if found else {}
        return self._props[key]

    def items(self, node: Any) -> Any:
        key = id(node)
        if key not in self._items:
            self._items[key] = _jsonio._resolve_local(node, self.schema).get("items") if isinstance(node, dict) else None
        return self._items[key]

    def _key_order(self, props: dict, value: dict | tuple) -> tuple[list[str], bool]:
        found = tuple(value)  # a dict's keys in file order (or those keys already as a tuple)
        memo = (id(props), found)
        if memo not in self._orders:
            keys = [k for k in props if k in value] + sorted(k for k in value if k not in props)
            self._orders[memo] = (keys, tuple(keys) == found)
        return self._orders[memo]

    def ordered(self, value: Any, node: Any) -> Any:
        """`value` with schema key order; the very same object when it is in that order already."""
        if isinstance(value, dict):
            props = self.props(node)
            keys, in_order = self._key_order(props, value)
            changed: dict | None = None
            for k in keys:
                v = value[k]
                if isinstance(v, (dict, list)):
                    new = self.ordered(v, props.get(k))
                elif type(v) is float:
                    new = _jsonio.canonical_number(v)
                else:
                    continue
                if new is not v:
                    changed = changed or {}
                    changed[k] = new
            if in_order and changed is None:
                return value
            return {k: changed[k] if changed and k in changed else value[k] for k in keys}
        if isinstance(value, list):
            items = self.items(node)
            out = [self.ordered(v, items) if isinstance(v, (dict, list)) else _jsonio.canonical_number(v) for v in value]
            return value if all(a is b for a, b in zip(out, value)) else out
        return value

    def _emit(self, value: Any, node: Any, level: int) -> str:
        """jsonio._dump of the ordered value, ordering as it goes (no ordered copy of the file)."""
        if isinstance(value, dict) and value:
            props = self.props(node)
            keys, _ = self._key_order(props, value)
            pad = "  " * (level + 1)
            parts = [f"{pad}{_jsonio._KEY.encode(k)}: {self._emit(value[k], props.get(k), level + 1)}" for k in keys]
            return "{\n" + ",\n".join(parts) + "\n" + "  " * level + "}"
        if isinstance(value, list) and value:
            items = self.items(node)
            pad = "  " * (level + 1)
            lines = self._span_lines(value, items)
            if lines is not None:
                return "[\n" + pad + (",\n" + pad).join(lines) + "\n" + "  " * level + "]"
            if any(isinstance(v, (dict, list)) for v in value):
                return "[\n" + ",\n".join(f"{pad}{self._emit(v, items, level + 1)}" for v in value) + "\n" + "  " * level + "]"
        return _jsonio._one_line(_jsonio.canonical_numbers(value))

    def _span_lines(self, value: list, items: Any) -> list[str] | None:
        """A span list's one-line items in canonical order, or None if `value` is not a span
        list (jsonio._is_span_list). A document holds about a hundred spans and nearly every
        file is canonical: for spans already sorted and in key order (inner dicts too), the loops
        run in C (map, sorted, the C JSON encoder); anything else takes the general path."""
        try:
            bounds = list(map(_START_END, value))
        except (TypeError, KeyError):  # an item that is not a dict with "start" and "end"
            return None
        offset_types = set(map(type, chain.from_iterable(bounds)))
        if not offset_types <= _INT_TYPES and not (offset_types <= _INT_TYPES | {float} and all(map(_jsonio.is_whole_number, chain.from_iterable(bounds)))):
            return None
        props = self.props(items)
        value_types = set(map(type, chain.from_iterable(map(dict.values, value))))
        in_order = all(self._key_order(props, keys)[1] for keys in set(map(tuple, value)))
        if in_order and not value_types.isdisjoint((dict, list)):
            in_order = list not in value_types and self._inner_dicts_in_order(value, props)
        if in_order and float in value_types:  # a whole number written 4500.0 is not canonical
            in_order = not any(type(v) is float and v is not _jsonio.canonical_number(v) for span in value for v in span.values())
        if in_order and _ONE_LINE_C is not None and len(set(bounds)) == len(bounds) and bounds == sorted(bounds):
            # sorted with no two spans at the same offsets: the canonical order (which breaks
            # ties by id) is the file's order
            return list(map("".join, map(_ONE_LINE_C, value, repeat(0))))
        spans = sorted(value, key=_jsonio._span_sort_key)
        return [_jsonio._one_line(self.ordered(s, items)) for s in spans]

    def _inner_dicts_in_order(self, spans: list[dict], props: dict) -> bool:
        """Whether every dict inside these spans (a quote's speaker, cue, intermediary) is flat
        and in key order, so that encoding the span as it is gives its canonical line."""
        for span in spans:
            for key, inner in span.items():
                if type(inner) is dict:
                    if not self._key_order(self.props(props.get(key)), inner)[1]:
                        return False
                    if not set(map(type, inner.values())).isdisjoint((dict, list, float)):  # float: maybe 4.0
                        return False
        return True

    def canonical_bytes(self, data: Any) -> bytes:
        return (self._emit(data, self.schema, 0) + "\n").encode("utf-8")


@lru_cache(maxsize=32)
def _key_order(root: str, kind: str) -> _KeyOrder:
    return _KeyOrder(load_schemas(Path(root)).documents[kind])


def canonical_bytes(root: str | Path, kind: str, data: Any) -> bytes:
    """The canonical layout of `data` for schema `kind` (annotation, metadata, entity_registry, splits)."""
    return _key_order(str(Path(root)), kind).canonical_bytes(data)


def _check_canonical(root: Path, f: _File) -> None:
    try:
        expected = canonical_bytes(root, SCHEMA_KIND[f.kind], f.data)
    except (ValueError, TypeError, UnicodeEncodeError):
        return  # not representable (a lone surrogate, a non-finite number): other rules report it
    if expected == f.bytes:
        return
    have = (f.text or "").split("\n")
    want = expected.decode("utf-8").split("\n")
    line = next((i + 1 for i, (a, b) in enumerate(zip(have, want)) if a != b), min(len(have), len(want)))
    f.add(
        "L1-not-canonical",
        f"{f.rel} is not in canonical layout (first difference at line {line})",
        line=line,
        column=1,
        hint=f"run `newscorpus fmt {f.rel}` (content is not changed)",
    )


# =============================================================================== registry


@dataclass(frozen=True)
class RegistryState:
    rel: str
    exists: bool
    diagnostics: tuple[Diagnostic, ...]
    labels: dict[str, str] | None  # id -> label; None when the registry is missing or invalid
    data: Any
    sha256: str | None
    text: str | None = None


def _stat_key(path: str | Path) -> tuple | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def registry_state(root: Path, rel: str) -> RegistryState:
    """Check a registry file (L1, L2, canonical layout, unique ids); cached per process."""
    return _registry_state(str(root), rel, _stat_key(os.path.join(root, rel)))


@lru_cache(maxsize=64)
def _registry_state(root_s: str, rel: str, key: tuple | None) -> RegistryState:
    root = Path(root_s)
    if key is None:
        return RegistryState(rel, False, (), None, None, None, None)
    f = _File(rel, "registry")
    labels = None
    if _load_json(root, f) and _check_schema(root, f):
        seen: dict[str, int] = {}
        for i, entry in enumerate(f.data.get("entities", [])):
            eid = entry["id"]
            if eid in seen:
                f.add("L4-duplicate-id", f"registry id {_q(eid)} is used twice (entities[{seen[eid]}] and entities[{i}])", ("entities", i, "id"))
            else:
                seen[eid] = i
        if not f.error_count():
            labels = _RegistryLabels(f.data["entities"])
            _check_canonical(root, f)
    return RegistryState(rel, True, tuple(f.diagnostics), labels, f.data, f.sha256, f.text if labels is not None else None)


class _RegistryLabels(dict):
    """id -> label, as a plain dict; also which ids each name or alias spells (case-folded),
    so that an unknown id can be answered with the entry its mention's own spelling names."""

    def __init__(self, entries: list[dict]):
        super().__init__((entry["id"], entry["label"]) for entry in entries)
        self.spelled: dict[str, list[str]] = {}
        for entry in entries:
            for name in (entry.get("name"), *(entry.get("aliases") or ())):
                if isinstance(name, str):
                    ids = self.spelled.setdefault(name.casefold(), [])
                    if entry["id"] not in ids:
                        ids.append(entry["id"])


def _registry_rel_for(root: Path, annotator: str | None) -> str:
    if annotator is not None:
        own = registry_rel(annotator)
        if (root / own).is_file():
            return own
    return REGISTRY_REL


def _suggest_ids(eid: str, labels: dict[str, str]) -> str | None:
    candidates = labels.keys()
    if len(labels) > 5000:
        candidates = [k for k in labels if k[:3] == eid[:3]]
    near = difflib.get_close_matches(eid, list(candidates), n=3, cutoff=0.6)
    return ("did you mean " + " or ".join(_q(n) for n in near) + "?") if near else None


# =============================================================================== L3 spans


@dataclass
class _Span:
    layer: str  # zones | entities | quotes | dates | numeric_claims | speaker | cue | intermediary | title | evidence
    path: tuple
    obj: dict
    ident: str  # "e3" or "q2 speaker" for messages
    owner: dict | None = None  # a quote's speaker, cue or intermediary: the quote, whose note speaks for them

    @property
    def noted(self) -> dict:
        """The object whose `note` speaks for this span (sub-spans have none of their own)."""
        return self.owner if self.owner is not None else self.obj

    @property
    def start(self) -> int:
        return self.obj["start"]

    @property
    def end(self) -> int:
        return self.obj["end"]

    def label(self) -> str:
        return f"{self.ident} {_q(self.obj.get('text', ''), 40)} [{self.obj.get('start')}, {self.obj.get('end')})"


def _annotation_spans(data: dict) -> list[_Span]:
    spans: list[_Span] = []
    for layer in ("zones",) + SPAN_LAYERS:
        for i, obj in enumerate(data.get(layer, [])):
            spans.append(_Span(layer, (layer, i), obj, obj.get("id", f"{layer}[{i}]")))
    for i, quote in enumerate(data.get("quotes", [])):
        for role in ("speaker", "cue", "intermediary"):
            sub = quote.get(role)
            if isinstance(sub, dict):
                spans.append(_Span(role, ("quotes", i, role), sub, f"{quote.get('id', f'quotes[{i}]')} {role}", quote))
    return spans


def _metadata_spans(data: dict) -> list[_Span]:
    spans = [_Span("title", ("title",), data["title"], "title")]
    for i, obj in enumerate(data.get("publication_date", {}).get("evidence", [])):
        spans.append(_Span("evidence", ("publication_date", "evidence", i), obj, f"evidence[{i}]"))
    return spans


_QUOTE_MARKS = {'"', "'", "“", "”", "‘", "’", "«", "»", "„", "‚", "‹", "›", "「", "」"}
_ABBREVIATION = re.compile(r"(?:(?:^|[^A-Za-z])(?:[A-Za-z]\.){2,}|\b(?:Inc|Co|Corp|Ltd|Jr|Sr|St|Dr|Mr|Mrs|Ms|No|Gen|Col|Lt|Sgt|Gov|Sen|Rep|Prof)\.)$")
_PUNCT_ALLOWED = set("%‰#&@*/°")


def _is_punct(char: str) -> bool:
    return unicodedata.category(char).startswith("P") and char not in _PUNCT_ALLOWED


def _nearest_occurrence(raw: str, needle: str, start: int) -> int | None:
    best, pos = None, raw.find(needle)
    while pos != -1:
        if best is None or abs(pos - start) < abs(best - start):
            best = pos
        if pos > start and best is not None and pos - start > abs(best - start):
            break
        pos = raw.find(needle, pos + 1)
    return best


_QUOTE_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"', "\u00a0": " "})


def _mismatch_hint(raw: str, start: int, end: int, stated: str) -> str:
    found = _nearest_occurrence(raw, stated, start)
    if found is not None:
        hint = f"did you mean start={found}, end={found + len(stated)}? {_q(stated, 40)} occurs there"
        if stated != stated.strip():
            lead = len(stated) - len(stated.lstrip())
            hint += f" (without its surrounding whitespace, which no span holds: start={found + lead}, end={found + lead + len(stated.strip())})"
        delta = found - start
        if delta:
            hint += f" ({abs(delta)} code point{'s' if abs(delta) != 1 else ''} {'later' if delta > 0 else 'earlier'})"
        byte_start = len(raw[:found].encode("utf-8"))
        utf16_start = len(raw[:found].encode("utf-16-le")) // 2
        if start != found and start == byte_start:
            hint += "; the stated offsets are UTF-8 byte offsets, but offsets count Unicode code points"
        elif start != found and start == utf16_start:
            hint += "; the stated offsets count UTF-16 code units (JavaScript string positions), but offsets count Unicode code points"
        return hint
    folded = _nearest_occurrence(raw.translate(_QUOTE_FOLD), stated.translate(_QUOTE_FOLD), start)
    if folded is not None:
        actual = raw[folded : folded + len(stated)]
        return (
            f"the raw text at start={folded}, end={folded + len(stated)} reads {_q(actual, 40)}: it differs only in "
            "quotation marks, apostrophes or spaces (curly ’ “ ” vs straight ' \"); copy the text from the raw file"
        )
    composed = unicodedata.normalize("NFC", stated)
    actual = raw[start:end] if 0 <= start < end <= len(raw) else ""
    if composed != stated and actual != composed and raw[start:start + len(composed)] == composed:  # offsets counted in the decomposed text
        return (f"this span's text is decomposed (NFD: a letter plus a combining accent) and the raw text composed (NFC): "
                f"the raw text at start={start}, end={start + len(composed)} reads {_q(composed, 40)}; copy the text from the raw file "
                "and count offsets in it, since they count the raw file's own code points")
    if actual and unicodedata.normalize("NFC", actual) == composed:
        return ("the two texts differ only in Unicode normalisation: one has composed characters (NFC: 'é' is one code point), "
                "the other decomposed ones (NFD: 'e' plus a combining accent); copy the text from the raw file as it is, "
                "since offsets count the raw file's own code points")
    i = next((i for i, (a, b) in enumerate(zip(actual, stated)) if a != b), None) if len(actual) == len(stated) else None
    if i is not None:
        return (f"the texts differ first at the span's character {i + 1} (offset {start + i}): the raw text has {_q(actual[i])} (U+{ord(actual[i]):04X}), "
                f"this span {_q(stated[i])} (U+{ord(stated[i]):04X}); copy the text from the raw file")
    return "the stated text occurs nowhere in the raw file: copy it from the raw file, and check that the raw file has not changed"


def _in_word(char: str) -> bool:
    """A letter or digit, or a combining mark (which belongs to the letter before it: a span
    ending between `e` and U+0301 cuts the word as much as one ending inside it)."""
    return char.isalnum() or (not char.isspace() and unicodedata.category(char)[0] == "M")


def _word_at(raw: str, i: int) -> str:
    lo, hi = i, i + 1
    while lo > 0 and _in_word(raw[lo - 1]):
        lo -= 1
    while hi < len(raw) and _in_word(raw[hi]):
        hi += 1
    return raw[lo:hi]


_LEADING_THE = re.compile(r"[Tt]he\s+")
_POSSESSIVE = re.compile(r"[’']s$")


def _boundary_cut(text: str) -> tuple[int, int]:
    """How many code points a leading "the " and a trailing possessive ’s take at the edges of
    an entity mention's text (guidelines section 2 leaves both out of the span)."""
    lead = _LEADING_THE.match(text)
    return (lead.end() if lead else 0), (2 if _POSSESSIVE.search(text) else 0)


def _check_entity_boundary(f: _File, s: _Span, start: int, end: int, stated: str) -> None:
    """Guidelines section 2: the name without a leading "the" and without the possessive ’s."""
    lead, tail = _boundary_cut(stated)
    if not (lead or tail) or len(stated) - lead - tail <= 0:
        return
    if _acknowledged(s.noted, "L3-entity-boundary"):
        return
    parts = ([f"starts with {_q(stated[:lead].rstrip())}"] if lead else []) + ([f"ends with the possessive {_q(stated[-tail:])}"] if tail else [])
    new_start, new_end = start + lead, end - tail
    f.add(
        "L3-entity-boundary",
        f"{s.ident}: entity span {_q(stated)} {' and '.join(parts)}; the span is the name as written, without {'them' if lead and tail else 'it'} (guidelines section 2)",
        s.path,
        span=(start, end),
        hint=f"use start={new_start}, end={new_end} ({_q(stated[new_start - start:new_end - start])}); if the name itself holds "
             f"{'them' if lead and tail else 'it'} (The Hague, McDonald’s), say so in the mention's note, naming L3-entity-boundary",
    )


def _name_inside(text: str) -> str:
    """The mention's text without a leading "the" and a possessive ’s (what section 2 spans)."""
    lead, tail = _boundary_cut(text)
    return text[lead:max(lead, len(text) - tail)]


def _acknowledged(span: dict, code: str) -> bool:
    """A warning the annotator has weighed and kept: the span's `note` names its rule code and
    says why (guidelines section 0). Naming the code, not just having a note, keeps a note
    written about something else from hiding the warning."""
    note = span.get("note")
    return isinstance(note, str) and code in note


def _ends_open_quote_paragraph(raw: str, end: int, stated: str) -> bool:
    """A direct quote that opens with a quotation mark and runs to the end of its line: a quoted
    paragraph the next one continues, whose closing mark news style leaves out (guidelines §3).
    That the next quote does continue it is L5-quote-kind-marks' check."""
    return stated[0] in values.OPENING_MARKS and stated[-1] not in values.CLOSING_MARKS and _at_line_end(raw, end)


_DIGITS_AND_PERIOD = re.compile(r"[0-9]+\.")


def _incise_parts(raw: str, quotes: Any) -> tuple[set[str], set[str]]:
    """Direct quotes that an attribution set inside the quotation marks splits in two (the French
    and Spanish incise: « Ankara tiendra parole, a-t-il dit, mais nous attendons des gestes. »,
    guidelines section 3): (ids that may end without a closing mark, ids that may start without
    an opening one). Two quotes in a row qualify when they have the same cue and it lies between
    them, the first opens without closing, the second closes without opening, and no quotation
    mark stands between them."""
    direct = sorted(
        (q for q in quotes if isinstance(q, dict) and q.get("kind") == "direct" and isinstance(q.get("text"), str) and q["text"]
         and isinstance(q.get("start"), int) and isinstance(q.get("end"), int) and isinstance(q.get("cue"), dict)),
        key=lambda q: q["start"],
    ) if isinstance(quotes, list) else []
    ends: set[str] = set()
    starts: set[str] = set()
    for first, second in zip(direct, direct[1:]):
        cue = first["cue"]
        if (cue.get("start"), cue.get("end")) != (second["cue"].get("start"), second["cue"].get("end")):
            continue
        if not (isinstance(cue.get("start"), int) and isinstance(cue.get("end"), int) and first["end"] <= cue["start"] < cue["end"] <= second["start"]):
            continue
        a, b = first["text"], second["text"]
        if a[0] in values.OPENING_MARKS and a[-1] not in values.CLOSING_MARKS and b[0] not in values.OPENING_MARKS and b[-1] in values.CLOSING_MARKS \
                and not values.QUOTING_MARKS.intersection(raw[first["end"]:second["start"]]):
            ends.add(first["id"])
            starts.add(second["id"])
    return ends, starts


def _at_line_end(raw: str, end: int) -> bool:
    while end < len(raw) and raw[end] in " \t":
        end += 1
    return end == len(raw) or raw[end] in "\r\n"


def _check_spans_basic(f: _File, raw: str, spans: list[_Span], punctuation: bool) -> list[_Span]:
    """Per-span checks; returns the spans that passed them (only those enter overlap checks)."""
    good: list[_Span] = []
    n = len(raw)
    incise_ends = _incise_parts(raw, f.data.get("quotes"))[0] if punctuation and isinstance(f.data, dict) else set()
    for s in spans:
        start, end, stated = s.obj.get("start"), s.obj.get("end"), s.obj.get("text", "")
        bad_offset = [k for k, v in (("start", start), ("end", end)) if not isinstance(v, int) or isinstance(v, bool)]
        if bad_offset:
            f.add(
                "L3-offset-not-integer",
                f"{s.ident}: {bad_offset[0]} is {_q(s.obj.get(bad_offset[0]))}; offsets are whole numbers of code points",
                s.path + (bad_offset[0],),
                hint=f"write {bad_offset[0]} as an integer, e.g. {int(s.obj.get(bad_offset[0]))}" if isinstance(s.obj.get(bad_offset[0]), float) and s.obj.get(bad_offset[0]).is_integer() else None,
            )
            continue
        if not 0 <= start < end <= n:
            why = "start must be less than end" if start >= end else f"the raw text has {n} code points"
            found = _nearest_occurrence(raw, stated, start) if isinstance(stated, str) and stated else None
            f.add("L3-span-out-of-range", f"{s.ident}: offsets [{start}, {end}) are out of range: {why}", s.path, span=(start, end),
                  hint=f"did you mean start={found}, end={found + len(stated)}? {_q(stated, 40)} occurs there" if found is not None else None)
            continue
        actual = raw[start:end]
        if actual != stated:
            f.add(
                "L3-span-text-mismatch",
                f"{s.ident}: text {_q(stated)} is not the raw text at [{start}, {end}), which is {_q(actual)}",
                s.path,
                span=(start, end),
                hint=_mismatch_hint(raw, start, end, stated),
            )
            continue
        if stated[0].isspace() or stated[-1].isspace():
            inner = stated.strip()
            lead = len(stated) - len(stated.lstrip())
            f.add(
                "L3-span-whitespace",
                f"{s.ident}: span {_q(stated)} has {'leading' if stated[0].isspace() else 'trailing'} whitespace",
                s.path,
                span=(start, end),
                hint=f"use start={start + lead}, end={start + lead + len(inner)}" if inner else None,
            )
            continue
        if punctuation and ((start > 0 and _in_word(raw[start - 1]) and _in_word(stated[0])) or (end < n and _in_word(raw[end]) and _in_word(stated[-1]))) \
                and not _acknowledged(s.noted, "L3-span-partial-word"):
            cut_start = start > 0 and _in_word(raw[start - 1]) and _in_word(stated[0])
            f.add(
                "L3-span-partial-word",
                f"{s.ident}: span {_q(stated)} {'starts' if cut_start else 'ends'} inside the word {_q(_word_at(raw, start if cut_start else end - 1))}",
                s.path,
                span=(start, end),
                hint=f"move the span's {'start' if cut_start else 'end'} to the word's edge (`newscorpus span` prints a span's offsets); if the word really is cut, say why in the {_note_of(s)}, naming L3-span-partial-word",
            )
        if s.layer == "entities":
            _check_entity_boundary(f, s, start, end, stated)
        if punctuation:
            edge = None
            quote_kind = s.obj.get("kind") if s.layer == "quotes" else None
            for char, where in ((stated[0], "starts"), (stated[-1], "ends")):
                if not _is_punct(char):
                    continue
                if quote_kind in ("direct", "mixed") and char in _QUOTE_MARKS:
                    continue
                if where == "ends" and char == "." and _ABBREVIATION.search(stated):
                    continue
                if where == "ends" and quote_kind == "direct" and (_ends_open_quote_paragraph(raw, end, stated) or s.obj.get("id") in incise_ends):
                    continue  # its closing mark left out (news style) or after an incise: the stop is inside the quotation
                if where == "ends" and char == "." and s.layer == "numeric_claims" and s.obj.get("kind") == "ordinal" and _DIGITS_AND_PERIOD.fullmatch(stated):
                    continue  # an ordinal written with a period (German, Danish, Czech, ...: "zum 3. Mal")
                edge = (char, where)
                break
            if edge and not _acknowledged(s.noted, "L3-span-punctuation"):
                f.add(
                    "L3-span-punctuation",
                    f"{s.ident}: span {_q(stated)} {edge[1]} with punctuation {_q(edge[0])}",
                    s.path,
                    span=(start, end),
                    hint=_punctuation_hint(raw, start, end, edge, quote_kind, _note_of(s)),
                )
        good.append(s)
    return good


def _check_layer_overlaps(f: _File, spans: list[_Span]) -> None:
    """Within one layer: no duplicates, no crossing, no nesting (guidelines section 6)."""
    counts = Counter((s.start, s.end) for s in spans)
    first_at: dict[tuple[int, int], _Span] = {}
    unique: list[_Span] = []
    for s in sorted(spans, key=lambda s: (s.start, s.end, s.path)):
        key = (s.start, s.end)
        if counts[key] > 1 and key in first_at:
            f.add("L3-duplicate-span", f"{s.label()} has the same offsets as {first_at[key].ident}", s.path, span=key)
            continue
        first_at[key] = s
        unique.append(s)
    outer: _Span | None = None
    for s in sorted(unique, key=lambda s: (s.start, -s.end, s.path)):
        if outer is not None and s.start < outer.end:
            if s.end <= outer.end:
                f.add("L3-span-nested", f"{s.label()} lies inside {outer.label()}", s.path, span=(s.start, s.end))
            else:
                f.add("L3-span-crossing", f"{s.label()} crosses {outer.label()}", s.path, span=(s.start, s.end))
        if outer is None or s.end > outer.end:
            outer = s


def _check_zones(f: _File, raw: str, zones: list[_Span], complete: bool) -> list[_Span] | None:
    """Zone overlap, coverage and whole lines; returns zones sorted when they are sound."""
    ordered = sorted(zones, key=lambda z: (z.start, z.end, z.path))
    sound = complete
    previous: _Span | None = None
    for z in ordered:
        if previous is not None and z.start < previous.end:
            f.add("L3-zone-overlap", f"zone {z.label()} overlaps zone {previous.label()}", z.path, span=(z.start, z.end))
            sound = False
        if previous is None or z.end > previous.end:
            previous = z
    if not sound:
        return None
    cursor = 0
    for z in ordered + [None]:
        gap_end = z.start if z is not None else len(raw)
        gap = raw[cursor:gap_end]
        if gap.strip():
            sound = False
            first = cursor + (len(gap) - len(gap.lstrip()))
            last = cursor + len(gap.rstrip())
            where = f"before zone {z.ident}" if z is not None else "after the last zone"
            path = z.path if z is not None else ("zones",)
            f.add(
                "L3-zone-gap",
                f"text {_q(raw[first:last], 60)} at [{first}, {last}) ({where}) is in no zone",
                path,
                span=(first, last),
                hint="extend a neighbouring zone or add a zone (type boilerplate for site furniture)",
            )
        if z is not None:
            cursor = z.end
    for z in ordered:
        line_start, line_end = line_bounds(raw, z.start, z.end)
        if raw[line_start : z.start].strip() or raw[z.end : line_end].strip():
            f.add(
                "L3-zone-partial-line",
                f"zone {z.label()} {'starts' if raw[line_start:z.start].strip() else 'ends'} in the middle of a line",
                z.path,
                span=(z.start, z.end),
            )
    return ordered if sound else None


def _check_in_zones(f: _File, zones: list[_Span], spans: list[_Span]) -> None:
    starts = [z.start for z in zones]
    for s in spans:
        i = bisect.bisect_right(starts, s.start) - 1
        home = zones[i] if i >= 0 and s.start < zones[i].end else None
        if home is not None and s.end <= home.end:
            if home.obj.get("type") == "boilerplate":
                f.add("L3-span-in-boilerplate", f"{s.label()} lies in boilerplate zone {home.ident}", s.path, span=(s.start, s.end),
                      hint=f"boilerplate is never annotated (guidelines section 1): delete the span, or, if {home.ident} is part of the article, give it its type")
            continue
        j = max(i, 0)
        touched = []
        while j < len(zones) and zones[j].start < s.end:
            if zones[j].end > s.start:
                touched.append(zones[j])
            j += 1
        boiler = [z for z in touched if z.obj.get("type") == "boilerplate"]
        if boiler:
            f.add("L3-span-in-boilerplate", f"{s.label()} reaches into boilerplate zone {boiler[0].ident}", s.path, span=(s.start, s.end))
        else:
            names = ", ".join(z.ident for z in touched) or "no zone"
            f.add("L3-span-zone-boundary", f"{s.label()} is not inside one zone (it touches {names})", s.path, span=(s.start, s.end))


def _check_annotation_spans(f: _File, raw: str) -> bool:
    data = f.data
    spans = _annotation_spans(data)
    before = f.error_count()
    good = _check_spans_basic(f, raw, [s for s in spans if s.layer == "zones"], punctuation=False)
    good_zones_complete = len(good) == len(data.get("zones", []))
    good_spans = _check_spans_basic(f, raw, [s for s in spans if s.layer != "zones"], punctuation=True)
    zones = _check_zones(f, raw, good, good_zones_complete)
    for layer in SPAN_LAYERS:
        _check_layer_overlaps(f, [s for s in good_spans if s.layer == layer])
    if zones is not None:
        _check_in_zones(f, zones, good_spans)
    return f.error_count() == before


# =============================================================================== L4 references


def _local_ids(data: dict) -> dict[str, tuple[str, int]]:
    ids: dict[str, tuple[str, int]] = {}
    for layer in ("zones",) + SPAN_LAYERS:
        for i, obj in enumerate(data.get(layer, [])):
            ids.setdefault(obj["id"], (layer, i))
    return ids


def _overlaps(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def _id_hint(eid: str, labels: dict[str, str], text: Any) -> str | None:
    """The ids close to the unknown one, or, when they miss it, the entries the mention's own
    spelling is a name or alias of (ATA -> ankara-transit-agency)."""
    near = _suggest_ids(eid, labels)
    spelled = getattr(labels, "spelled", {}).get(text.casefold(), []) if isinstance(text, str) else []
    if spelled and not (near and all(_q(i) in near for i in spelled)):
        return f"the registry spells {_q(text)} as {' or '.join(_q(i) for i in spelled)}: did you mean that id?"
    return near


def _check_entity_link(f: _File, labels: dict[str, str] | None, eid: str | None, path: tuple, who: str, text: Any = None) -> None:
    """`text`: how the mention (speaker, publisher) is spelled, for the hint."""
    if labels is None or eid is None or eid in labels:
        return
    f.add(
        "L4-unknown-entity-id",
        f"{who}: entity id {_q(eid)} is not in the entity registry",
        path,
        hint=_id_hint(eid, labels, text) or ("add an entry to the registry first: `newscorpus entity NAME` searches it, and "
                                           "`newscorpus entity NAME --add --label LABEL --description \"…\" --alias SPELLING` adds one"
                                           if not f.rel.startswith(f"{ANNOTATED_DIR}/{PASSES_DIR}/") else "add an entry to the registry first (id, label, name, description, aliases)"),
    )


def _check_annotation_refs(f: _File, labels: dict[str, str] | None) -> bool:
    data = f.data
    before = f.error_count()
    seen: dict[str, tuple] = {}
    for layer in ("zones",) + SPAN_LAYERS:
        for i, obj in enumerate(data.get(layer, [])):
            ident = obj["id"]
            if ident in seen:
                f.add("L4-duplicate-id", f"id {_q(ident)} is used twice in this file (also at {format_path(seen[ident])})", (layer, i, "id"))
            else:
                seen[ident] = (layer, i)
    if f.error_count() == before:
        for layer in ("zones",) + SPAN_LAYERS:
            items = sorted(data.get(layer, []), key=lambda o: (o["start"], o["end"]))
            numbers = [int(o["id"][1:]) for o in items]
            for prev, cur, obj in zip(numbers, numbers[1:], items[1:]):
                if cur < prev:
                    index = next(i for i, o in enumerate(data[layer]) if o is obj)
                    f.add("L4-id-order", f"{layer}: {obj['id']} comes after {obj['id'][0]}{prev} in the text but has a lower number", (layer, index, "id"),
                          hint=f"`newscorpus fmt --renumber {f.rel}` numbers the ids in text order and updates every date_id, quote_id and continues that names them")
                    break
    entity_at: dict[tuple[int, int], dict] = {}
    for i, ent in enumerate(data.get("entities", [])):
        entity_at.setdefault((ent["start"], ent["end"]), ent)
        _check_entity_link(f, labels, ent["entity_id"], ("entities", i, "entity_id"), ent["id"], ent.get("text"))
        if labels is not None and ent["entity_id"] in labels and labels[ent["entity_id"]] != ent["label"]:
            f.add(
                "L4-entity-label-mismatch",
                f"{ent['id']} {_q(ent['text'], 40)} is labelled {ent['label']} but its entity {_q(ent['entity_id'])} is {labels[ent['entity_id']]} in the registry",
                ("entities", i, "label"),
                hint="fix the label or link the mention to the right entity",
            )
    quotes = data.get("quotes", [])
    quote_by_id = {q["id"]: q for q in quotes}
    for i, quote in enumerate(quotes):
        qid = quote["id"]
        speaker, speaker_eid = quote["speaker"], quote["speaker_entity_id"]
        if speaker is None and speaker_eid is not None:
            f.add(
                "L4-speaker-null-mismatch",
                f"{qid}: speaker is null but speaker_entity_id is {_q(speaker_eid)}",
                ("quotes", i, "speaker_entity_id"),
                hint="an unnamed source has a null speaker and a null speaker_entity_id; a named source has a speaker span",
            )
        _check_entity_link(f, labels, speaker_eid, ("quotes", i, "speaker_entity_id"), f"{qid} speaker", (speaker or {}).get("text"))
        intermediary = quote["intermediary"]
        if intermediary is not None:
            _check_entity_link(f, labels, intermediary.get("entity_id"), ("quotes", i, "intermediary", "entity_id"), f"{qid} intermediary",
                               intermediary.get("text"))
        cue = quote["cue"]
        if _overlaps(cue, quote) and speaker is None:
            f.add("L4-sourceless-cue-inside-content", f"{qid}: cue {_q(cue['text'], 30)} [{cue['start']}, {cue['end']}) lies inside the content of a quote with no speaker: a hedge, not a quote; delete the quote", ("quotes", i, "cue"))
        elif _overlaps(cue, quote):
            f.add("L4-cue-inside-content", f"{qid}: cue {_q(cue['text'], 30)} [{cue['start']}, {cue['end']}) lies inside the quote's content [{quote['start']}, {quote['end']})", ("quotes", i, "cue"))
        if speaker is not None and _overlaps(speaker, quote):
            f.add("L4-speaker-inside-content", f"{qid}: speaker {_q(speaker['text'], 30)} [{speaker['start']}, {speaker['end']}) lies inside the quote's content [{quote['start']}, {quote['end']})", ("quotes", i, "speaker"))
        for role, sub, linked in (("speaker", speaker, speaker_eid), ("intermediary", intermediary, intermediary.get("entity_id") if intermediary else None)):
            if sub is None:
                continue
            mention = entity_at.get((sub["start"], sub["end"]))
            if mention is not None and (role == "intermediary" or linked is not None) and mention["entity_id"] != linked:
                f.add(
                    "L4-link-conflict",
                    f"{qid}: the {role} {_q(sub['text'], 30)} links to {_q(linked) if linked else 'null'}, but the entity mention {mention['id']} at the same span links to {_q(mention['entity_id'])}",
                    ("quotes", i, "speaker_entity_id" if role == "speaker" else "intermediary"),
                    hint=f"one span names one referent: set the {role}'s entity id to {_q(mention['entity_id'])}, or fix the mention's entity_id if it is the one that is wrong",
                )
        target = quote.get("continues")
        if target is not None:
            earlier = quote_by_id.get(target)
            if earlier is None:
                f.add("L4-unknown-quote-id", f"{qid}: continues {_q(target)}, which is not a quote in this file", ("quotes", i, "continues"))
            elif earlier is quote or (earlier["start"], earlier["end"]) >= (quote["start"], quote["end"]):
                f.add("L4-continues-not-earlier", f"{qid}: continues {target}, which does not come before it in the text", ("quotes", i, "continues"))
            else:
                differs = [k for k in ("speaker", "speaker_entity_id", "cue") if quote[k] != earlier[k]]
                if differs:
                    f.add(
                        "L4-continues-mismatch",
                        f"{qid}: continues {target} but its {', '.join(differs)} differ{'s' if len(differs) == 1 else ''} from {target}'s",
                        ("quotes", i, differs[0]),
                        hint=f"copy {', '.join(differs)} from {target}",
                    )
    date_ids = {d["id"] for d in data.get("dates", [])}
    ordered_quotes = sorted(quotes, key=lambda q: (q["start"], q["end"]))
    quote_starts = [q["start"] for q in ordered_quotes]
    for i, claim in enumerate(data.get("numeric_claims", [])):
        nid = claim["id"]
        if claim["date_id"] is not None and claim["date_id"] not in date_ids:
            f.add("L4-unknown-date-id", f"{nid}: date_id {_q(claim['date_id'])} is not a date in this file", ("numeric_claims", i, "date_id"))
        k = bisect.bisect_right(quote_starts, claim["start"]) - 1
        container = ordered_quotes[k] if k >= 0 and claim["end"] <= ordered_quotes[k]["end"] else None
        qref = claim["quote_id"]
        if qref is not None:
            linked = quote_by_id.get(qref)
            if linked is None:
                f.add("L4-unknown-quote-id", f"{nid}: quote_id {_q(qref)} is not a quote in this file", ("numeric_claims", i, "quote_id"))
            elif not (linked["start"] <= claim["start"] and claim["end"] <= linked["end"]):
                hint = f"the number lies in {container['id']}" if container else "the number lies in no quote: set quote_id to null"
                f.add(
                    "L4-numeric-quote-mismatch",
                    f"{nid} {_q(claim['text'], 30)} [{claim['start']}, {claim['end']}) is not inside the content of {qref} [{linked['start']}, {linked['end']})",
                    ("numeric_claims", i, "quote_id"),
                    hint=hint,
                )
        elif container is not None and not _acknowledged(claim, "L4-numeric-quote-missing"):
            f.add(
                "L4-numeric-quote-missing",
                f"{nid} {_q(claim['text'], 30)} lies inside the content of {container['id']} but its quote_id is null",
                ("numeric_claims", i, "quote_id"),
                hint=f"set quote_id to {_q(container['id'])}",
            )
    return f.error_count() == before


# =============================================================================== L5 values


@lru_cache(maxsize=8)
def _currency_units(units: tuple[str, ...]) -> frozenset[str]:
    pattern = re.compile(CURRENCY_UNIT_PATTERN)
    return frozenset(u for u in units if pattern.match(u))


def unit_problem(kind: str, unit: str, units: Iterable[str]) -> str | None:
    """Why `unit` does not fit numeric `kind` (guidelines section 5), or None."""
    currencies = _currency_units(tuple(units))
    if kind == "money":
        return None if unit in currencies else f"money takes a currency code ({', '.join(sorted(currencies))})"
    if KIND_UNITS.get(kind):
        allowed = KIND_UNITS[kind]
        return None if unit in allowed else f"{kind} takes {' or '.join(allowed)}"
    if kind == "quantity":
        reserved = {u for allowed in KIND_UNITS.values() for u in allowed}
        if unit in currencies or unit in reserved:
            return "quantity takes a measure unit (degree, km, kg, ...), not a currency, count, times, ordinal or percent"
    return None


_INSIDE_PUNCTUATION = ",.;:!?…"


def _mark_beside(raw: str, start: int, end: int, side: str) -> tuple[int, str] | None:
    """(new offset, mark) when a quotation mark sits just outside the span's start or end: the
    mark the span left out, with the punctuation before a closing mark (news style puts the
    comma inside: ',”')."""
    if side == "end":
        i = end
        while i < len(raw) and i - end < 2 and raw[i] in _INSIDE_PUNCTUATION:
            i += 1
        if i < len(raw) and raw[i] in values.CLOSING_MARKS:
            return i + 1, raw[i]
    if side == "start" and start > 0 and raw[start - 1] in values.OPENING_MARKS:
        return start - 1, raw[start - 1]
    return None


def _note_of(s: _Span) -> str:
    return "quote's note (a speaker, cue or intermediary has none of its own)" if s.owner is not None else "span's note"


def _punctuation_hint(raw: str, start: int, end: int, edge: tuple[str, str], quote_kind: str | None, note: str = "span's note") -> str:
    side = "start" if edge[1] == "starts" else "end"
    beside = _mark_beside(raw, start, end, side) if quote_kind in ("direct", "mixed") else None
    if beside:  # a direct quote's comma is inside its marks: the mark is missing
        where = "after" if side == "end" else "before"
        return f"set {side} to {beside[0]}: the {'closing' if side == 'end' else 'opening'} {_q(beside[1])} just {where} the span belongs to it"
    return (f"move the span's {'start' if edge[1] == 'starts' else 'end'} past the {_q(edge[0])}, unless it is part of "
            f"what is annotated (a name's period as in 'U.S.', a quotation mark of a direct quote); if it is, say why in the "
            f"{note}, naming L3-span-punctuation")


def _quote_marks_hint(raw: str, quote: dict) -> str:
    """The edit that fixes L5-quote-kind-marks, read off the raw text around the span."""
    start, end, text, kind = quote["start"], quote["end"], quote["text"], quote["kind"]
    if kind == "direct":
        closing = text[-1:] in values.CLOSING_MARKS
        # a first mark that the last one does not close ('’Tis the season,”') is no opening mark
        opening = text[:1] in values.CLOSERS_OF and (not closing or text[-1:] in values.CLOSERS_OF[text[:1]])
        fixes = []
        if not opening and (beside := _mark_beside(raw, start, end, "start")):
            fixes.append(f"set start to {beside[0]} (the opening {_q(beside[1])} is just before the span)")
        if not closing and (beside := _mark_beside(raw, start, end, "end")):
            fixes.append(f"set end to {beside[0]} (the closing {_q(beside[1])} is {'just ' if beside[0] == end + 1 else ''}after the span)")
        if fixes and len(fixes) == (not opening) + (not closing):
            return "; ".join(fixes)
        if not values.QUOTING_MARKS.intersection(raw[max(0, start - 1):end + 1]):
            return "no quotation marks in or next to the span: kind is indirect"
    elif kind == "indirect":
        return "with a quoted fragment inside, kind is mixed; if the whole span is quoted, kind is direct (and the span runs mark to mark)"
    return "fix the span's edges to take in (or leave out) the quotation marks, or fix kind"


def _check_annotation_values(root: Path, f: _File, meta: dict | None, raw_text: str | None = None, language: str | None = None) -> bool:
    """`language`: the metadata's, read even when other metadata fields are wrong; None when it
    cannot be read, and then the checks that read numbers and words (which depend on it) are
    left until it can."""
    data = f.data
    before = f.error_count()
    lists = values.word_lists(language) if language is not None else None  # approximators and bound words, if known
    for i, date in enumerate(data.get("dates", [])):
        problem = values.timex_problem(date["type"], date["value"])
        if problem:
            iso = values.iso_date_suggestions(date["value"]) if date["type"] == "DATE" else []
            f.add("L5-date-value-invalid", f"{date['id']} {_q(date['text'], 30)}: {date['type']} value {_q(date['value'])}: {problem}", ("dates", i, "value"),
                  hint=(f"write it as ISO YYYY-MM-DD: {' or '.join(_q(v) for v in iso)}" + (" (day or month first?)" if len(iso) > 1 else "") + "; " if iso else "")
                  + "`newscorpus validate --explain L5-date-value-invalid` lists the value forms of each type; guidelines section 4 says how to resolve relative dates")
        else:
            stated = values.date_text_problem(date["type"], date["value"], date["text"], language) if language is not None else None
            if not stated and language is not None:
                stated = values.relative_date_problem(date["type"], date["value"], date["text"], (data.get("temporal_anchor") or {}).get("value"),
                                                      date.get("anchor"), language)
            period = values.period_mod_problem(date["type"], date["value"], date.get("mod"), date["text"], language) if language is not None else None
            if period and not _acknowledged(date, "L5-date-mod-period"):
                f.add("L5-date-mod-period", f"{date['id']} {_q(date['text'], 30)}: value {_q(date['value'])} with mod {date.get('mod')}: {period}", ("dates", i, "value"),
                      hint="write the period the words modify as the value, and keep the mod")
            if stated and not _acknowledged(date, "L5-date-text-mismatch"):
                f.add("L5-date-text-mismatch", f"{date['id']} {_q(date['text'], 30)}: value {_q(date['value'])} disagrees with its words: {stated}", ("dates", i, "value"),
                      hint="correct the value; if the article contradicts itself (a weekday that does not fit its date), keep the reading you chose and say why in the date's note, naming L5-date-text-mismatch, which ends this warning")
    anchor = data["temporal_anchor"]["value"]
    problem = values.iso_date_problem(anchor)
    if problem:
        f.add("L5-date-value-invalid", f"temporal anchor {_q(anchor)}: {problem}", ("temporal_anchor", "value"))
    elif meta is not None:
        pub = meta.get("publication_date", {})
        expected = pub.get("value") or pub.get("earliest")
        if expected and anchor != expected:
            source = "publication_date.value" if pub.get("value") else "publication_date.earliest"
            f.add(
                "L5-anchor-mismatch",
                f"temporal anchor {_q(anchor)} is not the metadata's {source} {_q(expected)}",
                ("temporal_anchor", "value"),
                hint=f"set temporal_anchor.value to {_q(expected)} (or correct the metadata)",
            )
    too_large = _check_float64_fields(f)
    units = load_schemas(root).vocabulary.units
    for i, claim in enumerate(data.get("numeric_claims", [])):
        nid, value, text = claim["id"], claim["value"], claim["text"]
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            f.add("L5-numeric-not-finite", f"{nid} {_q(text, 30)}: value {value} is not a finite number", ("numeric_claims", i, "value"))
            continue
        reading = values.read_number(text, language) if language is not None and ("numeric_claims", i, "value") not in too_large else None
        if reading is not None and not values.same_number(reading.value, value):
            f.add(
                "L5-numeric-text-mismatch",
                f"{nid}: text {_q(text, 40)} reads as {_plain_number(reading.value)}"
                + (f" ({reading.reading})" if reading.reading != _plain_number(reading.value) else "")
                + f" but value is {_plain_number(value)}",
                ("numeric_claims", i, "value"),
                hint=f"value is the number the text states, scaled: {_number_literal(reading.value)}",
            )
        problem = unit_problem(claim["kind"], claim["unit"], units)
        if problem:
            f.add("L5-numeric-kind-unit", f"{nid} {_q(text, 30)}: unit {_q(claim['unit'])} does not fit kind {_q(claim['kind'])}: {problem}", ("numeric_claims", i, "unit"))
        elif claim["kind"] == "money":
            problem = values.currency_problem(text, claim["unit"])
            if problem and not _acknowledged(claim, "L5-currency-mismatch"):
                f.add("L5-currency-mismatch", f"{nid} {_q(text, 30)}: unit {_q(claim['unit'])} disagrees with the currency the text names: {problem}", ("numeric_claims", i, "unit"),
                      hint="set unit to the ISO 4217 code of the currency the text names (schema/vocabulary.schema.json lists the units)")
        if lists is None:
            continue
        hedge = values.hedge_word(text, language)
        if bool(hedge) != bool(claim["approximate"]) and not _acknowledged(claim, "L5-approximate-hedge"):
            known = ", ".join(lists.hedge_words[:5])
            message = (
                f"{nid} {_q(text, 30)}: the span has the approximator {_q(hedge)} but approximate is false"
                if hedge
                else f"{nid} {_q(text, 30)}: approximate is true but the span has no approximator ({known}, ...)"
            )
            f.add("L5-approximate-hedge", message, ("numeric_claims", i, "approximate"),
                  hint=f"set approximate to {'true' if hedge else 'false'}, or move the span's edge (the approximator belongs inside the span)")
        bound = values.bound_word(text, language)
        expected_bound = bound[1] if bound else "equal"
        if claim["bound"] != expected_bound and not _acknowledged(claim, "L5-bound-word"):
            why = f"the span has {_q(bound[0])}" if bound else "the span has no bound word"
            f.add("L5-bound-word", f"{nid} {_q(text, 30)}: bound is {_q(claim['bound'])} but {why} (expected {_q(expected_bound)})", ("numeric_claims", i, "bound"),
                  hint=f"set bound to {_q(expected_bound)}, or move the span's edge so that it holds the bound word the claim states")
    continued = {q.get("continues") for q in data.get("quotes", [])}
    incise_ends, incise_starts = _incise_parts(raw_text, data.get("quotes")) if raw_text is not None else (set(), set())
    for i, quote in enumerate(data.get("quotes", [])):
        # a quoted paragraph that the next one continues may end without its closing mark
        open_end = quote["id"] in continued and raw_text is not None and _at_line_end(raw_text, quote["end"])
        problem = values.quote_kind_problem(quote["kind"], quote["text"], open_end or quote["id"] in incise_ends, quote["id"] in incise_starts)
        if problem:
            f.add("L5-quote-kind-marks", f"{quote['id']} {_q(quote['text'], 40)} is {quote['kind']}: {problem}", ("quotes", i, "kind"),
                  hint=_quote_marks_hint(raw_text, quote) if raw_text is not None else "fix the span's edges or the kind")
    if raw_text is not None:
        _check_quotations_annotated(f, raw_text)
    return f.error_count() == before


_QUOTATION = re.compile(r"“[^”“\n]{1,600}”|„[^“”„\n]{1,600}[“”]|«[^»«\n]{1,600}»|»[^«»\n]{1,600}[«»]|「[^」\n]{1,600}」|『[^』\n]{1,600}』")
QUOTATION_MIN_WORDS = 4  # shorter passages in marks are often titles or terms held at a distance ("technical" talks)
QUOTATION_MIN_UNSPACED = 8  # characters, for a script written without spaces (「…」)


def _folded(text: str) -> str:
    """Without case, apostrophe style or no-break spaces (French « … » has them inside)."""
    return " ".join(text.replace("’", "'").replace("\u00a0", " ").replace("\u202f", " ").split()).casefold()


def _passage_key(text: str) -> str:
    """How a note names a passage: its first three words (its first 8 characters in a script
    without spaces), compared _folded."""
    folded = _folded(text)
    words = folded.split()
    return " ".join(words[:3]) if len(words) > 1 else folded[:QUOTATION_MIN_UNSPACED]


def _check_quotations_annotated(f: _File, raw: str) -> None:
    """A passage of QUOTATION_MIN_WORDS words or more in quotation marks, in an annotated zone,
    that no quote overlaps: most likely a direct quote left out (guidelines section 3)."""
    data = f.data
    zones = [z for z in data.get("zones", []) if isinstance(z, dict) and z.get("type") != "boilerplate"]
    spans = [(q["start"], q["end"]) for q in data.get("quotes", []) if isinstance(q, dict)]
    notes = [_folded(n) for n in data.get("notes") or [] if isinstance(n, str) and "L5-quotation-not-annotated" in n]
    for m in _QUOTATION.finditer(raw):
        a, b = m.span()
        inner = m.group(0)[1:-1]
        words = len(inner.split())
        if not (words >= QUOTATION_MIN_WORDS or (words == 1 and len(inner.strip()) >= QUOTATION_MIN_UNSPACED and m.group(0)[0] in "「『")):
            continue
        if not any(z["start"] <= a and b <= z["end"] for z in zones):
            continue
        if any(s < b and a < e for s, e in spans) or any(_passage_key(inner) in n for n in notes):
            continue
        f.add("L5-quotation-not-annotated", f"{_q(m.group(0), 60)} [{a}, {b}) is in quotation marks but in no quote", ("quotes",),
              hint=f"annotate it as a quote (`newscorpus span {f.rel.rsplit('/', 1)[-1][: -len(ANNOTATION_SUFFIX)]} …` gives the offsets); "
                   f"if it is no quote (a title, a slogan), say so in the annotation's notes, naming L5-quotation-not-annotated and its first "
                   f"three words ({_q(_passage_key(inner))})")


# The annotation fields the build stores as float64 (features.py), as (layer, key). A test checks
# this against the published features, so a new float64 column cannot miss the check below.
FLOAT64_FIELDS: tuple[tuple[str, str], ...] = (("numeric_claims", "value"),)


def _check_float64_fields(f: _File) -> set[tuple]:
    """L5-number-too-large for each integer a float64 column cannot hold exactly; their paths."""
    found: set[tuple] = set()
    for layer, key in FLOAT64_FIELDS:
        for i, item in enumerate(f.data.get(layer) or []):
            value = item.get(key)
            if type(value) is not int or -MAX_EXACT_INT <= value <= MAX_EXACT_INT:
                continue
            path = (layer, i, key)
            found.add(path)
            digits = str(abs(value))
            shown = str(value) if len(digits) <= 30 else f"{'-' if value < 0 else ''}{digits[:6]}…{digits[-4:]} ({len(digits)} digits)"
            try:
                nearest: str | None = repr(float(value))
            except OverflowError:
                nearest = None
            what = f"{item.get('id')} {_q(item.get('text'), 30)}: {key}" if "text" in item else key
            f.add(
                "L5-number-too-large",
                f"{what} {shown} cannot be stored exactly: the dataset stores {layer}[].{key} as float64, "
                f"which holds integers exactly only up to 2**53 = {MAX_EXACT_INT:,} in magnitude, "
                + (f"so this one would become {nearest}" if nearest else "and this one is beyond even the largest float64 (about 1.8e308)"),
                path,
                hint=(
                    f"check the value against the text (a typo, a scale applied twice?); if the text really states this number, write {key} as {nearest} (the float64 the dataset will hold) and add a note"
                    if nearest
                    else "check the value against the text and correct it"
                ),
            )
    return found


def _number_literal(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e18 else repr(value)


def _plain_number(value: float) -> str:
    """A number as people write it in a message: 210,000,000 and 2.5, not 2.1e+08."""
    if float(value).is_integer() and abs(value) < 1e18:
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".") if abs(value) >= 1e-6 else repr(value)


def _check_metadata_values(f: _File) -> None:
    data = f.data
    checks: list[tuple[tuple, Any]] = [
        (("publication_date", "value"), data["publication_date"].get("value")),
        (("publication_date", "earliest"), data["publication_date"].get("earliest")),
        (("publication_date", "latest"), data["publication_date"].get("latest")),
        (("retrieval_date", "value"), data["retrieval_date"].get("value")),
    ]
    for i, source in enumerate(data.get("related_sources", [])):
        checks.append((("related_sources", i, "date"), source.get("date")))
    bad = False
    for path, value in checks:
        if value is None:
            continue
        problem = values.iso_date_problem(value)
        if problem:
            bad = True
            f.add("L5-date-value-invalid", f"{format_path(path)} {_q(value)}: {problem}", path)
    earliest, latest = data["publication_date"].get("earliest"), data["publication_date"].get("latest")
    if not bad and earliest and latest:
        n = min(len(earliest), len(latest))
        if earliest[:n] > latest[:n]:
            f.add("L5-date-value-invalid", f"publication_date.earliest {_q(earliest)} is after publication_date.latest {_q(latest)}", ("publication_date", "earliest"))
            bad = True
    if not bad:
        _check_doc_id_date(f)


def doc_id_date_fits(doc_date: str, lo: str | None, hi: str | None) -> bool:
    """Whether a doc id's date (YYYY, YYYY-MM or YYYY-MM-DD) lies in [lo, hi], compared at the
    precision both have: tinynews_2021-02_… fits 2021-02-03, and tinynews_2021-02-03_… fits 2021-02."""
    return (lo is None or lo[:len(doc_date)] <= doc_date[:len(lo)]) and (hi is None or doc_date[:len(hi)] <= hi[:len(doc_date)])


def _check_doc_id_date(f: _File) -> None:
    """The date in a doc id (publisher_DATE_slug) is the publication date as far as it is known;
    an id is never renamed once published, so a wrong one is caught before it is."""
    doc_id, pub = f.data["doc_id"], f.data["publication_date"]
    parts = doc_id.split("_")
    if len(parts) < 3:
        return  # not the DocId shape: L2 reports it
    doc_date, n = parts[1], len(parts[1])
    value, earliest, latest = pub.get("value"), pub.get("earliest"), pub.get("latest")
    if value:
        if doc_id_date_fits(doc_date, value, value):
            return
        stated, fix = f"publication_date.value {_q(value)}", value[:n]
    elif earliest or latest:
        if doc_id_date_fits(doc_date, earliest, latest):
            return
        stated = "publication_date " + " and ".join(f"{name} {_q(v)}" for name, v in (("earliest", earliest), ("latest", latest)) if v)
        fix = earliest[:n] if earliest and latest and earliest[:n] == latest[:n] else None
    else:
        return  # no date known: nothing to compare
    rename = (f"rename the document to the date {_q(fix)}" if fix else "rename the document to a date within that range") + (
        ": its raw, metadata and annotation files, every pass's annotation file, the doc_id inside each, and its pin in annotated/splits.json if it has one")
    f.add("L5-doc-id-date", f"doc id {_q(doc_id)} carries the date {_q(doc_date)}, which does not fit {stated}", ("doc_id",),
          hint=f"if the metadata is right, {rename} (the id's date is the publication date as far as it is known); otherwise correct the metadata")


# =============================================================================== documents


@lru_cache(maxsize=8)
def _doc_id_rule(root: str) -> tuple[re.Pattern, int]:
    node = load_schemas(Path(root)).documents["vocabulary"]["$defs"]["DocId"]
    return re.compile(node["pattern"]), int(node.get("maxLength", 120))


def doc_id_problem(root: str | Path, doc_id: str) -> str | None:
    """Why `doc_id` is not a safe document id, or None."""
    if "/" in doc_id or "\\" in doc_id or ".." in doc_id or doc_id in ("", ".") or "\x00" in doc_id:
        return "it contains a path separator or '..'"
    pattern, max_length = _doc_id_rule(os.fspath(root))
    if len(doc_id) > max_length:
        return f"it is longer than {max_length} characters"
    if not pattern.fullmatch(doc_id):
        return f"it does not match the DocId pattern {pattern.pattern} (lower-case publisher_date_slug)"
    return None


def _check_doc_id_field(f: _File, doc_id: str) -> None:
    stated = f.data.get("doc_id")
    if stated != doc_id:
        f.add(
            "L6-doc-id-mismatch",
            f"doc_id is {_q(stated)} but the file is named for {_q(doc_id)}",
            ("doc_id",),
            hint=f"set doc_id to {_q(doc_id)} (or rename the file if the doc_id is right)",
        )


def _sha256_hint(raw: _File, key: str) -> str:
    """Both cases a contributor meets: a value typed wrong for a new file, or a committed raw
    file that was edited (raw text is immutable)."""
    return (f"if {raw.rel} is as collected and the recorded value is wrong (say, a new article), set {key} to {raw.sha256}; "
            f"if {raw.rel} was committed with the recorded value, it has been edited: restore it from git (raw text is immutable)")


def _line_ending_note(raw: _File, recorded: Any) -> str:
    """Said only when it is the explanation: the file with its line endings converted back has
    the recorded sha256 (an editor that saved the file with other line endings)."""
    if not isinstance(recorded, str):
        return ""
    for before, after, what in ((b"\r\n", b"\n", "CRLF"), (b"\n", b"\r\n", "LF")):
        if before in raw.bytes and hashlib.sha256(raw.bytes.replace(before, after)).hexdigest() == recorded:
            return f" (with its {what} line endings converted back it has the recorded sha256: an editor changed the line endings)"
    return ""


def _check_metadata(root: Path, meta: _File, raw: _File | None, doc_id: str, labels: dict[str, str] | None) -> bool:
    """All layers for raw/<doc_id>.meta.json; True when it is usable (passed L2)."""
    if not _load_json(root, meta):
        meta.stop_before("schema (L2)")
        return False
    if not _check_schema(root, meta):
        meta.stop_before("sizes (L6)")
        return False
    _check_doc_id_field(meta, doc_id)
    _check_metadata_content(root, meta, raw, labels)
    if not meta.error_count():
        _check_canonical(root, meta)  # layout matters once the content is right; errors come first
    return True


def _check_metadata_content(root: Path, meta: _File, raw: _File | None, labels: dict[str, str] | None) -> None:
    if raw is None or raw.text is None:
        meta.stop_before("sizes (L6)")  # the raw file is missing or unusable: reported on it
        return
    if meta.data["sha256"] != raw.sha256:
        meta.add(
            "L6-raw-sha256-mismatch",
            f"sha256 {meta.data['sha256']} recorded here is not the sha256 of {raw.rel}, {raw.sha256}: the raw file changed, or this is the wrong sha256{_line_ending_note(raw, meta.data['sha256'])}",
            ("sha256",),
            hint=_sha256_hint(raw, "sha256"),
        )
        meta.stop_before("sizes (L6)")
        return
    for key, actual in (("size_bytes", len(raw.bytes)), ("size_codepoints", len(raw.text))):
        if meta.data[key] != actual:
            meta.add("L6-size-mismatch", f"{key} is {meta.data[key]} but {raw.rel} has {actual}", (key,), hint=f"set {key} to {actual}")
    before = meta.error_count()
    _check_spans_basic(meta, raw.text, _metadata_spans(meta.data), punctuation=False)
    if meta.error_count() != before:
        meta.stop_before("publisher link (L4)")
        return
    publisher = meta.data["publisher"].get("entity_id")
    _check_entity_link(meta, labels, publisher, ("publisher", "entity_id"), "publisher", meta.data["publisher"].get("name"))
    if meta.error_count() != before:
        meta.stop_before("dates (L5)")
        return
    _check_metadata_values(meta)


def _check_annotation(root: Path, ann: _File, raw: _File | None, doc_id: str, labels: dict[str, str] | None, meta: dict | None,
                      language: str | None = None) -> None:
    if not _load_json(root, ann):
        ann.stop_before("schema (L2)")
        return
    if not _check_schema(root, ann):
        ann.stop_before("spans (L3)")
        return
    _check_doc_id_field(ann, doc_id)
    _check_annotation_content(root, ann, raw, labels, meta, language)
    if not ann.error_count():
        _check_canonical(root, ann)  # layout matters once the content is right; errors come first


def _check_annotation_content(root: Path, ann: _File, raw: _File | None, labels: dict[str, str] | None, meta: dict | None,
                              language: str | None = None) -> None:
    if raw is None or raw.text is None:
        ann.stop_before("spans (L3)")  # the raw file is missing or unusable: reported on it
        return
    if ann.data["raw_sha256"] != raw.sha256:
        ann.add(
            "L6-raw-sha256-mismatch",
            f"raw_sha256 {ann.data['raw_sha256']} is not the sha256 of {raw.rel}, {raw.sha256}: the raw file changed after this annotation was made, or this is the wrong sha256; its spans are not checked{_line_ending_note(raw, ann.data['raw_sha256'])}",
            ("raw_sha256",),
            hint=_sha256_hint(raw, "raw_sha256") + "; if the raw file was replaced deliberately, re-check every span first",
        )
        ann.stop_before("spans (L3)")
        return
    if not _check_annotation_spans(ann, raw.text):
        ann.stop_before("references (L4)")
        return
    if not _check_annotation_refs(ann, labels):
        ann.stop_before("values (L5)")
        return
    _check_annotation_values(root, ann, meta, raw.text, language)


def _exists(path: str | Path) -> bool:
    return os.path.lexists(path)


def validate_document(root: str, doc_id: str) -> DocumentResult:
    """Check one document (raw text, metadata, gold annotation): pure and picklable."""
    return _validate(Path(root), doc_id, None)


def validate_pass_document(root: str, annotator: str, doc_id: str) -> DocumentResult:
    """Check annotated/passes/<annotator>/<doc_id>.json against its raw file."""
    return _validate(Path(root), doc_id, annotator)


def _validate(root: Path, doc_id: str, annotator: str | None) -> DocumentResult:
    result = DocumentResult(doc_id=doc_id)
    raw_at, meta_at, ann_at = raw_rel(doc_id), meta_rel(doc_id), annotation_rel(doc_id, annotator)
    has_raw, has_meta, has_ann = (_exists(os.path.join(root, rel)) for rel in (raw_at, meta_at, ann_at))
    anchor_rel = ann_at if annotator is not None else (raw_at if has_raw else meta_at if has_meta else ann_at)
    anchor_file = _File(anchor_rel, "raw")
    problem = doc_id_problem(root, doc_id)
    if problem:
        # the file names are the problem: rename first; checking the files under a bad name would only add noise
        anchor_file.add("L6-unsafe-doc-id", f"document id {_q(doc_id)} is not a safe name: {problem}", line=1,
                        hint="rename the raw, metadata and annotation files to a lower-case publisher_date_slug id")
        result.diagnostics = anchor_file.diagnostics
        return result
    labels = registry_state(root, _registry_rel_for(root, annotator)).labels
    raw = _File(raw_at, "raw") if has_raw else None
    if raw is not None:
        _load_raw(root, raw)
    meta = _File(meta_at, "metadata") if has_meta else None
    ann = _File(ann_at, "annotation") if has_ann else None
    if annotator is None:
        if not has_raw:
            for other in (meta, ann):
                if other is not None:
                    other.add("L6-missing-raw", f"{other.rel} has no raw file: {raw_at} does not exist", line=1, hint="add the raw file, or fix this file's name")
        else:
            if not has_meta:
                raw.add("L6-missing-metadata", f"{raw_at} has no metadata: {meta_at} does not exist", line=1,
                        hint=_moved_hint(root, doc_id, meta_at) or "add the metadata (schema/metadata.schema.json)")
            if not has_ann:
                raw.add("L6-missing-annotation", f"{raw_at} has no annotation: {ann_at} does not exist", line=1,
                        hint=_moved_hint(root, doc_id, ann_at) or "annotate the document (annotated/GUIDELINES.md)")
        meta_ok = meta is not None and _check_metadata(root, meta, raw, doc_id, labels)
        meta_data = meta.data if meta_ok else None
        language = _declared_language(root, meta.data) if meta is not None else None
    else:
        meta_data, language = _quiet_metadata(root, meta_at) if has_meta else (None, None)
        if not has_raw and ann is not None:
            ann.add("L6-missing-raw", f"{ann_at} has no raw file: {raw_at} does not exist", line=1, hint="passes annotate documents of the corpus; check the file name")
    if ann is not None:
        _check_annotation(root, ann, raw, doc_id, labels, meta_data, language)
    files = [anchor_file, raw, meta, ann] if annotator is None else [anchor_file, raw, ann]
    for f in files:
        if f is not None:
            result.diagnostics.extend(f.diagnostics)
            if f.not_run:
                result.not_run[f.rel] = f.not_run
    result.diagnostics = sorted(set(result.diagnostics), key=Diagnostic.sort_key)
    result.text = raw.text if raw is not None else None
    result.raw_sha256 = raw.sha256 if raw is not None else None
    result.codepoints = len(raw.text) if raw is not None and raw.text is not None else None
    if meta is not None:
        result.metadata, result.metadata_sha256 = meta.data, meta.sha256
        if isinstance(meta.data, dict) and isinstance(meta.data.get("story_id"), str):
            result.story_id = meta.data["story_id"]
    if ann is not None:
        result.annotation, result.annotation_sha256 = ann.data, ann.sha256
        result.annotation_parsed = ann.data is not None
        result.counts = _counts(ann.data)
    result.entity_ids_used = frozenset(_entity_ids_used(result.metadata) | _entity_ids_used(result.annotation))
    # a mention's text is a spelling only once its span is right (no L3 error): a wrong text is
    # reported as a span error, not again as a registry gap. A mention with an L3 warning (a
    # stray comma) is left out alone; one with a leading "the" or a possessive counts as its
    # bare name (_spellings_used), the spelling it will have once the span is fixed.
    entity_l3 = [d for d in ann.diagnostics if d.code.startswith("L3-") and (d.json_path or "").startswith("$.entities")] if ann is not None else []
    spans_ok = ann is None or (ann.data is not None and "spans (L3)" not in ann.not_run and not any(d.severity == "error" for d in entity_l3))
    doubtful = {int(m.group(1)) for d in entity_l3 if d.code != "L3-entity-boundary" for m in [_ENTITY_INDEX.match(d.json_path)] if m}
    # a mention left out is a spelling the registry may rightly hold ("Leyla Korkma" cut short
    # leaves "Leyla Korkmaz" unused): no alias is called unused until the span is settled
    result.spellings_complete = spans_ok and not doubtful
    result.entity_spellings_used = frozenset(_spellings_used(result.metadata) | (_spellings_used(result.annotation, doubtful) if spans_ok else set()))
    return result


_ENTITY_INDEX = re.compile(r"\$\.entities\[(\d+)\]")


def _moved_hint(root: Path, doc_id: str, wanted: str) -> str | None:
    """'move X to Y' when the missing file is there under another name or in another folder
    (raw/<doc_id>.json, annotated/drafts/<doc_id>.json, a suffix in other case). Looked for only
    when a file is missing, so it costs nothing on a valid corpus."""
    raw_dir, annotated_dir = root / RAW_DIR, root / ANNOTATED_DIR
    if wanted.endswith(META_SUFFIX):
        looks = [(raw_dir, {f"{doc_id}.json", f"{doc_id}{META_SUFFIX}"}), (annotated_dir, {f"{doc_id}{META_SUFFIX}"})]
    else:
        drafts = [annotated_dir / name for name in _listdir(annotated_dir) if name != PASSES_DIR and (annotated_dir / name).is_dir()]
        looks = [(folder, {f"{doc_id}{ANNOTATION_SUFFIX}"}) for folder in (annotated_dir, *drafts)]
    for folder, names in looks:
        wanted_names = {n.lower() for n in names}
        for name in _listdir(folder):
            rel = (folder / name).relative_to(root).as_posix()
            if name.lower() in wanted_names and rel != wanted and (folder / name).is_file():
                return f"{rel} looks like it: move it to {wanted}"
    return None


def _quiet_metadata(root: Path, rel: str) -> tuple[dict | None, str | None]:
    """Metadata for a pass's anchor check, only when it is sound (its errors belong to the gold
    check), and the language it declares."""
    f = _File(rel, "metadata")
    if not _load_json(root, f):
        return None, None
    return (f.data if _schema_valid_quick(root, "metadata", f.data) else None), _declared_language(root, f.data)


def _declared_language(root: Path, data: Any) -> str | None:
    """The language the metadata declares, when it has the schema's form, even if other fields
    are wrong: a German article must not be read as English because its URL is malformed."""
    value = data.get("language") if isinstance(data, dict) else None
    if not isinstance(value, str):
        return None
    pattern = load_schemas(root).documents["metadata"].get("properties", {}).get("language", {}).get("pattern")
    return value if pattern is None or re.search(pattern, value) else None


# =============================================================================== targets


@dataclass
class Selection:
    """What a list of target paths touches."""

    whole: bool = False
    doc_ids: set[str] = field(default_factory=set)
    passes: set[tuple[str, str]] = field(default_factory=set)  # (annotator, doc_id)
    registry: bool = False
    pass_registries: set[str] = field(default_factory=set)
    splits: bool = False
    documentation: bool = False  # the guidelines or the adjudication record named (corpus.PUBLISHED_PROSE)
    ignored: list[str] = field(default_factory=list)
    # ignored targets inside raw/ or annotated/, by corpus-relative path: the whole-corpus run
    # may call one an L6-stray-file, and a run on that path alone says the same
    ignored_in_corpus: dict[str, str] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (self.whole or self.doc_ids or self.passes or self.registry or self.pass_registries or self.splits or self.documentation)


def _listdir(path: Path) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def pass_annotators(paths: CorpusPaths) -> list[str]:
    return [name for name in _listdir(paths.passes_dir) if (paths.passes_dir / name).is_dir() and not name.startswith(".")]


def pass_doc_ids(paths: CorpusPaths, annotator: str) -> list[str]:
    folder = paths.passes_dir / annotator
    return [
        name[: -len(ANNOTATION_SUFFIX)]
        for name in _listdir(folder)
        if name.endswith(ANNOTATION_SUFFIX) and name != REGISTRY_FILE and not name.startswith(".")
    ]


def _doc_id_from_raw_name(name: str) -> str | None:
    if name.endswith(META_SUFFIX):
        return name[: -len(META_SUFFIX)]
    if name.endswith(RAW_SUFFIX):
        return name[: -len(RAW_SUFFIX)]
    return None


def corpus_rel(root: Path, absolute: Path) -> Path | None:
    """Where an absolute path sits in the corpus at `root` (resolved), or None if outside. A
    symbolic link is named by where it sits; anything else by where it really is, or where it
    sits if that is outside."""
    for candidate in ((absolute,) if absolute.is_symlink() else (absolute.resolve(), absolute)):
        try:
            return candidate.relative_to(root)
        except ValueError:
            continue
    return None


def resolve_targets(paths: CorpusPaths, targets: list[Path] | None) -> Selection:
    """Which documents and corpus-level checks the target paths touch (None: everything)."""
    selection = Selection()
    if not targets:
        selection.whole = True
        return selection
    root = paths.root.resolve()
    for target in targets:
        target = Path(target)
        absolute = Path(os.path.abspath(target if target.is_absolute() else Path.cwd() / target))
        if not os.path.lexists(absolute) and len(target.parts) == 1 and os.path.lexists(paths.raw(str(target))):
            absolute = Path(os.path.abspath(paths.raw(str(target))))  # a doc_id, as `newscorpus span` takes one: its documents
        if not os.path.lexists(absolute):
            raise UsageError(f"{target}: no such file or directory")
        rel = corpus_rel(root, absolute)
        if rel is None:
            raise UsageError(f"{target} is outside the corpus at {root}")
        parts = rel.parts
        is_dir = absolute.is_dir() and not absolute.is_symlink()
        if not parts or parts[0] == SCHEMA_DIR:
            selection.whole = True
        elif parts[0] == RAW_DIR:
            if len(parts) == 1:
                selection.whole = True
            elif len(parts) == 2 and _doc_id_from_raw_name(parts[1]) is not None:  # a folder there: L1-unreadable
                doc_id = _doc_id_from_raw_name(parts[1])
                selection.doc_ids.add(doc_id)
                for annotator in pass_annotators(paths):
                    if (paths.passes_dir / annotator / f"{doc_id}{ANNOTATION_SUFFIX}").exists():
                        selection.passes.add((annotator, doc_id))
            else:
                selection.ignored.append(str(target))
                selection.ignored_in_corpus[rel.as_posix()] = str(target)
        elif parts[0] == ANNOTATED_DIR:
            if len(parts) == 1:
                selection.whole = True
            elif len(parts) == 2 and parts[1] == PASSES_DIR:
                for annotator in pass_annotators(paths):
                    _select_pass(paths, selection, annotator)
            elif len(parts) == 2 and parts[1] == REGISTRY_FILE:
                selection.registry = True
            elif len(parts) == 2 and parts[1] == SPLITS_FILE:
                selection.splits = True
            elif len(parts) == 2 and rel.as_posix() in PUBLISHED_PROSE:
                selection.documentation = True
            elif len(parts) == 2 and parts[1].endswith(ANNOTATION_SUFFIX) and not is_dir:
                selection.doc_ids.add(parts[1][: -len(ANNOTATION_SUFFIX)])
            elif len(parts) == 3 and parts[1] == PASSES_DIR and is_dir:
                _select_pass(paths, selection, parts[2])
            elif len(parts) == 4 and parts[1] == PASSES_DIR and parts[3] == REGISTRY_FILE:
                _select_pass(paths, selection, parts[2])
            elif len(parts) == 4 and parts[1] == PASSES_DIR and parts[3].endswith(ANNOTATION_SUFFIX):
                selection.passes.add((parts[2], parts[3][: -len(ANNOTATION_SUFFIX)]))
            else:
                selection.ignored.append(str(target))
                selection.ignored_in_corpus[rel.as_posix()] = str(target)
        else:
            selection.ignored.append(str(target))
    return selection


def _select_pass(paths: CorpusPaths, selection: Selection, annotator: str) -> None:
    selection.pass_registries.add(annotator)
    for doc_id in pass_doc_ids(paths, annotator):
        selection.passes.add((annotator, doc_id))


# =============================================================================== corpus


def schema_files_ok(root: Path) -> bool:
    """Whether schema/ can be used at all (the build reads it before validating the corpus)."""
    return not any(d.severity == "error" for d in schema_file_diagnostics(Path(root), deep=True))


def schema_file_diagnostics(root: Path, deep: bool = False) -> list[Diagnostic]:
    """The findings on schema/ itself (empty when the tools can use it; `newscorpus fmt` checks
    them first too): the files must load as the tools read them (and, when deep, be valid JSON
    Schemas against the meta-schema), their $refs must resolve, and the vocabulary must declare
    each label once, as must every enum."""
    root = Path(root)
    found: list[Diagnostic] = []
    files: dict[str, _File] = {}
    for name, filename in sorted(SCHEMA_FILES.items()):
        f = files[name] = _File(f"{SCHEMA_DIR}/{filename}", "schema")
        if not _load_json(root, f):
            found.extend(f.diagnostics)
            continue
        problems = schema_document_problems(name, f.data)
        for problem in problems:
            f.add("L2-duplicate-label" if problem.duplicate else "L2-schema", problem.message, problem.path)
        if deep and not problems:  # one finding per mistake: the meta-schema would repeat a shape problem
            from jsonschema import Draft202012Validator
            from jsonschema.exceptions import SchemaError

            try:
                Draft202012Validator.check_schema(f.data)
            except SchemaError as exc:
                f.add("L2-schema", f"{f.rel} is not a valid JSON Schema: {exc.message[:200]}", tuple(exc.absolute_path))
        found.extend(f.diagnostics)
    if found:
        return found
    owner: dict[str, _File] = {}  # $id -> the file that has it: $refs resolve by $id
    for f in files.values():
        if f.data["$id"] in owner:
            f.add("L2-schema", f"$id {_q(f.data['$id'])} is also the $id of {owner[f.data['$id']].rel}: one would replace the other wherever a $ref names it", ("$id",))
            return f.diagnostics
        owner[f.data["$id"]] = f
    try:
        load_schemas.cache_clear()
        schemas = load_schemas(root)
    except SchemaFileError as exc:  # a problem only loading them together shows
        f = next(f for f in files.values() if f.rel == exc.problem.file)
        f.add("L2-schema", exc.problem.message, exc.problem.path)
        return f.diagnostics
    except Exception as exc:  # the files changed since they were checked, or a case not foreseen
        return [Diagnostic("L2-schema", "error", VOCABULARY_REL, f"the schemas do not load: {type(exc).__name__}: {exc}", line=1)]
    for name, f in files.items():
        for path, ref, why in _unresolved_refs(schemas, f.data):
            f.add("L2-schema", f"$ref {_q(ref)} leads nowhere ({why})", path)
        found.extend(f.diagnostics)
    if not found:
        found.extend(_ner_clashes(files["vocabulary"], schemas.vocabulary))
    return found


def _unresolved_refs(schemas, doc: Any) -> Iterator[tuple[tuple, str, str]]:
    """(JSON path, $ref, why) of each $ref in `doc` that does not resolve in the schemas' registry."""
    from referencing.exceptions import Unresolvable

    resolver = schemas.registry.resolver(base_uri=doc["$id"])

    def walk(node: Any, path: tuple) -> Iterator[tuple[tuple, str, str]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str):
                    try:
                        resolver.lookup(value)
                    except Unresolvable as exc:
                        yield (*path, key), value, type(exc).__name__
                else:
                    yield from walk(value, (*path, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, (*path, i))

    yield from walk(doc, ())


def _ner_clashes(f: _File, vocab) -> list[Diagnostic]:
    """Two label sets that would give the same NER tag type (the build's features refuse them)."""
    from newscorpus.features import NER_LAYER_DEFS, ner_type_clashes

    defs = f.data["$defs"]
    for earlier, later in ner_type_clashes(vocab):
        before, after = NER_LAYER_DEFS[earlier.layer], NER_LAYER_DEFS[later.layer]
        first = ("$defs", before, "enum", defs[before]["enum"].index(earlier.value))
        f.add(
            "L2-duplicate-label",
            f"the NER tag type {later.tag} would come from both {before} {_q(earlier.value)} (at {format_path(first)}) "
            f"and {after} {_q(later.value)}: NER tag types must be unique; rename one of the two labels",
            ("$defs", after, "enum", defs[after]["enum"].index(later.value)),
        )
    return f.diagnostics


def _entity_ids_used(data: Any) -> set[str]:
    used: set[str] = set()
    if not isinstance(data, dict):
        return used
    entities, quotes = data.get("entities"), data.get("quotes")
    for ent in entities if isinstance(entities, list) else ():  # a file that is not the schema's shape is read as far as it goes
        if isinstance(ent, dict) and isinstance(ent.get("entity_id"), str):
            used.add(ent["entity_id"])
    for quote in quotes if isinstance(quotes, list) else ():
        if not isinstance(quote, dict):
            continue
        if isinstance(quote.get("speaker_entity_id"), str):
            used.add(quote["speaker_entity_id"])
        intermediary = quote.get("intermediary")
        if isinstance(intermediary, dict) and isinstance(intermediary.get("entity_id"), str):
            used.add(intermediary["entity_id"])
    publisher = data.get("publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("entity_id"), str):
        used.add(publisher["entity_id"])
    return used


def _spellings_used(data: Any, leave_out: set[int] | frozenset = frozenset()) -> set[tuple[str, str, bool]]:
    """(entity id, text, True) of every entity mention, and a metadata's (publisher entity, name,
    False): the spellings a registry alias may have (a publisher is often named only in page
    furniture, which is not annotated), and those it must have (the mentions'). A mention that
    takes in "the" or a possessive ’s counts as the bare name, unless its note keeps them
    (L3-entity-boundary): "The Hague" is a spelling to list, "the US" is "US" mis-spanned.
    `leave_out`: indexes of mentions whose span is in doubt."""
    found: set[tuple[str, str, bool]] = set()
    if not isinstance(data, dict):
        return found
    entities = data.get("entities")
    for i, ent in enumerate(entities if isinstance(entities, list) else ()):
        if i not in leave_out and isinstance(ent, dict) and isinstance(ent.get("entity_id"), str) and isinstance(ent.get("text"), str):
            text = ent["text"] if _acknowledged(ent, "L3-entity-boundary") else (_name_inside(ent["text"]) or ent["text"])
            found.add((ent["entity_id"], text, True))
    publisher = data.get("publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("entity_id"), str) and isinstance(publisher.get("name"), str):
        found.add((publisher["entity_id"], publisher["name"], False))
    return found


# (entity id, spelling) -> [documents using it, the first such document's file, whether a
# mention uses it (else only a publisher name)]: folded as results arrive, so memory grows with
# the distinct spellings, not with the documents
SpellingUse = dict[tuple[str, str], list]


def _note_spellings(into: SpellingUse, uses: Iterable[tuple[str, str, bool]], rel: str) -> None:
    """Fold one file's spellings in; only mentions count files and name the first one (a
    publisher name in the metadata makes a spelling used, not a mention's)."""
    for eid, text, mention in uses:
        use = into.setdefault((eid, text), [0, None, False])
        if mention:
            use[0] += 1
            use[1] = use[1] or rel
            use[2] = True


def _scan_used_ids(root: Path, rels: list[str]) -> tuple[dict[str, set[str]], SpellingUse, bool]:
    """entity id -> files using it, and the mentions' spellings, by a light read of each file;
    False if some file is unreadable."""
    used: dict[str, set[str]] = {}
    spellings: SpellingUse = {}
    complete = True
    for rel in rels:
        try:
            data = json.loads((root / rel).read_bytes().decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            complete = False
            continue
        for eid in _entity_ids_used(data):
            used.setdefault(eid, set()).add(rel)
        _note_spellings(spellings, _spellings_used(data), rel)
    return used, spellings, complete


def _merged_spellings(spelled_by: dict, owners: list) -> SpellingUse:
    """The spellings of several owners' files (gold, passes) as one SpellingUse."""
    spellings: SpellingUse = {}
    for owner in owners:
        for pair, (docs, first, mention) in spelled_by[owner].items():
            use = spellings.setdefault(pair, [0, None, False])
            use[0] += docs
            use[1] = use[1] or first
            use[2] = use[2] or mention
    return spellings


def _missing_aliases(state: RegistryState, spellings: SpellingUse) -> list[Diagnostic]:
    """L6-alias-missing: a spelling mentions use that their entry's aliases lack. It needs only
    the registry and the mentions at hand, so a check of some documents reports it for theirs."""
    if state.labels is None:
        return []
    found: list[Diagnostic] = []
    index = None
    entries = {entry["id"]: (i, entry) for i, entry in enumerate(state.data["entities"])}
    for (eid, text), (docs, first, mention) in sorted(spellings.items()):
        if not mention or eid not in entries or text in entries[eid][1].get("aliases", ()):
            continue
        i, entry = entries[eid]
        if index is None:
            index = PositionIndex(state.text or "")
        where = ("entities", i, "aliases") if "aliases" in entry else ("entities", i)
        line, column = index.locate(where)
        same = [a for a in entry.get("aliases", ()) if unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", text)]
        found.append(Diagnostic(
            "L6-alias-missing", "warning", state.rel,
            f"{_q(text, 40)}, the spelling of mentions linked to {_q(eid)} in {_n(docs, 'annotation file')} (first: {first}), is not among its aliases"
            + (f"; the alias {_q(same[0])} looks the same but is composed differently (NFC vs NFD): the raw text's form is the one to list" if same else ""),
            line=line, column=column, json_path=format_path(where),
            hint=f"add {_q(text)} to the aliases of {_q(eid)}"
            + (f" (`newscorpus entity {shlex.quote(text)} --alias-of {shlex.quote(str(eid))}`)" if state.rel == REGISTRY_REL else "")  # the command edits the gold registry only
            + ", or link those mentions to the entity they name",
        ))
    return found


def _unused_entries(state: RegistryState, used: set[str], spellings: SpellingUse, all_spellings: bool = True) -> list[Diagnostic]:
    """Registry against use: L6-unused-registry-entry for an entry no file uses; L6-unused-alias
    for an alias of a used entry that no mention spells; L6-alias-missing for a spelling the
    mentions use that the aliases lack (aliases are the corpus's spellings, guidelines section 2).
    Each is found once, at the registry, however many documents it concerns. `all_spellings`
    False: some annotation's spellings could not be read, so "unused" would be a guess."""
    if state.labels is None:
        return []
    found = _missing_aliases(state, spellings)
    index = None
    for i, entry in enumerate(state.data["entities"]):
        if entry["id"] in used:
            for k, alias in enumerate(entry.get("aliases", ()) if all_spellings else ()):
                if (entry["id"], alias) not in spellings:
                    if index is None:
                        index = PositionIndex(state.text or "")
                    line, column = index.locate(("entities", i, "aliases", k))
                    found.append(Diagnostic(
                        "L6-unused-alias", "warning", state.rel,
                        f"alias {_q(alias)} of {_q(entry['id'])} is the text of no entity mention linked to it (nor the publisher name of a document it publishes)",
                        line=line, column=column, json_path=format_path(("entities", i, "aliases", k)),
                        hint="delete it (a name the articles do not use belongs in the description), or annotate and link the mention that spells it",
                    ))
        else:
            if index is None:
                index = PositionIndex(state.text or "")
            line, column = index.locate(("entities", i))
            found.append(
                Diagnostic(
                    "L6-unused-registry-entry",
                    "warning",
                    state.rel,
                    f"registry entry {_q(entry['id'])} ({entry['label']}, {_q(entry['name'], 40)}) is used by no annotation or metadata",
                    line=line,
                    column=column,
                    json_path=format_path(("entities", i)),
                    hint="delete it, or link the mentions that refer to it (an entry added before its annotation is reported until the annotation is there)",
                )
            )
    return found


_POLICY_CODES = {"shape": "L2-schema", "splits": "L6-split-vocabulary", "fractions": "L6-split-fractions"}


def _check_splits(root: Path, paths: CorpusPaths) -> tuple[list[Diagnostic], Any, str | None]:
    rel = SPLITS_REL
    f = _File(rel, "splits")
    if not _load_json(root, f) or not _check_schema(root, f):
        return f.diagnostics, f.data, f.sha256
    for doc_id in sorted(f.data["assignments"]):  # the schema made each a DocId: no "/" or ".."
        if not os.path.lexists(paths.raw(doc_id)):  # listed in raw/ as the document list is, whatever it is
            f.add(
                "L6-split-unknown-doc",
                f"assignments pins {_q(doc_id)}, which is not a document of the corpus (no {raw_rel(doc_id)})",
                ("assignments", doc_id),
                key=True,
            )
    from newscorpus.splits import policy_problems  # the very check the build applies the policy with

    for problem in policy_problems(f.data, load_schemas(root).vocabulary.splits):
        f.add(_POLICY_CODES[problem.kind], problem.message, problem.path)
    if not f.error_count():
        _check_canonical(root, f)
    return f.diagnostics, f.data, f.sha256


def _strays_in(folder: Path, is_stray: Callable[[str, bool], bool]) -> list[tuple[str, bool]]:
    """(name, is a folder) of the entries of `folder` that `is_stray`, sorted. os.scandir streams
    the listing (raw/ holds two files per document) and reports the type without a stat."""
    strays = []
    try:
        with os.scandir(folder) as found:
            for entry in found:
                is_dir = entry.is_dir()
                if is_stray(entry.name, is_dir):
                    strays.append((entry.name, is_dir))
    except OSError:
        return []
    return sorted(strays)


def missing_documentation(root: Path) -> list[Diagnostic]:
    """The guidelines and the adjudication record are published with the data and the card
    names them: a corpus without them cannot be released (splits.json is checked above)."""
    found = []
    for rel in PUBLISHED_PROSE:
        path = root / rel
        if path.is_file():
            continue
        what = ("is a symbolic link to nothing" if path.is_symlink() and not path.exists() else
                "is not a file" if os.path.lexists(path) else "does not exist")
        found.append(Diagnostic("L6-missing-file", "error", rel, f"{rel} {what}: it is published with the data and the dataset card names it",
                                line=1, hint=f"restore it (`git checkout -- {rel}`), or write it"))
    return found


def _stray_files(paths: CorpusPaths) -> list[Diagnostic]:
    found = []

    def warn(rel: str, why: str) -> None:
        found.append(Diagnostic("L6-stray-file", "warning", rel, f"{rel} {why}", line=1))

    def stray_raw(name: str, is_dir: bool) -> bool:
        # a document's file name, even on a folder, is a document (a folder there is L1-unreadable)
        return name not in ALLOWED_EXTRA_FILES and _doc_id_from_raw_name(name) is None

    def stray_in_pass(name: str, is_dir: bool) -> bool:  # an annotation folder holds .json and .md files
        return name not in ALLOWED_EXTRA_FILES and (is_dir or not (name.endswith(ANNOTATION_SUFFIX) or name.endswith(".md")))

    def stray_annotated(name: str, is_dir: bool) -> bool:  # ... and annotated/ also holds passes/
        return name != PASSES_DIR and stray_in_pass(name, is_dir)

    for name, is_dir in _strays_in(paths.raw_dir, stray_raw):
        if is_dir:
            warn(f"{RAW_DIR}/{name}", "is a folder; raw/ holds only <doc_id>.txt and <doc_id>.meta.json")
        else:
            warn(f"{RAW_DIR}/{name}", "is neither <doc_id>.txt nor <doc_id>.meta.json")
    for name, is_dir in _strays_in(paths.annotated_dir, stray_annotated):
        if is_dir:
            warn(f"{ANNOTATED_DIR}/{name}", "is a folder; annotation passes go in annotated/passes/<annotator>/")
        else:
            warn(f"{ANNOTATED_DIR}/{name}", "is not an annotation (.json) or a Markdown document")
    for annotator in pass_annotators(paths):
        for name, _ in _strays_in(paths.passes_dir / annotator, stray_in_pass):
            warn(f"{ANNOTATED_DIR}/{PASSES_DIR}/{annotator}/{name}", "is not an annotation (.json) or a Markdown document")
    return found


class _Tasks(Sequence):
    """The tasks of a run, made when asked for: a task per document would cost about 100 bytes
    each for the whole run; the doc ids are held anyway."""

    def __init__(self, root: str, keep_data: bool, doc_ids: list[str], pass_tasks: list[tuple[str, str]]):
        self.root, self.keep_data, self.doc_ids, self.pass_tasks = root, keep_data, doc_ids, pass_tasks

    def __len__(self) -> int:
        return len(self.doc_ids) + len(self.pass_tasks)

    def _task(self, i: int) -> tuple:
        n = len(self.doc_ids)
        if i < n:
            return ("doc", self.keep_data, self.root, self.doc_ids[i])
        annotator, doc_id = self.pass_tasks[i - n]
        return ("pass", self.keep_data, self.root, annotator, doc_id)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._task(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._task(index)


@dataclass
class AfterCheck:
    """Work hung on validation, so that each document is read and parsed once (the build's rows).

    `make(results)` runs where the documents were checked (a worker process), on each batch of
    gold results in document order, while their text, metadata and annotation are still loaded;
    it must be picklable (a module-level function or a functools.partial of one). `take(output)`
    then runs in the calling process, batch by batch, in document order."""

    make: Callable[[list[DocumentResult]], Any]
    take: Callable[[Any], None]
    label: str = "validate"  # the progress bar's name


BATCH_DOCS = 32  # documents per worker task; results never depend on it
BATCHES_AHEAD = 2  # tasks queued per worker: enough to keep it busy, few enough to bound memory
_AFTER_MAKE: Callable | None = None  # in a worker process: AfterCheck.make, set by the initializer


# Checking a document allocates tens of thousands of small objects, nearly all freed by
# reference counting as soon as it is done; with the default threshold (700) the cyclic
# collector runs every few spans and re-scans everything alive (measured: 7% of a build).
GC_GEN0_THRESHOLD = 50_000


def _raise_gc_threshold() -> tuple[int, ...]:
    """Collect generation 0 at most every GC_GEN0_THRESHOLD allocations; returns the old setting."""
    before = gc.get_threshold()
    gc.set_threshold(max(GC_GEN0_THRESHOLD, before[0]), *before[1:])
    return before


def _worker_init(make: Callable | None) -> None:
    global _AFTER_MAKE
    _AFTER_MAKE = make
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a worker the pool terminates just ends (cli turns SIGTERM into an interrupt)
    gc.freeze()  # what the worker imported stays out of every later collection
    _raise_gc_threshold()


@contextlib.contextmanager
def _fewer_gc_passes() -> Iterator[None]:
    """The worker's collector setting, for batches checked in this process; restored after."""
    before = _raise_gc_threshold()
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _run_task(task: tuple) -> DocumentResult:
    kind = task[0]
    return validate_document(*task[2:]) if kind == "doc" else validate_pass_document(*task[2:])


def _run_batch(batch: list[tuple], make: Callable | None = None) -> tuple[list[DocumentResult], Any]:
    """Check a batch of documents; hand the gold ones to `make` before their data is dropped."""
    make = make or _AFTER_MAKE
    results = [_run_task(task) for task in batch]
    output = make([r for r, t in zip(results, batch) if t[0] == "doc"]) if make is not None else None
    return [r if t[1] else r.without_data() for r, t in zip(results, batch)], output


def usable_cores() -> int:
    """The cores this process may run on (a container's CPU set, not the whole machine's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def _run_tasks(tasks: Sequence[tuple], jobs: int, make: Callable | None = None) -> Iterator[tuple[list[DocumentResult], Any]]:
    """(results, output of make) per batch, in task order; `jobs` never changes them, only how
    fast they come. At most BATCHES_AHEAD batches per worker are in flight, so results cannot
    pile up while the caller is busy with the previous ones. No more workers than usable cores
    are started: the work is CPU-bound, and `--jobs 1000` would otherwise start 1000 processes."""
    jobs = min(jobs, usable_cores())
    batch_size = max(1, min(BATCH_DOCS, len(tasks) // (max(1, jobs) * 8)))
    starts = range(0, len(tasks), batch_size)  # batches are cut when they are sent, not before
    batches = (tasks[i : i + batch_size] for i in starts)
    done = 0
    if jobs > 1 and len(tasks) >= POOL_MIN_TASKS:
        from collections import deque
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        workers = min(jobs, len(starts))
        try:
            with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init, initargs=(make,)) as pool:
                todo = batches
                in_flight = deque(pool.submit(_run_batch, b) for b in islice(todo, BATCHES_AHEAD * workers))
                while in_flight:
                    finished = in_flight.popleft().result()
                    following = next(todo, None)
                    if following is not None:
                        in_flight.append(pool.submit(_run_batch, following))
                    yield finished
                    done += 1
            return
        except (BrokenProcessPool, OSError, PermissionError):
            pass  # no processes on this machine (or they died): do the rest here
    with _fewer_gc_passes():
        for i in starts[done:]:
            yield _run_batch(tasks[i : i + batch_size], make)


PROGRESS_MIN_TASKS = 500  # fewer documents take about a second: no bar, and no tqdm import (60 ms)


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, desc: str):
    """A tqdm bar on stderr for long runs on a terminal; nothing when tqdm is not installed
    (it comes with the build extra, not with the validator)."""
    if total < PROGRESS_MIN_TASKS:
        return _NoBar()
    try:
        from tqdm import tqdm
    except ImportError:
        return _NoBar()
    return tqdm(total=total, desc=desc, unit="doc", file=sys.stderr, disable=None, leave=False)


def _each_result(checked: Iterator[tuple[list[DocumentResult], Any]], tasks: Sequence[tuple], after: AfterCheck | None, bar) -> Iterator[tuple[DocumentResult, tuple]]:
    """(result, task) one at a time; each batch's AfterCheck output is taken first."""
    position = 0
    for results, output in checked:
        if after is not None:
            after.take(output)
        for result in results:
            yield result, tasks[position]
            position += 1
        bar.update(len(results))


def validate_corpus(
    paths: CorpusPaths,
    targets: list[Path] | None = None,
    jobs: int | None = 1,  # None: the usable cores (the command line's default)
    strict: bool = False,
    keep_data: bool = True,
    after: AfterCheck | None = None,
    progress: bool = False,
) -> ValidationReport:
    """Validate the corpus at `paths.root`, or the part of it that `targets` touch.

    keep_data=False drops each document's text, metadata and annotation once it is checked
    and keeps the small summaries on disk (SpillList), so memory does not grow with the corpus.
    The command line and the build use it. `after`: see AfterCheck. `progress`: a bar on stderr
    (shown only on a terminal)."""
    root = paths.root.resolve()
    paths = CorpusPaths(root)
    selection = resolve_targets(paths, targets)
    report = ValidationReport(root=str(root), strict=strict, whole_corpus=selection.whole, ignored=list(selection.ignored))
    if not keep_data:
        report.documents = SpillList()  # one summary per document, kept on disk: memory stays flat
    schema_problems = schema_file_diagnostics(root, deep=selection.whole)
    if schema_problems:
        report.corpus_diagnostics.extend(schema_problems)
        return report
    for cached in (_rs_validator, _reference_validator, _registry_state, _doc_id_rule, _key_order):
        getattr(cached, "cache_clear", lambda: None)()  # the schemas may have changed since the last run

    annotators_all = pass_annotators(paths)
    if selection.whole:
        doc_ids = paths.all_doc_ids()
        pass_tasks = [(a, d) for a in annotators_all for d in pass_doc_ids(paths, a)]
        pass_registries = set(annotators_all)
    else:
        doc_ids = sorted(selection.doc_ids)
        pass_tasks = sorted(selection.passes)
        pass_registries = set(selection.pass_registries)

    corpus_registry = registry_state(root, REGISTRY_REL)
    if corpus_registry.exists:
        report.registry = corpus_registry.data
        report.corpus_files[REGISTRY_REL] = corpus_registry.sha256
        report.corpus_diagnostics.extend(corpus_registry.diagnostics)
    elif selection.whole or selection.registry or doc_ids or pass_tasks:
        needs = selection.whole or selection.registry or any(_exists(root / annotation_rel(d)) for d in doc_ids) or pass_tasks
        if needs:
            report.corpus_diagnostics.append(
                Diagnostic("L6-missing-file", "error", REGISTRY_REL, f"{REGISTRY_REL} does not exist: entity ids cannot be checked", line=1,
                           hint="add the registry (schema/entity-registry.schema.json)")
            )
    pass_states: dict[str, RegistryState] = {}
    for annotator in sorted(pass_registries):
        own = registry_rel(annotator)
        state = registry_state(root, own)
        if state.exists:
            pass_states[annotator] = state
            report.corpus_files[own] = state.sha256
            report.corpus_diagnostics.extend(state.diagnostics)

    # the registry as a target: find the documents that use an id it no longer has
    scan_complete = True
    used_scan: dict[str, set[str]] | None = None
    spellings_scan: SpellingUse = {}
    if selection.registry and not selection.whole:
        rels = [annotation_rel(d) for d in paths.annotation_doc_ids()] + [meta_rel(d) for d in paths.meta_doc_ids()]
        # passes with a registry of their own are judged against it, not against this one
        rels += [annotation_rel(d, a) for a in annotators_all if not os.path.lexists(root / registry_rel(a)) for d in pass_doc_ids(paths, a)]
        used_scan, spellings_scan, scan_complete = _scan_used_ids(root, rels)
        if corpus_registry.labels is not None:
            extra_docs = set()
            for eid, users in used_scan.items():
                if eid not in corpus_registry.labels:
                    for rel in users:
                        parts = Path(rel).parts
                        if parts[0] == RAW_DIR:
                            extra_docs.add(_doc_id_from_raw_name(parts[1]))
                        elif len(parts) == 2:
                            extra_docs.add(parts[1][: -len(ANNOTATION_SUFFIX)])
                        else:
                            pass_tasks.append((parts[2], parts[3][: -len(ANNOTATION_SUFFIX)]))
            doc_ids = sorted(set(doc_ids) | extra_docs)
            pass_tasks = sorted(set(pass_tasks))

    tasks = _Tasks(str(root), keep_data, doc_ids, pass_tasks)
    # Entity ids used, folded as results stream in (None: gold and metadata; else a pass's
    # annotator), so that a large corpus keeps one union, not one id set per document.
    used_by: dict[str | None, set[str]] = defaultdict(set)
    spelled_by: dict[str | None, SpellingUse] = defaultdict(dict)  # owner -> spellings its files use
    spellings_unknown: set[str | None] = set()  # owners with an annotation whose spans could not be read
    ids_unknown: set[str | None] = set()  # owners with a file whose entity ids could not be read
    unparsed: set[str | None] = set()  # owners with an annotation file that is not JSON
    bar = _progress_bar(len(tasks), after.label if after is not None else "validate") if progress else _NoBar()
    checked = _run_tasks(tasks, usable_cores() if jobs is None else max(1, int(jobs)), after.make if after is not None else None)
    for result, task in _each_result(checked, tasks, after, bar):
        owner = None if task[0] == "doc" else task[3]
        used_by[owner] |= result.entity_ids_used
        if not result.spellings_complete:
            spellings_unknown.add(owner)
        _note_spellings(spelled_by[owner], result.entity_spellings_used, annotation_rel(result.doc_id, owner))
        if any(d.code.startswith(("L1-", "L2-")) and d.severity == "error" for d in result.diagnostics):
            ids_unknown.add(owner)
        if not result.annotation_parsed:
            unparsed.add(owner)
        if not keep_data:
            result.entity_ids_used = result.entity_spellings_used = frozenset()
        report.add_result(result, owner)
    bar.close()
    del tasks

    if selection.whole or selection.splits:
        if paths.splits.is_file() or os.path.lexists(paths.splits):
            diags, data, sha = _check_splits(root, paths)
            report.corpus_diagnostics.extend(diags)
            report.splits = data
            report.corpus_files[SPLITS_REL] = sha
        elif selection.whole:
            rel = SPLITS_REL
            report.corpus_diagnostics.append(
                Diagnostic("L6-missing-file", "error", rel, f"{rel} does not exist: the split policy has no declared place", line=1,
                           hint="add it (schema/splits.schema.json)")
            )

    if selection.whole or selection.documentation:
        report.corpus_diagnostics.extend(missing_documentation(root))

    # registry use: every entry used (whole corpus, or the registry itself as target)
    if corpus_registry.labels is not None and (selection.whole or selection.registry):
        if selection.whole:
            owners = [None, *(a for a in report.passes if a not in pass_states)]
            used: set[str] = set().union(*(used_by[owner] for owner in owners))
            spellings = _merged_spellings(spelled_by, owners)
            # some file's entity ids are unknown: "unused" would be a guess
            complete = not any(owner in ids_unknown for owner in owners)
            all_spellings = not any(owner in spellings_unknown for owner in owners)
        else:
            used = set(used_scan or {})
            spellings = spellings_scan
            complete = all_spellings = scan_complete
        if complete:
            report.corpus_diagnostics.extend(_unused_entries(corpus_registry, used, spellings, all_spellings))
    elif corpus_registry.labels is not None:
        # some documents checked: whether an entry or alias is unused needs the whole corpus,
        # but whether their mentions' spellings are aliases needs only them
        owners = [None, *(a for a in report.passes if not os.path.lexists(root / registry_rel(a)))]
        report.corpus_diagnostics.extend(_missing_aliases(corpus_registry, _merged_spellings(spelled_by, owners)))
    if not selection.whole:  # a checked pass with a registry of its own: its mentions against that registry
        for annotator in sorted(a for a in report.passes if a not in pass_registries and os.path.lexists(root / registry_rel(a))):
            own = registry_state(root, registry_rel(annotator))
            if own.exists:
                report.corpus_files.setdefault(registry_rel(annotator), own.sha256)
            report.corpus_diagnostics.extend(_missing_aliases(own, spelled_by[annotator]))
    for annotator, state in sorted(pass_states.items()):
        if state.labels is not None and annotator in pass_registries and annotator not in unparsed:
            report.corpus_diagnostics.extend(_unused_entries(state, used_by[annotator], spelled_by[annotator], annotator not in spellings_unknown))

    if selection.whole:
        report.corpus_diagnostics.extend(_stray_files(paths))
    elif selection.ignored_in_corpus:  # a stray named alone is reported as the whole run reports it
        strays = [d for d in _stray_files(paths) if d.path in selection.ignored_in_corpus]
        named = {selection.ignored_in_corpus[d.path] for d in strays}
        report.corpus_diagnostics.extend(strays)
        report.ignored = [t for t in report.ignored if t not in named]
    report.corpus_diagnostics = sorted(set(report.corpus_diagnostics), key=Diagnostic.sort_key)
    return report


# =============================================================================== renderers


def _counts(annotation: Any) -> dict[str, int]:
    if not isinstance(annotation, dict):
        return {}
    return {layer: len(annotation.get(layer, []) or []) if isinstance(annotation.get(layer), list) else 0 for layer in ("zones",) + SPAN_LAYERS}


def _iter_file_entries(report: ValidationReport) -> Iterator[dict]:
    """One entry per file checked or named by a diagnostic, sorted by path, one at a time.

    Entries are sorted on disk (a temporary SQLite table), not in memory: a report on a corpus of
    any size holds its findings and one entry. SQLite compares the UTF-8 bytes of the path, which
    is code point order, so the order is exactly `sorted()` of the paths."""
    import sqlite3

    findings: dict[str, list[Diagnostic]] = {}
    for d in report.diagnostics:
        findings.setdefault(d.path, []).append(d)

    def entry(path: str, kind: str, doc: DocumentResult | None) -> dict:
        e = {"path": path, "kind": kind, "doc_id": doc.doc_id if doc is not None else None, "sha256": None,
             "counts": {}, "errors": [], "warnings": []}
        if kind == "raw" and doc is not None:
            e["sha256"] = doc.raw_sha256
            if doc.codepoints is not None:
                e["counts"] = {"codepoints": doc.codepoints}
        elif kind == "metadata" and doc is not None:
            e["sha256"] = doc.metadata_sha256
        elif kind in ("annotation", "pass_annotation") and doc is not None:
            e["sha256"], e["counts"] = doc.annotation_sha256, dict(doc.counts)
        elif path in report.corpus_files:
            e["sha256"] = report.corpus_files[path]
            # counted only when the file has the schema's shape there (an invalid one may hold anything)
            if kind == "registry" and path == REGISTRY_REL and isinstance(report.registry, dict):
                if isinstance(entities := report.registry.get("entities", []), list):
                    e["counts"] = {"entities": len(entities)}
            if kind == "splits" and isinstance(report.splits, dict):
                if isinstance(assignments := report.splits.get("assignments", {}), dict):
                    e["counts"] = {"assignments": len(assignments)}
        for d in findings.get(path, []):
            e["errors" if d.severity == "error" else "warnings"].append(_diag_dict(d))
        return e

    def sources() -> Iterator[tuple[str, str, DocumentResult | None]]:
        for doc in report.documents:
            if doc.raw_sha256 is not None:
                yield raw_rel(doc.doc_id), "raw", doc
            if doc.metadata_sha256 is not None:
                yield meta_rel(doc.doc_id), "metadata", doc
            if doc.annotation_sha256 is not None:
                yield annotation_rel(doc.doc_id), "annotation", doc
        for annotator, results in report.passes.items():
            for doc in results:
                if doc.annotation_sha256 is not None:
                    yield annotation_rel(doc.doc_id, annotator), "pass_annotation", doc
        for path in report.corpus_files:
            yield path, _kind_of(path), None

    def key(path: str) -> bytes:
        return path.encode("utf-8", "surrogatepass")  # a file name may carry undecodable bytes

    db = sqlite3.connect("")  # "": a private on-disk temporary database, deleted on close
    try:
        db.execute("CREATE TABLE entry (path BLOB PRIMARY KEY, body TEXT NOT NULL)")
        rows = ((key(path), json.dumps(entry(path, kind, doc))) for path, kind, doc in sources())
        db.executemany("INSERT OR REPLACE INTO entry VALUES (?, ?)", rows)  # a later source wins, as before
        db.executemany(
            "INSERT OR IGNORE INTO entry VALUES (?, ?)",
            ((key(path), json.dumps(entry(path, _kind_of(path), None))) for path in findings),
        )
        for (body,) in db.execute("SELECT body FROM entry ORDER BY path"):
            yield json.loads(body)
    finally:
        db.close()


def _kind_of(path: str) -> str:
    if path.startswith(f"{SCHEMA_DIR}/"):
        return "schema"
    if path.endswith(META_SUFFIX):
        return "metadata"
    if path.endswith(RAW_SUFFIX):
        return "raw"
    if path.endswith(REGISTRY_FILE):
        return "registry"
    if path.endswith(SPLITS_FILE):
        return "splits"
    if f"/{PASSES_DIR}/" in path:
        return "pass_annotation"
    return "annotation"


def _diag_dict(d: Diagnostic) -> dict:
    return {
        "code": d.code,
        "severity": d.severity,
        "path": d.path,
        "line": d.line,
        "column": d.column,
        "json_path": d.json_path,
        "span": list(d.span) if d.span else None,
        "message": d.message,
        "hint": d.hint,
    }


def _summary(report: ValidationReport) -> dict:
    diags = report.diagnostics
    errors = sum(1 for d in diags if d.severity == "error")
    return {
        "documents": len(report.documents),
        "pass_documents": sum(len(r) for r in report.passes.values()),
        "errors": errors,
        "warnings": len(diags) - errors,
        "by_code": dict(sorted(Counter(d.code for d in diags).items())),
    }


def _summary_line(report: ValidationReport) -> str:
    s = _summary(report)
    status = "valid" if report.ok() else "INVALID"
    scope = "whole corpus" if report.whole_corpus else "selected files"
    passes = f", {s['pass_documents']} pass file{'s' if s['pass_documents'] != 1 else ''}" if s["pass_documents"] else ""
    strict = ""
    if report.strict and s["warnings"]:
        in_passes = sum(1 for d in report.diagnostics if d.severity == "warning" and not d.fails(True))
        strict = " (--strict: warnings fail" + (f"; {'the one' if in_passes == 1 else f'the {in_passes}'} in annotated/passes/ {'does' if in_passes == 1 else 'do'} not: a blind pass is kept as written" if in_passes else "") + ")"
    return (
        f"newscorpus validate ({scope}): {s['documents']} document{'s' if s['documents'] != 1 else ''}{passes}; "
        f"{s['errors']} error{'s' if s['errors'] != 1 else ''}, {s['warnings']} warning{'s' if s['warnings'] != 1 else ''}: {status}{strict}"
    )


def diagnostic_lines(d: Diagnostic) -> list[str]:
    """`path:line:col: severity CODE at json_path: message`, and a hint line when there is one."""
    where = d.path + (f":{d.line}" if d.line else "") + (f":{d.column}" if d.line and d.column else "")
    at = f" at {d.json_path}" if d.json_path and d.json_path != "$" else ""
    lines = [f"{where}: {d.severity} {d.code}{at}: {d.message}"]
    if d.hint:
        lines.append(f"    hint: {d.hint}")
    return lines


def render_text(report: ValidationReport) -> str:
    """Human-readable: `path:line:col: severity CODE at json_path: message`, then a hint line."""
    lines = []
    for d in report.diagnostics:
        lines.extend(diagnostic_lines(d))
    for target in report.ignored:
        lines.append(f"note: {target} is not a corpus file; not checked")
    lines.extend(_not_run_lines(report))
    lines.append(_summary_line(report))
    return "\n".join(lines) + "\n"


def _not_run_lines(report: ValidationReport, limit: int = 20) -> list[str]:
    """Which checks the errors above kept from running: fixing them may bring more findings."""
    if not report.not_run:
        return []
    lines = [f"note: errors above stopped the later checks of {_n(len(report.not_run), 'file')}; "
             "fix them and run again, since more findings may follow:"]
    for rel in sorted(report.not_run)[:limit]:
        lines.append(f"  {rel}: not checked: {', '.join(report.not_run[rel])}")
    if len(report.not_run) > limit:
        lines.append(f"  … and {len(report.not_run) - limit} more (`--format json` lists them all)")
    return lines


def render_json(report: ValidationReport) -> str:
    """Machine-readable report: summary, then per file its sha256, counts, errors and warnings."""
    return "".join(iter_json(report))


_FILES_SLOT = "\x00files\x00"


def iter_json(report: ValidationReport) -> Iterator[str]:
    """render_json in pieces, a file entry at a time, so that a report on a large corpus is
    written without ever being whole in memory. The pieces join to exactly
    json.dumps(document, indent=2) of the whole report (a test checks it)."""
    document = {
        "tool": "newscorpus validate",
        "version": __version__,
        "ok": report.ok(),
        "strict": report.strict,
        "whole_corpus": report.whole_corpus,
        "summary": _summary(report),
        "files": _FILES_SLOT,
        "ignored": list(report.ignored),
        "not_run": {rel: list(checks) for rel, checks in sorted(report.not_run.items())},
    }
    head, tail = _safe(json.dumps(document, ensure_ascii=False, indent=2)).split(json.dumps(_FILES_SLOT))
    yield head
    first = True
    for entry in _iter_file_entries(report):
        lines = _safe(json.dumps(entry, ensure_ascii=False, indent=2)).split("\n")
        yield ("[\n" if first else ",\n") + "\n".join("    " + line for line in lines)
        first = False
    yield ("[]" if first else "\n  ]") + tail + "\n"


def _safe(text: str) -> str:
    """Lone surrogates (from undecodable file names) as escapes, so the report is valid UTF-8."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _gh_escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_escape_property(text: str) -> str:
    return _gh_escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: ValidationReport, prefix: str = "") -> str:
    """GitHub workflow commands: one `::error file=..,line=..,col=..,title=CODE::message` per finding."""
    lines = []
    for d in report.diagnostics:
        props = [f"file={_gh_escape_property(prefix + d.path)}"]
        if d.line:
            props.append(f"line={d.line}")
            if d.column:
                props.append(f"col={d.column}")
        props.append(f"title={_gh_escape_property(d.code)}")
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        if d.json_path and d.json_path != "$":
            message = f"{d.json_path}: {message}"
        lines.append(f"::{d.severity} {','.join(props)}::{_gh_escape_data(message)}")
    lines.extend(_not_run_lines(report))
    lines.append(_summary_line(report))
    return "\n".join(lines) + "\n"


SUMMARY_LIMIT_BYTES = 900_000  # GitHub accepts up to 1 MiB of step summary per step


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def render_markdown(report: ValidationReport, prefix: str = "") -> str:
    """The full report as Markdown, for the GitHub step summary."""
    s = _summary(report)
    head = [
        f"## newscorpus validate: {'✅ valid' if report.ok() else '❌ invalid'}",
        "",
        f"{_n(s['documents'], 'document')}, {_n(s['pass_documents'], 'pass file')}; **{_n(s['errors'], 'error')}**, {_n(s['warnings'], 'warning')}.",
        "",
    ]
    if s["by_code"]:
        head += ["| rule | count |", "|---|---|"] + [f"| `{code}` | {n} |" for code, n in s["by_code"].items()] + [""]
        head += ["Explain a rule: `newscorpus validate --explain CODE`.", "", "| file | severity | rule | message |", "|---|---|---|---|"]
    body: list[str] = []
    size = sum(len(x) + 1 for x in head)
    diags = report.diagnostics
    for n, d in enumerate(diags):
        where = prefix + d.path + (f":{d.line}" if d.line else "")
        message = d.message + (f" (hint: {d.hint})" if d.hint else "")
        row = f"| `{_md_cell(where)}` | {d.severity} | `{d.code}` | {_md_cell(message)} |"
        if size + len(row.encode("utf-8")) > SUMMARY_LIMIT_BYTES:
            body.append(f"\n… {len(diags) - n} more findings not shown; run `newscorpus validate` locally for all of them.")
            break
        body.append(row)
        size += len(row.encode("utf-8")) + 1
    if report.not_run:
        body += ["", f"Errors stopped the later checks of {_n(len(report.not_run), 'file')} (their own, or those of the raw file they rest on); fix them and run again, since more findings may follow:", ""]
        body += [f"- `{_md_cell(prefix + rel)}`: {', '.join(checks)}" for rel, checks in sorted(report.not_run.items())[:50]]
    return "\n".join(head + body) + "\n"


def write_step_summary(report: ValidationReport, prefix: str = "") -> None:
    """Append the Markdown report to $GITHUB_STEP_SUMMARY, if set. A summary that cannot be
    written is a one-line warning on stderr: the annotations are the report, and the exit code
    says whether the corpus is valid, not whether the summary file was writable."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(render_markdown(report, prefix))
    except OSError as exc:
        _write(
            f"newscorpus validate: warning: cannot write the step summary to {target} (GITHUB_STEP_SUMMARY): "
            f"{exc.strerror or exc}; the report is printed as usual\n",
            sys.stderr,
        )


# =============================================================================== command line


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help="files or folders to check (default: the whole corpus), or doc_ids (a document's raw text, metadata and "
                             "annotations); a path also brings in the corpus-level checks it touches")
    parser.add_argument("--format", choices=("text", "json", "github"), default="text",
                        help="text (default), json (machine-readable report) or github (workflow annotations + step summary)")
    parser.add_argument("--strict", action="store_true", help="warnings fail the run too, except those in annotated/passes/ (a blind pass is kept as written)")
    parser.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                        help="worker processes for big corpora (default and most: the usable cores; small runs stay in one process)")
    parser.add_argument("--root", type=Path, default=None, help="corpus root (default: found at or above the working directory)")
    parser.add_argument("--output", "-o", type=Path, default=None, help="write the report to this file (atomically) instead of standard output")
    parser.add_argument("--schema-engine", choices=ENGINES, default=None,
                        help=f"JSON Schema engine: auto (jsonschema_rs fast pass, jsonschema for messages), rs, or jsonschema (also ${ENGINE_ENV})")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr (there is none off a terminal anyway), as for build")
    parser.add_argument("--explain", metavar="CODE", default=None, help="print the explanation of a rule code, and where the validator checks it, and exit")
    parser.add_argument("--list-rules", action="store_true", help="list every rule code and exit")


def _write_pieces(pieces: Iterable[str], stream=None, size: int = 1 << 20) -> None:
    """Write many small pieces in blocks of about `size` characters (one flush per block)."""
    block: list[str] = []
    held = 0
    for piece in pieces:
        block.append(piece)
        held += len(piece)
        if held >= size:
            _write("".join(block), stream)
            block, held = [], 0
    if block:
        _write("".join(block), stream)


def _write(text: str, stream=None) -> None:
    """Write and flush (a console that cannot encode a character: cli._tolerant_output)."""
    stream = stream or sys.stdout
    stream.write(text)
    stream.flush()


def rule_sources(code: str) -> list[str]:
    """Where the package's code names a rule code: 'validate.py:768 in _check_spans_basic', so
    `--explain` takes a newcomer from a code to the check itself (read from the installed
    source, so the lines are those of the code that ran). A nested function is named with the
    one around it (`_stray_files.warn`); a code in a module-level table is named with the table
    and the functions that read it (`_FINDING_CODES, read by _load_json`)."""
    import ast

    found = []
    package = Path(__file__).parent
    for source in sorted(package.glob("*.py")):
        if source.name == "rules.py":  # the declaration, not a check
            continue
        text = source.read_text("utf-8")
        if f'"{code}"' not in text:
            continue
        tree = ast.parse(text)
        readers: dict[str, list[str]] = {}  # module-level name -> the functions that read it

        def visit(node, function: str | None, table: str | None) -> None:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                function = f"{function}.{node.name}" if function else node.name
            if function and isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                readers.setdefault(node.id, [])
                if function not in readers[node.id]:
                    readers[node.id].append(function)
            if isinstance(node, ast.Constant) and node.value == code:
                hits.append((node.lineno, function, table))
            for child in ast.iter_child_nodes(node):
                visit(child, function, table)

        hits: list[tuple[int, str | None, str | None]] = []  # (line, function, module-level table)
        for statement in tree.body:
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target] if isinstance(statement, ast.AnnAssign) else []
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            visit(statement, None, names[0] if names else None)
        for line, function, table in hits:  # the readers of a table are known only once the whole file is read
            if function:
                found.append(f"{source.name}:{line} in {function}")
            elif table:
                users = readers.get(table, [])
                found.append(f"{source.name}:{line} in {table}" + (f", read by {', '.join(users)}" if users else ""))
            else:
                found.append(f"{source.name}:{line} at module level")
    return found


def _explain(code: str) -> int:
    by_lower = {c.lower(): r for c, r in RULES.items()}
    rule = RULES.get(code) or by_lower.get(code.strip().lower())
    if rule is None:
        near = difflib.get_close_matches(code, list(RULES), n=3, cutoff=0.4)
        tip = f" (did you mean {', '.join(near)}?)" if near else ""
        _write(f"newscorpus validate: unknown rule code {code!r}{tip}; see --list-rules\n", sys.stderr)
        return EXIT_USAGE
    sources = rule_sources(rule.code)
    where = "".join(f"\n  newscorpus/{place}" for place in sources)
    _write(rule.render() + (f"\nChecked in:{where}\n" if sources else ""))
    return EXIT_OK


def _list_rules() -> str:
    width = max(len(code) for code in RULES)
    return "".join(f"{r.code:<{width}}  {r.severity:<7}  {r.summary}\n" for r in RULES.values())


def run(args: argparse.Namespace) -> int:
    if args.explain is not None:  # `--explain ""` is a usage error, not a request to validate
        return _explain(args.explain)
    if args.list_rules:
        _write(_list_rules())
        return EXIT_OK
    if args.jobs is not None and args.jobs < 1:
        _write("newscorpus validate: --jobs must be at least 1\n", sys.stderr)
        return EXIT_USAGE
    if args.output is not None and (problem := source_problem(args.output)):
        _write(f"newscorpus validate: --output {problem}; nothing was written\n", sys.stderr)
        return EXIT_USAGE
    if args.schema_engine:
        os.environ[ENGINE_ENV] = args.schema_engine
    if schema_engine() == "rs":
        try:
            import jsonschema_rs  # noqa: F401
        except ImportError:
            _write("newscorpus validate: the rs schema engine needs jsonschema-rs (pip install 'newscorpus[fast]')\n", sys.stderr)
            return EXIT_USAGE
    try:
        if args.root is not None:
            paths = find_root(args.root)
        else:
            try:
                paths = find_root()
            except CorpusNotFound:
                if not args.paths:
                    raise
                paths = find_root(args.paths[0])
        report = validate_corpus(paths, list(args.paths) or None, jobs=args.jobs, strict=args.strict, keep_data=False, progress=not args.no_progress)
    except (CorpusNotFound, UsageError) as exc:
        _write(f"newscorpus validate: {exc}\n", sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a bug in the validator, not in the data: say so in one line
        if os.environ.get("NEWSCORPUS_DEBUG"):
            raise
        _write(
            f"newscorpus validate: internal error ({type(exc).__name__}: {exc}); this is a bug in newscorpus, "
            "not in your files: please report it (NEWSCORPUS_DEBUG=1 shows the traceback)\n",
            sys.stderr,
        )
        return EXIT_USAGE
    prefix = _path_prefix(paths.root)
    if args.format == "json":
        output = iter_json(report)
    elif args.format == "github":
        output = render_github(report, prefix)
        write_step_summary(report, prefix)
    else:
        output = render_text(report)
    if args.output is not None:
        try:
            atomic_write_chunks(args.output, (piece.encode("utf-8") for piece in ([output] if isinstance(output, str) else output)))
        except OSError as exc:
            _write(f"newscorpus validate: cannot write {args.output}: {exc.strerror or exc}\n", sys.stderr)
            return EXIT_USAGE
        _write(_summary_line(report) + "\n", sys.stderr)
    elif isinstance(output, str):
        _write(output)
    else:
        _write_pieces(output)
    return report.exit_code()


def _path_prefix(root: Path) -> str:
    """Corpus root relative to the working directory, for annotations GitHub can place."""
    try:
        rel = Path(root).resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return ""
    text = rel.as_posix()
    return "" if text in ("", ".") else text + "/"
