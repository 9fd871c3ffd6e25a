"""The declared vocabulary and schemas, read from the corpus's own schema/ folder.

Label sets live once, in schema/vocabulary.schema.json. The JSON Schemas reference them,
and everything in Python (validator, dataset features, card) reads them through here, so
there is never a second copy to drift.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from newscorpus.positions import format_path

SCHEMA_DIR = "schema"
VOCABULARY_FILE = "vocabulary.schema.json"
SCHEMA_FILES = {
    "annotation": "annotation.schema.json",
    "metadata": "metadata.schema.json",
    "entity_registry": "entity-registry.schema.json",
    "splits": "splits.schema.json",
    "vocabulary": VOCABULARY_FILE,
}
VOCABULARY_REL = f"{SCHEMA_DIR}/{VOCABULARY_FILE}"

# The label sets the tools read from the vocabulary: Vocabulary field -> name in $defs. Each
# must be a non-empty list of distinct strings (their order is the ClassLabel index).
LABEL_SETS: dict[str, str] = {
    "zone_types": "ZoneType",
    "entity_labels": "EntityLabel",
    "quote_kinds": "QuoteKind",
    "date_types": "DateType",
    "date_mods": "DateMod",
    "date_anchors": "DateAnchor",
    "numeric_kinds": "NumericKind",
    "numeric_bounds": "NumericBound",
    "units": "Unit",
    "splits": "Split",
    "annotator_roles": "AnnotatorRole",
}
# The ClassLabel fields of each annotation layer: layer -> {field: Vocabulary field}. The first
# field classifies the layer's items (the card's tables, the NER tag types); the dataset
# features, the row builder and the card all read this table.
LAYER_LABEL_FIELDS: dict[str, dict[str, str]] = {
    "zones": {"type": "zone_types"},
    "entities": {"label": "entity_labels"},
    "quotes": {"kind": "quote_kinds"},
    "dates": {"type": "date_types", "mod": "date_mods", "anchor": "date_anchors"},
    "numeric_claims": {"kind": "numeric_kinds", "unit": "units", "bound": "numeric_bounds"},
}
# Derived: the field that classifies each layer's items, and its label set (Vocabulary field).
LAYER_CLASS_FIELD: dict[str, str] = {layer: next(iter(fields)) for layer, fields in LAYER_LABEL_FIELDS.items()}
LAYER_LABEL_SETS: dict[str, str] = {layer: fields[LAYER_CLASS_FIELD[layer]] for layer, fields in LAYER_LABEL_FIELDS.items()}


@dataclass(frozen=True)
class Vocabulary:
    """Every closed label set, in declared order (the order is the ClassLabel index)."""

    schema_version: str
    zone_types: tuple[str, ...]
    entity_labels: tuple[str, ...]
    quote_kinds: tuple[str, ...]
    date_types: tuple[str, ...]
    date_mods: tuple[str, ...]
    date_anchors: tuple[str, ...]
    numeric_kinds: tuple[str, ...]
    numeric_bounds: tuple[str, ...]
    units: tuple[str, ...]
    splits: tuple[str, ...]
    annotator_roles: tuple[str, ...]
    descriptions: dict[str, dict[str, str]]  # $defs name -> value -> x-descriptions text
    enums: dict[str, tuple[str, ...]]  # $defs name -> its enum of strings (label sets and the others)


@dataclass(frozen=True)
class Schemas:
    """Loaded schema documents plus a referencing registry that resolves their $ids."""

    documents: dict[str, dict]
    registry: Registry
    vocabulary: Vocabulary


@dataclass(frozen=True)
class SchemaProblem:
    """Why a schema file cannot be used as the tools need it: the file, the place, what is wrong.

    `duplicate`: a value declared twice (the validator reports it under its own rule code)."""

    file: str  # relative to the corpus root, e.g. schema/vocabulary.schema.json
    path: tuple  # JSON path in the file
    message: str
    duplicate: bool = False

    def __str__(self) -> str:
        return f"{self.file}: {format_path(self.path)}: {self.message}"


class SchemaFileError(ValueError):
    """schema/ cannot be loaded; `problem` says where. `newscorpus validate` reports every problem."""

    def __init__(self, problem: SchemaProblem):
        super().__init__(str(problem))
        self.problem = problem


def _read_json(path: Path) -> dict:
    with path.open("rb") as handle:
        return json.loads(handle.read().decode("utf-8"))


def _enums(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, list]]:
    """(JSON path, list) of every `enum` list anywhere in a schema document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "enum" and isinstance(value, list):
                yield (*path, key), value
            else:
                yield from _enums(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _enums(value, (*path, i))


def _enum_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def enum_duplicates(rel: str, doc: Any) -> list[SchemaProblem]:
    """A value listed twice in any `enum` of a schema document (JSON Schema allows it; a label
    set must not have it: ClassLabel names are unique, and which index would the label get?)."""
    found = []
    for path, values in _enums(doc):
        first: dict[str, int] = {}
        for i, value in enumerate(values):
            key = _enum_key(value)
            if key in first:
                found.append(SchemaProblem(
                    rel, (*path, i),
                    f"{key} is listed twice in {format_path(path)} (at [{first[key]}] and [{i}]); "
                    "each value of an enum is listed once",
                    duplicate=True,
                ))
            else:
                first[key] = i
    return found


def schema_document_problems(name: str, doc: Any) -> list[SchemaProblem]:
    """What makes the parsed schema document `name` (a key of SCHEMA_FILES) unusable, beyond
    being a valid JSON Schema: the shape the tools read, and duplicate enum values."""
    rel = f"{SCHEMA_DIR}/{SCHEMA_FILES[name]}"
    if not isinstance(doc, dict):
        return [SchemaProblem(rel, (), "the file must hold a JSON object (a JSON Schema)")]
    found = []
    if not isinstance(doc.get("$id"), str) or not doc["$id"]:
        found.append(SchemaProblem(rel, (), "the file is not a JSON Schema with an $id (a non-empty string)"))
    if name == "vocabulary":
        found += _vocabulary_shape(rel, doc)
    found += enum_duplicates(rel, doc)
    return found


def _vocabulary_shape(rel: str, doc: dict) -> list[SchemaProblem]:
    found = []
    if not isinstance(doc.get("schema_version"), str):
        found.append(SchemaProblem(rel, ("schema_version",), "the vocabulary needs a schema_version (a string)"))
    defs = doc.get("$defs")
    if not isinstance(defs, dict):
        found.append(SchemaProblem(rel, ("$defs",), "the vocabulary needs $defs, an object holding the label sets"))
        return found
    for name in LABEL_SETS.values():
        node = defs.get(name)
        if not isinstance(node, dict):
            what = "is missing" if node is None else "must be an object with an enum"
            found.append(SchemaProblem(rel, ("$defs", name), f"the label set {name} {what}"))
            continue
        values = node.get("enum")
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            found.append(SchemaProblem(rel, ("$defs", name, "enum"), f"the label set {name} must be a non-empty list of strings"))
    for name, node in defs.items():
        descriptions = node.get("x-descriptions", {}) if isinstance(node, dict) else {}
        if not isinstance(descriptions, dict) or not all(isinstance(v, str) for v in descriptions.values()):
            found.append(SchemaProblem(rel, ("$defs", name, "x-descriptions"), "x-descriptions must be an object of strings (label -> description)"))
    doc_id = defs.get("DocId")
    pattern = doc_id.get("pattern") if isinstance(doc_id, dict) else None
    try:
        usable = isinstance(pattern, str) and re.compile(pattern) is not None
    except re.error:
        usable = False
    if not usable:
        found.append(SchemaProblem(rel, ("$defs", "DocId", "pattern"), "DocId needs a pattern (a regular expression) that document ids must match"))
    max_length = doc_id.get("maxLength", 1) if isinstance(doc_id, dict) else 1
    if type(max_length) is not int or max_length < 1:
        found.append(SchemaProblem(rel, ("$defs", "DocId", "maxLength"), "DocId's maxLength must be a positive integer"))
    return found


@lru_cache(maxsize=8)
def load_schemas(root: str | Path) -> Schemas:
    """Read schema/ under `root`. Cached: schemas do not change during one run.

    Raises OSError or ValueError (json.JSONDecodeError, SchemaFileError) when a file cannot be
    used; `newscorpus validate` reports every such problem with its rule code."""
    schema_dir = Path(root) / SCHEMA_DIR
    documents = {name: _read_json(schema_dir / filename) for name, filename in SCHEMA_FILES.items()}
    for name, doc in documents.items():
        problems = schema_document_problems(name, doc)
        if problems:
            raise SchemaFileError(problems[0])
    resources = []
    for name, doc in documents.items():
        try:
            resources.append((doc["$id"], Resource.from_contents(doc, default_specification=DRAFT202012)))
        except Exception as exc:  # e.g. a $schema that is not a string: referencing cannot tell the dialect
            where = ("$schema",) if "$schema" in doc else ()
            raise SchemaFileError(SchemaProblem(f"{SCHEMA_DIR}/{SCHEMA_FILES[name]}", where, f"cannot be read as a JSON Schema ({type(exc).__name__}: {exc})")) from None
    registry = Registry().with_resources(resources)
    return Schemas(documents=documents, registry=registry, vocabulary=_vocabulary(documents["vocabulary"]))


def _vocabulary(doc: dict) -> Vocabulary:
    """The label sets of a vocabulary document that `schema_document_problems` accepts."""
    defs = doc["$defs"]
    sets = {field: tuple(defs[name]["enum"]) for field, name in LABEL_SETS.items()}
    return Vocabulary(
        schema_version=doc["schema_version"],
        **sets,
        descriptions={name: dict(d.get("x-descriptions", {})) for name, d in defs.items() if isinstance(d, dict)},
        enums={
            name: tuple(d["enum"]) for name, d in defs.items()
            if isinstance(d, dict) and isinstance(d.get("enum"), list) and all(isinstance(v, str) for v in d["enum"])
        },
    )


def vocabulary(root: str | Path) -> Vocabulary:
    return load_schemas(Path(root).resolve()).vocabulary
