"""`newscorpus span`, `newscorpus new` and `newscorpus entity`: what a contributor would
otherwise count, copy or edit by hand.

Offsets are Unicode code points into the raw file decoded as UTF-8, and the metadata records
the raw file's sha256 and sizes: numbers nobody should type. `span` finds a text and prints
its span as the canonical layout writes it; `new` writes the metadata and annotation skeletons
of a raw file already saved byte-exact in raw/.

Nothing invented: `new` fills only what the raw file and the options determine. A value only
the contributor knows is left out of the skeleton, not given a placeholder, so that
`newscorpus validate` names every one of them as a missing required key (L2-schema) until it is
filled; a placeholder that passed the schema could be forgotten and published.

`entity` searches the registry, and with --add or --alias-of edits it: the registry is read
strictly, the edit is refused when it would duplicate an entry or break the schema, and the
file is written whole in canonical layout (a temporary file, then a rename).

Exit codes: 0 done, 1 the text is not found (or the raw file cannot be decoded, for `span`; or
an entity edit is refused for the data: a taken id, a known name, a registry not strict JSON),
2 usage or environment error, including every refusal of `new` (nothing is written then).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shlex
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from newscorpus.corpus import ANNOTATION_SUFFIX, GUIDELINES_REL, META_SUFFIX, RAW_DIR, RAW_SUFFIX, REGISTRY_REL, CorpusNotFound, annotation_rel, find_root, meta_rel, raw_rel
from newscorpus.jsonio import atomic_write_text, canonical_dumps, one_line
from newscorpus.positions import LineIndex, decode_utf8, format_path, read_json_strict
from newscorpus.rules import FILE_SIZE_LIMITS, LINE_BREAKS
from newscorpus.spec import load_schemas
from newscorpus.validate import (  # the validator's own checks and tables, so that both say the same
    _FINDING_CODES,
    _QUOTE_FOLD,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    _reference_validator,
    diagnostic_lines,
    doc_id_date_fits,
    doc_id_problem,
    registry_state,
    schema_file_diagnostics,
)
from newscorpus.values import iso_date_problem

_GUIDELINES_VERSION = re.compile(r"Guidelines version \*\*([0-9]+\.[0-9]+\.[0-9]+)\*\*")
_LINE_BREAK = re.compile(f"\r\n|[{LINE_BREAKS}]")  # CR LF is one break: no blank line between them


class Refusal(Exception):
    """The command cannot go on: the message names the file; `code` is the exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


def _say(text: str, stream=None) -> None:
    """print() that survives a terminal which cannot show the text (escapes instead of a crash)."""
    stream = stream or sys.stdout
    try:
        print(text, file=stream)
    except UnicodeEncodeError:
        print(text.encode("ascii", "backslashreplace").decode("ascii"), file=stream)


def _shown(path: Path) -> str:
    """A path as messages name it: relative to the working directory when it is below it."""
    try:
        return Path(os.path.abspath(path)).relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# =============================================================================== raw text


@dataclass
class RawText:
    path: Path
    shown: str  # how messages name it
    data: bytes
    text: str


def _decode(path: Path, shown: str, data: bytes, code: int) -> str:
    """The text offsets count in; a BOM or a byte that is not UTF-8 is refused (L1-bom, L1-not-utf8)."""
    text, findings = decode_utf8(data)
    if text is None:
        finding = findings[0]
        raise Refusal(
            f"{shown}:{finding.line}:{finding.column}: {finding.message} ({_FINDING_CODES[finding.kind]}); offsets count code points of the "
            "UTF-8 text, so they are undefined here: save the article as UTF-8 without BOM",
            code,
        )
    return text


def _read(path: Path, shown: str) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise Refusal(f"{shown} is a directory, not a raw text file") from None
    except OSError as exc:
        raise Refusal(f"{shown}: cannot read: {exc.strerror or exc}") from None


def _raw_for_span(target: str, root: Path | None) -> RawText:
    """A path to a raw file, or a doc_id looked up as raw/<doc_id>.txt in the corpus."""
    path = Path(target)
    if not os.path.lexists(path):
        if os.sep in target or "/" in target or target.endswith(RAW_SUFFIX):
            raise Refusal(f"{target}: no such file")
        try:
            paths = find_root(root)
        except CorpusNotFound as exc:
            raise Refusal(f"{target} is not a file, and as a doc_id: {exc}") from None
        try:
            problem = doc_id_problem(paths.root, target)
        except (OSError, ValueError) as exc:  # schema/ unreadable: `newscorpus validate` says why
            raise Refusal(f"{target}: cannot read the DocId pattern from schema/ ({exc}); run `newscorpus validate`") from None
        if problem:
            raise Refusal(f"{target} is not a file, nor a doc_id: {problem}")
        path = paths.raw(target)
        if not os.path.lexists(path):
            raise Refusal(f"{target}: no such file, and no {raw_rel(target)} in the corpus at {paths.root}")
    if not path.name.endswith(RAW_SUFFIX) and not path.is_dir():
        # offsets count into the raw text only: offsets into an annotation or metadata file
        # would be pasted as spans and be wrong everywhere
        raise Refusal(f"{target}: span offsets count into a raw text (raw/<doc_id>.txt), not into this file"
                      + _document_hint(path, root))
    shown = _shown(path)
    data = _read(path, shown)
    return RawText(path, shown, data, _decode(path, shown, data, EXIT_INVALID))


