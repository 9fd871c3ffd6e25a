"""`newscorpus build`: validate the corpus, then write the publishable dataset folder.

One straight pipeline:

    split plan           newscorpus.splits.assign, from the policy (annotated/splits.json) and the
                         story_id of each annotated document, read before validation (cheap);
                         it keeps counts and a small Placer, the split of a document being a
                         function of its doc id and validated story_id
    -> read + validate   newscorpus.validate.validate_corpus, in --jobs processes; in the same
    -> rows              worker, each document without an error becomes rows
                         (newscorpus.rows.document_rows, pure) from the very data the validator
                         parsed: every file is read and parsed once. Rows cross back as Arrow IPC.
    -> Parquet           bounded row groups and shards per config and split, written as the
                         batches stream in, in document order, into a temporary folder
    -> refuse?           if validation found errors, the folder is deleted and the report shown;
                         a valid corpus without one annotated document is refused too (exit 1):
                         a dataset without documents has nothing to load
    -> card + MANIFEST   newscorpus.card renders DATASET_CARD.md with generated tables and YAML
    -> swap              the finished folder replaces the previous one in one rename

Memory stays flat in the corpus size: rows are written as they come (at most two batches per
worker in flight), the validator keeps its per-document summaries on disk (so does the plan its
(doc id, story id) keys), and the card keeps aggregates. What still grows is small: the sorted
list of doc ids the validator hands out, and the sets of story ids the plan and the card count.

Output (default `dist/`): README.md (the card with Hub YAML), MANIFEST.json,
data/<config>/<split>-NNNNN-of-MMMMM.parquet, and the documentation the card refers to, at the
same paths as in the repository (annotated/GUIDELINES.md, annotated/ADJUDICATION.md,
annotated/splits.json, schema/*.schema.json). Everything is a function of the inputs: no
timestamps, sorted iteration, fixed writer settings, the same bytes for any --jobs.
The build writes into a temporary sibling folder and only renames it into place when every
file is complete, so a failed or interrupted build leaves the previous output untouched.

datasets and pyarrow are imported inside the functions that need them.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Iterable

from newscorpus import __version__
from newscorpus.corpus import (
    AGREEMENT_REL, CARD_TEMPLATE, PUBLISHED_DOCUMENTATION, REGISTRY_REL, SPLITS_REL, CorpusNotFound, CorpusPaths, find_root, meta_rel, source_problem,
)
from newscorpus.features import (
    CONFIGS,
    DOCUMENTS,
    ENTITY_REGISTRY,
    NER,
    REGISTRY_SPLIT,
    SPAN_CONFIGS,
    FeatureError,
    config_features,
)
from newscorpus.rows import RowContext, RowError, document_rows
from newscorpus.splits import DocKey, Placer, SplitPlan, SplitPolicyError, assign
from newscorpus.spill import SpillList

DEFAULT_OUT = "dist"
MANIFEST = "MANIFEST.json"
MANIFEST_FORMAT = "newscorpus-dist/1"
PARQUET_METADATA_KEY = b"newscorpus"

# Fixed writer settings: part of the output's identity (recorded in MANIFEST.json).
PARQUET_OPTIONS = {
    "compression": "zstd",
    "compression_level": 3,  # level 9 was twice as slow to write for 10% smaller files
    "version": "2.6",
    "data_page_version": "1.0",
    "use_dictionary": True,
    "write_statistics": True,
    "write_page_index": False,
}
# Rows per row group and per shard. Shards are cut by row count (never by time or memory), so
# the same rows always give the same files. News articles are a few KB each: a documents
# shard of 5,000 articles is tens of MB; span and ner rows are a few hundred bytes. The build
# holds at most one row group per (config, split) in memory, as Arrow tables: for documents,
# 500 articles with every layer nested are about 5 MB of Arrow (synthetic 4 KB articles).
# Measured on 10k documents: groups of 100 repeat the overhead of the many nested columns
# (files a third larger, written twice as slowly); 1,000 saves nothing more and costs the
# build 60 MB more memory.
ROW_GROUP_ROWS = {DOCUMENTS: 500, NER: 5_000, ENTITY_REGISTRY: 10_000, **{c: 10_000 for c in SPAN_CONFIGS}}
SHARD_ROWS = {DOCUMENTS: 5_000, NER: 500_000, ENTITY_REGISTRY: 1_000_000, **{c: 1_000_000 for c in SPAN_CONFIGS}}


class BuildError(Exception):
    """The build cannot go on; the message names the file, the place and the rule."""

    exit_code = 1


class BuildEnvironmentError(BuildError):
    """Usage or environment problem (missing extra, bad --out, unreadable card template): exit code 2."""

    exit_code = 2


class BuildRefused(Exception):
    """The corpus does not validate; `report` is the validator's report."""

    def __init__(self, report: Any):
        super().__init__("the corpus does not validate")
        self.report = report


