"""`newscorpus fmt`: rewrite annotation, metadata, registry and splits files in canonical layout.

Canonical layout (`jsonio.canonical_dumps`): keys in schema order, spans sorted by offset
with one span per line, two-space indentation, UTF-8 without escapes, final newline. Then a
pull-request diff shows exactly which span an annotator changed.

Formatting never changes content. Before writing, the new text is parsed back and compared
with the old data (span lists as multisets, everything else exactly); a file whose content
would change is left alone and reported. A file that is not strict JSON (syntax error,
duplicate key, NaN) is not touched either: `newscorpus validate` says what is wrong with it.
Raw files are never touched. `--check` only reports.

Exit codes: 0 nothing to do (or everything written), 1 with --check when a file would be
reformatted, or when a file could not be formatted, or when schema/ cannot be used (reported
as `newscorpus validate` reports it); 2 usage or environment error, including a
file that could not be read or written (permissions, read-only folder, full disk). Such a file is named in one line
and left as it was (the write goes to a temporary file, then a rename), and the other files are
still formatted: each write stands alone, so one refused write spoils nothing else.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from newscorpus.corpus import (
    REGISTRY_REL,
    SPLITS_REL,
    CorpusNotFound,
    CorpusPaths,
    annotation_rel,
    find_root,
    meta_rel,
    registry_rel,
)
from newscorpus.jsonio import atomic_write_bytes, canonical_dumps, canonical_numbers
from newscorpus.positions import read_json_strict
from newscorpus.spec import load_schemas
from newscorpus.validate import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    corpus_rel,
    diagnostic_lines,
    pass_annotators,
    pass_doc_ids,
    resolve_targets,
    schema_file_diagnostics,
)

SCHEMA_FOR_KIND = {"annotation": "annotation", "metadata": "metadata", "registry": "entity_registry", "splits": "splits"}


def _is_span(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("start"), int) and isinstance(value.get("end"), int)


def _key(value: Any) -> str:
    return json.dumps(canonical_numbers(value), sort_keys=True, ensure_ascii=True, allow_nan=True)  # 2e10 is 20000000000


def content_equal(a: Any, b: Any) -> bool:
    """Same content: dicts by key, span lists as multisets, other lists in order."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(content_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False
        if a and all(_is_span(x) for x in a) and all(_is_span(x) for x in b):
            return sorted(_key(x) for x in a) == sorted(_key(x) for x in b)
        return all(content_equal(x, y) for x, y in zip(a, b))
    if type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool)):
        return False
    return a == b


def files_to_format(paths: CorpusPaths, targets: list[Path] | None) -> tuple[list[tuple[str, str]], list[str]]:
    """(relative path, kind) of the JSON files the targets name, sorted; and the ignored targets.

    A named JSON file stands for itself alone (fmt rewrites files, so it touches none the user
    did not name); a raw text or a folder stands for the JSON files of what it holds."""
    if not targets:
        return _files_touched(paths, None)
    found: dict[str, str] = {}
    ignored: list[str] = []
    root = paths.root.resolve()
    for target in targets:
        touched, skipped = _files_touched(paths, [target])
        ignored += skipped
        in_corpus = corpus_rel(root, Path(os.path.abspath(target)))  # named as validate names its targets
        rel = in_corpus.as_posix() if in_corpus is not None else None
        kinds = dict(touched)
        found.update({rel: kinds[rel]} if rel in kinds else kinds)
    return sorted(found.items()), ignored