def _document_hint(path: Path, root: Path | None) -> str:
    """'; for its document run: ...' when `path` is named as a document's metadata or
    annotation file (a doc_id the schema's pattern accepts), else nothing: a command built
    from notes.md or splits.json would only mislead."""
    if not path.name.endswith(ANNOTATION_SUFFIX):  # META_SUFFIX ends with it too
        return ""
    doc_id = path.name.removesuffix(META_SUFFIX).removesuffix(ANNOTATION_SUFFIX)
    try:
        corpus = find_root(root if root is not None else path.parent)
        if doc_id_problem(corpus.root, doc_id) is not None:
            return ""
    except (CorpusNotFound, OSError, ValueError):  # no corpus (or no readable schema) to ask
        return ""
    return f"; for its document run: newscorpus span {doc_id} TEXT"


# =============================================================================== finding text


def occurrences(text: str, needle: str) -> list[int]:
    """Every start of `needle` in `text`, overlapping ones too (each is a possible span)."""
    found, pos = [], text.find(needle)
    while pos != -1:
        found.append(pos)
        pos = text.find(needle, pos + 1)
    return found


# Letters that no Unicode decomposition takes to their plain look-alikes, as people type them
# without the special key: "Odegaard" for "Ødegaard", "Lodz" for "Łódź".
_UNDECOMPOSED = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss",
                               "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D"})


def _strip_accents(unit: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFD", unit) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", plain).translate(_UNDECOMPOSED)


# What a text typed by hand differs in from the raw text, most innocent first; each fold applies
# after the ones before it. Folding is per character with its combining marks, so a match maps
# back to raw offsets.
_FOLDS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("Unicode normalisation (the same letters composed differently: NFC vs NFD)", lambda u: unicodedata.normalize("NFC", u)),
    ("quotation marks, apostrophes or spaces (curly ’ “ ” vs straight ' \", no-break space)", lambda u: u.translate(_QUOTE_FOLD)),
    ("letter case", str.casefold),
    ("accents", _strip_accents),
)


def _units(text: str) -> list[tuple[int, int]]:
    """[start, end) of each character with the combining marks after it."""
    units, i, n = [], 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        units.append((i, j))
        i = j
    return units


def _fold(text: str, folds: list[Callable[[str], str]]) -> tuple[str, list[int], set[int]]:
    """(folded text, raw unit index of each folded character, folded offsets that begin a unit)."""
    out: list[str] = []
    owner: list[int] = []
    starts: set[int] = set()
    length = 0
    for k, (a, b) in enumerate(_units(text)):
        unit = text[a:b]
        for fold in folds:
            unit = fold(unit)
        starts.add(length)
        out.append(unit)
        owner.extend([k] * len(unit))
        length += len(unit)
    starts.add(length)
    return "".join(out), owner, starts


def near_misses(text: str, needle: str) -> tuple[str, list[tuple[int, int]]] | None:
    """Where `needle` occurs once hand-typing differences are ignored: (what differs, raw spans)."""
    units = _units(text)
    for level in range(1, len(_FOLDS) + 1):
        folds = [fold for _, fold in _FOLDS[:level]]
        folded, owner, starts = _fold(text, folds)
        wanted = _fold(needle, folds)[0]
        if not wanted:
            continue
        spans = []
        for pos in occurrences(folded, wanted):
            end = pos + len(wanted)
            if pos in starts and end in starts:  # whole characters only
                spans.append((units[owner[pos]][0], units[owner[end - 1]][1]))
        if spans:
            return _differences(text[spans[0][0] : spans[0][1]], needle, level), spans
    return None


def _differences(actual: str, needle: str, level: int) -> str:
    """Which of the first `level` folds the two strings really differ in."""
    names = []
    for i in range(level):
        others = [fold for j, (_, fold) in enumerate(_FOLDS[:level]) if j != i]
        if _fold(actual, others)[0] != _fold(needle, others)[0]:
            names.append(_FOLDS[i][0])
    return " and ".join(names or [_FOLDS[level - 1][0]])


def not_found_message(raw: RawText, needle: str, command: str) -> str:
    """`needle` does not occur: say so, and where it nearly does (the raw text is never edited);
    `command` is what to type before the text as written."""
    message = f"{_q(needle)} does not occur in {raw.shown}"
    near = near_misses(raw.text, needle)
    if near is None:
        return message + "; copy the text from the raw file (it is never edited: typos, curly quotes and all stay)"
    what, spans = near
    start, end = spans[0]
    line, column = LineIndex(raw.text).line_col(start)
    actual = raw.text[start:end]
    more = f" (and {_plural(len(spans) - 1, 'other place')})" if len(spans) > 1 else ""
    return (
        f"{message}; it differs only in {what} from {_q(actual)} at [{start}, {end}), line {line}, column {column}{more}. "
        f"The raw text is never edited, so ask for it as written: {command} {shlex.quote(actual)}"
    )