@dataclass
class ShardFile:
    config: str
    split: str
    path: str  # relative to the output folder, '/' separated
    rows: int
    arrow_bytes: int  # in-memory Arrow size of the rows (YAML num_bytes)


@dataclass
class BuildResult:
    out: Path
    files: list[ShardFile]
    plan: SplitPlan
    source: dict
    documents: int
    excluded: list[str] = field(default_factory=list)
    warnings: Counter = field(default_factory=Counter)  # rule code -> findings that did not stop the build
    strict_would_refuse: bool = False  # some of them are outside annotated/passes/


# ----------------------------------------------------------------------------- command line

def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", metavar="DIR", help="corpus root (default: the one at or above the working directory)")
    parser.add_argument("--out", metavar="DIR", help=f"output folder (default: <root>/{DEFAULT_OUT}); replaced only when the build succeeds")
    parser.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                        help="worker processes for validation and rows (default and most: the usable cores); the output is the same for any N")
    parser.add_argument("--strict", action="store_true", help="refuse to build when the validator reports warnings too (except in annotated/passes/: a blind pass is kept as written)")
    parser.add_argument("--max-shard-rows", type=int, default=None, metavar="N",
                        help="cut every Parquet shard after N rows (default: per config, see newscorpus.build.SHARD_ROWS)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")


