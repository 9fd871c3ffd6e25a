"""The shapes passed between validate, build and agreement: the contract between modules.

Per-document work is a pure function (document in, `DocumentResult` out) so it can run in a
process pool today and on a distributed engine later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from newscorpus.corpus import ANNOTATED_DIR, PASSES_DIR

Severity = Literal["error", "warning"]
_PASS_PREFIX = f"{ANNOTATED_DIR}/{PASSES_DIR}/"


@dataclass(frozen=True)
class Diagnostic:
    """One finding: which rule, where, and what to do about it."""

    code: str  # stable rule code, e.g. "L3-span-text-mismatch" (see newscorpus.rules)
    severity: Severity
    path: str  # file path relative to the corpus root, '/' separated
    message: str  # one line a contributor understands without reading the code
    line: int | None = None  # 1-based line in `path`
    column: int | None = None  # 1-based column in `path`
    json_path: str | None = None  # e.g. "$.entities[3].end"
    span: tuple[int, int] | None = None  # [start, end) in the raw text, when the finding is about a span
    hint: str | None = None  # how to fix, when the fix is known

    def sort_key(self) -> tuple:
        return (self.path, self.line or 0, self.column or 0, self.code, self.message)

    def fails(self, strict: bool) -> bool:
        """An error always fails a run; a warning only under --strict, and never one in a blind
        pass's file: a pass is kept as its annotator wrote it (its findings are history, shown
        but not to be fixed), so it must not make --strict unusable for everyone else."""
        return self.severity == "error" or (strict and not self.path.startswith(_PASS_PREFIX))


@dataclass(slots=True)  # one per document is kept for the whole run: no __dict__ each
class DocumentResult:
    """Everything known about one document after checking it."""

    doc_id: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    text: str | None = None  # raw text, decoded
    metadata: dict[str, Any] | None = None  # parsed raw/<doc_id>.meta.json (None if unreadable)
    annotation: dict[str, Any] | None = None  # parsed annotated/<doc_id>.json (None if unreadable)
    raw_sha256: str | None = None
    annotation_sha256: str | None = None
    metadata_sha256: str | None = None
    # Small facts kept when the big fields are dropped (validate_corpus(keep_data=False)), so a
    # report over a large corpus stays small: one summary per document, not its text.
    codepoints: int | None = None
    story_id: str | None = None
    counts: dict[str, int] = field(default_factory=dict)  # spans per layer of the annotation
    entity_ids_used: frozenset[str] = frozenset()  # by the metadata and the annotation
    entity_spellings_used: frozenset[tuple[str, str, bool]] = frozenset()  # (entity id, text, a mention's?)
    spellings_complete: bool = True  # False: the annotation's spans were not usable, its spellings not read
    annotation_parsed: bool = False  # the annotation file was read as JSON (its ids are known)
    # file -> the checks that did not run on it because an earlier layer found errors (layers
    # stop so one mistake does not cascade; a contributor must know more may follow)
    not_run: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def without_data(self) -> "DocumentResult":
        """The same result without text, metadata and annotation (cheap to pickle and keep)."""
        self.text = self.metadata = self.annotation = None
        return self

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


@dataclass
class CorpusReport:
    """The result of validating a corpus (or part of it)."""

    documents: list[DocumentResult] = field(default_factory=list)
    corpus_diagnostics: list[Diagnostic] = field(default_factory=list)  # registry, splits, pairing
    registry: dict[str, Any] | None = None  # parsed annotated/entity_registry.json
    splits: dict[str, Any] | None = None  # parsed annotated/splits.json

    @property
    def diagnostics(self) -> list[Diagnostic]:
        found = list(self.corpus_diagnostics)
        for doc in self.documents:
            found.extend(doc.diagnostics)
        return sorted(found, key=Diagnostic.sort_key)

    def ok(self, strict: bool = False) -> bool:
        """Valid when there are no errors (and, with strict, no warnings outside the passes)."""
        return not any(d.fails(strict) for d in self.diagnostics)