def _q(text: str) -> str:
    return one_line(text).encode("utf-8", "backslashreplace").decode("utf-8")


def find_span(raw: RawText, needle: str, what: str) -> dict:
    """The first occurrence of `needle` as a span; Refusal (exit 2) naming the option when absent."""
    if not needle.strip():
        raise Refusal(f"{what}: the text is empty or only whitespace; a span holds at least one non-space code point")
    found = occurrences(raw.text, needle)
    if not found:
        raise Refusal(f"{what}: {not_found_message(raw, needle, what)}")
    start = found[0]
    if len(found) > 1:
        line, column = LineIndex(raw.text).line_col(start)
        _say(f"note: {what} {_q(needle)} occurs {len(found)} times in {raw.shown}; the first, at line {line}, column {column}, is used "
             f"(`newscorpus span {raw.path.name[: -len(RAW_SUFFIX)]} {shlex.quote(needle)} --all` lists them)", sys.stderr)
    return {"start": start, "end": start + len(needle), "text": raw.text[start : start + len(needle)]}


# =============================================================================== span


def configure_span(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="RAW_FILE_OR_DOC_ID", help="a raw text file, or a doc_id (raw/<doc_id>.txt in the corpus)")
    parser.add_argument("text", metavar="TEXT", help="the text to find, exactly as the raw file has it")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--nth", type=int, default=1, metavar="N", help="the Nth occurrence (default 1), counted from --after")
    which.add_argument("--all", action="store_true", help="every occurrence, one line each")
    parser.add_argument("--after", type=int, default=0, metavar="OFFSET", help="only occurrences starting at or after this code-point offset")
    parser.add_argument("--before", type=int, default=None, metavar="OFFSET",
                        help="only occurrences ending at or before this offset (with --after: inside a span, e.g. a quote's cue: --after START --before END of the sentence)")
    parser.add_argument("--root", type=Path, default=None, help="corpus root for a doc_id (default: found at or above the working directory)")


def run_span(args: argparse.Namespace) -> int:
    """Print the chosen occurrence(s) as canonical span lines; where they are goes to stderr."""
    if not args.text:
        _say("newscorpus span: TEXT is empty; a span has at least one code point", sys.stderr)
        return EXIT_USAGE
    if args.nth < 1 or args.after < 0 or (args.before is not None and args.before <= args.after):
        problem = "--nth must be at least 1" if args.nth < 1 else "--after must not be negative" if args.after < 0 else "--before must be greater than --after"
        _say(f"newscorpus span: {problem}", sys.stderr)
        return EXIT_USAGE
    try:
        raw = _raw_for_span(args.target, args.root)
    except Refusal as exc:
        _say(f"newscorpus span: {exc}", sys.stderr)
        return exc.code
    if args.text != args.text.strip():
        _say("note: TEXT starts or ends with whitespace, which no span may (L3-span-whitespace)", sys.stderr)
    found = occurrences(raw.text, args.text)
    after = [s for s in found if s >= args.after and (args.before is None or s + len(args.text) <= args.before)]
    bounded = bool(args.after) or args.before is not None
    where = (f" at or after offset {args.after}" if args.after else "") + (f"{' and' if args.after else ''} ending by offset {args.before}" if args.before is not None else "")
    if not found:
        _say(f"newscorpus span: {not_found_message(raw, args.text, 'newscorpus span ' + shlex.quote(args.target))}", sys.stderr)
        return EXIT_INVALID
    lines = LineIndex(raw.text)
    listing = ", ".join(f"{s} (line {lines.line_col(s)[0]})" for s in found[:10]) + (", …" if len(found) > 10 else "")
    if args.all:
        chosen = list(range(len(after)))  # indices into `after`
    elif args.nth <= len(after):
        chosen = [args.nth - 1]
    else:
        chosen = []
    if not chosen:
        some = f", {len(after)} of them{where}" if bounded else ""
        _say(f"newscorpus span: {_q(args.text)} occurs {_plural(len(found), 'time')} in {raw.shown} (at offsets {listing}){some}, "
             f"so there is no {_ordinal(args.nth)}", sys.stderr)
        return EXIT_INVALID
    for i in chosen:
        start = after[i]
        span = {"start": start, "end": start + len(args.text), "text": raw.text[start : start + len(args.text)]}
        try:
            print(one_line(span))
        except UnicodeEncodeError:  # a terminal that cannot show the text: the same JSON, escaped
            print(json.dumps(span, ensure_ascii=True, separators=(", ", ": ")))
        line, column = lines.line_col(start)
        rank = f" (the {_ordinal(i + 1)}{where})" if bounded else ""
        _say(f"{raw.shown}:{line}:{column}: occurrence {found.index(start) + 1} of {len(found)}{rank}", sys.stderr)
    return EXIT_OK


