"""`newscorpus pin`: a release's documents pinned to the splits they were published in."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from build_fixture import write_corpus
from newscorpus.build import build
from newscorpus.cli import main
from newscorpus.corpus import CorpusPaths
from newscorpus.validate import validate_corpus


def _published(dist: Path) -> dict[str, str]:
    manifest = json.loads((dist / "MANIFEST.json").read_text("utf-8"))
    return {doc_id: f["split"] for f in manifest["files"] if f.get("config") == "documents"
            for doc_id in pq.read_table(dist / f["path"], columns=["id"]).column("id").to_pylist()}


def _splits(root: Path) -> dict:
    return json.loads((root / "annotated" / "splits.json").read_text("utf-8"))


def test_pin_records_every_published_document_in_its_split_and_the_build_does_not_change(tmp_path, capsys):
    root = write_corpus(tmp_path / "corpus")
    build(CorpusPaths(root), jobs=1, progress=False)
    published = _published(root / "dist")
    pinned_before = _splits(root)["assignments"]
    unpinned = sorted(set(published) - set(pinned_before))
    assert unpinned  # the fixture pins some documents, not all
    assert main(["pin", "--check", "--root", str(root)]) == 1
    assert f"{len(unpinned)} published document(s) not pinned" in capsys.readouterr().err

    assert main(["pin", "--root", str(root), "--reason", "published in release 1.0"]) == 0
    splits = _splits(root)
    assert splits["assignments"] == published
    assert {d: splits["reasons"][d] for d in unpinned} == {d: "published in release 1.0" for d in unpinned}
    report = validate_corpus(CorpusPaths(root))
    assert report.ok() and not [d for d in report.diagnostics if d.path == "annotated/splits.json"]
    assert main(["fmt", "--check", "--root", str(root), str(root / "annotated" / "splits.json")]) == 0  # canonical layout
    capsys.readouterr()

    build(CorpusPaths(root), jobs=1, progress=False)
    assert _published(root / "dist") == published  # pins keep the splits the build gave
    before = (root / "annotated" / "splits.json").read_bytes()
    assert main(["pin", "--root", str(root), "--reason", "again"]) == 0
    assert "nothing to pin" in capsys.readouterr().out
    assert (root / "annotated" / "splits.json").read_bytes() == before
    assert main(["pin", "--check", "--root", str(root)]) == 0


def test_pin_refuses_a_build_it_cannot_trust_and_writes_nothing(tmp_path, capsys):
    root = write_corpus(tmp_path / "corpus")
    splits = root / "annotated" / "splits.json"
    before = splits.read_bytes()
    assert main(["pin", "--root", str(root), "--reason", "r"]) == 2  # nothing built yet
    assert "build the dataset first" in capsys.readouterr().err
    assert main(["pin", "--root", str(root)]) == 2 and "--reason is required" in capsys.readouterr().err

    build(CorpusPaths(root), jobs=1, progress=False)
    documents = sorted((root / "dist" / "data" / "documents").glob("*.parquet"))[0]
    documents.write_bytes(documents.read_bytes() + b"\0")  # dist/ changed after the build
    assert main(["pin", "--root", str(root), "--reason", "r"]) == 1
    err = capsys.readouterr().err
    assert "sha256 differs" in err and f"{root / 'dist'} was changed after the build" in err

    build(CorpusPaths(root), jobs=1, progress=False)
    doc_id, split = next(iter(_published(root / "dist").items()))
    other = "test" if split != "test" else "train"
    data = json.loads(before)
    data["assignments"][doc_id] = other  # splits.json changed since the build: the pin would disagree
    splits.write_text(json.dumps(data), "utf-8")
    moved = splits.read_bytes()
    assert main(["pin", "--root", str(root), "--reason", "r"]) == 1
    err = capsys.readouterr().err
    assert f"{doc_id} is pinned to {other} but was published in {split}" in err and "Traceback" not in err
    assert "if a pin was edited after the release, set it back to the split the document was published in" in err  # not only "build again"
    assert "log -p -- annotated/splits.json" in err
    assert splits.read_bytes() == moved


def _manifest_edit(root: Path, edit) -> None:
    path = root / "dist" / "MANIFEST.json"
    manifest = json.loads(path.read_text("utf-8"))
    entry = next(f for f in manifest["files"] if f.get("config") == "documents")
    edit(manifest, entry)
    path.write_text(json.dumps(manifest), "utf-8")


def test_pin_reads_only_the_files_of_this_corpus_build_and_never_crashes(tmp_path, capsys):
    root = write_corpus(tmp_path / "corpus")
    build(CorpusPaths(root), jobs=1, progress=False)
    splits = root / "annotated" / "splits.json"
    before = splits.read_bytes()
    outside = tmp_path / "outside.parquet"  # a copy of a real documents file, outside dist/
    first = next(f for f in json.loads((root / "dist" / "MANIFEST.json").read_text("utf-8"))["files"] if f.get("config") == "documents")
    outside.write_bytes((root / "dist" / first["path"]).read_bytes())
    manifest = (root / "dist" / "MANIFEST.json").read_bytes()
    cases = [
        (lambda m, e: e.update(path=str(outside)), "is not a file inside"),  # absolute
        (lambda m, e: e.update(path="../../outside.parquet"), "is not a file inside"),
        (lambda m, e: e.pop("path"), "lacks its path, split or sha256"),
        (lambda m, e: e.update(path=3), "lacks its path, split or sha256"),
        (lambda m, e: m.update(format="something-else/9"), "cannot be read as a build manifest"),
    ]
    for edit, says in cases:
        (root / "dist" / "MANIFEST.json").write_bytes(manifest)
        _manifest_edit(root, edit)
        code = main(["pin", "--root", str(root), "--reason", "r"])
        err = capsys.readouterr().err
        assert code in (1, 2) and says in err and "Traceback" not in err, (says, err)
    (root / "dist" / "MANIFEST.json").write_bytes(manifest)
    assert main(["pin", "--root", str(root), "--dist", str(root / "dist" / "MANIFEST.json"), "--reason", "r"]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert splits.read_bytes() == before

    # this build read against a corpus with the same doc ids but another raw text: refused
    other = write_corpus(tmp_path / "other")
    raw = sorted((other / "raw").glob("*.txt"))[0]
    raw.write_bytes(raw.read_bytes() + b" ")
    other_splits = (other / "annotated" / "splits.json").read_bytes()
    assert main(["pin", "--root", str(other), "--dist", str(root / "dist"), "--reason", "r"]) == 1
    err = capsys.readouterr().err
    assert f"is not a build of this corpus: {raw.name[:-4]} was built from another raw text" in err
    assert (other / "annotated" / "splits.json").read_bytes() == other_splits


def test_pin_refuses_a_split_policy_it_cannot_read_or_that_breaks_a_rule_and_replaces_a_stale_reason(tmp_path, capsys):
    root = write_corpus(tmp_path / "corpus")
    build(CorpusPaths(root), jobs=1, progress=False)
    splits = root / "annotated" / "splits.json"
    good = json.loads(splits.read_text("utf-8"))
    splits.write_text(json.dumps(good)[:-1] + ",}", "utf-8")  # a trailing comma: not strict JSON
    assert main(["pin", "--root", str(root), "--reason", "r"]) == 1
    assert "annotated/splits.json:1:" in capsys.readouterr().err
    broken = dict(good, policy=dict(good["policy"], fractions={"train": 1.0}))  # a split without its fraction
    splits.write_text(json.dumps(broken), "utf-8")
    assert main(["pin", "--root", str(root), "--reason", "r"]) == 1
    assert "L6-split-vocabulary" in capsys.readouterr().err
    unpinned = sorted(set(_published(root / "dist")) - set(good["assignments"]))[0]
    splits.write_text(json.dumps(dict(good, reasons={unpinned: "an earlier pin, since removed"})), "utf-8")
    assert main(["pin", "--root", str(root), "--reason", "published in release 2"]) == 0
    assert _splits(root)["reasons"][unpinned] == "published in release 2"
