#!/usr/bin/env python3
"""Benchmark `newscorpus validate` and `newscorpus build` on a synthetic corpus.

    python scripts/bench.py --docs 100000            # generate, run every contender, print, write JSON
    python scripts/bench.py --docs 10000 --keep /tmp/bench-10k --skip naive

Generates a realistic corpus with `newscorpus.synth` (raw texts with curly quotes and accented
names, metadata, annotations of about 50 spans in the four layers, all valid) in a temporary
folder (or DIR with --keep, reused when it already holds the same corpus), then times, one
after the other, each in its own process:

  validate     our full `newscorpus validate --jobs N`
  build        our full `newscorpus build --jobs N` (it validates first, then writes Parquet)
  validate-1   `newscorpus validate annotated/<doc>.json` of one edited file, as a whole process
               including interpreter start-up (median of --changed-reps runs)
  naive        what a user would write: jsonschema.validate per file, then pandas to_parquet
  naive-once   the same with one jsonschema validator per schema, made once (jsonschema.validate
               also checks the schema against its metaschema on every call, which is most of
               naive's time): what a user who read jsonschema's documentation writes
  floor        read + json.loads + one pyarrow Parquet write, no checks at all, in one process

and, with --invalid-fraction F, `validate-invalid`: the full validate of a copy of the corpus in
which a fraction F of the annotation files carry a realistic mistake (exit 1 is expected).

Every contender is timed the same way: wall seconds of its whole process (interpreter start-up
and imports included: pyarrow's import is part of the floor, datasets' part of the build).
For each: wall seconds, docs/s, spans/s (spans = the four annotation layers), CPU seconds and
cores used ((user+sys)/wall), peak RSS of the largest process (sampled VmHWM) and peak total
PSS of the whole process tree (sampled from /proc every 50 ms, less often on large processes
so that sampling costs at most 5% of a core; PSS counts shared pages once, so it is what N
worker processes really cost together). Then the ratios: time ratios (above 1: the first is
slower), ours/floor in wall seconds and in CPU seconds (the floor runs in one process; ours on
--jobs cores, so the wall ratio credits ours with the extra cores and the CPU ratio does not),
and naive/ours.
Figures are printed as a table and written as JSON (--json-out, default .bench/results-<docs>.json).
Progress goes to stderr. The page cache is warmed (every file read once) before the first
contender, so every contender sees the same warm cache.

Speed and memory goals are measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONTENDERS = ("validate", "build", "validate-1", "naive", "naive-once", "floor")
BASELINES = ("naive", "naive-once", "floor")  # run by this script in a child process
HEAVY_MODULES = ("datasets", "pandas", "pyarrow", "tqdm")
# Figures are merged only from a JSON file of the same version: raise it whenever a change can
# move a figure (3: the sampler's duty limit, os.sync before each contender, naive-once;
# 4: peak RSS from the sampled VmHWM, not wait4's ru_maxrss).
BENCH_VERSION = 4


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- measuring a process

def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out.extend(int(x) for x in fh.read().split())
        except OSError:
            pass
    return out


def _tree(pid: int) -> list[int]:
    seen, todo = [], [pid]
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(_children(p))
    return seen


def _proc_kib(path: str, key: str) -> int | None:
    """The kB figure on the `key:` line of a /proc file, None when unreadable or absent."""
    try:
        with open(path) as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _hwm_kib(pid: int) -> int:
    """The process's own peak RSS (VmHWM: reset by exec, so the parent's size is not in it)."""
    return _proc_kib(f"/proc/{pid}/status", "VmHWM:") or 0


def _pss_kib(pid: int) -> tuple[int, bool]:
    """The process's PSS, and whether it really is PSS: where smaps_rollup cannot be read
    (an old kernel, another user's process) its RSS stands in, which counts shared pages in
    full, so the caller records that the tree figure is mixed."""
    pss = _proc_kib(f"/proc/{pid}/smaps_rollup", "Pss:")
    if pss is not None:
        return pss, True
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024), False
    except OSError:
        return 0, True  # the process has gone: it holds nothing


class TreeSampler(threading.Thread):
    """Samples the total PSS of a process and all its descendants until stopped.

    Reading smaps_rollup walks the process's page tables under its memory lock, so its cost
    grows with the process: every 0.05 s on a 6.7 GB process it took 0.4 of a core and stalled
    the process measured. So after each sample the sampler waits long enough to spend at most
    MAX_DUTY of one core on sampling, whatever the size."""

    MAX_DUTY = 0.05

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kib = 0
        self.peak_procs = 0
        self.rss_readings = 0  # processes read by RSS, not PSS (see _pss_kib)
        self.peak_hwm_kib = 0  # largest VmHWM of any process of the tree
        self.samples: list[tuple[float, int]] = []  # (seconds since start, tree PSS KiB)
        self._halt = threading.Event()

    def run(self) -> None:
        start = time.monotonic()
        while not self._halt.is_set():
            began = time.monotonic()
            pids = _tree(self.pid)
            readings = [_pss_kib(p) for p in pids]
            total = sum(kib for kib, _ in readings)
            self.rss_readings += sum(1 for _, is_pss in readings if not is_pss)
            self.peak_kib = max(self.peak_kib, total)
            self.peak_hwm_kib = max([self.peak_hwm_kib, *(_hwm_kib(p) for p in pids)])
            self.peak_procs = max(self.peak_procs, len(pids))
            took = time.monotonic() - began
            self.samples.append((began - start, total))
            self._halt.wait(max(self.interval, took / self.MAX_DUTY))

    def quarter_peaks_mib(self) -> list[float]:
        """Peak tree PSS in each quarter of the run. Flat memory shows as the last three
        quarters alike (the first holds start-up); memory that grows with the documents
        read shows as a rising staircase, whatever the corpus size."""
        if not self.samples:
            return []
        end = self.samples[-1][0] or 1.0
        peaks = [0] * 4
        for t, kib in self.samples:
            q = min(3, int(4 * t / end))
            peaks[q] = max(peaks[q], kib)
        return [round(k / 1024, 1) for k in peaks]

    def stop(self) -> None:
        self._halt.set()
        self.join()


_HZ = os.sysconf("SC_CLK_TCK")


def busy_cpu_seconds() -> float:
    """CPU seconds spent by everything on the machine so far (all cores), from /proc/stat."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except OSError:
        return 0.0
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / _HZ


def wait_for_quiet(max_wait: float, threshold: float = 0.25) -> float:
    """Wait (up to max_wait s) until the machine's other load is below `threshold` cores over 2 s.
    The machine may be shared: a benchmark on busy cores measures the neighbours. Returns the
    load seen last."""
    deadline = time.monotonic() + max_wait
    while True:
        a = busy_cpu_seconds()
        time.sleep(2.0)
        load = (busy_cpu_seconds() - a) / 2.0
        if load < threshold or time.monotonic() >= deadline:
            return load
        log(f"  waiting for a quiet machine: other processes use {load:.2f} cores")


def run_measured(cmd: list[str], cwd: Path, stdout_path: Path | None = None, env: dict | None = None) -> dict:
    """Run `cmd`; return wall time, exit code, rusage of the process and its reaped children,
    the sampled peak PSS of the whole tree, and how much CPU the rest of the machine used
    meanwhile (other_cores: 0 on a quiet machine). stderr passes through (progress)."""
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    try:
        busy0 = busy_cpu_seconds()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, env=env)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        busy = busy_cpu_seconds() - busy0
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if stdout_path:
            out.close()
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "exit_code": proc.returncode,
        "seconds": wall,
        "cpu_seconds": cpu,
        "cores_used": cpu / wall if wall > 0 else 0.0,
        # largest single process: ru_maxrss of a child spawned by this (large) process starts
        # from this process's own peak, so a small contender read as big as the benchmark; the
        # sampled VmHWM does not (it misses only growth in the last sampling interval)
        "peak_rss_mib": (sampler.peak_hwm_kib or usage.ru_maxrss) / 1024,
        "peak_rss_mib_wait4": usage.ru_maxrss / 1024,
        "peak_tree_pss_mib": sampler.peak_kib / 1024,
        "tree_pss_rss_readings": sampler.rss_readings,  # above 0: the PSS figures hold some RSS
        "tree_pss_quarters_mib": sampler.quarter_peaks_mib(),
        "max_processes": sampler.peak_procs,
        "other_cores": max(0.0, busy - cpu) / wall if wall > 0 else 0.0,
    }