# =============================================================================== new


def propose_zones(text: str) -> list[dict]:
    """One zone per block of non-blank lines, trimmed to its first and last non-blank character
    (guidelines section 1); the type is the contributor's to give, so it is left out."""
    zones: list[dict] = []
    block: list[int] | None = None  # [start, end) of the block so far
    line_start = 0
    breaks = [(m.start(), m.end()) for m in _LINE_BREAK.finditer(text)] + [(len(text), len(text))]
    for brk_start, brk_end in breaks:
        line = text[line_start:brk_start]
        if line.strip():
            first = line_start + len(line) - len(line.lstrip())
            last = line_start + len(line.rstrip())
            block = [block[0] if block else first, last]
        elif block:
            zones.append(block)
            block = None
        line_start = brk_end
    if block:
        zones.append(block)
    return [{"id": f"z{i}", "start": a, "end": b, "text": text[a:b]} for i, (a, b) in enumerate(zones, 1)]


def guidelines_version(root: Path) -> str | None:
    """The version annotated/GUIDELINES.md declares (a new annotation follows the current text)."""
    try:
        head = (root / GUIDELINES_REL).read_text("utf-8")[:4000]
    except (OSError, UnicodeDecodeError):
        return None
    match = _GUIDELINES_VERSION.search(head)
    return match.group(1) if match else None