def run(args: argparse.Namespace) -> int:
    try:
        paths = find_root(args.root)
    except CorpusNotFound as missing:
        print(f"newscorpus build: error: {missing}", file=sys.stderr)
        return 2
    if args.jobs is not None and args.jobs < 1:
        print("newscorpus build: error: --jobs must be at least 1", file=sys.stderr)
        return 2
    if args.max_shard_rows is not None and args.max_shard_rows < 1:
        print("newscorpus build: error: --max-shard-rows must be at least 1", file=sys.stderr)
        return 2
    try:
        result = build(
            paths,
            out=Path(args.out) if args.out else None,
            jobs=args.jobs,
            strict=args.strict,
            progress=not args.no_progress,
            max_shard_rows=args.max_shard_rows,
        )
    except BuildRefused as refused:
        from newscorpus.validate import render_text

        sys.stderr.write(render_text(refused.report))
        if not render_text(refused.report).endswith("\n"):
            sys.stderr.write("\n")
        print("newscorpus build: refused: the corpus does not validate (report above); nothing was written", file=sys.stderr)
        return 1
    except BuildError as problem:
        print(f"newscorpus build: error: {problem}", file=sys.stderr)
        print("newscorpus build: nothing was written; any previous output is untouched", file=sys.stderr)
        return problem.exit_code
    except OSError as problem:  # the disk, not the data: say which file
        print(f"newscorpus build: error: {problem.filename or ''}: {problem.strerror or problem}", file=sys.stderr)
        print("newscorpus build: nothing was written; any previous output is untouched", file=sys.stderr)
        return 2
    except Exception as problem:  # a bug in newscorpus, not in the corpus: say so in one line
        if os.environ.get("NEWSCORPUS_DEBUG"):
            raise
        print(
            f"newscorpus build: internal error ({type(problem).__name__}: {problem}); this is a bug in newscorpus, "
            "not in your files: please report it (NEWSCORPUS_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        print("newscorpus build: nothing was written; any previous output is untouched", file=sys.stderr)
        return 2
    print(summary(result, Path(args.out).absolute() if args.out else None))
    return 0


def summary(result: BuildResult, shown_as: Path | None = None) -> str:
    """The build's report; `shown_as`: the output folder as the user named it (a symbolic link
    keeps its name in the load snippet, though the build wrote where it leads)."""
    per: dict[str, dict[str, int]] = defaultdict(dict)
    for f in result.files:
        per[f.config][f.split] = per[f.config].get(f.split, 0) + f.rows
    lines = [f"newscorpus build: wrote {result.out} ({result.documents} documents, {len(result.files)} Parquet files)"]
    for config in CONFIGS:
        if config in per:
            lines.append(f"  {config:<16} " + ", ".join(f"{s} {n}" for s, n in per[config].items()))
        else:
            lines.append(f"  {config:<16} (no rows)")
    for split, why in result.plan.empty_reasons.items():
        lines.append(f"  empty split {split}: {why}")
    if result.excluded:
        lines.append(f"  not annotated, left out: {', '.join(result.excluded)}")
    if result.warnings:
        n = sum(result.warnings.values())
        lines.append(f"  {n} validator warning{'s' if n != 1 else ''} ({_by_code(result.warnings)}): built anyway; `newscorpus validate` shows where"
                     + (", `--strict` refuses them" if result.strict_would_refuse else "; all in annotated/passes/, which `--strict` lets through"))
    # The absolute path: a relative one means another folder (or a name looked up in the datasets
    # cache, which offline can return an earlier build's copy) wherever Python runs elsewhere.
    where = str(shown_as or result.out)
    path = json.dumps(where, ensure_ascii=False)  # a Python string literal, whatever the path holds
    load = ["    import datasets"]  # only configs and splits that exist: the snippet must run as printed
    if DOCUMENTS in per:
        load.append(f'    docs = datasets.load_dataset({path}, "{DOCUMENTS}")')
    if NER in per:
        load.append(f'    ner = datasets.load_dataset({path}, "{NER}")')
        load.append(f'    print(ner["{next(iter(per[NER]))}"].features["ner_tags"].feature.names)')
    lines += [
        "",
        "Load it (offline, no Hub account needed):",
        "",
        *load,
        "",
        f"Configs: {', '.join(c for c in CONFIGS if c in per)}. The card is {where}/README.md.",
    ]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- the pipeline

def build(
    paths: CorpusPaths,
    out: Path | None = None,
    jobs: int | None = None,
    strict: bool = False,
    progress: bool = True,
    max_shard_rows: int | None = None,
) -> BuildResult:
    """Validate, then write the dataset folder at `out` (default <root>/dist). See module doc."""
    root = paths.root.resolve()
    out = (root / DEFAULT_OUT) if out is None else Path(out)
    # links followed: a --out reached through a link is checked (and swapped) where it really is
    out = Path(os.path.realpath(out if out.is_absolute() else (Path.cwd() / out)))
    _check_out(out, root)
    pa, pq = _arrow()

    from newscorpus import card as cardlib
    from newscorpus.spec import load_schemas
    from newscorpus.validate import AfterCheck, missing_documentation, schema_files_ok, validate_corpus

    try:  # before any work: a template that cannot be rendered would stop the build at the very end
        template = cardlib.read_template(root)
        cardlib.check_template(template)
    except cardlib.CardError as problem:
        raise _card_error(problem) from None
    for missing in missing_documentation(root):  # the validator's check, before any work rather than after all of it
        raise BuildError(f"{missing.path}: {missing.code}: {missing.message}")
    if not schema_files_ok(root):  # everything below reads the schemas: the validator says what is wrong
        raise BuildRefused(validate_corpus(paths, jobs=jobs or None, strict=strict, keep_data=False))
    schemas = load_schemas(root)
    vocab = schemas.vocabulary
    try:
        features = {c: config_features(c, vocab) for c in CONFIGS}
    except FeatureError as problem:
        raise BuildError(str(problem)) from None
    ahead = _plan_ahead(paths, vocab)
    ctx = RowContext(vocab=vocab, registry_names=ahead.registry_names)

    source = source_commit(root)
    # The data files carry what their bytes depend on, not the commit: a commit that changes no
    # input (a README edit) must leave every Parquet file as it was, so that two releases compare
    # by their files' sha256. The commit is in MANIFEST.json and the card.
    file_meta = {
        "tool": "newscorpus",
        "tool_version": __version__,
        "schema_version": vocab.schema_version,
    }
    arrow_schemas = {c: _schema(features[c], {**file_meta, "config": c}) for c in (DOCUMENTS, *SPAN_CONFIGS, NER)}

    _remove_stale(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-{os.getpid()}-", dir=out.parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; the output is a normal folder
        writers: dict[tuple[str, str], _ShardWriter] = {}

        def writer(config: str, split: str) -> _ShardWriter:
            key = (config, split)
            if key not in writers:
                meta = {**file_meta, "config": config, "split": split}
                writers[key] = _ShardWriter(
                    tmp, config, split, _schema(features[config], meta),
                    ROW_GROUP_ROWS[config], max_shard_rows or SHARD_ROWS[config],
                )
            return writers[key]

        counts: dict[str, Counter] = {s: Counter() for s in vocab.splits}
        mentions: dict[str, Counter] = {s: Counter() for s in vocab.splits}
        mention_docs: Counter = Counter()
        tally = cardlib.DocumentTally()
        inputs_digest = hashlib.sha256()  # of one line per document, for the manifest
        problems: list[str] = []

        as_planned = _StoriesAsPlanned(ahead.keys)

        def take(chunk: _ChunkRows) -> None:
            """Rows of a batch of validated documents, in document order, into the Parquet writers."""
            problems.extend(chunk.problems)
            problems.extend(filter(None, (as_planned.problem(s["doc_id"], s["story_id"]) for s in chunk.summaries)))
            if problems:
                return  # the build will stop; validation goes on so that its report is complete
            for (config, split), data in chunk.tables:
                writer(config, split).add_table(_from_ipc(data))
            for split, c in chunk.counts.items():
                counts[split].update(c)
            for split, m in chunk.mentions.items():
                mentions[split].update(m)
            mention_docs.update(chunk.mention_docs)
            for summary in chunk.summaries:
                tally.add(summary)
            inputs_digest.update("".join(chunk.inputs).encode("utf-8"))

        # One pass: each worker validates a batch of documents and, for every document without
        # an error, builds its rows from the very bytes it validated (read and parsed once).
        after = None
        if ahead.plan is not None:
            after = AfterCheck(make=partial(_rows_of_checked, ctx, arrow_schemas, ahead.plan.placer), take=take, label="build")
        report = validate_corpus(paths, jobs=jobs or None, strict=strict, keep_data=False, after=after, progress=progress)
        if not report.ok(strict=strict):
            raise BuildRefused(report)
        warnings = Counter(d.code for d in report.diagnostics)  # ok: none of them is an error
        if ahead.plan is None:
            raise BuildError(ahead.problem)
        if problems:
            raise BuildError(problems[0])
        plan = ahead.plan
        excluded: list[str] = []
        n_docs = 0
        for d in report.documents:
            if d.annotation_sha256 is None:
                excluded.append(d.doc_id)
            elif d.raw_sha256 is None or d.metadata_sha256 is None or d.story_id is None:
                raise BuildError(f"raw/{d.doc_id}: the validator returned no raw text or metadata for an annotated document")
            else:
                n_docs += 1
        report.documents.clear()
        for rel, sha in ((SPLITS_REL, ahead.splits_sha256), (REGISTRY_REL, ahead.registry_sha256)):
            if report.corpus_files.get(rel) != sha:
                raise BuildError(f"{rel}: changed while the build was running (read before validation, then validated with other content); run the build again")
        planned = sum(plan.documents.values())
        if n_docs != planned or tally.count != n_docs:
            raise BuildError(
                f"annotated/: the annotated documents changed while the build was running ({planned} when the "
                f"split plan was made, {n_docs} validated, {tally.count} with rows); run the build again"
            )
        if n_docs == 0:  # valid, but nothing to publish: a dataset without documents cannot be loaded
            not_annotated = f" ({len(excluded)} raw document{'s' if len(excluded) != 1 else ''} without an annotation file)" if excluded else ""
            also = ""
            if warnings:
                also = f" (the validator also reported warnings: {_by_code(warnings)}; `newscorpus validate` shows where)"
            raise BuildError(
                f"annotated/: no annotated document{not_annotated}; a dataset without documents has no split "
                f"to load, so none is published. Annotate at least one article (README, 'Contributing an article'){also}"
            )
        registry = report.registry or {"entities": []}
        agreement = _read_agreement(root)

        registry_rows = _registry_rows(registry, vocab, mentions, mention_docs)
        if registry_rows:
            writer(ENTITY_REGISTRY, REGISTRY_SPLIT).add(registry_rows)

        files: list[ShardFile] = []
        for key in sorted(writers, key=lambda k: (CONFIGS.index(k[0]), _split_order(k[1], vocab.splits))):
            files.extend(writers[key].close())

        card_inputs = cardlib.CardInputs(
            root=root,
            vocab=vocab,
            features=features,
            files=[(f.config, f.split, f.path, f.rows, f.arrow_bytes) for f in files],
            plan=plan,
            counts=counts,
            documents=tally,
            excluded=excluded,
            registry_size=len(registry_rows),
            source=source,
            tool_version=__version__,
            agreement=agreement,
            registry_names=dict(ctx.registry_names),
            parquet_bytes=_parquet_bytes(tmp, files),
        )
        try:
            readme = cardlib.render(card_inputs, template)
        except cardlib.CardError as problem:
            raise _card_error(problem) from None
        (tmp / "README.md").write_bytes(readme.encode("utf-8"))
        used = {SPLITS_REL: ahead.splits_sha256, REGISTRY_REL: ahead.registry_sha256}  # the bytes planned and validated
        _copy_documentation(root, tmp, {SPLITS_REL: ahead.splits_bytes})
        _write_manifest(tmp, files, source, vocab, paths, n_docs, inputs_digest.hexdigest(), plan, pa, used)
        _fsync_tree(tmp)
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildResult(out=out, files=files, plan=plan, source=source, documents=n_docs, excluded=excluded, warnings=warnings,
                       strict_would_refuse=not report.ok(strict=True))


def _by_code(warnings: Counter) -> str:
    """'L1-not-canonical 2, L6-stray-file 1': findings counted by rule code, in code order."""
    return ", ".join(f"{code} {count}" for code, count in sorted(warnings.items()))


def _card_error(problem) -> BuildError:
    """A card template error as a build error with its exit code (2: the template cannot be read)."""
    return (BuildEnvironmentError if problem.exit_code == 2 else BuildError)(str(problem))


def _split_order(split: str, names: tuple[str, ...]) -> int:
    return names.index(split) if split in names else len(names)


def _arrow():
    try:
        import datasets  # noqa: F401
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as missing:
        raise BuildEnvironmentError(
            f"the build needs the 'build' extra ({missing.name} is not installed): pip install 'newscorpus[build]'"
        ) from None
    return pa, pq


def _remove_stale(out: Path) -> None:
    """Remove temporary folders left by builds that were killed (their process is gone)."""
    import re

    pattern = re.compile(rf"^\.{re.escape(out.name)}\.(?:building|previous)-(\d+)(?:-|$)")
    for sibling in sorted(out.parent.iterdir()):
        m = pattern.match(sibling.name)
        if not m or not sibling.is_dir():
            continue
        pid = int(m.group(1))
        try:
            os.kill(pid, 0)
            continue  # still running (another build): leave it alone
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        if sibling.is_symlink():  # left by a version that swapped a linked --out itself
            sibling.unlink(missing_ok=True)
        else:
            shutil.rmtree(sibling, ignore_errors=True)


def _check_out(out: Path, root: Path) -> None:
    if out == root or out in root.parents:
        raise BuildEnvironmentError(f"--out {out}: refusing to replace the corpus root or a folder that contains it")
    if problem := source_problem(out):
        raise BuildEnvironmentError(f"--out {problem}")
    if out.exists():
        if not out.is_dir():
            raise BuildEnvironmentError(f"--out {out}: exists and is not a folder")
        if any(out.iterdir()) and not (out / MANIFEST).is_file():
            raise BuildEnvironmentError(
                f"--out {out}: exists, is not empty and holds no {MANIFEST}, so it is not a previous build; "
                "refusing to replace it (remove it or choose another --out)"
            )
    if not out.parent.is_dir():
        raise BuildEnvironmentError(f"--out {out}: the parent folder {out.parent} does not exist")


# ----------------------------------------------------------------------------- rows in order



@dataclass
class _Ahead:
    """What the rows need before the documents are validated: the split of every annotated
    document (from the policy and its story_id) and the registry's names. Read leniently: a file
    that cannot be read here is one the validator reports, and then the build refuses."""

    plan: SplitPlan | None
    problem: str | None  # why there is no plan
    keys: SpillList  # DocKey of every annotated document as read for the plan, in doc-id order (on disk)
    registry_names: dict[str, str]
    splits_sha256: str | None
    registry_sha256: str | None
    splits_bytes: bytes | None = None  # the policy as planned with, published as it was


def _read_json_quietly(path: Path) -> tuple[Any, str | None, bytes | None]:
    try:
        data = path.read_bytes()
    except OSError:
        return None, None, None
    sha = hashlib.sha256(data).hexdigest()
    try:
        return json.loads(data.decode("utf-8")), sha, data
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, sha, data


def _plan_ahead(paths: CorpusPaths, vocab) -> _Ahead:
    """The split plan from metadata story_ids read before validation (about 0.02 ms a document)."""
    splits_file, splits_sha, splits_bytes = _read_json_quietly(paths.splits)
    registry, registry_sha, _ = _read_json_quietly(paths.registry)
    entities = registry.get("entities") if isinstance(registry, dict) else None
    names = {
        e["id"]: e.get("name") for e in entities or [] if isinstance(e, dict) and isinstance(e.get("id"), str)
    } if isinstance(entities, list) else {}
    keys = SpillList()
    for doc_id in paths.annotation_doc_ids():
        meta, _, _ = _read_json_quietly(paths.meta(doc_id))
        story = meta.get("story_id") if isinstance(meta, dict) else None
        if isinstance(story, str):
            keys.append(DocKey(doc_id, story))
    ahead = _Ahead(None, None, keys, names, splits_sha, registry_sha, splits_bytes)
    if not isinstance(splits_file, dict):
        ahead.problem = f"{SPLITS_REL}: missing or not JSON: the split policy file is required"
        return ahead
    try:
        ahead.plan = assign(keys, splits_file, vocab.splits)
    except SplitPolicyError as problem:
        ahead.problem = str(problem)
    except (AttributeError, KeyError, TypeError, ValueError) as problem:  # not the schema's shape: the validator says where
        ahead.problem = f"{SPLITS_REL}: cannot apply the split policy ({problem!r}); it must follow schema/splits.schema.json"
    return ahead


class _StoriesAsPlanned:
    """Is each validated document's story_id the one its split was planned from? Documents
    arrive in doc-id order, so the plan's keys are read from disk in step, never all at once."""

    def __init__(self, keys: Iterable[DocKey]):
        self._keys = iter(keys)
        self._head: DocKey | None = next(self._keys, None)

    def problem(self, doc_id: str, story_id: str | None) -> str | None:
        while self._head is not None and self._head.doc_id < doc_id:
            self._head = next(self._keys, None)
        planned = self._head.story_id if self._head is not None and self._head.doc_id == doc_id else None
        if planned == story_id:
            return None
        return (
            f"{meta_rel(doc_id)}: changed while the build was running (story_id {planned!r} when the split plan "
            f"was made, {story_id!r} when validated); run the build again"
        )


@dataclass
class _ChunkRows:
    """What a batch of validated documents contributes: Arrow tables (IPC bytes) in document
    order, counters, card summaries, manifest lines, and any problem that stops the build."""

    tables: list[tuple[tuple[str, str], bytes]]  # ((config, split), Arrow IPC stream)
    counts: dict[str, Counter]
    mentions: dict[str, Counter]
    mention_docs: Counter
    summaries: list[dict]
    inputs: list[str]  # '<doc_id> <raw sha256> <metadata sha256> <annotation sha256>\n' per document
    problems: list[str]


def _rows_of_checked(ctx: RowContext, schemas: dict, placer: Placer, results: list) -> _ChunkRows:
    """Rows of the documents the validator just checked, from the data it parsed. Pure; runs
    in the validator's worker. A document with an error gets no rows (the build will refuse).
    Its split comes from the story_id just validated; the main process checks that this is the
    story_id the plan was made from."""
    rows: dict[tuple[str, str], list[dict]] = {}
    out = _ChunkRows([], defaultdict(Counter), defaultdict(Counter), Counter(), [], [], [])
    for doc in results:
        if doc.annotation_sha256 is None or any(d.severity == "error" for d in doc.diagnostics):
            continue
        split = placer.split_of(doc.doc_id, doc.story_id)
        try:
            result = document_rows(doc, ctx)
        except RowError as problem:
            out.problems.append(str(problem))
            continue
        for config in (DOCUMENTS, *SPAN_CONFIGS, NER):
            if result.rows[config]:
                rows.setdefault((config, split), []).extend(result.rows[config])
        out.counts[split].update(result.counts)
        out.mentions[split].update(result.mentions)
        out.mention_docs.update(result.mentions.keys())
        out.summaries.append(_doc_summary(doc, split))
        out.inputs.append(f"{doc.doc_id} {doc.raw_sha256} {doc.metadata_sha256} {doc.annotation_sha256}\n")
    try:
        # Arrow IPC bytes cross the process boundary about 8x cheaper than pickled Arrow tables
        out.tables = [(key, _to_ipc(rows_to_table(key[0], batch, schemas[key[0]]))) for key, batch in rows.items()]
    except RowError as problem:
        out.problems.append(str(problem))
    out.counts, out.mentions = dict(out.counts), dict(out.mentions)
    return out


def _to_ipc(table) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as stream:
        stream.write_table(table)
    return sink.getvalue().to_pybytes()


def _from_ipc(data: bytes):
    import pyarrow as pa

    return pa.ipc.open_stream(pa.py_buffer(data)).read_all()


def rows_to_table(config: str, rows: list[dict], schema):
    """Rows as an Arrow table of the config's features; a row that does not fit is a RowError."""
    import pyarrow as pa

    try:
        return pa.Table.from_pylist(rows, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError) as problem:
        first = rows[0].get("doc_id") or rows[0].get("id")
        raise RowError(f"{config}: rows starting at {first!r} do not fit the config's features: {problem}") from None


# ----------------------------------------------------------------------------- Parquet

def _schema(features, meta: dict):
    schema = features.arrow_schema
    metadata = dict(schema.metadata or {})
    metadata[PARQUET_METADATA_KEY] = json.dumps(meta, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return schema.with_metadata(metadata)


def _compact(table):
    """One fresh contiguous chunk per column: a row group's bytes and its Arrow size (the YAML
    num_bytes) then depend on its rows alone, not on how worker chunks were sliced."""
    import pyarrow as pa

    return pa.Table.from_arrays([pa.concat_arrays(column.chunks) for column in table.columns], schema=table.schema)


class _ShardWriter:
    """Rows of one (config, split) into bounded shards; holds at most one row group in memory."""

    def __init__(self, out: Path, config: str, split: str, schema, row_group_rows: int, shard_rows: int):
        self.out, self.config, self.split, self.schema = out, config, split, schema
        self.row_group_rows = max(1, min(row_group_rows, shard_rows))
        self.shard_rows = shard_rows
        self.pending: list = []  # Arrow tables not yet written, in row order
        self.pending_rows = 0
        self.shards: list[list] = []  # [temporary path, rows, arrow bytes]
        self.writer = None
        self.in_shard = 0
        (out / "data" / config).mkdir(parents=True, exist_ok=True)

    def add(self, rows: list[dict]) -> None:
        if not rows:
            return
        try:
            self.add_table(rows_to_table(self.config, rows, self.schema))
        except RowError as problem:
            raise BuildError(str(problem)) from None

    def add_table(self, table) -> None:
        """Queue rows; row groups are cut by count alone, so chunking never changes the bytes."""
        if table.num_rows == 0:
            return
        if not table.schema.equals(self.schema, check_metadata=False):
            raise BuildError(f"{self.config}: rows do not have the config's features ({table.schema} != {self.schema})")
        self.pending.append(table.replace_schema_metadata(self.schema.metadata))
        self.pending_rows += table.num_rows
        while self.pending_rows >= self._room():
            self._flush(self._room())

    def _room(self) -> int:
        return min(self.row_group_rows, self.shard_rows - self.in_shard)

    def _flush(self, n: int) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if n <= 0 or not self.pending_rows:
            return
        queued = pa.concat_tables(self.pending) if len(self.pending) > 1 else self.pending[0]
        n = min(n, queued.num_rows)
        table, rest = _compact(queued.slice(0, n)), queued.slice(n)
        self.pending, self.pending_rows = ([rest] if rest.num_rows else []), rest.num_rows
        if self.writer is None:
            path = self.out / "data" / self.config / f".{self.split}-{len(self.shards):05d}.parquet.partial"
            self.writer = pq.ParquetWriter(path, self.schema, **PARQUET_OPTIONS)
            self.shards.append([path, 0, 0])
        self.writer.write_table(table, row_group_size=n)
        self.shards[-1][1] += n
        self.shards[-1][2] += table.nbytes
        self.in_shard += n
        if self.in_shard >= self.shard_rows:
            self.writer.close()
            self.writer = None
            self.in_shard = 0

    def close(self) -> list[ShardFile]:
        while self.pending_rows:
            self._flush(self._room())
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        total = len(self.shards)
        files = []
        for i, (path, rows, nbytes) in enumerate(self.shards):
            name = f"{self.split}-{i:05d}-of-{total:05d}.parquet"
            path.rename(path.with_name(name))
            files.append(ShardFile(self.config, self.split, f"data/{self.config}/{name}", rows, nbytes))
        return files


# ----------------------------------------------------------------------------- registry

def _registry_rows(registry: dict, vocab, mentions: dict[str, Counter], mention_docs: Counter) -> list[dict]:
    rows = []
    for n, e in enumerate(sorted(registry.get("entities", []), key=lambda e: e["id"])):
        label = e.get("label")
        if label not in vocab.entity_labels:
            raise BuildError(
                f"{REGISTRY_REL}: entity {e.get('id')!r}: label {label!r} is not in "
                f"schema/vocabulary.schema.json $defs/EntityLabel"
            )
        by_split = {s: int(mentions[s][e["id"]]) for s in vocab.splits}
        rows.append({
            "id": e["id"],
            "label": vocab.entity_labels.index(label),
            "name": e.get("name"),
            "description": e.get("description"),
            "aliases": e.get("aliases"),
            "mention_count": sum(by_split.values()),
            "document_count": int(mention_docs[e["id"]]),
            "mentions_by_split": by_split,
        })
    return rows


# ----------------------------------------------------------------------------- provenance

# What a build's output depends on in the corpus checkout: its data, and the code and
# packaging that turn it into files (a changed field description changes the card).
BUILD_INPUTS = ("raw", "annotated", "schema", CARD_TEMPLATE, "scripts/newscorpus", "pyproject.toml")


def source_commit(root: Path) -> dict:
    """`git rev-parse HEAD` of the corpus root, whether the build inputs differ from it, and
    whether the code running is that checkout's (an install from elsewhere is not described by
    the commit)."""
    inputs = list(BUILD_INPUTS)
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, env=env, timeout=60)
    except (OSError, subprocess.SubprocessError) as problem:
        return {"commit": None, "dirty": None, "null_reason": f"git could not be run ({problem.__class__.__name__})"}
    if head.returncode != 0:
        why = (head.stderr.strip().splitlines() or ["no commit"])[-1]
        return {"commit": None, "dirty": None, "null_reason": f"the corpus root is not a git checkout with a commit ({why})"}
    status = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=all", "--", *inputs],
        capture_output=True, text=True, env=env, timeout=120,
    )
    dirty = None if status.returncode != 0 else bool(status.stdout.strip())
    result = {"commit": head.stdout.strip(), "dirty": dirty, "null_reason": None}
    if dirty:
        result["dirty_note"] = f"the build inputs ({', '.join(inputs)}) differ from the commit"
    if not _code_in(root):
        result["code_note"] = "the newscorpus code that ran is not this checkout's scripts/ (installed from elsewhere): the commit does not describe it"
    return result


def _code_in(root: Path) -> bool:
    package = Path(__file__).resolve().parent
    return package.is_relative_to((root / "scripts").resolve())


def _read_agreement(root: Path) -> dict | None:
    path = root / AGREEMENT_REL
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise BuildError(f"{AGREEMENT_REL}: not valid UTF-8 JSON ({problem})") from None
    if not isinstance(data, dict) or not isinstance(data.get("layers"), dict):
        raise BuildError(f"{AGREEMENT_REL}: $.layers: missing; expected the output of `newscorpus agreement --format json`")
    return data


def _doc_summary(doc, split: str) -> dict:
    meta = doc.metadata
    pub = meta.get("publication_date") or {}
    date = pub.get("value") or (
        f"{pub.get('earliest')}..{pub.get('latest')}" if pub.get("earliest") or pub.get("latest") else None
    )
    return {
        "doc_id": doc.doc_id,
        "publisher": (meta.get("publisher") or {}).get("name"),
        "language": meta.get("language"),
        "date": date,
        "story_id": meta.get("story_id"),
        "split": split,
        "guidelines_version": doc.annotation.get("guidelines_version"),
        "holder": (meta.get("rights") or {}).get("holder"),
        "licence": (meta.get("rights") or {}).get("licence"),
        "status": doc.annotation.get("status"),
        "annotators": [(a.get("id"), a.get("role")) for a in doc.annotation.get("annotators") or []],
        "related": [
            f"{r.get('relation')} {r.get('publisher')} (confidence {r.get('confidence')})"
            for r in meta.get("related_sources") or []
        ],
    }


def _parquet_bytes(out: Path, files: list[ShardFile]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for f in files:
        sizes[f.config] = sizes.get(f.config, 0) + (out / f.path).stat().st_size
    return sizes


def _copy_documentation(root: Path, tmp: Path, used: dict[str, bytes | None]) -> None:
    """The guidelines, the adjudication record, the split policy and the schemas, at the paths
    the card names them by (corpus.PUBLISHED_DOCUMENTATION). A file the build used (`used`: the
    split policy) is published as the bytes it was built from, whatever is on disk now."""
    from newscorpus.spec import SCHEMA_DIR, SCHEMA_FILES

    rels = list(PUBLISHED_DOCUMENTATION)  # each one's absence is an error of the validation the build just passed (L6-missing-file)
    rels += sorted(f"{SCHEMA_DIR}/{name}" for name in SCHEMA_FILES.values())  # the schemas the build read
    for rel in rels:
        data = used.get(rel)
        if data is None:
            data = (root / rel).read_bytes()
        target = tmp / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_manifest(
    tmp: Path, files: list[ShardFile], source: dict, vocab, paths: CorpusPaths, n_docs: int, documents_sha256: str, plan: SplitPlan, pa,
    used: dict[str, str | None],
) -> None:
    """`used`: the sha256 of input files as the build read them (None: absent), recorded as they
    are rather than hashed again, so the manifest names the bytes the rows came from."""
    import datasets

    try:  # the CLDR data that reads numbers and date names of non-English documents
        from babel import __version__ as babel_version
    except ImportError:
        babel_version = None
    rows_of = {f.path: f for f in files}
    listed = []
    for path in sorted(p for p in tmp.rglob("*") if p.is_file()):
        rel = path.relative_to(tmp).as_posix()
        entry: dict[str, Any] = {"path": rel, "sha256": _sha256(path), "bytes": path.stat().st_size}
        if rel in rows_of:
            f = rows_of[rel]
            entry.update({"config": f.config, "split": f.split, "rows": f.rows})
        listed.append(entry)
    root = paths.root
    corpus_inputs = []
    for rel in sorted(
        [f"schema/{p.name}" for p in (root / "schema").glob("*.json")]
        + [REGISTRY_REL, SPLITS_REL, AGREEMENT_REL, CARD_TEMPLATE]
    ):
        if rel in used:
            if used[rel] is not None:
                corpus_inputs.append({"path": rel, "sha256": used[rel]})
        elif (root / rel).is_file():
            corpus_inputs.append({"path": rel, "sha256": _sha256(root / rel)})
    manifest = {
        "format": MANIFEST_FORMAT,
        "tool": {"name": "newscorpus", "version": __version__},
        "source": source,
        "schema_version": vocab.schema_version,
        "writer": {
            "pyarrow": pa.__version__,
            "datasets": datasets.__version__,
            "babel": babel_version,
            "parquet": PARQUET_OPTIONS,
            "row_group_rows": ROW_GROUP_ROWS,
        },
        "inputs": {
            "files": corpus_inputs,
            "documents": n_docs,
            "documents_sha256": documents_sha256,
            "documents_sha256_note": "sha256 of one line per document, in doc id order: '<doc_id> <raw sha256> <metadata sha256> <annotation sha256>\\n'",
        },
        "splits": {
            "unit": plan.unit,
            "documents": dict(plan.documents),
            "empty": plan.empty_reasons,
            "leaked_stories": sorted(plan.leaked_stories),
        },
        "files": listed,
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    (tmp / MANIFEST).write_bytes(text.encode("utf-8"))


# ----------------------------------------------------------------------------- atomic swap

def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    for d in [folder, *sorted(p for p in folder.rglob("*") if p.is_dir())]:
        try:
            fd = os.open(d, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD = -100
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = fn(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def _swap_into_place(tmp: Path, out: Path) -> None:
    """Make `tmp` the new `out`. A reader sees the old folder or the new one, never a mix."""
    if not out.exists():
        try:
            os.rename(tmp, out)
            return
        except OSError as problem:  # another build put its output there since: replace it as below
            if problem.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
    if _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the previous build
        return
    old = out.with_name(f".{out.name}.previous-{os.getpid()}")
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