# ----------------------------------------------------------------------------- naive and floor

def _doc_files(root: Path) -> list[str]:
    ann = root / "annotated"
    skip = {"entity_registry.json", "splits.json"}
    return sorted(p.name[:-5] for p in ann.iterdir() if p.is_file() and p.name.endswith(".json") and p.name not in skip)


def _progress(i: int, n: int, name: str, every: list) -> None:
    pct = (100 * i) // max(n, 1)
    if pct >= every[0]:
        print(f"  {name}: {i}/{n} documents ({pct}%)", file=sys.stderr, flush=True)
        every[0] = pct + 10


def contender_naive(root: Path, out: Path, once: bool = False) -> int:
    """What a user writes first: validate each file with jsonschema.validate, rows into pandas.
    `once`: one validator per schema, made before the loop, as jsonschema's docs advise."""
    import jsonschema
    import pandas as pd
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    schemas = {p.name: json.loads(p.read_text("utf-8")) for p in (root / "schema").glob("*.json")}
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s, default_specification=DRAFT202012)) for s in schemas.values()
    )
    ann_schema, meta_schema = schemas["annotation.schema.json"], schemas["metadata.schema.json"]

    def checker(schema: dict):
        if once:
            return jsonschema.validators.validator_for(schema)(schema, registry=registry).validate
        return lambda instance: jsonschema.validate(instance, schema, registry=registry)

    check_annotation, check_metadata = checker(ann_schema), checker(meta_schema)
    docs = _doc_files(root)
    rows, every = [], [0]
    for i, doc_id in enumerate(docs):
        with open(root / "annotated" / f"{doc_id}.json", encoding="utf-8") as fh:
            ann = json.load(fh)
        check_annotation(ann)
        with open(root / "raw" / f"{doc_id}.meta.json", encoding="utf-8") as fh:
            meta = json.load(fh)
        check_metadata(meta)
        with open(root / "raw" / f"{doc_id}.txt", encoding="utf-8", newline="") as fh:
            text = fh.read()
        rows.append({
            "doc_id": doc_id, "text": text, "publisher": meta["publisher"]["name"],
            "publication_date": meta["publication_date"]["value"], "story_id": meta["story_id"],
            "zones": ann["zones"], "entities": ann["entities"], "quotes": ann["quotes"],
            "dates": ann["dates"], "numeric_claims": ann["numeric_claims"],
        })
        _progress(i + 1, len(docs), "naive-once" if once else "naive", every)
    pd.DataFrame(rows).to_parquet(out)
    return len(rows)