def _files_touched(paths: CorpusPaths, targets: list[Path] | None) -> tuple[list[tuple[str, str]], list[str]]:
    """(relative path, kind) of every JSON file the targets touch as `validate` reads them."""
    selection = resolve_targets(paths, targets)
    root = paths.root
    found: dict[str, str] = {}

    def add(rel: str, kind: str) -> None:
        if (root / rel).is_file():
            found[rel] = kind

    if selection.whole:
        for doc_id in paths.meta_doc_ids():
            add(meta_rel(doc_id), "metadata")
        for doc_id in paths.annotation_doc_ids():
            add(annotation_rel(doc_id), "annotation")
        for annotator in pass_annotators(paths):
            add(registry_rel(annotator), "registry")
            for doc_id in pass_doc_ids(paths, annotator):
                add(annotation_rel(doc_id, annotator), "annotation")
        add(REGISTRY_REL, "registry")
        add(SPLITS_REL, "splits")
    for doc_id in selection.doc_ids:
        add(meta_rel(doc_id), "metadata")
        add(annotation_rel(doc_id), "annotation")
    for annotator, doc_id in selection.passes:
        add(annotation_rel(doc_id, annotator), "annotation")
    for annotator in selection.pass_registries:
        add(registry_rel(annotator), "registry")
    if selection.registry:
        add(REGISTRY_REL, "registry")
    if selection.splits:
        add(SPLITS_REL, "splits")
    return sorted(found.items()), selection.ignored


# Layers whose ids are numbered in text order (L4-id-order), and the fields that name those ids.
RENUMBERED_LAYERS = ("zones", "entities", "quotes", "dates", "numeric_claims")
ID_REFERENCES = (("numeric_claims", "date_id", "dates"), ("numeric_claims", "quote_id", "quotes"), ("quotes", "continues", "quotes"))


def renumber(data: Any) -> Any:
    """An annotation with each layer's ids numbered in text order (its prefix letter kept) and
    every reference to them updated; anything not of that shape is left as it is."""
    if not isinstance(data, dict):
        return data
    mapping: dict[str, dict[str, str]] = {}
    for layer in RENUMBERED_LAYERS:
        items = data.get(layer)
        if not isinstance(items, list) or not all(isinstance(o, dict) and isinstance(o.get("id"), str) and len(o["id"]) > 1
                                                   and o["id"][1:].isdigit() and isinstance(o.get("start"), int) and isinstance(o.get("end"), int)
                                                   for o in items):
            continue
        prefixes = {o["id"][0] for o in items}
        if len(prefixes) != 1 or len({o["id"] for o in items}) != len(items):
            continue  # mixed prefixes or a duplicate id: L4 reports it; guessing would lose a reference
        prefix = prefixes.pop()
        ordered = sorted(items, key=lambda o: (o["start"], o["end"], int(o["id"][1:])))
        mapping[layer] = {o["id"]: f"{prefix}{n}" for n, o in enumerate(ordered, start=1)}
    if not any(old != new for m in mapping.values() for old, new in m.items()):
        return data
    out = dict(data)
    for layer, ids in mapping.items():
        out[layer] = [{**o, "id": ids[o["id"]]} for o in data[layer]]
    for layer, key, target in ID_REFERENCES:
        if layer in out and target in mapping:
            out[layer] = [{**o, key: mapping[target].get(o[key], o[key])} if isinstance(o.get(key), str) else o for o in out[layer]]
    return out


def format_bytes(data: bytes, schema: dict, renumbered: bool = False) -> tuple[bytes | None, str | None]:
    """(canonical bytes, None), or (None, why the file cannot be formatted). `renumbered`: ids
    numbered in text order first (`renumber`), the one change of content fmt makes."""
    result = read_json_strict(data)
    if result.findings:
        finding = result.findings[0]
        where = f"{finding.line}:{finding.column}: " if finding.line else ""
        return None, f"{where}{finding.message}"
    content = renumber(result.data) if renumbered else result.data
    try:
        text = canonical_dumps(content, schema)
        encoded = text.encode("utf-8")
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        return None, f"cannot be written canonically: {exc}"
    again = read_json_strict(encoded)
    if again.findings or not content_equal(content, again.data):
        return None, "canonical layout would change the content (a bug in the formatter); file left as it is"
    return encoded, None


