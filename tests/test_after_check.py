"""AfterCheck: work hung on validation (the build's rows) sees every gold document once, in
document order, with its data still loaded, whatever --jobs and the batch size are."""

from __future__ import annotations

import multiprocessing

import pytest

from newscorpus import validate
from newscorpus.corpus import CorpusPaths
from newscorpus.synth import generate_corpus


def _summarise(results):
    # runs where the documents were checked; the data must still be there
    return [(r.doc_id, len(r.text), sorted(r.annotation)[:1], bool(r.errors)) for r in results]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("after") / "corpus"
    generate_corpus(root, 70, seed=5, spans_per_doc=8)
    return root


@pytest.mark.parametrize("jobs,batch", [(1, 32), (2, 1), (2, 7), (3, 32)])
def test_make_sees_each_gold_document_once_in_order(corpus, monkeypatch, jobs, batch):
    if jobs > 1 and multiprocessing.get_start_method() != "fork":
        pytest.skip("the test's make function reaches the workers only when they are forked")
    monkeypatch.setattr(validate, "BATCH_DOCS", batch)
    monkeypatch.setattr(validate, "POOL_MIN_TASKS", 1)
    taken = []
    after = validate.AfterCheck(make=_summarise, take=taken.extend)
    report = validate.validate_corpus(CorpusPaths(corpus), jobs=jobs, keep_data=False, after=after)
    assert report.ok()
    ids = [d.doc_id for d in report.documents]
    assert [t[0] for t in taken] == ids == sorted(ids) and len(ids) == 70
    assert all(length > 0 and first for _, length, first, _ in taken)
    assert all(d.text is None for d in report.documents)  # dropped after make, as keep_data=False asks


def test_make_output_does_not_change_the_report(corpus):
    plain = validate.validate_corpus(CorpusPaths(corpus), keep_data=False)
    hooked = validate.validate_corpus(CorpusPaths(corpus), keep_data=False, after=validate.AfterCheck(make=_summarise, take=lambda _: None))
    assert "".join(validate.iter_json(plain)) == "".join(validate.iter_json(hooked))


def test_jobs_beyond_the_usable_cores_start_no_more_workers(corpus, monkeypatch):
    """`--jobs 1000` on a 2-core machine starts 2 workers (not 1000 processes) and gives the
    same report as one process."""
    import concurrent.futures

    started = []
    real = concurrent.futures.ProcessPoolExecutor

    def recording(*args, max_workers=None, **kwargs):
        started.append(max_workers)
        return real(*args, max_workers=max_workers, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", recording)
    monkeypatch.setattr(validate, "usable_cores", lambda: 2)
    monkeypatch.setattr(validate, "POOL_MIN_TASKS", 1)
    many = validate.validate_corpus(CorpusPaths(corpus), jobs=1000, keep_data=False)
    one = validate.validate_corpus(CorpusPaths(corpus), jobs=1, keep_data=False)
    assert started == [2]
    assert "".join(validate.iter_json(many)) == "".join(validate.iter_json(one))
