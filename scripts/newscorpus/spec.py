"""The declared vocabulary and schemas, read from the corpus's own schema/ folder.

Label sets live once, in schema/vocabulary.schema.json. The JSON Schemas reference them,
and everything in Python (validator, dataset features, card) reads them through here, so
there is never a second copy to drift.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = "schema"
VOCABULARY_FILE = "vocabulary.schema.json"
SCHEMA_FILES = {
    "annotation": "annotation.schema.json",
    "metadata": "metadata.schema.json",
    "entity_registry": "entity-registry.schema.json",
    "splits": "splits.schema.json",
    "vocabulary": VOCABULARY_FILE,
}


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
    descriptions: dict[str, dict[str, str]]


@dataclass(frozen=True)
class Schemas:
    """Loaded schema documents plus a referencing registry that resolves their $ids."""

    documents: dict[str, dict]
    registry: Registry
    vocabulary: Vocabulary


def _read_json(path: Path) -> dict:
    with path.open("rb") as handle:
        return json.loads(handle.read().decode("utf-8"))


@lru_cache(maxsize=8)
def load_schemas(root: str | Path) -> Schemas:
    """Read schema/ under `root`. Cached: schemas do not change during one run."""
    schema_dir = Path(root) / SCHEMA_DIR
    documents = {name: _read_json(schema_dir / filename) for name, filename in SCHEMA_FILES.items()}
    registry = Registry().with_resources(
        (doc["$id"], Resource.from_contents(doc, default_specification=DRAFT202012))
        for doc in documents.values()
    )
    return Schemas(documents=documents, registry=registry, vocabulary=_vocabulary(documents["vocabulary"]))


def _vocabulary(doc: dict) -> Vocabulary:
    defs = doc["$defs"]

    def enum(name: str) -> tuple[str, ...]:
        return tuple(defs[name]["enum"])

    return Vocabulary(
        schema_version=doc["schema_version"],
        zone_types=enum("ZoneType"),
        entity_labels=enum("EntityLabel"),
        quote_kinds=enum("QuoteKind"),
        date_types=enum("DateType"),
        date_mods=enum("DateMod"),
        date_anchors=enum("DateAnchor"),
        numeric_kinds=enum("NumericKind"),
        numeric_bounds=enum("NumericBound"),
        units=enum("Unit"),
        splits=enum("Split"),
        descriptions={name: dict(d.get("x-descriptions", {})) for name, d in defs.items()},
    )


def vocabulary(root: str | Path) -> Vocabulary:
    return load_schemas(Path(root).resolve()).vocabulary
