"""scripts/bench.py --markdown: the README's performance table is rendered from measured JSON."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _bench():
    spec = importlib.util.spec_from_file_location("bench", REPO / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _report(docs: int, seconds: dict[str, float], other: float = 0.0) -> dict:
    results = {
        name: {"docs": docs, "seconds": s, "docs_per_s": docs / s, "spans_per_s": 50 * docs / s, "cores_used": 1.5,
               "peak_rss_mib": 100.0, "peak_tree_pss_mib": 120.0, "exit_code": 0, "other_cores": other,
               "cpu_seconds": (0.95 if name in ("floor", "naive", "naive-once") else 1.9) * s}
        for name, s in seconds.items()
    }
    bench = _bench()
    return {
        "params": {"docs": docs, "jobs": 2, "spans_per_doc": 50},
        "machine": {"cpus": 2, "cpu_model": "test cpu", "memory_gib": 8, "python": "3.11", "versions": {"pyarrow": "1"}},
        "results": results,
        "ratios": bench.ratios(results),
    }


def test_markdown_orders_sizes_and_computes_ratios_from_the_figures():
    bench = _bench()
    big = _report(10_000, {"validate": 10.0, "build": 40.0, "floor": 5.0, "naive": 500.0, "naive-once": 80.0})
    small = _report(1_000, {"validate": 1.0, "build": 4.0, "floor": 0.5}, other=0.9)
    table = bench.markdown([big, small])
    lines = table.splitlines()
    assert lines.index("| 1,000 | validate (slowed by other load) | 1.00 | 1,000 | 50,000 | 1.50 | 100 | 120 |") < lines.index(
        "| 10,000 | build | 40.00 | 250 | 12,500 | 1.50 | 100 | 120 |"
    )
    ratio_rows = [line for line in lines if line.startswith(("| 1,000 | 2.00", "| 10,000 | 2.00"))]
    # validate/floor 2.00, build/floor 8.00, and in CPU seconds twice that (ours ran on 1.9
    # cores, the floor on 0.95); naive was not run at 1,000 documents
    assert ratio_rows[0].startswith("| 1,000 | 2.00 | 8.00 | 10.00 | 4.00 | 16.00 | not run |")
    assert ratio_rows[1].startswith("| 10,000 | 2.00 | 8.00 | 10.00 | 4.00 | 16.00 | 50.00 | 12.50 | 10.00 | 2.00 |")


def test_markdown_command_reads_json_files(tmp_path):
    path = tmp_path / "results-1000.json"
    path.write_text(json.dumps(_report(1_000, {"validate": 2.0, "floor": 1.0})), "utf-8")
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "bench.py"), "--markdown", str(path)],
                          capture_output=True, text=True, check=True)
    assert "| 1,000 | validate | 2.00 | 500 | 25,000 |" in proc.stdout
    assert proc.stdout.startswith("Measured on 2 cores (test cpu)")


def test_quarter_peaks_show_growth_and_flatness():
    bench = _bench()
    rising = bench.TreeSampler(pid=0)
    rising.samples = [(t, 1024 * (100 + t)) for t in range(0, 101)]  # grows 1 MiB a second
    assert rising.quarter_peaks_mib() == [124.0, 149.0, 174.0, 200.0]
    flat = bench.TreeSampler(pid=0)
    flat.samples = [(t, 1024 * (50 if t < 10 else 300)) for t in range(0, 101)]  # start-up, then a plateau
    assert flat.quarter_peaks_mib() == [300.0, 300.0, 300.0, 300.0]
    assert bench.TreeSampler(pid=0).quarter_peaks_mib() == []


def test_markdown_shows_quarter_peaks_when_measured():
    bench = _bench()
    report = _report(1_000, {"validate": 1.0, "build": 4.0, "floor": 0.5})
    report["results"]["build"]["tree_pss_quarters_mib"] = [210.0, 390.5, 401.0, 405.0]
    table = bench.markdown([report]).splitlines()
    assert "| 1,000 | build | 210 | 390 | 401 | 405 |" in table
    assert not any(line.startswith("| 1,000 | validate | ") and line.count("|") == 7 for line in table)


def test_markdown_marks_figures_kept_from_an_earlier_run():
    bench = _bench()
    report = _report(100_000, {"validate": 60.0, "naive": 5000.0})
    report["git_head"] = "bbbbbbb"
    report["results"]["validate"].update(when="2026-11-25T19:01:00+0000", git_head="bbbbbbb")
    report["results"]["naive"].update(when="2026-11-24T03:00:00+0000", git_head="aaaaaaa")
    table = bench.markdown([report])
    assert "| 100,000 | naive (earlier run: 2026-11-24 03:00, commit aaaaaaa) | 5000.00 |" in table
    assert "| 100,000 | validate | 60.00 |" in table
    # a rerun at the same commit is still an earlier run: runs are told apart by their run id
    report["run"] = "20261125T190100"
    report["results"]["validate"]["run"] = "20261125T190100"
    report["results"]["naive"].update(git_head="bbbbbbb", run="20261125T180000")
    assert "| 100,000 | naive (earlier run: 2026-11-24 03:00, commit bbbbbbb) | 5000.00 |" in bench.markdown([report])


def test_markdown_refuses_reports_of_different_machines():
    bench = _bench()
    one, other = _report(1_000, {"validate": 1.0}), _report(10_000, {"validate": 10.0})
    other["machine"] = {**other["machine"], "cpu_model": "another cpu"}
    with pytest.raises(SystemExit, match="different machines"):
        bench.markdown([one, other])


def test_a_baseline_that_wrote_the_wrong_number_of_documents_is_failed_not_counted():
    bench = _bench()
    report = _report(1_000, {"build": 4.0, "floor": 0.5})
    report["results"]["floor"]["error"] = "wrote 999 documents, expected 1000"
    report["ratios"] = bench.ratios(report["results"])
    assert report["ratios"]["build/floor"] is None
    assert "| 1,000 | floor (failed: wrote 999 documents, expected 1000) |" in bench.markdown([report])


def test_naive_with_the_validator_made_once_checks_the_same_files(tmp_path):
    """naive-once differs from naive only in how often the schema is checked: both accept a valid
    corpus and both stop at the first invalid file."""
    pytest.importorskip("pandas")
    from newscorpus.synth import generate_corpus

    bench = _bench()
    root = tmp_path / "corpus"
    generate_corpus(root, 6, seed=3, spans_per_doc=8)
    for once in (False, True):
        assert bench.contender_naive(root, tmp_path / f"out-{once}.parquet", once=once) == 6
    victim = sorted((root / "annotated").glob("*_*.json"))[0]
    victim.write_text(victim.read_text("utf-8").replace('"status": "single_pass"', '"status": "maybe"'), "utf-8")
    import jsonschema

    for once in (False, True):
        with pytest.raises(jsonschema.ValidationError):
            bench.contender_naive(root, tmp_path / "bad.parquet", once=once)


def test_peak_rss_is_read_per_process():
    """VmHWM of a live process is its own peak (the sampler reads it; wait4's ru_maxrss of a
    spawned child starts from the parent's peak)."""
    import os

    bench = _bench()
    assert bench._hwm_kib(os.getpid()) > 1024  # this interpreter holds more than 1 MiB
    assert bench._hwm_kib(2**22 + 12345) == 0  # no such process


def test_tree_memory_read_by_rss_is_flagged_not_mixed_in_silently(monkeypatch):
    """Where smaps_rollup cannot be read, RSS stands in for PSS; the result records it and the
    table says so, since RSS counts shared pages in full."""
    import os

    bench = _bench()
    assert bench._pss_kib(os.getpid())[1] is True  # readable here: real PSS
    real = bench._proc_kib
    monkeypatch.setattr(bench, "_proc_kib", lambda path, key: None if path.endswith("smaps_rollup") else real(path, key))
    kib, is_pss = bench._pss_kib(os.getpid())
    assert kib > 1024 and is_pss is False
    sampler = bench.TreeSampler(os.getpid(), interval=0.01)
    sampler.start()
    sampler._halt.wait(0.05)
    sampler.stop()
    assert sampler.rss_readings > 0 and sampler.peak_kib > 1024

    report = _report(1_000, {"validate": 1.0, "build": 4.0, "floor": 0.5})
    report["results"]["build"]["tree_pss_rss_readings"] = 3
    table = bench.markdown([report])
    assert "| 1,000 | build (tree PSS partly RSS: smaps_rollup unreadable) | 4.00 |" in table
    assert "| 1,000 | validate | 1.00 |" in table


def test_a_reused_benchmark_corpus_gets_the_current_card_and_schemas(tmp_path):
    """A kept corpus is reused when its data would be the same; its copies of the card template
    and schemas are code, refreshed, or the build measures (or refuses on) an old template."""
    bench = _bench()
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "vocabulary.schema.json").write_text("{}", "utf-8")
    (tmp_path / "DATASET_CARD.md").write_text("an old template", "utf-8")
    bench._copy_repo_files(tmp_path)
    assert (tmp_path / "DATASET_CARD.md").read_bytes() == (REPO / "DATASET_CARD.md").read_bytes()
    for rel in ("annotated/GUIDELINES.md", "annotated/ADJUDICATION.md"):  # the build publishes them
        assert (tmp_path / rel).read_bytes() == (REPO / rel).read_bytes()
    for schema in (REPO / "schema").glob("*.json"):
        assert (tmp_path / "schema" / schema.name).read_bytes() == schema.read_bytes()


def test_the_measured_commit_is_dirty_for_code_changes_not_for_the_benchmarks_own_figures(tmp_path, monkeypatch):
    """Runs at 1k, 10k and 100k one after the other: the second must not call the code dirty
    because the first rewrote .bench/results-1000.json."""
    import shutil

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    (tmp_path / ".bench").mkdir()
    (tmp_path / ".bench" / "results-1000.json").write_text("{}\n", "utf-8")
    (tmp_path / "code.py").write_text("x = 1\n", "utf-8")
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "c"]):
        subprocess.run(["git", *cmd], cwd=tmp_path, check=True, capture_output=True, env={**os.environ, **env})
    bench = _bench()
    monkeypatch.setattr(bench, "REPO", tmp_path)
    clean = bench._git_head()
    assert clean and not clean.endswith("-dirty")
    (tmp_path / ".bench" / "results-1000.json").write_text('{"new": 1}\n', "utf-8")
    assert bench._git_head() == clean
    (tmp_path / "code.py").write_text("x = 2\n", "utf-8")
    assert bench._git_head() == clean + "-dirty"