def contender_floor(root: Path, out: Path) -> int:
    """The floor: read every file, parse the JSON, write one Parquet file. No checks at all.

    The cyclic garbage collector is off: with every document's parsed JSON alive until the one
    write, its repeated full passes over a growing heap double the parse time at 100k documents
    (measured), and a floor is the least the work can cost."""
    import gc

    import pyarrow as pa
    import pyarrow.parquet as pq

    gc.disable()

    docs = _doc_files(root)
    rows, every = [], [0]
    raw_dir, ann_dir = root / "raw", root / "annotated"
    for i, doc_id in enumerate(docs):
        ann = json.loads((ann_dir / f"{doc_id}.json").read_bytes())
        meta = json.loads((raw_dir / f"{doc_id}.meta.json").read_bytes())
        text = (raw_dir / f"{doc_id}.txt").read_bytes().decode("utf-8")
        rows.append({
            "doc_id": doc_id, "text": text, "publisher": meta["publisher"]["name"],
            "publication_date": meta["publication_date"]["value"], "story_id": meta["story_id"],
            "zones": ann["zones"], "entities": ann["entities"], "quotes": ann["quotes"],
            "dates": ann["dates"], "numeric_claims": ann["numeric_claims"],
        })
        _progress(i + 1, len(docs), "floor", every)
    pq.write_table(pa.Table.from_pylist(rows), out)
    return len(rows)


# ----------------------------------------------------------------------------- corpus

def _marker(args: argparse.Namespace, invalid_fraction: float) -> dict:
    return {"docs": args.docs, "seed": args.seed, "spans_per_doc": args.spans, "invalid_fraction": invalid_fraction,
            "synth": _synth_fingerprint()}


def _synth_fingerprint() -> str:
    import hashlib

    from newscorpus import synth

    return hashlib.sha256(Path(synth.__file__).read_bytes() + (REPO / "schema" / "annotation.schema.json").read_bytes()).hexdigest()[:16]


def _copy_repo_files(root: Path) -> None:
    """The repository's schema/, card template, guidelines and adjudication record into the
    corpus, also when a kept corpus is reused: they are not synthetic data, a stale copy would
    make the build measure (or refuse on) an old card template, and the build publishes the
    documents the card names."""
    for schema in sorted((REPO / "schema").glob("*.json")):
        shutil.copy2(schema, root / "schema" / schema.name)
    from newscorpus.corpus import CARD_TEMPLATE, copy_published_prose

    shutil.copy2(REPO / CARD_TEMPLATE, root / CARD_TEMPLATE)  # the build renders the card from the corpus's own template
    copy_published_prose(REPO, root)