def _os_problem(exc: OSError) -> str:
    """The OS error and where it happened; the temporary file (gone by now) is named by its folder."""
    text = exc.strerror or str(exc)
    if exc.filename2:  # the rename of the temporary file onto the file
        return f"{text} (replacing {os.fsdecode(exc.filename2)})"
    if not exc.filename:
        return text
    where = Path(os.fsdecode(exc.filename))
    if where.name.startswith(".") and where.name.endswith(".tmp"):
        return f"{text} (writing a temporary file in {where.parent}/)"
    return f"{text} ({where})"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders (default: the whole corpus)")
    parser.add_argument("--check", action="store_true", help="only report files that are not in canonical layout (exit 1 if any)")
    parser.add_argument("--renumber", action="store_true",
                        help="also number each layer's ids of annotation files in text order (z1, e1, q1, t1, n1, ...) and update every "
                             "date_id, quote_id and continues that names them (L4-id-order); ids named outside the file, in notes or "
                             "annotated/ADJUDICATION.md, are not updated")
    parser.add_argument("--root", type=Path, default=None, help="corpus root (default: found at or above the working directory)")


def run(args: argparse.Namespace) -> int:
    try:
        if args.root is not None:
            paths = find_root(args.root)
        else:
            try:
                paths = find_root()
            except CorpusNotFound:
                if not args.paths:
                    raise
                paths = find_root(args.paths[0])
        files, ignored = files_to_format(CorpusPaths(paths.root.resolve()), list(args.paths) or None)
    except (CorpusNotFound, UsageError) as exc:
        print(f"newscorpus fmt: {exc}", file=sys.stderr)
        return EXIT_USAGE
    root = paths.root.resolve()
    # The layout follows the schemas: a schema file the tools cannot use is reported as
    # `newscorpus validate` reports it (it is part of the corpus: invalid data, exit 1).
    broken = [d for d in schema_file_diagnostics(root) if d.severity == "error"]
    if broken:
        for d in broken:
            print("\n".join(diagnostic_lines(d)), file=sys.stderr)
        print(f"newscorpus fmt: schema/ cannot be used, so no file was formatted ({len(broken)} error{'s' if len(broken) != 1 else ''} above)", file=sys.stderr)
        return EXIT_INVALID
    schemas = load_schemas(root).documents
    changed, failed, unreadable, unwritten = [], [], [], []
    for rel, kind in files:
        path = root / rel
        try:
            data = path.read_bytes()
        except OSError as exc:  # permissions, a vanished file...: the environment, not the file's content
            unreadable.append(rel)
            print(f"{rel}: error: cannot read: {exc.strerror or exc}; the file is left as it was", file=sys.stderr)
            continue
        new, problem = format_bytes(data, schemas[SCHEMA_FOR_KIND[kind]], renumbered=args.renumber and kind == "annotation")
        if problem:
            failed.append(rel)
            print(f"{rel}:{problem if problem[:1].isdigit() else ' ' + problem} (not formatted; run `newscorpus validate {rel}`)", file=sys.stderr)
            continue
        if new == data:
            continue
        if args.check:
            changed.append(rel)
            print(f"would reformat {rel}")
            continue
        try:
            atomic_write_bytes(path, new)  # keeps the file's permissions
        except OSError as exc:  # read-only folder, full disk...: the environment, not the file
            unwritten.append(rel)
            print(f"{rel}: error: cannot write: {_os_problem(exc)}; the file is left as it was", file=sys.stderr)
            continue
        changed.append(rel)
        print(f"reformatted {rel}")
    for target in ignored:
        print(f"note: {target} is not a corpus file; not formatted", file=sys.stderr)
    verb = "would reformat" if args.check else "reformatted"
    print(
        f"newscorpus fmt: {len(files)} file{'s' if len(files) != 1 else ''} checked, {len(changed)} {verb}"
        + (f", {len(failed)} not formattable" if failed else "")
        + (f", {len(unreadable)} not readable" if unreadable else "")
        + (f", {len(unwritten)} not written (left as they were)" if unwritten else ""),
        file=sys.stderr,
    )
    if unwritten or unreadable:
        return EXIT_USAGE
    if failed or (args.check and changed):
        return EXIT_INVALID
    return EXIT_OK
