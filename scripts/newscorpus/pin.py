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
import sys
from pathlib import Path

from newscorpus.corpus import SPLITS_REL, CorpusNotFound, find_root, raw_rel
from newscorpus.features import DOCUMENTS
from newscorpus.jsonio import atomic_write_text, canonical_dumps
from newscorpus.positions import format_path, read_json_strict
from newscorpus.spec import load_schemas
from newscorpus.validate import EXIT_INVALID, EXIT_OK, EXIT_USAGE, _reference_validator


class Refusal(Exception):
    """Nothing is written: the message names the file and what is wrong; `code` is the exit code."""

    def __init__(self, message: str, code: int = EXIT_INVALID):
        super().__init__(message)
        self.code = code


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
    published = published_splits(dist)
    missing = sorted(d for d in published if not (root / raw_rel(d)).exists())
    if missing:
        raise Refusal(f"{dist} holds {len(missing)} document(s) the corpus no longer has ({', '.join(missing[:3])}"
                      f"{', …' if len(missing) > 3 else ''}): it is not a build of this corpus; build again first")

    splits_path = root / SPLITS_REL
    try:
        read = read_json_strict(splits_path.read_bytes())
    except OSError as exc:
        raise Refusal(f"{SPLITS_REL}: cannot read: {exc.strerror or exc}", EXIT_USAGE) from None
    if read.findings:
        finding = read.findings[0]
        raise Refusal(f"{SPLITS_REL}:{finding.line}:{finding.column}: {finding.message}; fix it first (`newscorpus validate {SPLITS_REL}`)")
    data = read.data
    _check_schema(root, data, "fix it first")
    pins = data["assignments"]
    moved = sorted((d, pins[d], s) for d, s in published.items() if d in pins and pins[d] != s)
    if moved:  # the build did not follow its own pins: it is stale, or splits.json changed since
        listed = "; ".join(f"{d} is pinned to {p} but was published in {s}" for d, p, s in moved[:3])
        raise Refusal(f"{SPLITS_REL}: {listed}{' …' if len(moved) > 3 else ''}; build again first (a pin is never moved)")
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
        reasons.setdefault(doc_id, args.reason.strip())
    _check_schema(root, data, "nothing was written")
    try:
        atomic_write_text(splits_path, canonical_dumps(data, load_schemas(root).documents["splits"]))
    except OSError as exc:
        raise Refusal(f"{SPLITS_REL}: cannot write: {exc.strerror or exc}; it is left as it was", EXIT_USAGE) from None
    print(f"pinned {len(new)} document(s) in {SPLITS_REL} ({summary}); {len(published) - len(new)} were pinned already")
    print(f"then: newscorpus validate {SPLITS_REL} && newscorpus build (the splits do not change)")
    return EXIT_OK


def published_splits(dist: Path) -> dict[str, str]:
    """doc id -> split of every row of the built `documents` config, from the Parquet files that
    dist/MANIFEST.json lists (each checked against its sha256 first)."""
    manifest_path = dist / "MANIFEST.json"
    try:
        manifest = json.loads(manifest_path.read_bytes())
        files = [f for f in manifest["files"] if f.get("config") == DOCUMENTS]
    except FileNotFoundError:
        raise Refusal(f"{manifest_path} does not exist: build the dataset first (`newscorpus build`)", EXIT_USAGE) from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise Refusal(f"{manifest_path} cannot be read as a build manifest ({type(exc).__name__}): build again", EXIT_USAGE) from None
    import pyarrow.parquet as pq  # only here: the command needs the [build] extra

    found: dict[str, str] = {}
    for entry in files:
        path = dist / entry["path"]
        try:
            blob = path.read_bytes()
        except OSError as exc:
            raise Refusal(f"{path}: cannot read: {exc.strerror or exc}", EXIT_USAGE) from None
        if hashlib.sha256(blob).hexdigest() != entry.get("sha256"):
            raise Refusal(f"{path} is not the file {manifest_path} lists (sha256 differs): dist/ was changed after the build; build again")
        for doc_id in pq.read_table(path, columns=["id"]).column("id").to_pylist():
            if found.setdefault(doc_id, entry["split"]) != entry["split"]:
                raise Refusal(f"{dist}: {doc_id} is published in two splits ({found[doc_id]}, {entry['split']}): build again")
    if not found:
        raise Refusal(f"{manifest_path} lists no {DOCUMENTS} rows: nothing was published to pin", EXIT_USAGE)
    return found


def _check_schema(root: Path, data: object, then: str) -> None:
    errors = sorted(_reference_validator(str(root), "splits").iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        first = errors[0]
        raise Refusal(f"{SPLITS_REL}: {format_path(tuple(first.absolute_path))}: {first.message}; {then}")
