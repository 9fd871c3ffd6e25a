"""SpillList: the validator's per-document results kept on disk, read back unchanged and in order."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES
from newscorpus import spill
from newscorpus.corpus import CorpusPaths
from newscorpus.model import Diagnostic, DocumentResult
from newscorpus.spill import SpillList
from newscorpus.validate import iter_json, validate_corpus


def test_items_come_back_in_order_across_batches_and_pending():
    items = [{"n": i, "text": "é" * (i % 7)} for i in range(23)]
    stored = SpillList(batch_items=5)
    stored.extend(items)
    assert len(stored) == 23 and stored
    assert list(stored) == items  # 4 batches on disk + 3 pending
    assert list(stored) == items  # and again: iteration does not consume
    assert "4 batches on disk" in repr(stored)


def test_two_iterations_at_once_do_not_disturb_each_other():
    stored = SpillList(range(40), batch_items=3)
    pairs = list(zip(stored, stored))
    assert pairs == [(i, i) for i in range(40)]


def test_append_after_iterating_and_clear():
    stored = SpillList(range(7), batch_items=2)
    assert list(stored) == list(range(7))
    stored.append(7)
    assert list(stored) == list(range(8))
    stored.clear()
    assert len(stored) == 0 and not stored and list(stored) == []
    stored.append("again")
    assert list(stored) == ["again"]


def test_document_results_survive_the_round_trip():
    result = DocumentResult(
        doc_id="d-1", raw_sha256="a" * 64, story_id="s", counts={"entities": 3},
        diagnostics=[Diagnostic("L3-span-text-mismatch", "error", "annotated/d-1.json", "text differs", line=4, span=(1, 5))],
    )
    stored = SpillList([result] * 3, batch_items=2)
    assert list(stored) == [result] * 3


def test_equality_with_a_list():
    assert SpillList([1, 2, 3], batch_items=2) == [1, 2, 3]
    assert SpillList([1, 2, 3], batch_items=2) != [1, 2]


@pytest.mark.parametrize("fixture", [None, "L1-bom", "L3-span-text-mismatch"])
@pytest.mark.parametrize("batch", [1, 2, 1000])
def test_spilled_validation_reports_what_the_in_memory_one_does(make_corpus, monkeypatch, batch, fixture):
    """validate_corpus(keep_data=False) keeps results on disk; the JSON report is byte-identical."""
    monkeypatch.setattr(spill, "BATCH_ITEMS", batch)
    edits = json.loads((FIXTURES / "invalid" / f"{fixture}.json").read_text())["edits"] if fixture else None
    paths = CorpusPaths(make_corpus(edits))
    kept = validate_corpus(paths, keep_data=True)
    spilled = validate_corpus(paths, keep_data=False)
    assert isinstance(spilled.documents, SpillList)
    assert [d.doc_id for d in spilled.documents] == [d.doc_id for d in kept.documents]
    assert [d.annotation_sha256 for d in spilled.documents] == [d.annotation_sha256 for d in kept.documents]
    assert spilled.diagnostics == kept.diagnostics
    assert bool(spilled.diagnostics) == (fixture is not None)
    assert "".join(iter_json(spilled)) == "".join(iter_json(kept))
    json.loads("".join(iter_json(spilled)))


def test_report_entries_are_in_path_order_when_doc_id_order_differs():
    """'a' < 'a-b' as doc ids, but 'raw/a-b.txt' < 'raw/a.meta.json' as paths: the on-disk sort
    must give sorted() order, including a name with an undecodable byte."""
    from newscorpus.validate import ValidationReport, _iter_file_entries

    report = ValidationReport(root="x", documents=SpillList(batch_items=2))
    for doc_id in ["a", "a-b", "a_c", "b\udcff"]:
        report.add_result(DocumentResult(doc_id=doc_id, raw_sha256="1" * 64, metadata_sha256="2" * 64, annotation_sha256="3" * 64))
    report.corpus_diagnostics.append(Diagnostic("L6-missing-file", "error", "annotated/splits.json", "missing"))
    paths = [e["path"] for e in _iter_file_entries(report)]
    assert len(paths) == 13
    assert paths == sorted(paths)
    assert paths[0] == "annotated/a-b.json" and paths[-1] == "raw/b\udcff.txt"