def ensure_corpus(base: Path, name: str, args: argparse.Namespace, invalid_fraction: float) -> tuple[Path, dict]:
    """The corpus under base/name, generated unless it already holds exactly this corpus."""
    from newscorpus.synth import generate_corpus

    root = base / name
    marker_path = base / f"{name}.synth.json"
    want = _marker(args, invalid_fraction)
    if marker_path.is_file() and root.is_dir():
        saved = json.loads(marker_path.read_text("utf-8"))
        if saved.get("params") == want:
            log(f"reusing corpus {root} ({args.docs} docs)")
            _copy_repo_files(root)
            return root, saved["stats"]
    if root.exists():
        shutil.rmtree(root)
    marker_path.unlink(missing_ok=True)
    log(f"generating {args.docs} documents into {root} (seed {args.seed}, invalid fraction {invalid_fraction}, jobs {args.jobs})")
    t0 = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 2 or done == total:
            last[0] = now
            log(f"  generated {done}/{total} documents ({now - t0:.0f} s)")

    stats = generate_corpus(root, args.docs, args.seed, invalid_fraction, args.spans, jobs=args.jobs, progress=progress)
    seconds = time.perf_counter() - t0
    _copy_repo_files(root)
    stats_d = stats.as_dict()
    stats_d["generate_seconds"] = round(seconds, 3)
    marker_path.write_text(json.dumps({"params": want, "stats": stats_d}, indent=2, ensure_ascii=False) + "\n", "utf-8")
    log(f"generated in {seconds:.1f} s: {stats.n_spans} spans, {(stats.raw_bytes + stats.annotation_bytes + stats.metadata_bytes) / 2**20:.0f} MiB")
    return root, stats_d


def warm_cache(root: Path) -> float:
    t0 = time.perf_counter()
    n = 0
    for sub in ("raw", "annotated", "schema"):
        with os.scandir(root / sub) as it:
            for entry in it:
                if entry.is_file():
                    with open(entry.path, "rb") as fh:
                        n += len(fh.read())
    return time.perf_counter() - t0


# ----------------------------------------------------------------------------- the run

