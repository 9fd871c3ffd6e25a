"""Where things live in a corpus checkout, and how to find the documents in it.

Layout (one obvious place for each thing):
    raw/<doc_id>.txt                 the article, byte-exact as collected
    raw/<doc_id>.meta.json           its provenance (schema/metadata.schema.json)
    annotated/<doc_id>.json          the gold annotation (schema/annotation.schema.json)
    annotated/entity_registry.json   corpus-wide entities (schema/entity-registry.schema.json)
    annotated/splits.json            split policy and pinned assignments (schema/splits.schema.json)
    annotated/passes/<annotator>/    each annotator's blind pass, same format as the gold
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

RAW_DIR = "raw"
ANNOTATED_DIR = "annotated"
PASSES_DIR = "passes"
RAW_SUFFIX = ".txt"
META_SUFFIX = ".meta.json"
ANNOTATION_SUFFIX = ".json"
REGISTRY_FILE = "entity_registry.json"
SPLITS_FILE = "splits.json"
RESERVED_ANNOTATED_FILES = frozenset({REGISTRY_FILE, SPLITS_FILE})
# Paths relative to the corpus root, as every message, report and manifest names them.
CARD_TEMPLATE = "DATASET_CARD.md"  # the dataset card template the build renders
# What the corpus is made of: no output (a report, a build) may be written inside these
# folders or over these files. The agreement report is the one generated file among them.
SOURCE_DIRS = (RAW_DIR, ANNOTATED_DIR, "schema", "scripts", ".git")
SOURCE_FILES = (CARD_TEMPLATE, "README.md", "pyproject.toml")
REGISTRY_REL = f"{ANNOTATED_DIR}/{REGISTRY_FILE}"
SPLITS_REL = f"{ANNOTATED_DIR}/{SPLITS_FILE}"
AGREEMENT_REL = f"{ANNOTATED_DIR}/{PASSES_DIR}/agreement.json"
GUIDELINES_REL = f"{ANNOTATED_DIR}/GUIDELINES.md"
ADJUDICATION_REL = f"{ANNOTATED_DIR}/ADJUDICATION.md"
# Published with the data, at the same paths, so that the dataset card's references to them
# resolve in the dataset folder too: how to annotate, what was decided, the split policy, the
# schemas (with every label's meaning): these, plus every file of spec.SCHEMA_FILES. The prose
# documents are the same for any corpus made by these guidelines; a whole-corpus validation
# requires all three (L6-missing-file).
PUBLISHED_PROSE = (GUIDELINES_REL, ADJUDICATION_REL)
PUBLISHED_DOCUMENTATION = (*PUBLISHED_PROSE, SPLITS_REL)


def copy_published_prose(source_root: Path, target_root: Path) -> None:
    """The guidelines and the adjudication record of one corpus into another: a synthetic or
    test corpus follows the repository's, and a whole-corpus validation requires them."""
    import shutil

    for rel in PUBLISHED_PROSE:
        (target_root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source_root / rel, target_root / rel)


def raw_rel(doc_id: str) -> str:
    return f"{RAW_DIR}/{doc_id}{RAW_SUFFIX}"


def meta_rel(doc_id: str) -> str:
    return f"{RAW_DIR}/{doc_id}{META_SUFFIX}"


def registry_rel(annotator: str | None = None) -> str:
    """The gold registry, or the one an annotator's pass keeps beside its annotations."""
    if annotator is None:
        return REGISTRY_REL
    return f"{ANNOTATED_DIR}/{PASSES_DIR}/{annotator}/{REGISTRY_FILE}"


def annotation_rel(doc_id: str, annotator: str | None = None) -> str:
    """The gold annotation, or an annotator's pass when `annotator` is given."""
    if annotator is None:
        return f"{ANNOTATED_DIR}/{doc_id}{ANNOTATION_SUFFIX}"
    return f"{ANNOTATED_DIR}/{PASSES_DIR}/{annotator}/{doc_id}{ANNOTATION_SUFFIX}"


class CorpusNotFound(Exception):
    """Raised when no corpus root (a folder with schema/ and raw/) can be found."""


