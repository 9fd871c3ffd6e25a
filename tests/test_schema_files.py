"""schema/ itself: a schema file of the wrong shape. Every command reports it in one line
naming the file and the rule code, with the documented exit code, never a traceback."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Callable

import pytest

from build_fixture import write_corpus

from newscorpus import cli
from newscorpus.spec import SCHEMA_FILES

VOCAB = "schema/vocabulary.schema.json"


def run(*argv: str) -> tuple[int, str]:
    """cli.main in-process (an uncaught exception fails the test); exit code and all output."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue() + err.getvalue()


def edit_vocabulary(change: Callable[[dict], None]) -> Callable[[Path], str]:
    def apply(root: Path) -> str:
        path = root / VOCAB
        doc = json.loads(path.read_text("utf-8"))
        change(doc)
        path.write_text(json.dumps(doc, indent=2), "utf-8")
        return VOCAB
    return apply


def write_schema(name: str, text: str) -> Callable[[Path], str]:
    def apply(root: Path) -> str:
        (root / "schema" / name).write_text(text, "utf-8")
        return f"schema/{name}"
    return apply


def _defs(doc: dict) -> dict:
    return doc["$defs"]


WRONG_SHAPES = {
    **{f"{name}={text}": write_schema(filename, text)
       for name, filename in SCHEMA_FILES.items() for text in ("[]", "{}", "null", '"x"')},
    "no $defs": edit_vocabulary(lambda d: d.pop("$defs")),
    "$defs a list": edit_vocabulary(lambda d: d.update({"$defs": []})),
    "no EntityLabel": edit_vocabulary(lambda d: _defs(d).pop("EntityLabel")),
    "EntityLabel a string": edit_vocabulary(lambda d: _defs(d).update({"EntityLabel": "PERSON"})),
    "enum a string": edit_vocabulary(lambda d: _defs(d)["EntityLabel"].update({"enum": "PERSON"})),
    "enum an object": edit_vocabulary(lambda d: _defs(d)["EntityLabel"].update({"enum": {"PERSON": 1}})),
    "enum null": edit_vocabulary(lambda d: _defs(d)["EntityLabel"].update({"enum": None})),
    "enum of numbers": edit_vocabulary(lambda d: _defs(d)["EntityLabel"].update({"enum": [1, 2]})),
    "enum empty": edit_vocabulary(lambda d: _defs(d)["EntityLabel"].update({"enum": []})),
    "no enum": edit_vocabulary(lambda d: _defs(d)["EntityLabel"].pop("enum")),
    "no AnnotatorRole": edit_vocabulary(lambda d: _defs(d).pop("AnnotatorRole")),
    "no DocId": edit_vocabulary(lambda d: _defs(d).pop("DocId")),
    "DocId without pattern": edit_vocabulary(lambda d: _defs(d)["DocId"].pop("pattern")),
    "no schema_version": edit_vocabulary(lambda d: d.pop("schema_version")),
    "x-descriptions a list": edit_vocabulary(lambda d: _defs(d)["EntityLabel"].update({"x-descriptions": ["PERSON"]})),
    "a $schema that is not a string": edit_vocabulary(lambda d: d.update({"$schema": 5})),
    "a $ref to nowhere": lambda root: (edit_vocabulary(lambda d: _defs(d).pop("IsoDate"))(root), "schema/metadata.schema.json")[1],
}


@pytest.mark.parametrize("case", WRONG_SHAPES, ids=list(WRONG_SHAPES))
def test_a_schema_file_of_the_wrong_shape_is_reported_by_every_command(tmp_path, case):
    root = write_corpus(tmp_path / "corpus")
    expected = WRONG_SHAPES[case](root)
    one_file = str(sorted((root / "annotated").glob("*.json"))[0])
    for argv in (["validate"], ["validate", one_file], ["fmt"], ["fmt", "--check", one_file], ["build", "--jobs", "1", "--no-progress"]):
        code, output = run(argv[0], "--root", str(root), *argv[1:])
        assert code == 1, (argv, output)
        assert "Traceback" not in output and "internal error" not in output, (argv, output)
        named = [line for line in output.splitlines() if line.startswith(f"{expected}:")]
        assert named and all(" error L2-" in line for line in named), (argv, output)
    assert not (root / "dist").exists()