def machine_info() -> dict:
    cpu = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    total_kib = _proc_kib("/proc/meminfo", "MemTotal:")
    mem = round(total_kib / 2**20, 1) if total_kib is not None else None
    from importlib import metadata

    versions = {}
    for dist in ("pyarrow", "pandas", "datasets", "jsonschema", "jsonschema-rs", "referencing", "tqdm"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return {"cpus": os.cpu_count(), "cpu_model": cpu, "memory_gib": mem, "python": platform.python_version(),
            "platform": platform.platform(), "versions": versions}


def _git_head() -> str | None:
    """The commit measured, with '-dirty' when tracked files other than the benchmark's own
    figures (.bench/, which a run at another size has just rewritten) had uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=7", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude).bench"],
                                cwd=REPO, capture_output=True, text=True, check=True).stdout
    except Exception:  # noqa: BLE001
        return None
    return head + ("-dirty" if status.strip() else "")


NOISY = 0.25  # other processes using more than this many cores make a measurement suspect


def measure(cmd: list[str], cwd: Path, stdout_path: Path | None, args: argparse.Namespace) -> dict:
    """run_measured, repeated (up to --retries times, when the run took under --retry-limit s) while
    other processes used the cores meanwhile; keeps the cleanest run."""
    best = None
    for attempt in range(1 + max(0, args.retries)):
        os.sync()  # no write-back of earlier output (or of a corpus just generated) during the run
        if args.quiet_wait > 0:
            wait_for_quiet(args.quiet_wait)
        m = run_measured(cmd, cwd, stdout_path)
        m["attempts"] = attempt + 1
        if best is None or m["other_cores"] < best["other_cores"]:
            best = m
        if m["other_cores"] <= NOISY or m["seconds"] > args.retry_limit:
            break
        log(f"  other processes used {m['other_cores']:.2f} cores during that run: measuring again")
    return best


def _newscorpus(*args: str) -> list[str]:
    return [sys.executable, "-m", "newscorpus", *args]


def _edit_one(root: Path, doc_id: str) -> bytes:
    """Make a valid, canonical edit to one annotation (a note on its first entity); return the
    original bytes so the caller can restore them."""
    from newscorpus.jsonio import canonical_dumps

    path = root / "annotated" / f"{doc_id}.json"
    original = path.read_bytes()
    data = json.loads(original)
    data["entities"][0]["note"] = "benchmark: edited to time a one-file validate"
    schema = json.loads((root / "schema" / "annotation.schema.json").read_text("utf-8"))
    path.write_text(canonical_dumps(data, schema), "utf-8")
    return original


def heavy_imports_of_validate(root: Path, target: str) -> list[str] | None:
    """Which of datasets/pandas/pyarrow the one-file validate path imports (should be none)."""
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['newscorpus', 'validate', {target!r}]\n"
        "try:\n    runpy.run_module('newscorpus', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY_MODULES)!r}), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    try:
        return json.loads(proc.stderr.strip().splitlines()[-1].replace("'", '"'))
    except Exception:  # noqa: BLE001
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1000, help="documents in the synthetic corpus (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--spans", type=int, default=50, help="spans per document across the four layers (default 50)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="--jobs passed to validate and build (default: all cores)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="generate into DIR and keep it (reused when it holds the same corpus)")
    parser.add_argument("--skip", action="append", default=[], choices=CONTENDERS, help="skip a contender (repeatable)")
    parser.add_argument("--only", action="append", default=[], choices=CONTENDERS, help="run only these contenders (repeatable)")
    parser.add_argument("--invalid-fraction", type=float, default=0.0,
                        help="also time validate on a copy with this fraction of corrupted annotations (e.g. 0.03)")
    parser.add_argument("--scaling", action="store_true",
                        help="also run validate and build with --jobs 1 (speed-up from more cores) and check the build "
                             "output is byte-identical to the --jobs N one")
    parser.add_argument("--changed-reps", type=int, default=5, help="repetitions of the one-changed-file validate (median reported)")
    parser.add_argument("--quiet-wait", type=float, default=120, metavar="S",
                        help="before each contender, wait up to S seconds for other processes to leave the cores idle (0: don't)")
    parser.add_argument("--retries", type=int, default=2,
                        help=f"measure a contender again (up to N times) when other processes used more than {NOISY} cores meanwhile")
    parser.add_argument("--retry-limit", type=float, default=300, metavar="S", help="never repeat a run that took longer than S seconds")
    parser.add_argument("--fresh", action="store_true",
                        help="overwrite the JSON file; by default results of contenders not run now are kept from it "
                             "when it describes the same corpus (so --only naive can be run separately)")
    parser.add_argument("--json-out", type=Path, help="where to write the figures (default .bench/results-<docs>.json)")
    parser.add_argument("--markdown", type=Path, nargs="+", metavar="JSON",
                        help="measure nothing: print the figures of these JSON files as one Markdown table (for README.md)")
    parser.add_argument("--contender", choices=BASELINES, help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.markdown:
        print(markdown([json.loads(p.read_text("utf-8")) for p in args.markdown]))
        return 0

    if args.contender:  # child process: one contender, nothing else
        if args.contender == "floor":
            n = contender_floor(args.root, args.out)
        else:
            n = contender_naive(args.root, args.out, once=args.contender == "naive-once")
        print(json.dumps({"documents": n}))
        return 0

    selected = [c for c in CONTENDERS if c not in args.skip and (not args.only or c in args.only)]
    tmp_ctx = None
    if args.keep:
        base = args.keep.resolve()
        base.mkdir(parents=True, exist_ok=True)
    else:
        tmp_ctx = tempfile.TemporaryDirectory(prefix="newscorpus-bench-")
        base = Path(tmp_ctx.name)
    try:
        return _run(args, base, selected)
    finally:
        if tmp_ctx is not None:
            log(f"removing {base}")
            tmp_ctx.cleanup()


def _run(args: argparse.Namespace, base: Path, selected: list[str]) -> int:
    root, stats = ensure_corpus(base, f"corpus-{args.docs}-s{args.seed}", args, 0.0)
    n_docs, n_spans = stats["n_docs"], stats["n_spans"]
    log(f"warming the page cache ({warm_cache(root):.1f} s)")
    results: dict[str, dict] = {}
    commands: dict[str, str] = {}
    work = base / "work"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    total = len(selected) + (1 if args.invalid_fraction > 0 else 0) + (2 if args.scaling else 0)
    step = 0
    head = _git_head()
    run_id = time.strftime("%Y%m%dT%H%M%S")

    def record(name: str, cmd: list[str], docs: int, spans: int, measured: dict, note: str = "") -> None:
        s = measured["seconds"]
        measured.update({"docs": docs, "spans": spans, "docs_per_s": docs / s if s else None,
                         "spans_per_s": spans / s if s else None})
        if note:
            measured["note"] = note
        measured["git_head"] = head
        measured["when"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        measured["run"] = run_id  # results merged from several runs keep the run they came from
        results[name] = measured
        commands[name] = " ".join(cmd)
        log(f"  {name}: {s:.2f} s, exit {measured['exit_code']}, {docs / s:,.0f} docs/s, "
            f"peak RSS {measured['peak_rss_mib']:.0f} MiB, tree PSS {measured['peak_tree_pss_mib']:.0f} MiB, "
            f"{measured['cores_used']:.2f} cores")

    for name in selected:
        step += 1
        log(f"[{step}/{total}] {name}")
        if name == "validate":
            cmd = _newscorpus("validate", "--jobs", str(args.jobs))
            m = measure(cmd, root, work / "validate.out", args)
            record(name, cmd, n_docs, n_spans, m)
        elif name == "build":
            out = work / "dist"
            cmd = _newscorpus("build", "--root", str(root), "--out", str(out), "--jobs", str(args.jobs))
            m = measure(cmd, root, work / "build.out", args)
            m["output_mib"] = _du(out) / 2**20 if out.exists() else None
            record(name, cmd, n_docs, n_spans, m)
        elif name == "validate-1":
            doc_id = stats["first_doc_id"]
            target = f"annotated/{doc_id}.json"
            spans = _spans_of(root / target)
            original = _edit_one(root, doc_id)
            try:
                cmd = _newscorpus("validate", target)
                runs = [measure(cmd, root, work / "validate-1.out", args) for _ in range(max(1, args.changed_reps))]
                heavy = heavy_imports_of_validate(root, target)
            finally:
                (root / target).write_bytes(original)
            med = statistics.median(r["seconds"] for r in runs)
            m = min(runs, key=lambda r: abs(r["seconds"] - med)).copy()
            m["seconds"] = med
            m["runs_seconds"] = [round(r["seconds"], 4) for r in runs]
            m["exit_codes"] = [r["exit_code"] for r in runs]
            m["heavy_modules_imported"] = heavy
            record(name, cmd, 1, spans, m, note=f"median of {len(runs)} runs; heavy modules imported: {heavy}")
        elif name in BASELINES:
            out = work / f"{name}.parquet"
            cmd = [sys.executable, str(Path(__file__).resolve()), "--contender", name, "--root", str(root), "--out", str(out)]
            m = measure(cmd, root, work / f"{name}.out", args)
            m["output_mib"] = out.stat().st_size / 2**20 if out.exists() else None
            written = _documents_written(work / f"{name}.out")
            m["documents_written"] = written
            if m["exit_code"] == 0 and written != n_docs:
                m["error"] = f"wrote {written} documents, expected {n_docs}"
                log(f"  {name}: {m['error']}")
            record(name, cmd, n_docs, n_spans, m)

    if args.scaling:
        for name, sub in (("validate-j1", "validate"), ("build-j1", "build")):
            step += 1
            log(f"[{step}/{total}] {name}")
            if sub == "validate":
                cmd = _newscorpus("validate", "--jobs", "1")
                m = measure(cmd, root, work / f"{name}.out", args)
            else:
                out1 = work / "dist-j1"
                cmd = _newscorpus("build", "--root", str(root), "--out", str(out1), "--jobs", "1")
                m = measure(cmd, root, work / f"{name}.out", args)
                outn = work / "dist"
                if outn.is_dir() and out1.is_dir():
                    same = _tree_digest(out1) == _tree_digest(outn)
                    m["identical_to_jobs_n"] = same
                    log(f"  build output with --jobs 1 {'is byte-identical to' if same else 'DIFFERS from'} --jobs {args.jobs}")
            record(name, cmd, n_docs, n_spans, m)

    if args.invalid_fraction > 0:
        step += 1
        log(f"[{step}/{total}] validate-invalid")
        bad_root, bad_stats = ensure_corpus(base, f"corpus-{args.docs}-s{args.seed}-invalid", args, args.invalid_fraction)
        warm_cache(bad_root)
        cmd = _newscorpus("validate", "--jobs", str(args.jobs), "--format", "json")
        m = measure(cmd, bad_root, work / "validate-invalid.out", args)
        m["corrupted_files"] = len(bad_stats["corrupted"])
        record("validate-invalid", cmd, bad_stats["n_docs"], bad_stats["n_spans"], m,
               note=f"{len(bad_stats['corrupted'])} corrupted annotation files; exit 1 expected")

    results_now = dict(results)
    out_path = args.json_out or (REPO / ".bench" / f"results-{args.docs}.json")
    params = {"docs": args.docs, "seed": args.seed, "spans_per_doc": args.spans, "jobs": args.jobs,
              "invalid_fraction": args.invalid_fraction, "changed_reps": args.changed_reps, "scaling": args.scaling,
              "quiet_wait": args.quiet_wait, "retries": args.retries, "retry_limit": args.retry_limit,
              "synth": _synth_fingerprint()}
    if not args.fresh and out_path.is_file():
        try:
            old = json.loads(out_path.read_text("utf-8"))
        except ValueError:
            old = {}
        same = old.get("bench_version") == BENCH_VERSION \
            and all(old.get("params", {}).get(k) == params[k] for k in ("docs", "seed", "spans_per_doc", "jobs")) \
            and old.get("corpus", {}).get("n_spans") == stats["n_spans"]
        if same:
            kept = {k: v for k, v in old.get("results", {}).items() if k not in results}
            if kept:
                log(f"keeping earlier figures for {', '.join(kept)} from {out_path} (--fresh to drop them)")
            merged = {**kept, **results}
            order = list(CONTENDERS) + ["validate-j1", "build-j1", "validate-invalid"]
            results = {k: merged[k] for k in sorted(merged, key=lambda k: order.index(k) if k in order else 99)}
            for k in kept:
                commands[k] = old.get("commands", {}).get(k, "")
    ran = set(results_now)
    report = {
        "bench_version": BENCH_VERSION,
        "run": run_id,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "git_head": head,  # the code measured (read at the start: later edits do not change it)
        "machine": machine_info(),
        "params": params,
        "corpus": stats,
        "results": results,
        "ratios": ratios(results),
        "commands": commands,
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(render(report))
    log(f"figures written to {out_path}")
    failed = [n for n, r in results.items() if n in ran and r["exit_code"] != (1 if n == "validate-invalid" else 0)]
    if failed:
        log(f"unexpected exit code from: {', '.join(failed)}")
        return 1
    return 0


def _documents_written(stdout_path: Path) -> int | None:
    try:
        return json.loads(stdout_path.read_text("utf-8").strip().splitlines()[-1])["documents"]
    except (OSError, ValueError, IndexError, KeyError, TypeError):
        return None


def _spans_of(path: Path) -> int:
    data = json.loads(path.read_bytes())
    return sum(len(data[k]) for k in ("entities", "quotes", "dates", "numeric_claims"))


def _tree_digest(path: Path) -> dict[str, str]:
    import hashlib

    return {p.relative_to(path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(path.rglob("*")) if p.is_file()}


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def ratios(results: dict[str, dict]) -> dict[str, float | None]:
    """Time ratios (above 1: the first is slower), from successful runs only."""

    def ok(name: str) -> dict | None:
        r = results.get(name)
        return r if r and r["exit_code"] == 0 and not r.get("error") else None

    def sec(name: str) -> float | None:
        r = ok(name)
        return r["seconds"] if r else None

    def cpu(name: str) -> float | None:
        r = ok(name)
        return r.get("cpu_seconds") if r else None

    def div(a: float | None, b: float | None) -> float | None:
        return round(a / b, 3) if a is not None and b else None

    v, b, naive, once, floor = sec("validate"), sec("build"), sec("naive"), sec("naive-once"), sec("floor")
    vb = v + b if v is not None and b is not None else None
    return {
        "validate/floor": div(v, floor),
        "build/floor": div(b, floor),  # build includes its own full validation
        "(validate+build)/floor": div(vb, floor),
        "validate/floor CPU": div(cpu("validate"), cpu("floor")),  # the floor uses one core, ours --jobs
        "build/floor CPU": div(cpu("build"), cpu("floor")),
        "naive/validate": div(naive, v),
        "naive/build": div(naive, b),
        "naive/(validate+build)": div(naive, vb),
        "naive-once/build": div(once, b),
        "validate speed-up --jobs 1 -> N": div(sec("validate-j1"), v),
        "build speed-up --jobs 1 -> N": div(sec("build-j1"), b),
    }


def render(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"newscorpus benchmark: {report['params']['docs']:,} documents, {report['corpus']['n_spans']:,} spans, "
        f"--jobs {report['params']['jobs']}, on {m['cpus']} cores ({m['cpu_model']}), {m['memory_gib']} GiB, Python {m['python']}",
        "",
        f"{'contender':<17}{'docs':>9}{'seconds':>10}{'docs/s':>11}{'spans/s':>12}{'cores':>7}{'peak RSS MiB':>14}{'tree PSS MiB':>14}{'exit':>6}{'others':>8}",
    ]
    for name, r in report["results"].items():
        lines.append(
            f"{name:<17}{r['docs']:>9,}{r['seconds']:>10.2f}{r['docs_per_s']:>11,.0f}{r['spans_per_s']:>12,.0f}"
            f"{r['cores_used']:>7.2f}{r['peak_rss_mib']:>14.0f}{r['peak_tree_pss_mib']:>14.0f}{r['exit_code']:>6}{r.get('other_cores', 0):>8.2f}"
            + (" *" if r.get("other_cores", 0) > NOISY else "")
        )
    lines.append("")
    lines.append("cores: (user+sys)/wall of the contender's processes; others: cores used by the rest of the machine meanwhile"
                 f" (* more than {NOISY}: the figure is slowed by other load)")
    lines.append("ratios (seconds): " + ", ".join(f"{k} = {v:.2f}" if v is not None else f"{k} = n/a" for k, v in report["ratios"].items()))
    for name in ("validate", "build"):
        quarters = report["results"].get(name, {}).get("tree_pss_quarters_mib")
        if quarters:
            lines.append(f"{name}: peak tree PSS in each quarter of the run (MiB): " + " / ".join(f"{q:.0f}" for q in quarters))
    v1 = report["results"].get("validate-1")
    if v1:
        lines.append(f"one changed file, whole process: median {v1['seconds']:.3f} s of {v1['runs_seconds']}; "
                     f"heavy modules imported: {v1.get('heavy_modules_imported')}")
    return "\n".join(lines)


def markdown(reports: list[dict]) -> str:
    """One table over several corpus sizes, so the README shows measured figures, never typed ones."""
    reports = sorted(reports, key=lambda r: r["params"]["docs"])
    m = reports[0]["machine"]
    setups = {(r["machine"].get("cpus"), r["machine"].get("cpu_model"), r["params"].get("jobs")) for r in reports}
    if len(setups) > 1:
        raise SystemExit(f"bench --markdown: the reports come from different machines or --jobs: {sorted(setups, key=str)}")
    out = [
        f"Measured on {m['cpus']} cores ({m['cpu_model']}), {m['memory_gib']} GiB, Python {m['python']}, "
        + ", ".join(f"{k} {v}" for k, v in sorted(m["versions"].items()) if v)
        + f"; `--jobs {reports[0]['params']['jobs']}`, about {reports[0]['params']['spans_per_doc']} spans per document.",
        "",
        "| documents | contender | seconds | docs/s | spans/s | cores used | peak RSS MiB | process-tree PSS MiB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for report in reports:
        for name, r in report["results"].items():
            noisy = " (slowed by other load)" if r.get("other_cores", 0) > NOISY else ""
            noisy += f" (failed: {r['error']})" if r.get("error") else ""
            noisy += " (tree PSS partly RSS: smaps_rollup unreadable)" if r.get("tree_pss_rss_readings") else ""
            earlier = r["run"] != report["run"] if r.get("run") and report.get("run") else r.get("git_head") != report.get("git_head")
            if r.get("git_head") and earlier:
                # kept from an earlier run (not re-run this time): say when, and with which code
                noisy += f" (earlier run: {(r.get('when') or '')[:16].replace('T', ' ')}, commit {r['git_head']})"
            out.append(
                f"| {report['params']['docs']:,} | {name}{noisy} | {r['seconds']:.2f} | {r['docs_per_s']:,.0f} | {r['spans_per_s']:,.0f} "
                f"| {r['cores_used']:.2f} | {r['peak_rss_mib']:.0f} | {r['peak_tree_pss_mib']:.0f} |"
            )
    out += ["", "Time ratios (above 1: the first is slower). CPU: ratios of CPU seconds (user+sys of every process), "
            "which do not credit ours with the second core the floor does not use.",
            "", "| documents | " + " | ".join(reports[0]["ratios"]) + " |", "|---:|" + "---:|" * len(reports[0]["ratios"])]
    for report in reports:
        out.append(f"| {report['params']['docs']:,} | " + " | ".join(
            f"{v:.2f}" if v is not None else "not run" for v in report["ratios"].values()) + " |")
    quarters = [(report["params"]["docs"], name, report["results"][name].get("tree_pss_quarters_mib"))
                for report in reports for name in ("validate", "build") if name in report["results"]]
    if any(q for _, _, q in quarters):
        out += ["", "Peak process-tree PSS (MiB) in each quarter of the run: flat memory shows as the last three alike.", "",
                "| documents | contender | 1st quarter | 2nd | 3rd | 4th |", "|---:|---|---:|---:|---:|---:|"]
        out += [f"| {docs:,} | {name} | " + " | ".join(f"{x:.0f}" for x in q) + " |" for docs, name, q in quarters if q]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