@dataclass(frozen=True)
class CorpusPaths:
    root: Path

    @property
    def raw_dir(self) -> Path:
        return self.root / RAW_DIR

    @property
    def annotated_dir(self) -> Path:
        return self.root / ANNOTATED_DIR

    @property
    def schema_dir(self) -> Path:
        return self.root / "schema"

    @property
    def registry(self) -> Path:
        return self.root / REGISTRY_REL

    @property
    def splits(self) -> Path:
        return self.root / SPLITS_REL

    @property
    def passes_dir(self) -> Path:
        return self.annotated_dir / PASSES_DIR

    def raw(self, doc_id: str) -> Path:
        return self.root / raw_rel(doc_id)

    def meta(self, doc_id: str) -> Path:
        return self.root / meta_rel(doc_id)

    def annotation(self, doc_id: str) -> Path:
        return self.root / annotation_rel(doc_id)

    def raw_doc_ids(self) -> list[str]:
        """Doc ids with a raw text file, sorted (sorted order keeps every output deterministic)."""
        return sorted(_ids_in(self.raw_dir, RAW_SUFFIX))

    def meta_doc_ids(self) -> list[str]:
        return sorted(_ids_in(self.raw_dir, META_SUFFIX))

    def annotation_doc_ids(self) -> list[str]:
        return sorted(_ids_in(self.annotated_dir, ANNOTATION_SUFFIX, files_only=True, reserved=RESERVED_ANNOTATED_FILES))

    def all_doc_ids(self) -> list[str]:
        found = set(_ids_in(self.raw_dir, RAW_SUFFIX))
        found.update(_ids_in(self.raw_dir, META_SUFFIX))
        found.update(_ids_in(self.annotated_dir, ANNOTATION_SUFFIX, files_only=True, reserved=RESERVED_ANNOTATED_FILES))
        return sorted(found)


def _ids_in(folder: Path, suffix: str, files_only: bool = False, reserved: frozenset[str] | set[str] = frozenset()) -> Iterator[str]:
    """Doc ids of the names in `folder` ending in `suffix`, one at a time (os.scandir: no stat
    per file where the file system reports the type, no Path object per name). `files_only`
    leaves out folders; a name that cannot be examined (a dangling link, a link loop) is kept,
    so that the validator reports it as unreadable instead of passing over it."""
    try:
        entries = os.scandir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    with entries:
        for entry in entries:
            name = entry.name
            if name.endswith(suffix) and name not in reserved and not (files_only and _is_folder(entry)):
                yield name[: -len(suffix)]


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def is_corpus_root(path: Path) -> bool:
    return (path / "schema" / "vocabulary.schema.json").is_file() and (path / RAW_DIR).is_dir()


def find_root(start: str | Path | None = None) -> CorpusPaths:
    """The corpus root at or above `start` (default: the working directory)."""
    here = Path(start or Path.cwd()).resolve()
    if here.is_file():
        here = here.parent
    for candidate in (here, *here.parents):
        if is_corpus_root(candidate):
            return CorpusPaths(candidate)
    raise CorpusNotFound(
        f"no corpus found at or above {here}: a corpus root holds schema/vocabulary.schema.json and raw/"
    )


def source_problem(path: str | Path, allowed: tuple[str, ...] = ()) -> str | None:
    """Why writing `path` would replace a file a corpus is made of (None: it would not). The
    corpus is the one the path lands in, links followed; `allowed`: files relative to its root
    that this command generates (the agreement report)."""
    real = Path(os.path.realpath(path))
    for root in real.parents:
        if is_corpus_root(root):
            break
    else:
        return None
    rel = real.relative_to(root)
    if rel.as_posix() in allowed:
        return None
    if rel.parts[0] in SOURCE_DIRS:
        return f"{path} is inside the corpus's {rel.parts[0]}/ folder ({root}): an output must not replace the files the corpus is made of"
    if len(rel.parts) == 1 and rel.parts[0] in SOURCE_FILES:
        return f"{path} is the corpus's {rel.parts[0]} ({root}): an output must not replace it"
    return None


def read_raw_text(path: Path) -> str:
    """Decode a raw file strictly; offsets are code points into exactly this string."""
    return path.read_bytes().decode("utf-8")