def configure_new(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("raw_file", type=Path, metavar="RAW_FILE", help="raw/<doc_id>.txt, saved byte-exact (UTF-8, no BOM)")
    parser.add_argument("--title", metavar="TEXT", help="the title as printed: found in the text, its first occurrence becomes the title span")
    parser.add_argument("--evidence", metavar="TEXT", action="append", default=[], help="text that dates the article (repeatable): found like --title, recorded as publication_date evidence")
    parser.add_argument("--publication-date", metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD; also the annotation's temporal anchor value")
    parser.add_argument("--publisher", metavar="NAME", help="the publisher's name")
    parser.add_argument("--publisher-entity-id", metavar="ID", help="the publisher's id in annotated/entity_registry.json")
    parser.add_argument("--language", metavar="TAG", help="BCP 47 language tag, e.g. en")
    parser.add_argument("--original-filename", metavar="NAME", help="the file name the article was collected as")
    parser.add_argument("--annotator", metavar="ID", help="who annotates it: recorded as the first_pass annotator, status single_pass")
    parser.add_argument("--root", type=Path, default=None, help="corpus root (default: found at or above RAW_FILE)")


def _raw_for_new(target: Path, root_opt: Path | None) -> tuple[Path, str, RawText]:
    """(corpus root, doc_id, raw text) of a raw file saved in the corpus's raw/ folder."""
    if not os.path.lexists(target):
        raise Refusal(f"{target}: no such file (save the article as raw/<doc_id>.txt first)")
    try:
        root = find_root(root_opt if root_opt is not None else Path(os.path.abspath(target)).parent).root.resolve()
    except CorpusNotFound as exc:
        raise Refusal(str(exc)) from None
    absolute = Path(os.path.abspath(target))
    if absolute.parent.resolve() != root / RAW_DIR or not absolute.name.endswith(RAW_SUFFIX):
        raise Refusal(f"{target}: the article must be saved as {RAW_DIR}/<doc_id>{RAW_SUFFIX} in the corpus at {root}")
    shown = f"{RAW_DIR}/{absolute.name}"
    broken = [d for d in schema_file_diagnostics(root) if d.severity == "error"]
    if broken:
        raise Refusal("\n".join(line for d in broken for line in diagnostic_lines(d)) + "\nschema/ cannot be used", EXIT_INVALID)
    doc_id = absolute.name[: -len(RAW_SUFFIX)]
    problem = doc_id_problem(root, doc_id)
    if problem:
        raise Refusal(f"{shown}: {_q(doc_id)} is not a safe document id (L6-unsafe-doc-id): {problem}; rename the file to "
                      f"{RAW_DIR}/<publisher>_<date>_<slug>{RAW_SUFFIX}, e.g. trtworld_2020-12-30_turkey-us-talks{RAW_SUFFIX}")
    existing = [rel for rel in (meta_rel(doc_id), annotation_rel(doc_id)) if os.path.lexists(root / rel)]
    if existing:
        raise Refusal(f"{' and '.join(existing)} already exist{'s' if len(existing) == 1 else ''}: `new` never overwrites a file "
                      "(edit the file, or delete it to start again)")
    data = _read(absolute, shown)
    if not data:
        raise Refusal(f"{shown} is empty (L1-empty-file): save the article's text first")
    if len(data) > FILE_SIZE_LIMITS["raw"]:
        raise Refusal(f"{shown} is {len(data):,} bytes; a raw file may be at most {FILE_SIZE_LIMITS['raw']:,} (L1-file-too-large)")
    return root, doc_id, RawText(absolute, shown, data, _decode(absolute, shown, data, EXIT_USAGE))


def skeletons(root: Path, doc_id: str, raw: RawText, args: argparse.Namespace) -> tuple[dict, dict, dict[tuple, str]]:
    """(metadata, annotation, JSON path -> option that filled it): computed values and given ones only."""
    vocabulary = load_schemas(root).documents["vocabulary"]
    version = vocabulary["$defs"]["SchemaVersion"]["const"]
    sha256 = hashlib.sha256(raw.data).hexdigest()
    given: dict[tuple, str] = {}
    meta: dict[str, Any] = {
        "schema_version": version,
        "doc_id": doc_id,
        "sha256": sha256,
        "size_bytes": len(raw.data),
        "size_codepoints": len(raw.text),
        "encoding": load_schemas(root).documents["metadata"]["properties"]["encoding"]["const"],
    }
    for key, option in (("original_filename", "original_filename"), ("language", "language")):
        if getattr(args, option) is not None:
            meta[key] = getattr(args, option)
            given[(key,)] = f"--{option.replace('_', '-')}"
    publisher = {}
    if args.publisher is not None:
        publisher["name"], given[("publisher", "name")] = args.publisher, "--publisher"
    if args.publisher_entity_id is not None:
        labels = registry_state(root, REGISTRY_REL).labels
        if labels is not None and args.publisher_entity_id not in labels:
            raise Refusal(f"--publisher-entity-id {_q(args.publisher_entity_id)} is not in {REGISTRY_REL} (L4-unknown-entity-id): add the "
                          f"publisher first (`newscorpus entity NAME` searches the registry, `--add` adds an entry), or leave the option out")
        publisher["entity_id"], given[("publisher", "entity_id")] = args.publisher_entity_id, "--publisher-entity-id"
    if publisher:
        meta["publisher"] = publisher
    if args.title is not None:
        meta["title"], given[("title",)] = find_span(raw, args.title, "--title"), "--title"
    dated: dict[str, Any] = {}
    if args.publication_date is not None:
        problem = iso_date_problem(args.publication_date)
        if problem:
            raise Refusal(f"--publication-date {_q(args.publication_date)}: {problem}")
        parts = doc_id.split("_")
        if len(parts) >= 3 and not doc_id_date_fits(parts[1], args.publication_date, args.publication_date):  # as L5-doc-id-date judges
            doc_date = parts[1]
            fixed = "_".join([parts[0], args.publication_date[:len(doc_date)], *parts[2:]])
            raise Refusal(f"--publication-date {args.publication_date} does not fit the date {_q(doc_date)} in the doc_id (L5-doc-id-date): "
                          f"rename the raw file to {RAW_DIR}/{fixed}{RAW_SUFFIX} now, before anything refers to it, or correct the option")
        dated["value"], given[("publication_date", "value")] = args.publication_date, "--publication-date"
    if args.evidence:
        dated["evidence"] = [find_span(raw, text, "--evidence") for text in args.evidence]
        given[("publication_date", "evidence")] = "--evidence"
    if dated:
        meta["publication_date"] = dated
    ann: dict[str, Any] = {"schema_version": version}
    guidelines = guidelines_version(root)
    if guidelines is not None:
        ann["guidelines_version"] = guidelines
    ann.update(doc_id=doc_id, raw_sha256=sha256)
    if args.annotator is not None:
        ann["annotators"], ann["status"] = [{"id": args.annotator, "role": "first_pass"}], "single_pass"
        given[("annotators",)] = "--annotator"
    if args.publication_date is not None:
        ann["temporal_anchor"] = {"value": args.publication_date}  # the basis is the contributor's to state
    ann["zones"] = propose_zones(raw.text)
    for layer in ("entities", "quotes", "dates", "numeric_claims"):
        ann[layer] = []
    return meta, ann, given


def _schema_findings(root: Path, kind: str, data: dict) -> tuple[list[str], list[tuple[tuple, str]]]:
    """(missing required keys as JSON paths, other violations as (path, message))."""
    missing, wrong = [], []
    for error in _reference_validator(str(root), kind).iter_errors(data):
        if error.validator == "required":
            for key in error.validator_value:
                if isinstance(error.instance, dict) and key not in error.instance:
                    missing.append(format_path(tuple(error.absolute_path) + (key,)))
        else:
            wrong.append((tuple(error.absolute_path), error.message))
    return list(dict.fromkeys(missing)), wrong  # jsonschema reports a required error per missing key


def _collapse(paths: list[str]) -> list[str]:
    """$.zones[3].type for every zone -> one entry `zones[*].type (12)`; order kept."""
    counts: dict[str, int] = {}
    for path in paths:
        key = re.sub(r"\[[0-9]+\]", "[*]", path).removeprefix("$.")
        counts[key] = counts.get(key, 0) + 1
    return [key + (f" ({n})" if n > 1 else "") for key, n in counts.items()]


def run_new(args: argparse.Namespace) -> int:
    """Write the two skeletons, or nothing; then say what is left to fill and what to run."""
    try:
        root, doc_id, raw = _raw_for_new(args.raw_file, args.root)
        meta, ann, given = skeletons(root, doc_id, raw, args)
        findings = {rel: _schema_findings(root, kind, data) for rel, kind, data in ((meta_rel(doc_id), "metadata", meta), (annotation_rel(doc_id), "annotation", ann))}
        for rel, (_, wrong) in findings.items():
            for path, message in wrong:
                option = next((given[path[:n]] for n in range(len(path), 0, -1) if path[:n] in given), None)
                raise Refusal(f"{option or format_path(path)}: {message} ({rel} would not match its schema)")
        schemas = load_schemas(root).documents
        texts = {meta_rel(doc_id): canonical_dumps(meta, schemas["metadata"]), annotation_rel(doc_id): canonical_dumps(ann, schemas["annotation"])}
    except Refusal as exc:
        _say(f"newscorpus new: {exc}; nothing was written", sys.stderr)
        return exc.code
    written: list[Path] = []
    for rel, text in texts.items():
        try:
            atomic_write_text(root / rel, text)
        except OSError as exc:
            for path in written:  # both files or neither: a half-made pair would only confuse
                path.unlink(missing_ok=True)
            _say(f"newscorpus new: cannot write {rel}: {exc.strerror or exc}; nothing was written", sys.stderr)
            return EXIT_USAGE
        written.append(root / rel)
    zones = len(ann["zones"])
    _say(f"wrote {meta_rel(doc_id)}: sha256, size_bytes {len(raw.data)}, size_codepoints {len(raw.text)}"
         + "".join(f", {option.lstrip('-')}" for option in dict.fromkeys(v for k, v in given.items() if k[0] != "annotators")))
    filled = ["raw_sha256"] + [f"{key} {value}" for key, value in (("guidelines_version", ann.get("guidelines_version")), ("status", ann.get("status"))) if value]
    filled += ["annotators"] * ("annotators" in ann) + ["temporal_anchor.value"] * ("temporal_anchor" in ann)
    _say(f"wrote {annotation_rel(doc_id)}: {', '.join(filled)}, {_plural(zones, 'zone')} proposed (one per block of non-blank lines), empty layers")
    _say("left to fill (`newscorpus validate` names each as a missing required key until it is filled):")
    for rel, (missing, _) in findings.items():
        if missing:
            _say(f"  {rel}: {', '.join(_collapse(missing))}")
    if zones:
        _say("  zones: give each a type; split a block that holds several zones (a dateline above a headline) and merge "
             "consecutive blocks of one zone (body paragraphs), keeping whole lines")
    _say(f"then annotate by {GUIDELINES_REL} (`newscorpus span {doc_id} TEXT` gives the offsets of any text), and run:")
    _say(f"  newscorpus validate {shlex.quote(_shown(raw.path))}")
    return EXIT_OK


# =============================================================================== entity


def _loose(text: str) -> str:
    """`text` with every fold applied (normalisation, quotation marks, case, accents): what a
    search of the registry should ignore."""
    return _fold(text, [fold for _, fold in _FOLDS])[0]


def suggested_id(name: str) -> str:
    """A registry id for a new entry, by the guidelines' rule (§2): lower-case ASCII words of
    the name joined by '-' (accents dropped, ø → o, æ → ae)."""
    return "-".join(re.findall(r"[a-z0-9]+", _loose(name).encode("ascii", "ignore").decode("ascii")))


def configure_entity(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", metavar="TEXT",
                        help="a name, alias or id, or part of one, to search for; with --add the new entry's name; with --alias-of a spelling, exactly as the article writes it")
    parser.add_argument("--root", type=Path, default=None, help="corpus root (default: found at or above the working directory)")
    edit = parser.add_mutually_exclusive_group()
    edit.add_argument("--add", action="store_true", help="add an entry named TEXT (needs --label and --description); its id is the guidelines' (§2) unless --id gives one")
    edit.add_argument("--alias-of", metavar="ID", help="add TEXT to the aliases of the entry ID (what L6-alias-missing asks for)")
    parser.add_argument("--label", help="with --add: the entry's label (the entity labels of schema/vocabulary.schema.json)")
    parser.add_argument("--description", help="with --add: enough to tell the referent apart, as of the articles' time")
    parser.add_argument("--id", dest="entity_id", metavar="ID", help="with --add: the id, when the guidelines' rule gives none or a taken one")
    parser.add_argument("--alias", action="append", default=[], metavar="SPELLING", help="with --add: a spelling the articles use (repeatable)")


def run_entity(args: argparse.Namespace) -> int:
    """Search the entity registry before adding an entry (guidelines §2): every entry whose id,
    name or an alias holds TEXT, ignoring case, accents and quotation-mark style."""
    if not args.text.strip():
        _say("newscorpus entity: TEXT is empty", sys.stderr)
        return EXIT_USAGE
    try:
        paths = find_root(args.root)
    except CorpusNotFound as exc:
        _say(f"newscorpus entity: {exc}", sys.stderr)
        return EXIT_USAGE
    registry_path = paths.registry
    add_only = [opt for opt, given in (("--label", args.label is not None), ("--description", args.description is not None),
                                        ("--id", args.entity_id is not None), ("--alias", bool(args.alias))) if given]
    if add_only and not args.add:
        _say(f"newscorpus entity: {', '.join(add_only)} go{'es' if len(add_only) == 1 else ''} with --add only", sys.stderr)
        return EXIT_USAGE
    if args.add or args.alias_of is not None:
        try:
            return _edit_registry(args, paths.root, registry_path)
        except Refusal as refusal:
            _say(f"newscorpus entity: {refusal}", sys.stderr)
            return refusal.code
    try:  # a search reads loosely: it helps even while the registry has a problem validate reports
        entries = json.loads(registry_path.read_bytes().decode("utf-8"))["entities"]
        rows = [(str(e["id"]), str(e["label"]), str(e["name"]), _aliases_as_read(e.get("aliases"))) for e in entries]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        _say(f"newscorpus entity: {_shown(registry_path)} cannot be read as a registry ({type(exc).__name__}); run `newscorpus validate {_shown(registry_path)}`", sys.stderr)
        return EXIT_INVALID
    needle = _loose(args.text.strip())
    ranked = sorted(((rank, r) for r in rows if (rank := _match_rank(needle, r)) is not None), key=lambda pair: pair[0])
    found = [r for _, r in ranked]  # stable: registry order within a rank
    for eid, label, name, aliases in found:
        _say(f"{eid}  {label}  {name}" + (f"  (aliases: {', '.join(aliases)})" if aliases else ""))
    if not found:
        _say(f"newscorpus entity: no registry entry matches {_q(args.text)}; a new entry's id by the guidelines (§2) would be "
             f"{suggested_id(args.text)!r} if {_q(args.text)} is the referent's full English name", sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def _match_rank(needle: str, row: tuple) -> int | None:
    """0: the id, name or an alias is TEXT itself; 1: one of its words is; 2: TEXT is inside
    one; None: no match. `entity US` lists United States before every name that merely holds
    the letters."""
    spellings = [_loose(s) for s in (row[0], row[2], *row[3])]
    if needle in spellings:
        return 0
    if not any(needle in s for s in spellings):
        return None
    as_words = re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)")
    return 1 if any(as_words.search(s) for s in spellings) else 2


def _aliases_as_read(aliases: Any) -> list[str]:
    """A loosely read entry's aliases as a list of strings: a lone string (against the schema,
    which validate reports) is one alias, not a sequence of letters to search one by one."""
    if aliases is None:
        return []
    if isinstance(aliases, str):
        return [aliases]
    if isinstance(aliases, list):
        return [str(a) for a in aliases]
    return [str(aliases)]


def _edit_registry(args: argparse.Namespace, root: Path, registry_path: Path) -> int:
    """Add an entry or an alias, then write the registry in canonical layout (atomically).
    The registry is read strictly first: an edit must not carry a duplicate key or a syntax
    error along, nor drop anything it did not understand."""
    shown = _shown(registry_path)
    registry = read_for_edit(root, registry_path, shown, "entity_registry", unreadable=EXIT_INVALID)  # every entry a dict of the schema's shape
    entries = registry["entities"]
    text = args.text
    if not text.strip() or text != text.strip():
        raise Refusal(f"TEXT {_q(text)} is empty or has spaces around it; give the name or spelling exactly")
    if args.add:
        entry, note = _new_entry(args, root, entries)
        ids = [e["id"] for e in entries]
        at = len(entries)
        if ids == sorted(ids):  # keep a sorted registry sorted
            at = next((n for n, i in enumerate(ids) if i > entry["id"]), len(entries))
        entries.insert(at, entry)
        done = f"added {entry['id']} ({entry['label']}, {_q(entry['name'])}) to {shown}"
        after = [f"link its mentions with \"entity_id\": \"{entry['id']}\" (L6-unused-registry-entry warns until one does)"]
    else:
        target = next((e for e in entries if e["id"] == args.alias_of), None)
        if target is None:
            near = [e["id"] for e in entries if _loose(args.alias_of) in _loose(e["id"])]
            raise Refusal(f"no entry {_q(args.alias_of)} in {shown}" + (f"; did you mean {', '.join(near)}?" if near else
                          f"; `newscorpus entity {shlex.quote(args.alias_of)}` searches names and aliases"), EXIT_INVALID)
        aliases = target.setdefault("aliases", [])
        if text in aliases:
            _say(f"{_q(text)} is already an alias of {args.alias_of}; {shown} is unchanged")
            return EXIT_OK
        aliases.append(text)
        others = [e["id"] for e in entries if e["id"] != args.alias_of and text in e.get("aliases", ())]
        note = f"note: {_q(text)} is also an alias of {', '.join(others)}; a linker will need the context to choose" if others else None
        done = f"added the alias {_q(text)} to {args.alias_of} in {shown}"
        after = []
    check_edit_schema(root, "entity_registry", registry, shown)
    try:
        atomic_write_text(registry_path, canonical_dumps(registry, load_schemas(root).documents["entity_registry"]))
    except OSError as exc:  # read-only folder, full disk: the environment; the file is as it was
        raise Refusal(f"{shown}: cannot write: {exc.strerror or exc}; the registry is left as it was", EXIT_USAGE) from None
    _say(done)
    if note:
        _say(note, sys.stderr)
    for line in after:
        _say(f"next: {line}")
    _say(f"then: newscorpus validate {shlex.quote(shown)}")
    return EXIT_OK


def _new_entry(args: argparse.Namespace, root: Path, entries: list) -> tuple[dict, str | None]:
    """The entry --add describes, refused when it would duplicate one already there."""
    if args.label is None or args.description is None:
        raise Refusal("--add needs --label and --description (the registry requires both)")
    labels = load_schemas(root).vocabulary.entity_labels
    if args.label not in labels:
        raise Refusal(f"--label {_q(args.label)} is not an entity label; the labels are: {', '.join(labels)}")
    if not args.description.strip():
        raise Refusal("--description is empty; say enough to tell the referent apart")
    entity_id = args.entity_id if args.entity_id is not None else suggested_id(args.text)
    if not entity_id:
        raise Refusal(f"{_q(args.text)} gives no id by the guidelines' rule (no Latin letters or digits); give one with --id (guidelines §2)")
    taken = next((e for e in entries if e["id"] == entity_id), None)
    if taken is not None and args.text in (taken["name"], *taken.get("aliases", ())):
        raise Refusal(f"{entity_id} ({_q(taken['name'])}) is already in the registry with this spelling: link the mention with "
                      f"\"entity_id\": \"{entity_id}\"; nothing to add (if it is another referent with the same name, give it "
                      "its own id with --id)", EXIT_INVALID)
    if taken is not None:
        raise Refusal(f"the id {entity_id} is taken by {_q(taken['name'])}; if that is the same referent, add the spelling with "
                      f"`newscorpus entity {shlex.quote(args.text)} --alias-of {entity_id}`, else choose another id with --id", EXIT_INVALID)
    loose = {_loose(args.text), *map(_loose, args.alias)}
    same = [e for e in entries if loose & {_loose(s) for s in (e["name"], *e.get("aliases", ()))}]
    if same and args.entity_id is None:
        found = ", ".join(f"{e['id']} ({_q(e['name'])})" for e in same)
        raise Refusal(f"{found} already has this name or spelling; for the same referent use --alias-of, for another one with the same "
                      "name give it its own id with --id", EXIT_INVALID)
    if len(set(args.alias)) != len(args.alias):
        raise Refusal("an --alias is given twice")
    entry = {"id": entity_id, "label": args.label, "name": args.text, "description": args.description}
    if args.alias:
        entry["aliases"] = list(args.alias)
    note = None
    if same:
        note = "note: " + ", ".join(e["id"] for e in same) + " has the same name or a spelling of it; the description must tell them apart"
    return entry, note


def read_for_edit(root: Path, path: Path, shown: str, kind: str, unreadable: int) -> Any:
    """A corpus JSON file that a command is about to edit (the registry, the split policy), read
    strictly and checked against its schema: an edit must not carry a duplicate key or a syntax
    error along, nor drop anything it did not understand. `unreadable`: the exit code when the
    file cannot be read at all."""
    try:
        read = read_json_strict(path.read_bytes())
    except OSError as exc:
        raise Refusal(f"{shown}: cannot read: {exc.strerror or exc}", unreadable) from None
    if read.findings:
        finding = read.findings[0]
        raise Refusal(f"{shown}:{finding.line}:{finding.column}: {finding.message}; fix it first (`newscorpus validate {shown}`)", EXIT_INVALID)
    check_edit_schema(root, kind, read.data, shown, before_edit=True)
    return read.data


def check_edit_schema(root: Path, kind: str, data: Any, shown: str, before_edit: bool = False) -> None:
    """Refuse to edit a file that is against its schema (a registry's `aliases` a string), or an
    edit that would leave it so (an id the pattern refuses, an empty alias), naming the place;
    nothing is written then."""
    errors = sorted(_reference_validator(str(root), kind).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        first = errors[0]
        if before_edit:
            raise Refusal(f"{shown}: {format_path(tuple(first.absolute_path))}: {first.message}; fix it first (`newscorpus validate {shown}`)", EXIT_INVALID)
        raise Refusal(f"{shown}: {format_path(tuple(first.absolute_path))}: {first.message} (nothing was written)", EXIT_INVALID)
