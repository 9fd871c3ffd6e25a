"""`newscorpus pin`: pin every document of a built dataset to the split it was published in.

The split policy places an unpinned document by a hash of its story (or, while the corpus has
few stories, of its doc id), so adding articles can move it: when the number of stories crosses
`min_stories_for_story_split`, or when a maintainer changes the fractions or the salt. A
release's splits must never move, so after publishing `dist/` a maintainer pins what it holds:
this command reads the doc ids of the `documents` config from the built Parquet files (checked
against `MANIFEST.json`), and adds each one not pinned yet to `assignments` in
annotated/splits.json, with the reason given. It never moves or drops a pin.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import sys
from pathlib import Path

from newscorpus.build import MANIFEST_FORMAT
from newscorpus.corpus import SPLITS_REL, CorpusNotFound, find_root, raw_rel
from newscorpus.features import DOCUMENTS
from newscorpus.jsonio import atomic_write_text, canonical_dumps
from newscorpus.scaffold import Refusal, check_edit_schema, read_for_edit
from newscorpus.spec import load_schemas
from newscorpus.validate import EXIT_INVALID, EXIT_OK, EXIT_USAGE, doc_id_problem, validate_corpus


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reason", help="why, recorded for each new pin, e.g. \"published in release 1.0 (2026-11-26)\" (required unless --check)")
    parser.add_argument("--dist", type=Path, default=None, help="the built dataset (default: dist/ under the corpus root)")
    parser.add_argument("--root", type=Path, default=None, help="corpus root (default: found at or above the working directory)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a document of the build is not pinned to its split")


def run(args: argparse.Namespace) -> int:
    try:
        return _pin(args)
    except Refusal as refusal:
        print(f"newscorpus pin: {refusal}", file=sys.stderr)
        return refusal.code


def _pin(args: argparse.Namespace) -> int:
    if not args.check and not (args.reason or "").strip():
        raise Refusal("--reason is required: say which release the pins keep (e.g. \"published in release 1.0\")", EXIT_USAGE)
    try:
        paths = find_root(args.root)
    except CorpusNotFound as exc:
        raise Refusal(str(exc), EXIT_USAGE) from None
    root = paths.root
    dist = args.dist if args.dist is not None else root / "dist"
    published = published_splits(dist, root)

    splits_path = root / SPLITS_REL
    data = read_for_edit(root, splits_path, SPLITS_REL, "splits", unreadable=EXIT_USAGE)
    policy = [d for d in validate_corpus(paths, [splits_path]).diagnostics if d.path == SPLITS_REL and d.severity == "error"]
    if policy:  # the schema holds but a corpus rule does not (fractions that miss a split, a pin of no document)
        raise Refusal(f"{SPLITS_REL}:{policy[0].line}: {policy[0].code}: {policy[0].message}; fix it first", EXIT_INVALID)
    pins = data["assignments"]
    moved = sorted((d, pins[d], s) for d, s in published.items() if d in pins and pins[d] != s)
    if moved:  # the build did not follow its own pins: it is stale, or splits.json changed since
        listed = "; ".join(f"{d} is pinned to {p} but was published in {s}" for d, p, s in moved[:3])
        raise Refusal(
            f"{SPLITS_REL}: {listed}{' …' if len(moved) > 3 else ''}. A pin is never moved: if {dist} was built before these "
            f"pins were written, build again; if a pin was edited after the release, set it back to the split the document "
            f"was published in (named above; `git -C {shlex.quote(str(root))} log -p -- {SPLITS_REL}` shows the edit), "
            "since rebuilding would move a published document to another split", EXIT_INVALID)
    new = {d: s for d, s in sorted(published.items()) if d not in pins}
    counts = {s: sum(1 for v in new.values() if v == s) for s in sorted(set(new.values()))}
    summary = ", ".join(f"{n} to {s}" for s, n in counts.items())
    if args.check:
        if new:
            print(f"newscorpus pin: {len(new)} published document(s) not pinned ({summary}): run `newscorpus pin --reason \"…\"`", file=sys.stderr)
            return EXIT_INVALID
        print(f"every document of {dist} ({len(published)}) is pinned to its split")
        return EXIT_OK
    if not new:
        print(f"nothing to pin: every document of {dist} ({len(published)}) is pinned already; {SPLITS_REL} is unchanged")
        return EXIT_OK
    pins.update(new)
    reasons = data.setdefault("reasons", {})
    for doc_id in new:
        reasons[doc_id] = args.reason.strip()  # a leftover reason of an earlier, removed pin does not stand for this one
    check_edit_schema(root, "splits", data, SPLITS_REL)
    try:
        atomic_write_text(splits_path, canonical_dumps(data, load_schemas(root).documents["splits"]))
    except OSError as exc:
        raise Refusal(f"{SPLITS_REL}: cannot write: {exc.strerror or exc}; it is left as it was", EXIT_USAGE) from None
    print(f"pinned {len(new)} document(s) in {SPLITS_REL} ({summary}); {len(published) - len(new)} were pinned already")
    print(f"then: newscorpus validate {SPLITS_REL} && newscorpus build (the splits do not change)")
    return EXIT_OK


def published_splits(dist: Path, root: Path) -> dict[str, str]:
    """doc id -> split of every row of the built `documents` config, read from the Parquet files
    dist/MANIFEST.json lists: each must lie inside dist/, match its sha256 (the bytes hashed are
    the bytes read), and hold for every document the sha256 of this corpus's raw file, so that a
    build of another corpus, or an altered one, is refused."""
    manifest_path = dist / "MANIFEST.json"
    if not dist.exists():
        raise Refusal(f"{dist} does not exist: build the dataset first (`newscorpus build`)", EXIT_USAGE)
    if not dist.is_dir():
        raise Refusal(f"{dist} is not a folder: give the built dataset's folder with --dist", EXIT_USAGE)
    try:
        manifest = json.loads(manifest_path.read_bytes())
        if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT or not isinstance(manifest.get("files"), list):
            raise ValueError("not a newscorpus build manifest")
    except FileNotFoundError:
        raise Refusal(f"{manifest_path} does not exist: build the dataset first (`newscorpus build`)", EXIT_USAGE) from None
    except (OSError, ValueError) as exc:
        raise Refusal(f"{manifest_path} cannot be read as a build manifest ({exc}): build again", EXIT_USAGE) from None
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise Refusal("reading the built Parquet files needs pyarrow: pip install -e \".[build]\"", EXIT_USAGE) from None

    found: dict[str, str] = {}
    inside = dist.resolve()
    for entry in manifest["files"]:
        if not isinstance(entry, dict) or entry.get("config") != DOCUMENTS:
            continue
        rel, split, sha = entry.get("path"), entry.get("split"), entry.get("sha256")
        if not (isinstance(rel, str) and isinstance(split, str) and isinstance(sha, str)):
            raise Refusal(f"{manifest_path}: a {DOCUMENTS} entry lacks its path, split or sha256 ({entry!r:.80}): build again", EXIT_INVALID)
        path = (dist / rel).resolve()
        if Path(rel).is_absolute() or ".." in Path(rel).parts or inside not in path.parents or not path.is_file():
            raise Refusal(f"{manifest_path}: {rel!r} is not a file inside {dist}: build again", EXIT_INVALID)
        blob = path.read_bytes()
        if hashlib.sha256(blob).hexdigest() != sha:
            raise Refusal(f"{dist / rel} is not the file {manifest_path} lists (sha256 differs): {dist} was changed after the build; build again", EXIT_INVALID)
        try:
            table = pq.read_table(pa.BufferReader(blob), columns=["id", "raw_sha256"])
        except (pa.ArrowException, KeyError) as exc:
            raise Refusal(f"{dist / rel}: not a {DOCUMENTS} Parquet file of this package ({type(exc).__name__}): build again", EXIT_INVALID) from None
        for doc_id, raw_sha in zip(table.column("id").to_pylist(), table.column("raw_sha256").to_pylist()):
            if not isinstance(doc_id, str) or doc_id_problem(root, doc_id):
                raise Refusal(f"{dist / rel}: a row's id {doc_id!r:.60} is not a document id: build again", EXIT_INVALID)
            raw = root / raw_rel(doc_id)
            if not raw.is_file() or hashlib.sha256(raw.read_bytes()).hexdigest() != raw_sha:
                raise Refusal(f"{dist} is not a build of this corpus: {doc_id} "
                              + ("is not in it" if not raw.is_file() else f"was built from another raw text than {raw_rel(doc_id)}")
                              + "; build again first", EXIT_INVALID)
            if found.setdefault(doc_id, split) != split:
                raise Refusal(f"{dist}: {doc_id} is published in two splits ({found[doc_id]}, {split}): build again", EXIT_INVALID)
    if not found:
        raise Refusal(f"{manifest_path} lists no {DOCUMENTS} rows: nothing was published to pin", EXIT_USAGE)
    return found
