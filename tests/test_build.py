"""`newscorpus build` on a small synthetic corpus: layout, determinism, losslessness,
atomicity, refusal, offline loading, card and provenance."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from conftest import add_publishing_files
from build_fixture import REPO, Doc, default_docs, tree_digest, write_corpus

from newscorpus import build as buildmod
from newscorpus import cli
from newscorpus import card as cardlib
from newscorpus import validate as validatemod
from newscorpus.build import MANIFEST, BuildError, BuildRefused, build
from newscorpus.cli import main
from newscorpus.corpus import CorpusPaths
from newscorpus.features import CONFIGS, ner_tag_names
from newscorpus.jsonio import canonical_dumps
from newscorpus.rows import annotation_from_document, decode_labels, metadata_from_document
from newscorpus.spec import vocabulary

pq = pytest.importorskip("pyarrow.parquet")
datasets = pytest.importorskip("datasets")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    root = write_corpus(tmp_path_factory.mktemp("corpus"))
    build(CorpusPaths(root), jobs=1, progress=False)
    return root, root / "dist"


def _load(dist: Path, config: str, tmp: Path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return datasets.load_dataset(str(dist), config, cache_dir=str(tmp / "hf-cache"))


# ----------------------------------------------------------------------------- layout

def test_layout_and_manifest(built):
    root, dist = built
    manifest = json.loads((dist / MANIFEST).read_text("utf-8"))
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()} - {MANIFEST}
    assert set(listed) == on_disk
    assert "README.md" in listed
    for path, entry in listed.items():
        assert tree_digest(dist)[path] == entry["sha256"]
        if path.endswith(".parquet"):
            config, name = path.split("/")[1:]
            assert config in CONFIGS
            assert name == f"{entry['split']}-00000-of-00001.parquet"
            assert pq.ParquetFile(dist / path).metadata.num_rows == entry["rows"]
    # the fixture pins doc 0 to train and doc 2 to test; doc 1 (story of doc 0, unit document) is hashed
    assert manifest["splits"]["documents"]["train"] >= 1 and manifest["splits"]["documents"]["test"] >= 1
    assert manifest["tool"]["name"] == "newscorpus"
    assert not any(p.name.startswith(".") for p in dist.parent.iterdir() if p.name.startswith(".dist"))


def test_no_timestamp_or_absolute_path_in_output(built):
    root, dist = built
    for path in dist.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert str(root).encode() not in data, f"{path} embeds the build folder"


def test_parquet_schema_matches_yaml_features(built):
    """ClassLabel names in the Parquet `huggingface` metadata and in the card's YAML agree."""
    import yaml

    root, dist = built
    readme = (dist / "README.md").read_text("utf-8")
    front = yaml.safe_load(readme.split("---\n")[1])
    infos = front["dataset_info"]
    infos = infos if isinstance(infos, list) else [infos]
    for info in infos:
        parquet = list((dist / "data" / info["config_name"]).glob("*.parquet"))
        assert info["download_size"] == sum(p.stat().st_size for p in parquet)  # as the Hub records it
        assert info["dataset_size"] == sum(split["num_bytes"] for split in info["splits"]) > 0
        yaml_features = datasets.Features._from_yaml_list(info["features"])
        for f in (dist / "data" / info["config_name"]).glob("*.parquet"):
            schema = pq.read_schema(f)
            file_features = datasets.Features.from_arrow_schema(schema)
            assert file_features == yaml_features, f
            meta = json.loads(schema.metadata[b"newscorpus"])
            assert meta["config"] == info["config_name"]
            assert meta["tool_version"] and meta["schema_version"]
            assert "source_commit" not in meta  # in MANIFEST.json: the data files depend on the data alone


# ----------------------------------------------------------------------------- guarantees

def test_two_builds_are_byte_identical_whatever_jobs(tmp_path):
    root = write_corpus(tmp_path / "corpus")
    a, b = tmp_path / "a", tmp_path / "b"
    build(CorpusPaths(root), out=a, jobs=1, progress=False)
    build(CorpusPaths(root), out=b, jobs=2, progress=False)
    assert tree_digest(a) == tree_digest(b)
    # rebuilding in place replaces the previous build with the same bytes
    build(CorpusPaths(root), out=a, jobs=2, progress=False, max_shard_rows=None)
    assert tree_digest(a) == tree_digest(b)


def test_documents_config_reconstructs_annotation_and_metadata_files_exactly(built, tmp_path, monkeypatch):
    root, dist = built
    schema = json.loads((root / "schema" / "annotation.schema.json").read_text("utf-8"))
    meta_schema = json.loads((root / "schema" / "metadata.schema.json").read_text("utf-8"))
    loaded = _load(dist, "documents", tmp_path, monkeypatch)
    seen = set()
    for split in loaded:
        features = loaded[split].features
        for row in loaded[split]:
            decoded = decode_labels(row, features)
            rebuilt = annotation_from_document(decoded, schema)
            path = root / "annotated" / f"{row['id']}.json"
            assert rebuilt == json.loads(path.read_text("utf-8"))
            assert canonical_dumps(rebuilt, schema).encode("utf-8") == path.read_bytes()
            assert row["text"].encode("utf-8") == (root / "raw" / f"{row['id']}.txt").read_bytes()
            meta_path = root / "raw" / f"{row['id']}.meta.json"
            assert canonical_dumps(metadata_from_document(row, meta_schema), meta_schema).encode("utf-8") == meta_path.read_bytes()
            seen.add(row["id"])
    assert seen == {d.doc_id for d in default_docs()}


