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
    assert "sha256 differs" in capsys.readouterr().err

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
    assert splits.read_bytes() == moved
