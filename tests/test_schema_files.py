"""schema/ itself: a schema file of the wrong shape, a label declared twice, a split vocabulary
that the split policy does not match. Every command reports it in one line naming the file and
the rule code, with the documented exit code, never a traceback; and `validate` finds whatever
`build` would refuse, so the build refuses through the validator's report."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Callable

import pytest

from build_fixture import write_corpus

from newscorpus import cli
from newscorpus.corpus import CorpusPaths
from newscorpus.spec import SCHEMA_FILES, SchemaFileError, load_schemas
from newscorpus.splits import SplitPolicyError, assign
from newscorpus.validate import validate_corpus

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


def dup(name: str, value: str) -> Callable[[Path], str]:
    return edit_vocabulary(lambda d: _defs(d)[name]["enum"].append(value))


# vocabulary edits the validator used to pass and the build then refused (or crashed on)
BUILD_WOULD_REFUSE = {
    "EntityLabel twice": (dup("EntityLabel", "PERSON"), "L2-duplicate-label", VOCAB, "$[\"$defs\"].EntityLabel.enum[11]"),
    "Unit twice": (dup("Unit", "km"), "L2-duplicate-label", VOCAB, "$[\"$defs\"].Unit.enum[23]"),
    "Split twice": (dup("Split", "test"), "L2-duplicate-label", VOCAB, "$[\"$defs\"].Split.enum[3]"),
    "AnnotatorRole twice": (dup("AnnotatorRole", "adjudicator"), "L2-duplicate-label", VOCAB, "$[\"$defs\"].AnnotatorRole.enum[3]"),
    "Confidence twice": (dup("Confidence", "low"), "L2-duplicate-label", VOCAB, "$[\"$defs\"].Confidence.enum[4]"),
    "entity label DATE": (dup("EntityLabel", "DATE"), "L2-duplicate-label", VOCAB, "$[\"$defs\"].DateType.enum[0]"),
    "entity label MONEY": (dup("EntityLabel", "MONEY"), "L2-duplicate-label", VOCAB, "$[\"$defs\"].NumericKind.enum[1]"),
    "splits train and test only": (  # the schema names splits through the vocabulary: an L2 finding
        edit_vocabulary(lambda d: _defs(d)["Split"].update({"enum": ["train", "test"]})),
        "L2-unknown-label", "annotated/splits.json", "$.policy.fractions",
    ),
    "a split dev without a fraction": (
        dup("Split", "dev"), "L6-split-vocabulary", "annotated/splits.json", "$.policy.fractions",
    ),
}


@pytest.mark.parametrize("case", BUILD_WOULD_REFUSE, ids=list(BUILD_WOULD_REFUSE))
def test_validate_reports_what_the_build_would_refuse_and_the_build_refuses_through_it(tmp_path, case):
    change, rule, path, json_path = BUILD_WOULD_REFUSE[case]
    root = write_corpus(tmp_path / "corpus")
    change(root)
    report = validate_corpus(CorpusPaths(root))
    assert {(d.code, d.path, d.json_path) for d in report.diagnostics if d.severity == "error"} == {(rule, path, json_path)}
    assert all(d.line for d in report.diagnostics)
    code, output = run("validate", "--root", str(root))
    assert code == 1 and f" error {rule} at {json_path}: " in output, output
    code, output = run("build", "--root", str(root), "--jobs", "1", "--no-progress")
    assert code == 1, output
    assert f" error {rule} at {json_path}: " in output and "refused: the corpus does not validate" in output, output
    assert "internal error" not in output and "Traceback" not in output
    assert not (root / "dist").exists()


def test_a_new_label_that_clashes_with_nothing_validates_and_builds(tmp_path):
    """The other half of the agreement: what validate accepts, the build builds."""
    root = write_corpus(tmp_path / "corpus")
    dup("EntityLabel", "MISC")(root)
    assert run("validate", "--root", str(root))[0] == 0
    code, output = run("build", "--root", str(root), "--jobs", "1", "--no-progress")
    assert code == 0, output


def test_load_schemas_refuses_a_duplicate_label_with_its_place(tmp_path):
    root = write_corpus(tmp_path / "corpus")
    dup("EntityLabel", "PERSON")(root)
    load_schemas.cache_clear()
    with pytest.raises(SchemaFileError, match=r"^schema/vocabulary.schema.json: \$\[\"\$defs\"\].EntityLabel.enum\[11\]: \"PERSON\" is listed twice"):
        load_schemas(root)


NAMES = ("train", "test")


def splits_file(**fractions: float) -> dict:
    return {"policy": {"unit": "story", "min_stories_for_story_split": 2, "fractions": fractions, "salt": "s"}, "assignments": {}}


@pytest.mark.parametrize("fractions,kind", [
    ({"train": 0.9, "test": 0.1}, None),
    ({"train": 0.8, "validation": 0.1, "test": 0.1}, "splits"),
    ({"train": 1.0}, "splits"),
    ({"train": 0.8, "test": 0.1}, "fractions"),
    ({"train": 1.1, "test": -0.1}, "shape"),
])
def test_the_build_applies_the_policy_with_the_validators_check(fractions, kind):
    """policy_problems is the one check: `assign` (the build) refuses exactly what it reports."""
    from newscorpus.splits import policy_problems

    problems = policy_problems(splits_file(**fractions), NAMES)
    assert [p.kind for p in problems][:1] == ([kind] if kind else [])
    if kind is None:
        assign([], splits_file(**fractions), NAMES)
    else:
        with pytest.raises(SplitPolicyError, match=r"^annotated/splits.json: \$.policy.fractions") as refused:
            assign([], splits_file(**fractions), NAMES)
        assert problems[0].message in str(refused.value)


def test_two_schema_files_with_one_id_are_reported(tmp_path):
    """$refs resolve by $id: two files with the same one would silently replace each other."""
    root = write_corpus(tmp_path / "corpus")
    splits = root / "schema" / "splits.schema.json"
    doc = json.loads(splits.read_text("utf-8"))
    doc["$id"] = json.loads((root / "schema" / "metadata.schema.json").read_text("utf-8"))["$id"]
    splits.write_text(json.dumps(doc, indent=2), "utf-8")
    report = validate_corpus(CorpusPaths(root))
    found = [(d.code, d.path, d.json_path) for d in report.diagnostics if d.severity == "error"]
    assert found == [("L2-schema", "schema/splits.schema.json", "$[\"$id\"]")]
    assert "is also the $id of schema/metadata.schema.json" in report.diagnostics[0].message
    code, output = run("build", "--root", str(root), "--jobs", "1", "--no-progress")
    assert code == 1 and "is also the $id of schema/metadata.schema.json" in output, output


def test_every_closed_set_is_declared_in_the_vocabulary():
    """The other schema files reference the vocabulary's $defs for closed sets of values; an
    enum written inside one of them would be a second place for a label set to drift."""
    from newscorpus.spec import VOCABULARY_FILE, _enums

    repo = Path(__file__).resolve().parents[1]
    for filename in SCHEMA_FILES.values():
        if filename == VOCABULARY_FILE:
            continue
        doc = json.loads((repo / "schema" / filename).read_text("utf-8"))
        assert list(_enums(doc)) == [], filename


def test_every_value_of_every_label_set_has_a_meaning():
    """The card's label-set tables and `--explain` show these meanings: a value without one is
    a label readers and annotators must guess (confidence levels had none)."""
    repo = Path(__file__).resolve().parents[1]
    defs = json.loads((repo / "schema" / "vocabulary.schema.json").read_text("utf-8"))["$defs"]
    missing = {name: [v for v in d["enum"] if not (d.get("x-descriptions") or {}).get(v)]
               for name, d in defs.items() if "enum" in d}
    assert {name: values for name, values in missing.items() if values} == {}


def test_string_enum_columns_name_real_columns_and_vocabulary_sets():
    """features.STRING_ENUM_COLUMNS (what the card lists as closed string sets) names string
    columns that exist, and $defs the vocabulary declares with an enum."""
    datasets = pytest.importorskip("datasets")
    from newscorpus.features import CONFIGS, STRING_ENUM_COLUMNS, config_features

    vocab = load_schemas(Path(__file__).resolve().parents[1]).vocabulary
    configs = [config_features(name, vocab) for name in CONFIGS]
    for column, defs_name in STRING_ENUM_COLUMNS.items():
        assert vocab.enums.get(defs_name), defs_name
        found = []
        for features in configs:
            feature = features
            for part in column.split("."):
                if isinstance(feature, (datasets.List, datasets.Sequence)):
                    feature = feature.feature
                feature = feature.get(part) if isinstance(feature, dict) else None
            if feature is not None:
                found.append(feature)
        assert found and all(f == datasets.Value("string") for f in found), column
