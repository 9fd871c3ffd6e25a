"""Shared test fixtures.

Validator fixtures: `valid_corpus` is a fresh copy of tests/fixtures/corpus/ plus the
repository's schema/ in a temporary folder; `make_corpus(edits)` makes such a copy and
applies a list of edits (the format of tests/fixtures/invalid/*.json, see `apply_edits`).
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest

from newscorpus.corpus import CARD_TEMPLATE, copy_published_prose

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
VALID_CORPUS = FIXTURES / "corpus"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "real_corpus: checks the repository's own data (raw/ and annotated/), not the code: fails when the data is invalid",
    )


def add_publishing_files(root: Path) -> Path:
    """What a build needs besides the corpus data: the card template it renders and the
    documents it publishes with the data (guidelines, adjudication record)."""
    shutil.copy(REPO / CARD_TEMPLATE, root / CARD_TEMPLATE)
    copy_published_prose(REPO, root)
    return root


def copy_valid_corpus(dest: Path) -> Path:
    """The valid fixture corpus plus the repository's schema/, guidelines and adjudication
    record (a whole corpus has them), at `dest` (which must not exist)."""
    shutil.copytree(VALID_CORPUS, dest)
    copy_published_prose(REPO, dest)
    shutil.copytree(REPO / "schema", dest / "schema")
    return dest


def _schema_for(root: Path, rel: str) -> dict:
    name = Path(rel).name
    if name.endswith(".meta.json"):
        schema = "metadata"
    elif name == "entity_registry.json":
        schema = "entity-registry"
    elif name == "splits.json":
        schema = "splits"
    else:
        schema = "annotation"
    return json.loads((root / "schema" / f"{schema}.schema.json").read_text("utf-8"))


def _walk(data: Any, path: list) -> tuple[Any, Any]:
    for key in path[:-1]:
        data = data[key]
    return data, path[-1]


def apply_edits(root: Path, edits: list[dict]) -> None:
    """Apply fixture edits to the corpus at `root`. Operations (all take "file", relative to root):

    set      {"path": [...], "value": V}     set a JSON value, rewrite the file canonically
    delete   {"path": [...]}                 delete a JSON key or list item, rewrite canonically
    append   {"path": [...], "value": V}     append to a JSON list, rewrite canonically
    replace  {"old": s, "new": s}            replace text in the file (must occur); keeps the layout
    write    {"text": s} or {"hex": h}       replace the whole file
    prepend  {"hex": h}                      put bytes before the file's content
    pad      {"bytes": n}                    append n spaces
    remove   {}                              delete the file
    mkdir    {}                              replace the file by a directory
    """
    from newscorpus.jsonio import canonical_dumps

    for edit in edits:
        op, rel = edit["op"], edit["file"]
        path = root / rel
        if op in ("set", "delete", "append"):
            data = json.loads(path.read_text("utf-8"))
            parent, key = _walk(data, edit["path"])
            if op == "set":
                parent[key] = edit["value"]
            elif op == "delete":
                del parent[key]
            else:
                parent[key].append(edit["value"])
            path.write_text(canonical_dumps(data, _schema_for(root, rel)), "utf-8")
        elif op == "replace":
            text = path.read_bytes().decode("utf-8")
            if edit["old"] not in text:
                raise AssertionError(f"fixture edit: {edit['old']!r} does not occur in {rel}")
            path.write_bytes(text.replace(edit["old"], edit["new"], edit.get("count", 1)).encode("utf-8"))
        elif op == "write":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(bytes.fromhex(edit["hex"]) if "hex" in edit else edit["text"].encode("utf-8"))
        elif op == "prepend":
            path.write_bytes(bytes.fromhex(edit["hex"]) + path.read_bytes())
        elif op == "pad":
            with path.open("ab") as handle:
                handle.write(b" " * int(edit["bytes"]))
        elif op == "remove":
            path.unlink()
        elif op == "mkdir":
            path.unlink()
            path.mkdir()
        else:
            raise AssertionError(f"unknown fixture edit operation {op!r}")


@pytest.fixture
def valid_corpus(tmp_path: Path) -> Path:
    """A fresh copy of the valid fixture corpus; returns its root."""
    return copy_valid_corpus(tmp_path / "corpus")


@pytest.fixture
def make_corpus(tmp_path: Path) -> Callable[[list[dict] | None], Path]:
    """A factory: make_corpus(edits) -> root of a fresh fixture corpus with the edits applied."""
    counter = itertools.count()

    def make(edits: list[dict] | None = None) -> Path:
        root = copy_valid_corpus(tmp_path / f"corpus-{next(counter)}")
        apply_edits(root, edits or [])
        return root

    return make