def test_failed_build_leaves_previous_output_untouched(built, tmp_path, monkeypatch):
    root = write_corpus(tmp_path / "corpus")
    out = tmp_path / "dist"
    build(CorpusPaths(root), out=out, jobs=1, progress=False)
    before = tree_digest(out)

    def boom(*args, **kwargs):
        raise RuntimeError("simulated crash after the Parquet files were written")

    monkeypatch.setattr(cardlib, "render", boom)
    with pytest.raises(RuntimeError):
        build(CorpusPaths(root), out=out, jobs=1, progress=False)
    assert tree_digest(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dist")] == []


def _built_then_stopped_midway(tmp_path, monkeypatch, stop) -> tuple[Path, Path, str, dict]:
    """A corpus built once into dist/ (root, out, that output's digest), and the next build set to
    call `stop()` as it writes its third table; the dict counts the tables it reached."""
    root = write_corpus(tmp_path / "corpus")
    out = tmp_path / "dist"
    build(CorpusPaths(root), out=out, jobs=1, progress=False)
    calls = {"n": 0}
    real = buildmod._ShardWriter.add_table

    def add_table(self, rows):
        calls["n"] += 1
        if calls["n"] == 3:
            stop()
        return real(self, rows)

    monkeypatch.setattr(buildmod._ShardWriter, "add_table", add_table)
    return root, out, tree_digest(out), calls


def test_interrupted_build_leaves_previous_output_untouched(tmp_path, monkeypatch):
    def interrupt():
        raise KeyboardInterrupt

    root, out, before, _ = _built_then_stopped_midway(tmp_path, monkeypatch, interrupt)
    with pytest.raises(KeyboardInterrupt):
        build(CorpusPaths(root), out=out, jobs=1, progress=False)
    assert tree_digest(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dist")] == []


def test_metadata_with_empty_and_absent_optional_lists_is_rebuilt_exactly(tmp_path, monkeypatch):
    """`"leads": []` and no `leads` at all are different files, so different rows (null vs [])."""
    root = write_corpus(tmp_path / "corpus")
    meta_schema = json.loads((root / "schema" / "metadata.schema.json").read_text("utf-8"))
    metas = sorted((root / "raw").glob("*.meta.json"))
    first = json.loads(metas[0].read_text("utf-8"))
    first["url"]["leads"], first["related_sources"] = [], []
    metas[0].write_text(canonical_dumps(first, meta_schema), "utf-8")
    second = json.loads(metas[1].read_text("utf-8"))
    assert "leads" not in second["url"] and "related_sources" not in second
    build(CorpusPaths(root), jobs=1, progress=False)
    loaded = _load(root / "dist", "documents", tmp_path, monkeypatch)
    rows = {row["id"]: row for split in loaded for row in loaded[split]}
    for path in metas[:2]:
        row = rows[path.name[: -len(".meta.json")]]
        assert canonical_dumps(metadata_from_document(row, meta_schema), meta_schema).encode("utf-8") == path.read_bytes()
    first_row = rows[metas[0].name[: -len(".meta.json")]]
    second_row = rows[metas[1].name[: -len(".meta.json")]]
    assert first_row["url_leads"] == [] and first_row["related_sources"] == []
    assert second_row["url_leads"] is None and second_row["related_sources"] is None


@pytest.mark.parametrize("rel", ["annotated/GUIDELINES.md", "annotated/ADJUDICATION.md"])
def test_a_release_without_the_documentation_its_card_names_is_refused(tmp_path, rel, capsys, monkeypatch):
    root = write_corpus(tmp_path / "corpus")
    out = tmp_path / "dist"
    build(CorpusPaths(root), out=out, jobs=1, progress=False)
    assert (out / rel).read_bytes() == (root / rel).read_bytes()
    before = tree_digest(out)
    (root / rel).unlink()

    def no_validation(*args, **kwargs):  # refused before any document is read, not after all of them
        raise AssertionError("the corpus was validated before the missing file was reported")

    monkeypatch.setattr("newscorpus.validate.validate_corpus", no_validation)
    code = main(["build", "--root", str(root), "--out", str(out), "--jobs", "1", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1 and f"{rel}: L6-missing-file: {rel} does not exist" in err and "nothing was written" in err
    assert tree_digest(out) == before


def test_a_terminated_build_cleans_up_and_says_so(tmp_path, monkeypatch, capsys):
    """SIGTERM (a cancelled CI job, a stopped container) unwinds like Ctrl-C: exit 143, the
    previous output kept, no half-written folder left."""
    def terminate():
        # without the command's handler the signal would end the test run itself
        assert signal.getsignal(signal.SIGTERM) is getattr(cli, "_on_sigterm", None), "SIGTERM is not handled"
        os.kill(os.getpid(), signal.SIGTERM)

    root, out, before, calls = _built_then_stopped_midway(tmp_path, monkeypatch, terminate)
    code = main(["build", "--root", str(root), "--out", str(out), "--jobs", "1", "--no-progress"])
    assert code == 143 and calls["n"] == 3
    assert "newscorpus: terminated" in capsys.readouterr().err
    assert tree_digest(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dist")] == []
    assert signal.getsignal(signal.SIGTERM) is not cli._on_sigterm  # restored after the command


def test_a_summary_the_console_cannot_encode_is_escaped_not_a_failure(tmp_path, monkeypatch):
    """On a cp1252 (Windows) or C-locale console, a path with a character the encoding lacks
    must not turn a finished build into exit 1."""
    root = write_corpus(tmp_path / "corpus")
    out = tmp_path / "dist→release"
    console = io.TextIOWrapper(io.BytesIO(), encoding="cp1252", errors="strict")
    monkeypatch.setattr("sys.stdout", console)
    code = main(["build", "--root", str(root), "--out", str(out), "--jobs", "1", "--no-progress"])
    console.flush()
    assert code == 0, console.buffer.getvalue()
    assert b"dist\\u2192release" in console.buffer.getvalue()
    assert console.errors == "strict"  # restored: a program that embeds main() keeps its streams as they were


def test_a_sigterm_ignored_by_whoever_started_the_command_stays_ignored(monkeypatch):
    seen = []
    monkeypatch.setattr("newscorpus.validate.run", lambda args: seen.append(signal.getsignal(signal.SIGTERM)) or 0)
    before = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        assert main(["validate"]) == 0
        assert seen == [signal.SIG_IGN] and signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        assert main(["validate"]) == 0
        assert seen[1] is cli._on_sigterm and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
        # a command's own error goes through unchanged whatever SIGTERM's handling (a broken pipe: exit 141)
        def broken(args):
            raise BrokenPipeError
        monkeypatch.setattr("newscorpus.validate.run", broken)
        for handler in (signal.SIG_IGN, signal.SIG_DFL):
            signal.signal(signal.SIGTERM, handler)
            assert main(["validate"]) == 141
            assert signal.getsignal(signal.SIGTERM) is handler
    finally:
        signal.signal(signal.SIGTERM, before)


def test_leftovers_of_a_killed_build_are_removed(tmp_path):
    root = write_corpus(tmp_path / "corpus")
    out = tmp_path / "dist"
    proc = subprocess.Popen(["true"])
    proc.wait()
    stale = tmp_path / f".dist.building-{proc.pid}-abc"
    stale.mkdir()
    (stale / "half.parquet.partial").write_bytes(b"x")
    alive = tmp_path / f".dist.building-{os.getpid()}-xyz"
    alive.mkdir()
    build(CorpusPaths(root), out=out, jobs=1, progress=False)
    assert not stale.exists()
    assert alive.exists()  # a running process's folder is never touched
    alive.rmdir()


def test_invalid_corpus_is_refused_with_the_report(tmp_path, capsys):
    root = write_corpus(tmp_path / "corpus")
    doc = default_docs()[0].doc_id
    path = root / "annotated" / f"{doc}.json"
    path.write_text(path.read_text("utf-8").replace('"text": "NTV"', '"text": "NTX"', 1), "utf-8")
    with pytest.raises(BuildRefused):
        build(CorpusPaths(root), jobs=1, progress=False)
    code = main(["build", "--root", str(root), "--no-progress", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"annotated/{doc}.json" in err
    assert "refused" in err
    assert not (root / "dist").exists()


def test_a_lone_surrogate_escape_is_refused_by_the_validator_not_by_the_utf8_codec(tmp_path, capsys):
    """An escape like \\ud800 parses as JSON but cannot be written as UTF-8: the build used to fail
    on it with a codec error and no place; the validator's layer 1 now names file, line and rule."""
    root = write_corpus(tmp_path / "corpus")
    path = root / "annotated" / "entity_registry.json"
    text = path.read_text("utf-8")
    assert '"description": "capital of Turkey"' in text
    path.write_text(text.replace('"description": "capital of Turkey"', '"description": "\\ud800capital of Turkey"'), "utf-8")
    with pytest.raises(BuildRefused) as refused:
        build(CorpusPaths(root), jobs=1, progress=False)
    assert {d.code for d in refused.value.report.diagnostics} == {"L1-lone-surrogate"}
    code = main(["build", "--root", str(root), "--no-progress", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert "annotated/entity_registry.json:" in err and "error L1-lone-surrogate at $.entities[" in err
    assert "codec" not in err and "refused" in err
    assert not (root / "dist").exists()


def test_an_integer_float64_cannot_hold_is_refused_by_the_validator_not_by_the_rows(tmp_path, capsys):
    """The build stores numeric values as float64 and used to refuse 2**53 + 1 itself, without a
    rule code or a line; the validator's L5-number-too-large now names both."""
    root = write_corpus(tmp_path / "corpus")
    doc = default_docs()[0].doc_id
    path = root / "annotated" / f"{doc}.json"
    text = path.read_text("utf-8")
    assert '"value": 20000000000,' in text
    path.write_text(text.replace('"value": 20000000000,', '"value": 98765432109876543210987,'), "utf-8")
    with pytest.raises(BuildRefused) as refused:
        build(CorpusPaths(root), jobs=1, progress=False)
    assert {d.code for d in refused.value.report.diagnostics if d.severity == "error"} == {"L5-number-too-large"}
    code = main(["build", "--root", str(root), "--no-progress", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"annotated/{doc}.json:" in err and "error L5-number-too-large at $.numeric_claims[0].value" in err
    assert "refused" in err and not (root / "dist").exists()


def test_every_float64_column_is_one_the_validator_checks():
    """L5-number-too-large covers exactly the annotation fields the configs publish as float64:
    a new float64 column must be added to validate.FLOAT64_FIELDS (or this fails)."""
    from newscorpus.features import DOCUMENTS, config_features
    from newscorpus.spec import load_schemas
    from newscorpus.validate import FLOAT64_FIELDS

    schemas = load_schemas(REPO)
    found = set()

    def walk(feature, path):
        if isinstance(feature, datasets.Value):
            if feature.dtype.startswith("float"):
                found.add(path)
        elif isinstance(feature, dict):  # datasets.Features is a dict
            for key, sub in feature.items():
                walk(sub, path + (key,))
        elif isinstance(feature, (datasets.List, datasets.Sequence)):
            walk(feature.feature, path)

    for name in CONFIGS:
        walk(config_features(name, schemas.vocabulary), (name,))
    declared = {(DOCUMENTS, layer, key) for layer, key in FLOAT64_FIELDS} | {(layer, key) for layer, key in FLOAT64_FIELDS}
    assert found == declared


def test_every_annotation_class_label_comes_from_the_one_table():
    """The ClassLabel columns of each span config (and of the documents config's nested layers)
    are exactly spec.LAYER_LABEL_FIELDS, with the vocabulary's names in order: a label column
    added to the features without the table (which the rows and the card read) fails here."""
    from newscorpus.features import DOCUMENTS, SPAN_CONFIGS, config_features
    from newscorpus.spec import LAYER_LABEL_FIELDS, load_schemas

    vocab = load_schemas(REPO).vocabulary
    documents = config_features(DOCUMENTS, vocab)
    for layer, fields in LAYER_LABEL_FIELDS.items():
        views = [documents[layer].feature]  # the documents config's list of the layer's items
        if layer in SPAN_CONFIGS:
            views.append(config_features(layer, vocab))
        for view in views:
            labels = {key: feature for key, feature in view.items() if isinstance(feature, datasets.ClassLabel)}
            labels.pop("zone_type", None)  # span rows' context column, the zones layer's own label
            assert {key: feature.names for key, feature in labels.items()} == {
                key: list(getattr(vocab, label_set)) for key, label_set in fields.items()
            }, (layer, view)


def test_refuses_to_replace_a_folder_that_is_not_a_build(tmp_path, capsys):
    root = write_corpus(tmp_path / "corpus")
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me", "utf-8")
    code = main(["build", "--root", str(root), "--out", str(precious), "--no-progress"])
    assert code == 2
    assert "not a previous build" in capsys.readouterr().err
    assert (precious / "notes.txt").read_text("utf-8") == "keep me"


def test_out_is_checked_and_replaced_where_it_really_is(tmp_path, capsys):
    """--out reached through a link: refused when it lands in the corpus's own folders; when
    dist/ itself is a link, the build replaces the folder it points to and the link stays."""
    root = write_corpus(tmp_path / "corpus")
    (tmp_path / "alias").symlink_to(root)
    (root / "rawlink").symlink_to(root / "raw")
    before = sorted(p.name for p in (root / "raw").iterdir())
    for out in (tmp_path / "alias" / "raw" / "z", root / "rawlink" / "dist"):
        assert main(["build", "--root", str(root), "--out", str(out), "--no-progress"]) == 2
        assert "inside the corpus's raw/ folder" in capsys.readouterr().err
        assert sorted(p.name for p in (root / "raw").iterdir()) == before
    (root / "rawlink").unlink()
    elsewhere = tmp_path / "elsewhere" / "dist"
    elsewhere.parent.mkdir()
    assert main(["build", "--root", str(root), "--out", str(elsewhere), "--no-progress"]) == 0
    (root / "dist").symlink_to(elsewhere)
    first = tree_digest(elsewhere)
    registry = root / "annotated" / "entity_registry.json"
    registry.write_text(registry.read_text("utf-8").replace('"description": "', '"description": "Changed: ', 1), "utf-8")
    assert main(["build", "--root", str(root), "--no-progress"]) == 0
    capsys.readouterr()
    assert (root / "dist").is_symlink() and (root / "dist").resolve() == elsewhere
    assert tree_digest(elsewhere) != first  # the new build is where the link points
    assert sorted(p.name for p in root.iterdir()) == sorted(["annotated", "dist", "raw", "schema", "DATASET_CARD.md"])
    assert sorted(p.name for p in elsewhere.parent.iterdir()) == ["dist"]


def _with_line_breaks(root: Path, doc: str, line_break: str) -> tuple[str, dict, Path]:
    """The fixture document with every LF replaced by `line_break` (one code point: offsets
    stay valid), its metadata and annotation updated; returns (text, annotation, its path)."""
    import hashlib

    raw, meta_path, ann_path = root / f"raw/{doc}.txt", root / f"raw/{doc}.meta.json", root / f"annotated/{doc}.json"
    text = raw.read_text("utf-8").replace("\n", line_break)
    raw.write_bytes(text.encode("utf-8"))
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    meta = json.loads(meta_path.read_text("utf-8"))
    meta["sha256"], meta["size_bytes"] = sha, len(text.encode("utf-8"))
    meta_path.write_text(canonical_dumps(meta, json.loads((root / "schema/metadata.schema.json").read_text("utf-8"))), "utf-8")
    ann = json.loads(ann_path.read_text("utf-8"))
    ann["raw_sha256"] = sha
    for zone in ann["zones"]:
        zone["text"] = text[zone["start"]:zone["end"]]
    ann_path.write_text(canonical_dumps(ann, json.loads((root / "schema/annotation.schema.json").read_text("utf-8"))), "utf-8")
    return text, ann, ann_path


@pytest.mark.parametrize("line_break", ["\r", "\u2029", "\u2028", "\x85"])
def test_zones_are_whole_lines_whatever_line_breaks_the_text_uses(tmp_path, line_break):
    """L3-zone-partial-line knows the line breaks the sentence splitter knows: zones of whole
    CR- or U+2029-separated lines are fine, a zone ending mid-line is still reported."""
    from collections import Counter

    root = write_corpus(tmp_path / "corpus")
    doc = "agence_2021-01-05_talks-going-well"
    text, ann, ann_path = _with_line_breaks(root, doc, line_break)

    def partial_lines() -> Counter:
        report = validatemod.validate_corpus(CorpusPaths(root), jobs=1, keep_data=False)
        assert not [d for d in report.diagnostics if d.severity == "error"]
        return Counter(d.path for d in report.diagnostics if d.code == "L3-zone-partial-line")

    assert partial_lines() == Counter()
    body = next(z for z in ann["zones"] if z["id"] == "z4")
    body["end"] = text.index(" adding", body["start"])  # now ends mid-line
    body["text"] = text[body["start"]:body["end"]]
    following = {"id": "z6", "start": body["end"] + 1, "end": text.index("READ MORE") - 2, "type": "body"}
    following["text"] = text[following["start"]:following["end"]]
    ann["zones"].append(following)
    ann_path.write_text(canonical_dumps(ann, json.loads((root / "schema/annotation.schema.json").read_text("utf-8"))), "utf-8")
    assert partial_lines() == Counter({f"annotated/{doc}.json": 2})  # z4 ends and z6 starts mid-line


@pytest.mark.parametrize("line_break", ["\n", "\u2029", "\r"])
def test_a_quote_row_is_placed_in_its_own_zone_and_lies_in_its_context(tmp_path, line_break):
    """A speaker in another zone (here the headline) does not move the quote's zone_id or
    context there, whatever line breaks the text uses; and a zone that ends mid-line (a byline
    on the body's first line) bounds the context. Every quote lies inside its context."""
    import pyarrow.parquet as pq

    root = write_corpus(tmp_path / "corpus")
    doc = "agence_2021-01-05_talks-going-well"
    text, ann, ann_path = _with_line_breaks(root, doc, line_break)
    q3 = next(q for q in ann["quotes"] if q["id"] == "q3")
    q3["speaker"] = {"start": 0, "end": 9, "text": text[0:9]}  # the headline's first word, in zone z1
    body = next(z for z in ann["zones"] if z["id"] == "z4")
    cut = text.index(" on Tuesday")  # z4 -> a byline ending mid-line, then the body (z6)
    ann["zones"].remove(body)
    ann["zones"] += [{"id": "z4", "start": body["start"], "end": cut, "text": text[body["start"]:cut], "type": "byline"},
                     {"id": "z6", "start": cut + 1, "end": body["end"], "text": text[cut + 1:body["end"]], "type": "body"}]
    ann_path.write_text(canonical_dumps(ann, json.loads((root / "schema/annotation.schema.json").read_text("utf-8"))), "utf-8")
    build(CorpusPaths(root), out=tmp_path / "dist", jobs=1, progress=False)
    zones = {z["id"]: z for z in ann["zones"]}
    rows = [r for f in sorted((tmp_path / "dist/data/quotes").glob("*.parquet")) for r in pq.read_table(f).to_pylist() if r["doc_id"] == doc]
    assert {r["id"] for r in rows} >= {"q2", "q3"}
    for r in rows:
        zone = zones[r["zone_id"]]
        assert zone["start"] <= r["start"] and r["end"] <= zone["end"], (r["id"], r["zone_id"])
        assert zone["start"] <= r["context_start"] and r["context_start"] + len(r["context"]) <= zone["end"], r["id"]
        assert r["context_start"] <= r["start"] and r["end"] <= r["context_start"] + len(r["context"]), r["id"]
        assert text[r["context_start"]:r["context_start"] + len(r["context"])] == r["context"]


def test_a_build_that_finishes_second_replaces_the_first_ones_output(tmp_path, monkeypatch):
    """Two builds at once: the second finds dist/ missing, then another build's dist/ there
    when it renames its own into place; it replaces that one instead of failing."""
    root = write_corpus(tmp_path / "corpus")
    other = tmp_path / "other-build"
    build(CorpusPaths(root), out=other, jobs=1, progress=False)
    (other / "from-the-other-build").write_text("x", "utf-8")
    out = root / "dist"
    real_rename = os.rename

    def rename_after_another_build(src, dst):
        if Path(dst) == out and not out.exists():
            shutil.copytree(other, out)  # the other build won the race just now
        return real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename_after_another_build)
    build(CorpusPaths(root), jobs=1, progress=False)
    monkeypatch.undo()
    assert not (out / "from-the-other-build").exists()  # this build's output, complete
    (other / "from-the-other-build").unlink()
    assert tree_digest(out) == tree_digest(other)
    assert not list(root.glob(".dist.*"))


# ----------------------------------------------------------------------------- loading

def test_every_config_loads_offline_with_features_and_sizes(built, tmp_path, monkeypatch):
    root, dist = built
    vocab = vocabulary(root)
    manifest = json.loads((dist / MANIFEST).read_text("utf-8"))
    rows = {}
    for f in manifest["files"]:
        if "config" in f:
            rows.setdefault(f["config"], {}).setdefault(f["split"], 0)
            rows[f["config"]][f["split"]] += f["rows"]
    for config in CONFIGS:
        loaded = _load(dist, config, tmp_path, monkeypatch)
        assert {s: len(loaded[s]) for s in loaded} == rows[config], config
        # the card's dataset_info is read (so datasets verifies the split sizes against it)
        info = datasets.load_dataset_builder(str(dist), config, cache_dir=str(tmp_path / "hf-cache")).info
        assert {s: info.splits[s].num_examples for s in info.splits} == rows[config], config
    ner = _load(dist, "ner", tmp_path, monkeypatch)
    assert ner["train"].features["ner_tags"].feature.names == ner_tag_names(vocab)
    ents = _load(dist, "entities", tmp_path, monkeypatch)
    assert ents["train"].features["label"].names == list(vocab.entity_labels)
    docs = _load(dist, "documents", tmp_path, monkeypatch)
    assert docs["train"].features["zones"].feature["type"].names == list(vocab.zone_types)
    # the default config is documents
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    default = datasets.load_dataset(str(dist), cache_dir=str(tmp_path / "hf-cache"))
    assert set(default["train"].column_names) == set(docs["train"].column_names)


def test_known_values(built, tmp_path, monkeypatch):
    root, dist = built
    first = default_docs()[0].doc_id
    docs = _load(dist, "documents", tmp_path, monkeypatch)["train"]
    row = next(r for r in docs if r["id"] == first)
    assert row["publication_date"] == "2021-01-05"
    assert row["publisher"] == "Agence Ünicode"
    assert row["url"] is None and row["url_null_reason"] == "synthetic test article"
    assert row["notes"] == ["synthetic fixture"]
    quotes = _load(dist, "quotes", tmp_path, monkeypatch)["train"]
    q3 = next(q for q in quotes if q["doc_id"] == first and q["id"] == "q3")
    assert q3["text"] == "“We’ll see next year,”"
    assert q3["speaker"]["text"] == "he" and q3["speaker_name"] == "Mevlüt Çavuşoğlu"
    assert q3["intermediary"] == {"start": q3["intermediary"]["start"], "end": q3["intermediary"]["end"], "text": "NTV", "entity_id": "ntv"}
    numeric = _load(dist, "numeric_claims", tmp_path, monkeypatch)["train"]
    n1 = next(n for n in numeric if n["doc_id"] == first)
    assert n1["value"] == 20_000_000_000 and n1["approximate"] is True
    assert numeric.features["unit"].int2str(n1["unit"]) == "USD"
    dates = _load(dist, "dates", tmp_path, monkeypatch)["train"]
    t3 = next(d for d in dates if d["doc_id"] == first and d["id"] == "t3")
    assert dates.features["mod"].int2str(t3["mod"]) == "APPROX"
    t1 = next(d for d in dates if d["doc_id"] == first and d["id"] == "t1")
    assert t1["mod"] is None and t1["temporal_anchor"] == "2021-01-05"
    reg = _load(dist, "entity_registry", tmp_path, monkeypatch)["registry"]
    cav = next(r for r in reg if r["id"] == "mevlut-cavusoglu")
    assert cav["name"] == "Mevlüt Çavuşoğlu"
    assert cav["mention_count"] == sum(cav["mentions_by_split"].values()) == 3 * len(default_docs())
    assert next(r for r in reg if r["id"] == "ntv")["aliases"] == ["NTV"]
    publisher = next(r for r in reg if r["id"] == "agence-unicode")  # named by metadata only, no mention
    assert publisher["aliases"] is None  # absent in the registry file stays absent


def test_span_rows_stand_alone(built, tmp_path, monkeypatch):
    root, dist = built
    for config in ("entities", "quotes", "dates", "numeric_claims"):
        loaded = _load(dist, config, tmp_path, monkeypatch)
        for split in loaded:
            zone_names = loaded[split].features["zone_type"].names
            for row in loaded[split]:
                text = (root / "raw" / f"{row['doc_id']}.txt").read_text("utf-8")
                assert text[row["start"]:row["end"]] == row["text"]
                c0 = row["context_start"]
                assert text[c0:c0 + len(row["context"])] == row["context"]
                assert row["context"][row["start"] - c0:row["end"] - c0] == row["text"]
                assert zone_names[row["zone_type"]] != "boilerplate"
                assert len(row["provenance"]["raw_sha256"]) == 64
                assert row["provenance"]["annotators"][0]["id"] == "annotator-a"


def test_ner_rows_are_consistent_bio(built, tmp_path, monkeypatch):
    root, dist = built
    ner = _load(dist, "ner", tmp_path, monkeypatch)
    names = ner["train"].features["ner_tags"].feature.names
    zone_names = ner["train"].features["zone_type"].names
    for split in ner:
        for row in ner[split]:
            assert zone_names[row["zone_type"]] != "boilerplate"
            tags = [names[t] for t in row["ner_tags"]]
            assert len(tags) == len(row["tokens"]) == len(row["token_starts"]) == len(row["token_ends"])
            for tok, a, b in zip(row["tokens"], row["token_starts"], row["token_ends"]):
                assert row["text"][a:b] == tok
            for prev, tag in zip(["O", *tags], tags):
                if tag.startswith("I-"):
                    assert prev[2:] == tag[2:] and prev != "O"
    first = next(r for r in ner["train"] if "Mevlüt" in r["tokens"])
    tags = dict(zip(first["tokens"], [names[t] for t in first["ner_tags"]]))
    assert tags["Mevlüt"] == "B-PERSON" and tags["Çavuşoğlu"] == "I-PERSON"
    assert tags["U.S."] == "B-GPE"
    assert tags["around"] == "B-MONEY" and tags["billion"] == "I-MONEY"
    assert tags["Tuesday"] == "B-DATE"


# ----------------------------------------------------------------------------- shards and splits

def test_bounded_shards_are_named_like_the_hub_and_load(tmp_path, monkeypatch):
    root = write_corpus(tmp_path / "corpus")
    out = tmp_path / "dist"
    build(CorpusPaths(root), out=out, jobs=1, progress=False, max_shard_rows=2)
    shards = sorted(p.name for p in (out / "data" / "entities").glob("train-*.parquet"))
    assert len(shards) > 1
    assert shards == [f"train-{i:05d}-of-{len(shards):05d}.parquet" for i in range(len(shards))]
    for p in shards:
        assert pq.ParquetFile(out / "data" / "entities" / p).metadata.num_rows <= 2
    loaded = _load(out, "entities", tmp_path, monkeypatch)
    reference = tmp_path / "ref"
    build(CorpusPaths(root), out=reference, jobs=1, progress=False)
    assert len(loaded["train"]) == pq.ParquetFile(reference / "data" / "entities" / "train-00000-of-00001.parquet").metadata.num_rows


def test_empty_split_is_left_out_of_configs_and_explained(built):
    import yaml

    root, dist = built
    manifest = json.loads((dist / MANIFEST).read_text("utf-8"))
    readme = (dist / "README.md").read_text("utf-8")
    front = yaml.safe_load(readme.split("---\n")[1])
    for split, count in manifest["splits"]["documents"].items():
        in_configs = any(f["split"] == split for c in front["configs"] for f in c["data_files"])
        assert in_configs == (count > 0)
        if count == 0:
            assert f"**{split}** is empty:" in readme
            assert split in manifest["splits"]["empty"]


def test_story_split_keeps_a_story_together(tmp_path):
    docs = [Doc(f"wire_2021-01-{i % 28 + 1:02d}_story-{i}", f"2021-01-{i % 28 + 1:02d}_event-{i // 2}") for i in range(24)]
    splits = {
        "schema_version": "1.0.0",
        "policy": {"unit": "story", "min_stories_for_story_split": 10,
                   "fractions": {"train": 0.5, "validation": 0.25, "test": 0.25}, "salt": "s"},
        "assignments": {},
    }
    root = write_corpus(tmp_path / "corpus", docs=docs, splits=splits)
    result = build(CorpusPaths(root), jobs=2, progress=False)
    assert result.plan.unit == "story"
    assert result.plan.leaked_stories == {}
    by_story: dict[str, set] = {}
    for d in docs:
        by_story.setdefault(d.story_id, set()).add(result.plan.split_of(d.doc_id, d.story_id))
    assert all(len(s) == 1 for s in by_story.values())
    readme = (root / "dist" / "README.md").read_text("utf-8")
    assert "Unit: **story**" in readme and "No story has documents in more than one split." in readme


# ----------------------------------------------------------------------------- card

def test_card_counts_are_generated(built):
    root, dist = built
    readme = (dist / "README.md").read_text("utf-8")
    assert "<!-- generated:" not in readme and "template-note" not in readme
    n = len(default_docs())
    assert "| entities | " in readme
    assert f"This build holds **{n} annotated documents**" in readme
    assert "| `PERSON` |" in readme  # per-label table
    assert "No inter-annotator agreement report exists" in readme
    assert "Mevlüt Çavuşoğlu (`mevlut-cavusoglu`)" in readme  # speakers table
    assert "license: other" in readme and "license_name:" in readme


def test_every_field_description_names_a_published_column_and_a_config_line_wins(built):
    """A per-config line ("quotes.kind") is what the card shows for that config; a line for a
    column no config has is a stale description, caught here instead of going unseen."""
    from newscorpus.features import CONFIGS, FIELD_DESCRIPTIONS, config_features, field_description
    from newscorpus.spec import load_schemas

    root, dist = built
    vocab = load_schemas(root).vocabulary
    columns = {(c, name) for c in CONFIGS for name in config_features(c, vocab)}
    for key in FIELD_DESCRIPTIONS:
        config, _, column = key.rpartition(".")
        assert (config, column) in columns if config else any(column == name for _, name in columns), key
    readme = (dist / "README.md").read_text("utf-8")
    quotes = readme[readme.index("#### `quotes`"):readme.index("#### `dates`")]
    assert f"| `kind` | ClassLabel (3 names) | {field_description('quotes', 'kind')} |" in quotes
    assert field_description("quotes", "kind") != field_description("numeric_claims", "kind")
    assert field_description("dates", "start") == FIELD_DESCRIPTIONS["start"]


def test_card_names_the_labels_a_split_with_documents_lacks(tmp_path):
    from types import SimpleNamespace

    from newscorpus.card import _label_gaps
    from newscorpus.spec import load_schemas

    vocab = load_schemas(REPO).vocabulary
    counts = {s: Counter() for s in vocab.splits}
    train, validation, test = vocab.splits
    counts[train].update({"documents": 3, "label:quotes:mixed": 2, "label:quotes:direct": 1, "label:numeric_claims:money": 1})
    counts[test].update({"documents": 1, "label:quotes:direct": 4})
    text = _label_gaps(SimpleNamespace(vocab=vocab, counts=counts))
    assert f"- **{test}** has none of: quotes `mixed`; numeric claims `money`." in text
    assert f"**{train}**" not in text and f"**{validation}**" not in text  # train has all; validation has no documents
    counts[test].update({"label:quotes:mixed": 1, "label:numeric_claims:money": 1})
    assert "Every label that occurs in the published splits occurs in each of them" in _label_gaps(SimpleNamespace(vocab=vocab, counts=counts))


def test_card_counts_the_licences_the_documents_state(tmp_path):
    """The card does not claim one rights regime: it counts what each document's metadata says."""
    root = write_corpus(tmp_path / "corpus")
    docs = default_docs()
    meta_path = root / "raw" / f"{docs[1].doc_id}.meta.json"
    meta_path.write_text(meta_path.read_text("utf-8").replace('"licence": "all rights reserved (no open licence stated)"', '"licence": "CC0-1.0"'), "utf-8")
    build(CorpusPaths(root), jobs=1, progress=False)
    readme = (root / "dist" / "README.md").read_text("utf-8")
    section = readme[readme.index("## Licensing Information"):]
    assert f"| all rights reserved (no open licence stated) | {len(docs) - 1} |" in section
    assert "| CC0-1.0 | 1 |" in section


def test_card_renders_the_agreement_report(tmp_path):
    agreement = {"a": "annotated/passes/x", "b": "annotated/passes/y", "documents": ["d"],
                 "layers": {"entities": {"span": {"precision": 0.9, "recall": 0.8, "f1": 0.847},
                                         "partial": {"f1": 0.9},
                                         "attributes": {"label": {"proportion": 0.95}},
                                         "kappa": {"label": 0.91}}}}
    root = write_corpus(tmp_path / "corpus", agreement=agreement)
    build(CorpusPaths(root), jobs=1, progress=False)
    readme = (root / "dist" / "README.md").read_text("utf-8")
    assert "| entities | 0.9000 | 0.8000 | 0.8470 | 0.9000 |" in readme
    assert "| entities | label | 0.9500 | 0.9100 |" in readme


def test_card_agreement_figures_are_the_reports_not_rounded_again(tmp_path):
    """The report rounds to 4 decimals; the card shows those, with the counts behind a
    proportion and a kappa, and judges a target on the exact F1, not the rounded one."""
    quotes = {"span": {"tp": 28, "fp": 1, "fn": 0, "precision": 0.9655, "recall": 1.0, "f1": 0.9825},  # F1 = 56/57
              "partial": {"tp": 28, "fp": 1, "fn": 0, "f1": 0.9825},
              "attributes": {"speaker_entity_id": {"agree": 27, "matched": 28, "proportion": 0.9643}},
              "kappa": {"kind": 1.0}, "kappa_detail": {"kind": {"n": 28, "p_o": 1.0, "p_e": 0.4107, "note": None}}}
    # 2tp/(2tp+fp+fn) = 1808/2009 = 0.899950...: the report says 0.9, the target 0.90 is missed
    near = {"span": {"tp": 904, "fp": 201, "fn": 0, "precision": 0.8181, "recall": 1.0, "f1": 0.9},
            "partial": {"f1": 0.9}}
    root = write_corpus(tmp_path / "corpus", agreement={"layers": {"quotes": quotes, "numeric_claims": near}})
    build(CorpusPaths(root), jobs=1, progress=False)
    readme = (root / "dist" / "README.md").read_text("utf-8")
    assert "| quotes | 0.9655 | 1.0000 | 0.9825 | 0.9825 |" in readme and "0.983" not in readme
    assert "| quotes | speaker_entity_id | 0.9643 (27/28) |" in readme
    assert "| quotes | kind | n/a | 1.0000 (n = 28) |" in readme
    assert "| numeric_claims | 0.8181 | 1.0000 | 0.9000 | 0.9000 | 0.90: **not met** |" in readme


def test_unknown_or_missing_card_marker_is_a_clear_error(tmp_path, capsys):
    root = write_corpus(tmp_path / "corpus")
    card = root / "DATASET_CARD.md"
    text = card.read_text("utf-8")
    card.write_text(text.replace("<!-- generated:counts -->", "<!-- generated:countz -->"), "utf-8")
    code = main(["build", "--root", str(root), "--no-progress", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 1 and "DATASET_CARD.md:" in err and "'countz'" in err
    line = text.split("\n").index("<!-- generated:counts -->") + 1
    assert f"DATASET_CARD.md:{line}: unknown generated section 'countz'" in err  # the marker's own line
    card.write_text(text.replace("<!-- generated:counts -->", ""), "utf-8")
    with pytest.raises(BuildError, match="lacks the generated section"):
        build(CorpusPaths(root), jobs=1, progress=False)
    assert not (root / "dist").exists()


@pytest.mark.parametrize("how,message", [
    ("missing", "DATASET_CARD.md: missing: "),
    ("folder", "DATASET_CARD.md: is a folder; "),
    ("unreadable", "DATASET_CARD.md: cannot read: Permission denied"),
])
def test_a_card_template_that_cannot_be_read_is_an_environment_error_found_before_any_work(tmp_path, capsys, monkeypatch, how, message):
    root = write_corpus(tmp_path / "corpus")
    card = root / "DATASET_CARD.md"
    if how == "missing":
        card.unlink()
    elif how == "folder":
        card.unlink()
        card.mkdir()
    else:  # root ignores chmod: make the read itself fail
        real = Path.read_bytes

        def read_bytes(self):
            if self.name == "DATASET_CARD.md":
                raise PermissionError(13, os.strerror(13), str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)

    def no_validation(*args, **kwargs):
        raise AssertionError("validated the corpus before finding that the card template cannot be read")

    monkeypatch.setattr(validatemod, "validate_corpus", no_validation)
    code = main(["build", "--root", str(root), "--no-progress", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 2, err  # the environment (README: exit 2), not an invalid corpus
    assert f"newscorpus build: error: {message}" in err and "Traceback" not in err
    assert not (root / "dist").exists()


def test_an_empty_front_matter_is_closed_and_the_card_renders(tmp_path, capsys):
    import yaml

    root = write_corpus(tmp_path / "corpus")
    card = root / "DATASET_CARD.md"
    text = card.read_text("utf-8")
    assert text.startswith("---\n")
    body = text[text.index("\n---\n", 4) + len("\n---\n"):]
    card.write_text("---\n---\n" + body, "utf-8")
    assert main(["build", "--root", str(root), "--no-progress", "--jobs", "1"]) == 0, capsys.readouterr().err
    readme = (root / "dist" / "README.md").read_text("utf-8")
    front = yaml.safe_load(readme.split("---\n")[1])
    assert "configs" in front and "license" not in front  # only what the build generates


def test_a_card_template_saved_with_crlf_keeps_its_front_matter(tmp_path, capsys):
    import yaml

    root = write_corpus(tmp_path / "corpus")
    card = root / "DATASET_CARD.md"
    lf = card.read_bytes()
    card.write_bytes(lf.replace(b"\n", b"\r\n"))
    assert main(["build", "--root", str(root), "--no-progress", "--jobs", "1"]) == 0, capsys.readouterr().err
    crlf_card = (root / "dist" / "README.md").read_bytes()
    assert b"\r" not in crlf_card
    front = yaml.safe_load(crlf_card.decode("utf-8").split("---\n")[1])
    assert front["license"] == yaml.safe_load(lf.decode("utf-8").split("---\n")[1])["license"]
    card.write_bytes(lf)
    assert main(["build", "--root", str(root), "--no-progress", "--jobs", "1"]) == 0
    assert (root / "dist" / "README.md").read_bytes() == crlf_card  # the same card either way


@pytest.mark.parametrize("template,front,body,body_line", [
    ("---\n---\nbody\n", {}, "body\n", 3),
    ("---\na: 1\n---\nbody", {"a": 1}, "body", 4),
    ("---\na: 1\n---", {"a": 1}, "", 4),  # closed on the last line, no final newline
    ("no front matter\n", {}, "no front matter\n", 1),
])
def test_card_front_matter_is_split_at_the_closing_line(template, front, body, body_line):
    assert cardlib._split_front_matter(template) == (front, body, body_line)


@pytest.mark.parametrize("template,message", [
    ("---\na: 1\nbody\n", "DATASET_CARD.md:1: the YAML front matter opened with '---' is never closed"),
    ("---\na: 1\n  b: 2\n---\n", "DATASET_CARD.md:3:4: the front matter is not valid YAML: mapping values are not allowed here"),
    ("---\n- a\n---\n", "DATASET_CARD.md:2: the front matter must be a YAML mapping"),
])
def test_card_front_matter_errors_are_one_line_at_the_template_line(template, message):
    with pytest.raises(cardlib.CardError) as caught:
        cardlib._split_front_matter(template)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


# ----------------------------------------------------------------------------- provenance and CLI

def test_source_commit_is_recorded_or_null_with_reason(tmp_path):
    root = write_corpus(tmp_path / "corpus")
    plain = buildmod.source_commit(root)
    assert plain["commit"] is None and plain["null_reason"]
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "corpus"]):
        subprocess.run(["git", "-C", str(root), *cmd], check=True, env=env, capture_output=True)
    head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    result = build(CorpusPaths(root), jobs=1, progress=False)
    assert {k: result.source[k] for k in ("commit", "dirty", "null_reason")} == {"commit": head, "dirty": False, "null_reason": None}
    assert "not this checkout's" in result.source["code_note"]  # these tests run the repository's code, not the corpus's
    manifest = json.loads((root / "dist" / MANIFEST).read_text("utf-8"))
    assert manifest["source"]["commit"] == head
    assert "code from outside this checkout" in (root / "dist" / "README.md").read_text("utf-8")

    # a commit that changes no build input leaves every data file as it was
    (root / "NOTES.txt").write_text("a note\n", encoding="utf-8")
    for cmd in (["add", "-A"], ["commit", "-q", "-m", "a note"]):
        subprocess.run(["git", "-C", str(root), *cmd], check=True, env=env, capture_output=True)
    again = build(CorpusPaths(root), out=tmp_path / "again", jobs=1, progress=False)
    assert again.source["commit"] != head and again.source["dirty"] is False
    parquet = lambda out: {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*.parquet"))}  # noqa: E731
    assert parquet(root / "dist") == parquet(tmp_path / "again") != {}

    # code and packaging are build inputs too: an uncommitted change there is recorded
    (root / "scripts").mkdir()
    (root / "scripts" / "bench_notes.py").write_text("x = 1\n", encoding="utf-8")  # not the package: no input
    assert buildmod.source_commit(root)["dirty"] is False
    (root / "scripts" / "newscorpus").mkdir()
    (root / "scripts" / "newscorpus" / "tweak.py").write_text("x = 1\n", encoding="utf-8")
    dirty = buildmod.source_commit(root)
    assert dirty["dirty"] is True and "scripts/newscorpus" in dirty["dirty_note"]


def test_the_repositorys_own_build_runs_its_own_code():
    assert "code_note" not in buildmod.source_commit(REPO)


def test_cli_prints_how_to_load(tmp_path, capsys, monkeypatch):
    root = write_corpus(tmp_path / "corpus")
    monkeypatch.chdir(root)
    code = main(["build", "--no-progress", "--jobs", "1"])
    out = capsys.readouterr().out
    assert code == 0
    # absolute: run from another folder, "dist" would be looked up in the datasets cache (offline,
    # possibly an earlier build's copy) or on the Hub
    assert f'datasets.load_dataset({json.dumps(str((root / "dist").absolute()))}, "documents")' in out
    assert (root / "dist" / "README.md").is_file()


def test_the_load_snippet_names_the_output_as_given_when_it_is_a_link(tmp_path, capsys):
    root = write_corpus(tmp_path / "corpus")
    (tmp_path / "real").mkdir()
    (tmp_path / "release").symlink_to(tmp_path / "real")
    assert main(["build", "--root", str(root), "--out", str(tmp_path / "release" / "dist"), "--jobs", "1", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert f'datasets.load_dataset({json.dumps(str(tmp_path / "release" / "dist"))}, "documents")' in out
    assert (tmp_path / "real" / "dist" / "README.md").is_file()


def test_the_printed_load_snippet_runs_when_there_is_no_train_split(tmp_path, capsys, monkeypatch):
    docs = default_docs()
    splits = {
        "schema_version": "1.0.0",
        "policy": {"unit": "story", "min_stories_for_story_split": 10,
                   "fractions": {"train": 0.8, "validation": 0.1, "test": 0.1}, "salt": "test-salt"},
        "assignments": {d.doc_id: "test" for d in docs},
        "reasons": {d.doc_id: "all pinned to test" for d in docs},
    }
    root = write_corpus(tmp_path / "corpus", docs=docs, splits=splits)
    monkeypatch.chdir(root)
    assert main(["build", "--no-progress", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    snippet = out.split("Load it (offline, no Hub account needed):\n\n", 1)[1].split("\n\n", 1)[0]
    assert 'ner["test"]' in snippet and '"train"' not in snippet
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-cache")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(textwrap.dedent(snippet), {})  # as a user would paste it
    assert "B-PERSON" in printed.getvalue()


def test_repo_card_template_has_every_required_section():
    text = (REPO / "DATASET_CARD.md").read_text("utf-8")
    for name in cardlib.REQUIRED_SECTIONS:
        assert f"<!-- generated:{name} -->" in text
    for heading in ("## Dataset Summary", "## Supported Tasks", "## Languages", "## Dataset Structure",
                    "### Data Splits", "### Source Data", "### Annotations", "## Personal and Sensitive Information",
                    "### Bias, Risks and Limitations", "## Licensing Information", "## Citation Information"):
        assert heading in text


def test_importing_the_build_module_does_not_import_datasets_or_pyarrow():
    import subprocess
    import sys

    code = (
        "import sys, newscorpus.build, newscorpus.cli; "
        "loaded = [m for m in ('datasets', 'pyarrow', 'pandas') if m in sys.modules]; "
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_rebuild_in_place_without_atomic_exchange(tmp_path, monkeypatch):
    root = write_corpus(tmp_path / "corpus")
    out = tmp_path / "dist"
    build(CorpusPaths(root), out=out, jobs=1, progress=False)
    before = tree_digest(out)
    monkeypatch.setattr(buildmod, "_exchange", lambda a, b: False)  # e.g. not Linux
    build(CorpusPaths(root), out=out, jobs=1, progress=False)
    assert tree_digest(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dist")] == []


def test_a_config_without_rows_is_left_out_and_explained(tmp_path, monkeypatch):
    import yaml

    docs = default_docs()
    for d in docs:
        d.extra_numeric = False
    root = write_corpus(tmp_path / "corpus", docs=docs)
    result = build(CorpusPaths(root), jobs=1, progress=False)
    readme = (root / "dist" / "README.md").read_text("utf-8")
    front = yaml.safe_load(readme.split("---\n")[1])
    assert "numeric_claims" not in [c["config_name"] for c in front["configs"]]
    assert "#### `numeric_claims`\n\nRows per split: no rows (left out of `configs`)." in readme
    assert "numeric_claims   (no rows)" in buildmod.summary(result)
    assert len(_load(root / "dist", "quotes", tmp_path, monkeypatch)["train"]) > 0


@pytest.mark.parametrize("registry_entries", [True, False])
def test_a_corpus_without_annotated_documents_is_refused(tmp_path, capsys, registry_entries):
    """Nothing to publish: exit 1 with one clear line, no dist/, the previous output kept."""
    root = write_corpus(tmp_path / "corpus", docs=[], splits={
        "schema_version": "1.0.0",
        "policy": {"unit": "story", "min_stories_for_story_split": 10,
                   "fractions": {"train": 0.8, "validation": 0.1, "test": 0.1}, "salt": "test-salt"},
        "assignments": {}, "reasons": {},
    })
    if not registry_entries:
        (root / "annotated" / "entity_registry.json").write_text('{\n  "schema_version": "1.0.0",\n  "entities": []\n}\n', "utf-8")
    out = tmp_path / "dist"
    out.mkdir()
    (out / "MANIFEST.json").write_text("{}")  # an earlier build's output, to be kept
    code = main(["build", "--root", str(root), "--out", str(out), "--no-progress", "--jobs", "1"])
    captured = capsys.readouterr()
    assert code == 1, captured.err
    assert "newscorpus build: error: annotated/: no annotated document" in captured.err
    assert ("the validator also reported warnings: L6-unused-registry-entry " in captured.err) == registry_entries
    assert "load_dataset" not in captured.out and "Traceback" not in captured.err
    assert sorted(p.name for p in out.iterdir()) == ["MANIFEST.json"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dist")] == []


def test_warnings_do_not_stop_the_build_but_its_summary_counts_them(tmp_path, capsys):
    """A build that succeeds despite warnings says so, by rule code; --strict refuses them."""
    from collections import Counter

    root = write_corpus(tmp_path / "corpus")
    (root / "raw" / "notes.md").write_text("a stray file\n", "utf-8")  # L6-stray-file, a warning
    report = validatemod.validate_corpus(CorpusPaths(root), jobs=1, keep_data=False)
    expected = Counter(d.code for d in report.diagnostics)
    assert expected["L6-stray-file"] == 1 and {d.severity for d in report.diagnostics} == {"warning"}
    assert main(["build", "--root", str(root), "--no-progress"]) == 0
    n = sum(expected.values())
    codes = ", ".join(f"{c} {k}" for c, k in sorted(expected.items()))
    assert f"  {n} validator warnings ({codes}): built anyway; `newscorpus validate` shows where" in capsys.readouterr().out
    assert main(["build", "--root", str(root), "--no-progress", "--strict"]) == 1
    assert "raw/notes.md" in capsys.readouterr().err
    result = build(CorpusPaths(root), jobs=1, progress=False)
    assert result.warnings == expected
    for code in expected:  # fix every warning: the line goes
        assert code in {"L6-stray-file", "L6-unused-registry-entry"}, code
    (root / "raw" / "notes.md").unlink()
    registry = json.loads((root / "annotated" / "entity_registry.json").read_text("utf-8"))
    unused = {d.json_path for d in report.diagnostics if d.code == "L6-unused-registry-entry"}
    registry["entities"] = [e for i, e in enumerate(registry["entities"]) if f"$.entities[{i}]" not in unused]
    (root / "annotated" / "entity_registry.json").write_text(canonical_dumps(registry, json.loads((root / "schema" / "entity-registry.schema.json").read_text("utf-8"))), "utf-8")
    assert main(["build", "--root", str(root), "--no-progress"]) == 0
    assert "validator warning" not in capsys.readouterr().out


def test_output_does_not_depend_on_jobs_or_chunking_across_many_chunks(tmp_path, monkeypatch):
    """Row groups are cut by row count alone: worker count and chunk size never change a byte."""
    from newscorpus.synth import generate_corpus

    root = tmp_path / "corpus"
    generate_corpus(root, 90, seed=3, spans_per_doc=20)
    add_publishing_files(root)
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    build(CorpusPaths(root), out=a, jobs=1, progress=False, max_shard_rows=500)
    build(CorpusPaths(root), out=b, jobs=2, progress=False, max_shard_rows=500)
    monkeypatch.setattr(validatemod, "BATCH_DOCS", 7)
    build(CorpusPaths(root), out=c, jobs=2, progress=False, max_shard_rows=500)
    assert len(list((a / "data" / "entities").glob("*.parquet"))) > 1  # several shards were cut
    assert tree_digest(a) == tree_digest(b) == tree_digest(c)


def _edit_story_after_planning(monkeypatch, doc_id: str | None = None):
    """Make the split plan, then change a document's story_id before it is validated."""
    real = buildmod._plan_ahead

    def plan_then_edit(paths, vocab):
        ahead = real(paths, vocab)
        target = doc_id or [k.doc_id for k in ahead.keys][-1]
        meta_path = paths.meta(target)
        meta = json.loads(meta_path.read_text("utf-8"))
        meta["story_id"] = meta["story_id"] + "-moved"
        meta_path.write_text(canonical_dumps(meta, json.loads((paths.root / "schema" / "metadata.schema.json").read_text("utf-8"))), "utf-8")
        return ahead

    monkeypatch.setattr(buildmod, "_plan_ahead", plan_then_edit)


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("which", ["first", "last"])
def test_a_story_changed_after_the_split_plan_stops_the_build(tmp_path, monkeypatch, jobs, which):
    """Rows are built from the very bytes the validator read, so only what was read before
    validation can go stale: the story_ids the split plan was made from. A metadata file whose
    story_id changed in between stops the build, with the file named, and nothing is written."""
    root = write_corpus(tmp_path / "corpus")
    out = tmp_path / "dist"
    docs = sorted(d.doc_id for d in default_docs())
    _edit_story_after_planning(monkeypatch, docs[0] if which == "first" else docs[-1])
    monkeypatch.setattr(validatemod, "POOL_MIN_TASKS", 1)  # with jobs 2, check in worker processes
    target = docs[0] if which == "first" else docs[-1]
    with pytest.raises(BuildError, match=rf"raw/{target}\.meta\.json: changed while the build was running \(story_id"):
        build(CorpusPaths(root), out=out, jobs=jobs, progress=False)
    assert not out.exists()
    assert not list(tmp_path.glob(".dist.building-*"))


def test_rows_carry_the_sha256_of_the_bytes_that_were_validated(tmp_path):
    """Each document is read once: the provenance in its rows is the validator's sha256 of the
    files, and the manifest's document hash is made of the same lines."""
    import hashlib

    import pyarrow.parquet as pq

    root = write_corpus(tmp_path / "corpus")
    out = tmp_path / "dist"
    build(CorpusPaths(root), out=out, jobs=1, progress=False)
    paths = CorpusPaths(root)
    docs = [d for f in sorted((out / "data" / "documents").glob("*.parquet")) for d in pq.read_table(f).to_pylist()]
    lines = []
    for d in sorted(docs, key=lambda d: d["id"]):
        shas = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (paths.raw(d["id"]), paths.meta(d["id"]), paths.annotation(d["id"]))]
        assert [d["raw_sha256"], d["metadata_sha256"], d["annotation_sha256"]] == shas
        lines.append(f"{d['id']} {' '.join(shas)}\n")
    manifest = json.loads((out / MANIFEST).read_text("utf-8"))
    assert manifest["inputs"]["documents"] == len(docs) > 1
    assert manifest["inputs"]["documents_sha256"] == hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def test_the_manifest_records_the_registry_and_splits_the_build_used(tmp_path, monkeypatch):
    """The registry and split policy are read before validation and checked unchanged after it;
    the manifest gives the sha256 of those bytes, not of whatever is on disk when it is written."""
    import hashlib

    root = write_corpus(tmp_path / "corpus")
    paths = CorpusPaths(root)
    used = {rel: hashlib.sha256((root / rel).read_bytes()).hexdigest() for rel in ("annotated/entity_registry.json", "annotated/splits.json")}
    real = buildmod._read_agreement

    def agreement_then_touch(at):  # runs after validation, before the manifest
        for rel in used:
            (root / rel).write_bytes((root / rel).read_bytes() + b"\n")
        return real(at)

    monkeypatch.setattr(buildmod, "_read_agreement", agreement_then_touch)
    build(paths, out=tmp_path / "dist", jobs=1, progress=False)
    manifest = json.loads((tmp_path / "dist" / MANIFEST).read_text("utf-8"))
    recorded = {f["path"]: f["sha256"] for f in manifest["inputs"]["files"]}
    assert {rel: recorded[rel] for rel in used} == used
    for rel, sha in recorded.items():  # the others are hashed as they are
        if rel not in used:
            assert sha == hashlib.sha256((root / rel).read_bytes()).hexdigest(), rel
    # the split policy published with the data is the one the build used, not the touched one
    assert hashlib.sha256((tmp_path / "dist" / "annotated" / "splits.json").read_bytes()).hexdigest() == used["annotated/splits.json"]


@pytest.mark.parametrize("schema_file,garbage", [("annotation.schema.json", "{"), ("vocabulary.schema.json", None)])
def test_a_broken_schema_file_is_reported_by_the_validator_not_a_traceback(tmp_path, schema_file, garbage):
    """The build reads schema/ before it validates the documents (features, split plan); a schema
    file that does not load must still end in the validator's report, and nothing is written."""
    root = write_corpus(tmp_path / "corpus")
    path = root / "schema" / schema_file
    if garbage is None:
        path.write_text(path.read_text("utf-8")[:40], "utf-8")
    else:
        path.write_text(path.read_text("utf-8") + garbage, "utf-8")
    out = tmp_path / "dist"
    with pytest.raises(BuildRefused) as refused:
        build(CorpusPaths(root), out=out, jobs=1, progress=False)
    assert any(d.path == f"schema/{schema_file}" and d.severity == "error" for d in refused.value.report.diagnostics)
    assert not out.exists() and not list(tmp_path.glob(".dist.building-*"))


@pytest.mark.parametrize("assignments", [["a"], "x", {"doc": ["train"]}, None])
def test_a_malformed_split_policy_ends_in_the_validator_report(tmp_path, assignments):
    """The split plan is made before validation, from the file as it is; a malformed policy
    must not crash the plan: the validator's report says what is wrong."""
    root = write_corpus(tmp_path / "corpus")
    path = root / "annotated" / "splits.json"
    if assignments is None:
        path.write_text('{"policy": "x"', "utf-8")
    else:
        splits = json.loads(path.read_text("utf-8"))
        splits["assignments"] = assignments
        path.write_text(json.dumps(splits), "utf-8")
    with pytest.raises(BuildRefused) as refused:
        build(CorpusPaths(root), out=tmp_path / "dist", jobs=1, progress=False)
    assert any(d.path == "annotated/splits.json" and d.severity == "error" for d in refused.value.report.diagnostics)
    assert not (tmp_path / "dist").exists()


def test_an_internal_error_is_one_line_not_a_traceback(tmp_path, monkeypatch, capsys):
    root = write_corpus(tmp_path / "corpus")

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(buildmod, "document_rows", broken)
    monkeypatch.delenv("NEWSCORPUS_DEBUG", raising=False)
    code = main(["build", "--root", str(root), "--out", str(tmp_path / "dist"), "--jobs", "1", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert "internal error (RuntimeError: boom)" in err and "Traceback" not in err
    assert not (tmp_path / "dist").exists()


def test_rows_refuse_what_the_features_cannot_hold_naming_the_place(tmp_path):
    """document_rows is pure and may run without the validator: a label outside the vocabulary
    or a value float64 cannot hold is a RowError naming file, JSON path and what is allowed."""
    from newscorpus.rows import RowContext, RowError, document_rows
    from newscorpus.spec import load_schemas

    root = write_corpus(tmp_path / "corpus")
    doc = "agence_2021-01-05_talks-going-well"
    schemas = load_schemas(root)
    ctx = RowContext(vocab=schemas.vocabulary, registry_names={})
    checked = validatemod.validate_document(str(root), doc)
    assert document_rows(checked, ctx).rows["entities"]  # as validated: rows, no error
    checked.annotation["entities"][1]["label"] = "PERSONA"
    with pytest.raises(RowError, match=rf"annotated/{doc}\.json: \$\.entities\[1\]\.label: 'PERSONA' is not in schema/vocabulary\.schema\.json \$defs/EntityLabel \(allowed: PERSON, "):
        document_rows(checked, ctx)
    checked = validatemod.validate_document(str(root), doc)
    checked.annotation["dates"][2]["mod"] = ["APPROX"]
    with pytest.raises(RowError, match=r"\$\.dates\[2\]\.mod: \['APPROX'\] is not in .*\$defs/DateMod"):
        document_rows(checked, ctx)
    checked = validatemod.validate_document(str(root), doc)
    checked.annotation["numeric_claims"][0]["value"] = 2**53 + 1
    with pytest.raises(RowError, match=r"\$\.numeric_claims\[0\]\.value: value 9007199254740993 is too large"):
        document_rows(checked, ctx)
