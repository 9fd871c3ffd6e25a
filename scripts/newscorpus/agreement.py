"""`newscorpus agreement`: compare two annotation passes of the same documents.

Usage:
    newscorpus agreement A B [--format text|json] [--output FILE] [--layers LAYER ...] [--min-f1 X]

A and B are two folders of annotation files (e.g. annotated/passes/annotator-a and
annotated/passes/annotator-b) or two single annotation files. In folders, every `*.json` file is
one document (but a pass's own entity_registry.json, a splits.json and agreement.json), paired
with the other side by doc_id (the file stem; the file's own `doc_id` must
agree with it). Two single files are compared with each other and must name the same doc_id.
Paired files must record the same `raw_sha256` (otherwise they annotate different texts: exit 2).
A document present on one side only is named in the report and all its spans count as missed by
the other side; its spans are not listed one by one as disagreements.

Exit codes: 0 the comparison ran (the agreement level is information, not failure); 1 with
`--min-f1 X` when some compared layer's exact-span F1 is below X; 2 usage error, unreadable or
malformed input, raw_sha256 mismatch.

Method (A is the reference; F1 is symmetric):
- Layers: zones (label: type), entities (label), quotes (kind), dates (type),
  numeric_claims (kind). Span identity is (start, end).
- "span": one-to-one exact (start, end) matches. tp = matches, fp = B spans unmatched,
  fn = A spans unmatched; precision = tp/(tp+fp), recall = tp/(tp+fn), f1 = 2tp/(2tp+fp+fn).
  A value whose denominator is 0 is null (e.g. precision when B has no spans, every value
  when neither side has any).
- "span_label": the same, but a match also needs the same label.
- "partial": exact matches first, then a one-to-one matching of the remaining spans that share
  at least one character, greedy by largest overlap (ties: smaller union, then same label,
  then position), so the result is deterministic. Greedy, not maximum-cardinality: a span
  pairs with the reading it overlaps most, which is the pair a reviewer compares.
  "partial_label" counts the partial pairs whose labels agree (so span_label <= partial_label
  <= partial). The pairs are formed with the label only as a tie-break, so partial_label can be
  lower than a label-aware matching would give (a PERSON span paired with the ORG reading it
  overlaps most, not with a PERSON reading it overlaps less); both are lower bounds of what a
  maximum matching would find.
- Attribute agreement is measured on the exact-span matches ("span" pairs; where several spans
  share offsets, pairs with the same label are formed first):
    zones: type; entities: label, entity_id; quotes: kind, speaker, speaker_entity_id, cue,
    intermediary, continues; dates: type, value, mod, anchor; numeric_claims: value, unit,
    kind, approximate, bound, date_id, quote_id.
  continues, date_id and quote_id link to another span of the same pass by its id; each pass
  numbers its own spans, so a link is compared by the (start, end) of the span it names (q20 in A and q21 in B agree when both are the same
  quote), and one naming no span of its pass by its id.
  speaker, cue and intermediary are sub-spans compared by (start, end), the intermediary also
  by its entity_id; null equals null, and an optional attribute left out (a date's `mod`)
  counts as null, so two spans that both lack it agree on it.
  Numbers compare by value (20000000000 == 2e10); true is not 1. entity ids are compared as
  strings as they are (each pass may keep its own registry); "entity_link" (entities only)
  maps A's ids one-to-one onto B's by shared mentions first, so it measures whether the passes
  link the same mentions together whatever they named the keys, and lists the "renamed" pairs
  (A's ids are mapped most shared mentions first, ties in the ids' string order).
  speaker_entity_id has no such renaming-aware counterpart: it compares the ids as they are.
- Cohen's kappa, per layer and attribute (never pooled across layers), over the exact-span
  matches of all documents together, for the categorical attributes
  zones.type, entities.label, quotes.kind, dates.type, numeric_claims.kind and
  numeric_claims.unit: kappa = (p_o - p_e) / (1 - p_e) with p_e from each side's marginals.
  It is null, with a note, when there are no matches or p_e == 1 ("only one category
  observed"). Computed with exact fractions, then rounded.

JSON report (floats rounded to 4 decimals, keys sorted, lists in a stable order). These keys
are a contract: the build reads annotated/passes/agreement.json for the dataset card.
    report_version   "1"
    a, b             the two inputs as given (relative to the corpus root when inside one)
    documents        every doc_id counted, sorted
    layers           {layer: {
        counts         {"a": n, "b": n}                     spans on each side
        span           {"tp","fp","fn","precision","recall","f1"}
        span_label     {"tp","fp","fn","precision","recall","f1"}
        partial        {"tp","fp","fn","precision","recall","f1"}
        partial_label  {"tp","fp","fn","precision","recall","f1"}
        per_label      {label: {"a","b","tp","fp","fn","precision","recall","f1","partial_f1"}}
                       (a match here is a span+label match; partial_f1 is partial_label's)
        attributes     {attr: {"matched","agree","proportion"}}
        kappa          {attr: number | null}
        kappa_detail   {attr: {"n","p_o","p_e","note"}}      note is null unless kappa is null
      }}
    disagreements    [{"doc_id","layer","type","a","b"[,"attribute"[,"a_target","b_target"]]}], type one of
                     "boundary" (overlapping, not identical spans), "attribute" (identical span,
                     one attribute differs; one entry per attribute), "missing_in_b",
                     "missing_in_a". a and b are the spans as annotated (null on the side that
                     has none). A link attribute's entry adds a_target and b_target: the
                     [start, end] of the span each side's id names (null: none, or no link).
                     Ordered by doc_id, layer, position.
    summary          {"documents": n, "only_in_a": [...], "only_in_b": [...],
                      "disagreements": {"attribute","boundary","missing_in_a","missing_in_b","total"},
                      "span_f1": {layer: f1}, "span_label_f1": {layer: f1}, "partial_f1": {layer: f1}}
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterable, Mapping

from newscorpus.corpus import AGREEMENT_REL, RESERVED_ANNOTATED_FILES, CorpusNotFound, find_root, source_problem
from newscorpus.jsonio import atomic_write_text

REPORT_VERSION = "1"
LAYERS: tuple[str, ...] = ("zones", "entities", "quotes", "dates", "numeric_claims")
LABEL_FIELD: dict[str, str] = {
    "zones": "type",
    "entities": "label",
    "quotes": "kind",
    "dates": "type",
    "numeric_claims": "kind",
}
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "zones": ("type",),
    "entities": ("label", "entity_id"),
    "quotes": ("kind", "speaker", "speaker_entity_id", "cue", "intermediary", "continues"),
    "dates": ("type", "value", "mod", "anchor"),
    "numeric_claims": ("value", "unit", "kind", "approximate", "bound", "date_id", "quote_id"),
}
SUBSPAN_ATTRIBUTES = frozenset({"speaker", "cue", "intermediary"})
# Links to another span of the same pass, by its id (attribute -> the layer it points into).
# Each pass numbers its own spans, so a link is compared by the offsets of the span it names.
LINK_ATTRIBUTES: dict[str, str] = {"continues": "quotes", "date_id": "dates", "quote_id": "quotes"}
KAPPA_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "zones": ("type",),
    "entities": ("label",),
    "quotes": ("kind",),
    "dates": ("type",),
    "numeric_claims": ("kind", "unit"),
}
DISAGREEMENT_TYPES: tuple[str, ...] = ("boundary", "attribute", "missing_in_b", "missing_in_a")
# Files in an annotation folder that are not documents.
NON_DOCUMENT_FILES = RESERVED_ANNOTATED_FILES | {"agreement.json"}
DECIMALS = 4


class AgreementError(Exception):
    """Input that cannot be compared: the message names the file and the problem."""


# ---------------------------------------------------------------------------------------------
# loading


@dataclass
class Side:
    """One annotation pass: documents by doc_id, and where each came from (for messages)."""

    name: str
    docs: dict[str, dict] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(literal: str) -> float:
    """A JSON number Python would read as infinity (1e400) is no value to compare."""
    value = float(literal)
    if not math.isfinite(value):
        raise ValueError(f"the number {literal} is too large for a float")
    return value


def _read_annotation(path: Path) -> dict:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise AgreementError(f"{path}: cannot read: {err.strerror or err}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise AgreementError(f"{path}: not UTF-8 (byte {err.start})") from None
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as err:
        raise AgreementError(f"{path}: not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})") from None
    except ValueError as err:
        raise AgreementError(f"{path}: not valid JSON: {err}") from None
    except RecursionError:
        raise AgreementError(f"{path}: not readable: JSON nested too deeply") from None
    if not isinstance(value, dict):
        raise AgreementError(f"{path}: an annotation file holds one JSON object, found {type(value).__name__}")
    return value


def load_side(path: str | Path, name: str | None = None) -> Side:
    """Read a folder of annotation files (or one file) into a `Side`."""
    path = Path(path)
    side = Side(name=name if name is not None else display_name(path))
    if path.is_dir():
        files = sorted(
            p
            for p in path.iterdir()
            if p.is_file() and p.suffix == ".json" and not p.name.startswith(".") and p.name not in NON_DOCUMENT_FILES
        )
        if not files:
            raise AgreementError(f"{path}: no annotation files (*.json) in this folder")
        for file in files:
            annotation = _read_annotation(file)
            doc_id = file.stem
            declared = annotation.get("doc_id")
            if declared is not None and declared != doc_id:
                raise AgreementError(
                    f"{file}: doc_id {declared!r} does not match the file name; documents are paired by file name"
                )
            side.docs[doc_id] = annotation
            side.sources[doc_id] = str(file)
    elif path.is_file():
        annotation = _read_annotation(path)
        declared = annotation.get("doc_id")
        doc_id = declared if isinstance(declared, str) and declared else path.stem
        side.docs[doc_id] = annotation
        side.sources[doc_id] = str(path)
    else:
        raise AgreementError(f"{path}: no such file or folder")
    return side


def display_name(path: str | Path) -> str:
    """The path relative to the corpus root when it lies inside one, else as given ('/' separated)."""
    path = Path(path)
    try:
        root = find_root(path if path.exists() else path.parent).root
        return path.resolve().relative_to(root).as_posix() or "."
    except (CorpusNotFound, ValueError, OSError):
        return path.as_posix()


# ---------------------------------------------------------------------------------------------
# checking the shapes this module relies on (full validation is `newscorpus validate`'s job)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_document(annotation: Any, source: str, layers: Iterable[str]) -> None:
    if not isinstance(annotation, dict):
        raise AgreementError(f"{source}: an annotation is a JSON object, found {type(annotation).__name__}")
    sha = annotation.get("raw_sha256")
    if not isinstance(sha, str) or not sha:
        raise AgreementError(f"{source}: no raw_sha256, so it cannot be checked that both passes annotate the same text")
    for layer in layers:
        spans = annotation.get(layer)
        if not isinstance(spans, list):
            found = "nothing" if spans is None else type(spans).__name__
            raise AgreementError(
                f"{source}: $.{layer} must be a list of spans, found {found} (use --layers to compare only some layers)"
            )
        label_field = LABEL_FIELD[layer]
        for index, span in enumerate(spans):
            where = f"{source}: $.{layer}[{index}]"
            if not isinstance(span, dict):
                raise AgreementError(f"{where}: a span is a JSON object, found {type(span).__name__}")
            start, end = span.get("start"), span.get("end")
            if not _is_int(start) or not _is_int(end):
                raise AgreementError(f"{where}: 'start' and 'end' must be integers, found {start!r} and {end!r}")
            if not 0 <= start < end:
                raise AgreementError(f"{where}: offsets [{start}, {end}) are not a span (need 0 <= start < end)")
            if not isinstance(span.get(label_field), str):
                raise AgreementError(f"{where}: '{label_field}' must be a string, found {span.get(label_field)!r}")
            if layer == "entities" and not isinstance(span.get("entity_id"), str):  # linking pairs ids up
                raise AgreementError(f"{where}: 'entity_id' must be a string, found {span.get('entity_id')!r}")


# ---------------------------------------------------------------------------------------------
# matching


def _key(span: dict) -> tuple[int, int]:
    return span["start"], span["end"]


def _order(spans: list[dict]) -> list[dict]:
    """Spans in text order (ties broken by id), so the matching never depends on file order."""
    return sorted(spans, key=lambda s: (s["start"], s["end"], str(s.get("id", ""))))


def exact_pairs(a: list[dict], b: list[dict], label_field: str) -> list[tuple[int, int]]:
    """One-to-one pairs (i, j) of identical offsets; among spans sharing offsets, same labels pair first."""
    by_key_b: dict[tuple[int, int], list[int]] = {}
    for j, span in enumerate(b):
        by_key_b.setdefault(_key(span), []).append(j)
    by_key_a: dict[tuple[int, int], list[int]] = {}
    for i, span in enumerate(a):
        by_key_a.setdefault(_key(span), []).append(i)
    pairs: list[tuple[int, int]] = []
    for key, a_idx in by_key_a.items():
        b_idx = list(by_key_b.get(key, []))
        if not b_idx:
            continue
        rest_a = []
        for i in a_idx:
            same = next((j for j in b_idx if b[j][label_field] == a[i][label_field]), None)
            if same is None:
                rest_a.append(i)
            else:
                pairs.append((i, same))
                b_idx.remove(same)
        pairs.extend(zip(rest_a, b_idx))
    return sorted(pairs)


def overlap_pairs(
    a: list[dict], b: list[dict], a_idx: Iterable[int], b_idx: Iterable[int], label_field: str
) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of overlapping spans.

    Largest overlap first; ties: smaller union, then the same label, then text position.
    """
    candidates = []
    b_list = list(b_idx)
    for i in a_idx:
        sa, ea = _key(a[i])
        for j in b_list:
            sb, eb = _key(b[j])
            overlap = min(ea, eb) - max(sa, sb)
            if overlap > 0:
                union = max(ea, eb) - min(sa, sb)
                other_label = a[i][label_field] != b[j][label_field]
                candidates.append((-overlap, union, other_label, sa, ea, sb, eb, i, j))
    candidates.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for *_, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((i, j))
    return sorted(pairs)


def partial_pairs(a: list[dict], b: list[dict], exact: list[tuple[int, int]], label_field: str) -> list[tuple[int, int]]:
    """Exact pairs plus the overlap matching of everything they leave."""
    done_a = {i for i, _ in exact}
    done_b = {j for _, j in exact}
    rest = overlap_pairs(
        a,
        b,
        (i for i in range(len(a)) if i not in done_a),
        (j for j in range(len(b)) if j not in done_b),
        label_field,
    )
    return sorted(exact + rest)


# ---------------------------------------------------------------------------------------------
# attribute comparison


def _canonical(value: Any) -> Any:
    """A hashable form where equal JSON values are equal: 2 == 2.0, but true is not 1."""
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    return ("json", json.dumps(value, sort_keys=True, ensure_ascii=False))


def _subspan_key(value: Any) -> Any:
    if isinstance(value, dict):
        key = ("span", _canonical(value.get("start")), _canonical(value.get("end")))
        # an intermediary also names its referent: linking it to another outlet is a disagreement
        return key + ((_canonical(value["entity_id"]),) if "entity_id" in value else ())
    return _canonical(value)


def link_targets(annotation: Any) -> dict[tuple[str, str], tuple[Any, Any]]:
    """(layer, id) -> (start, end) of the spans a link attribute can name, in one pass's document."""
    targets: dict[tuple[str, str], tuple[Any, Any]] = {}
    if not isinstance(annotation, dict):
        return targets
    for layer in set(LINK_ATTRIBUTES.values()):
        spans = annotation.get(layer)
        for span in spans if isinstance(spans, list) else ():
            if isinstance(span, dict) and isinstance(span.get("id"), str):
                targets.setdefault((layer, span["id"]), (span.get("start"), span.get("end")))
    return targets


def _link_target(span: dict, attribute: str, targets: Mapping | None) -> list | None:
    value = span.get(attribute)
    if not isinstance(value, str):
        return None
    target = (targets or {}).get((LINK_ATTRIBUTES[attribute], value))
    return list(target) if target is not None else None


def attribute_value(span: dict, attribute: str, targets: Mapping[tuple[str, str], tuple[Any, Any]] | None = None) -> Any:
    """The comparable form of one attribute (a missing key reads as null). A link compares by
    the offsets of the span it names (`targets`, see link_targets); one naming no span of its
    pass compares by its id."""
    value = span.get(attribute)
    if attribute in LINK_ATTRIBUTES and isinstance(value, str):
        target = _link_target(span, attribute, targets)
        return ("span", _canonical(target[0]), _canonical(target[1])) if target is not None else ("unresolved", value)
    return _subspan_key(value) if attribute in SUBSPAN_ATTRIBUTES else _canonical(value)


# ---------------------------------------------------------------------------------------------
# counting


@dataclass
class _LayerTally:
    a: int = 0
    b: int = 0
    span_tp: int = 0
    label_tp: int = 0
    partial_tp: int = 0
    partial_label_tp: int = 0
    per_label: dict[str, Counter] = field(default_factory=dict)
    matched: int = 0
    agree: Counter = field(default_factory=Counter)
    kappa_pairs: dict[str, list[tuple[Any, Any]]] = field(default_factory=dict)
    link_pairs: list[tuple[Any, Any]] = field(default_factory=list)

    def label(self, name: str) -> Counter:
        return self.per_label.setdefault(name, Counter())


def _compare_layer(
    doc_id: str, layer: str, a_raw: list[dict], b_raw: list[dict], tally: _LayerTally, disagreements: list[dict],
    a_targets: Mapping | None = None, b_targets: Mapping | None = None,
) -> None:
    label_field = LABEL_FIELD[layer]
    a, b = _order(a_raw), _order(b_raw)
    tally.a += len(a)
    tally.b += len(b)
    for span in a:
        tally.label(span[label_field])["a"] += 1
    for span in b:
        tally.label(span[label_field])["b"] += 1

    exact = exact_pairs(a, b, label_field)
    partial = partial_pairs(a, b, exact, label_field)
    tally.span_tp += len(exact)
    tally.partial_tp += len(partial)
    # the +label scores count the pairs of the same alignments whose labels agree
    for pairs, key in ((exact, "tp"), (partial, "partial_tp")):
        for i, j in pairs:
            name = a[i][label_field]
            if b[j][label_field] == name:
                tally.label(name)[key] += 1
    tally.label_tp += sum(1 for i, j in exact if a[i][label_field] == b[j][label_field])
    tally.partial_label_tp += sum(1 for i, j in partial if a[i][label_field] == b[j][label_field])

    # attributes on exact pairs
    found: list[dict] = []
    for i, j in exact:
        tally.matched += 1
        for attribute in ATTRIBUTES[layer]:
            va, vb = attribute_value(a[i], attribute, a_targets), attribute_value(b[j], attribute, b_targets)
            if va == vb:
                tally.agree[attribute] += 1
            else:
                item = _disagreement(doc_id, layer, "attribute", a[i], b[j], attribute)
                if attribute in LINK_ATTRIBUTES:  # what each id names, since the ids alone can look alike
                    item["a_target"], item["b_target"] = (_link_target(span, attribute, targets) for span, targets in ((a[i], a_targets), (b[j], b_targets)))
                found.append(item)
        if layer == "entities":
            tally.link_pairs.append((a[i].get("entity_id"), b[j].get("entity_id")))
        for attribute in KAPPA_ATTRIBUTES[layer]:
            tally.kappa_pairs.setdefault(attribute, []).append(
                (attribute_value(a[i], attribute), attribute_value(b[j], attribute))
            )

    # boundaries and misses from the partial matching
    exact_set = set(exact)
    for i, j in partial:
        if (i, j) not in exact_set and _key(a[i]) != _key(b[j]):
            found.append(_disagreement(doc_id, layer, "boundary", a[i], b[j]))
    matched_a = {i for i, _ in partial}
    matched_b = {j for _, j in partial}
    found.extend(_disagreement(doc_id, layer, "missing_in_b", a[i], None) for i in range(len(a)) if i not in matched_a)
    found.extend(_disagreement(doc_id, layer, "missing_in_a", None, b[j]) for j in range(len(b)) if j not in matched_b)

    attribute_rank = {name: n for n, name in enumerate(ATTRIBUTES[layer])}
    type_rank = {name: n for n, name in enumerate(DISAGREEMENT_TYPES)}

    def position(item: dict) -> tuple:
        spans = [s for s in (item["a"], item["b"]) if s is not None]
        return (
            min(s["start"] for s in spans),
            max(s["end"] for s in spans),
            type_rank[item["type"]],
            str((item["a"] or {}).get("id", "")),
            str((item["b"] or {}).get("id", "")),
            attribute_rank.get(item.get("attribute", ""), -1),
        )

    disagreements.extend(sorted(found, key=position))


def _disagreement(doc_id: str, layer: str, kind: str, a: dict | None, b: dict | None, attribute: str | None = None) -> dict:
    item = {"doc_id": doc_id, "layer": layer, "type": kind, "a": a, "b": b}
    if attribute is not None:
        item["attribute"] = attribute
    return item


# ---------------------------------------------------------------------------------------------
# metrics


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else _round(Fraction(numerator, denominator))


def f1_fraction(tp: int, fp: int, fn: int) -> Fraction | None:
    """F1 unrounded (None when there is nothing to score): the report rounds it, the --min-f1
    gate compares it as it is (0.666667 must not pass a gate of 0.66668)."""
    total = 2 * tp + fp + fn
    return None if total == 0 else Fraction(2 * tp, total)


def _round(value: Fraction | float) -> float:
    return round(float(value), DECIMALS)


def prf(tp: int, a_total: int, b_total: int) -> dict:
    """Precision, recall and F1 with A as the reference."""
    fp, fn = b_total - tp, a_total - tp
    f1 = f1_fraction(tp, fp, fn)
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
        "f1": None if f1 is None else _round(f1),
    }


def cohen_kappa(pairs: list[tuple[Any, Any]]) -> tuple[float | None, dict]:
    """Cohen's kappa of paired categorical readings, exactly: (kappa or None, detail)."""
    n = len(pairs)
    if n == 0:
        return None, {"n": 0, "p_o": None, "p_e": None, "note": "no exact-span matches"}
    observed = Fraction(sum(1 for x, y in pairs if x == y), n)
    count_a = Counter(x for x, _ in pairs)
    count_b = Counter(y for _, y in pairs)
    expected = sum((Fraction(count_a[c] * count_b[c], n * n) for c in count_a), Fraction(0))
    detail = {"n": n, "p_o": _round(observed), "p_e": _round(expected), "note": None}
    if expected == 1:
        detail["note"] = "only one category observed"
        return None, detail
    return _round((observed - expected) / (1 - expected)), detail


def linking_agreement(pairs: list[tuple[Any, Any]]) -> dict:
    """Entity-linking agreement that ignores how each pass spelt its registry keys.

    Two passes with their own registries can link the same mentions to the same referent under
    different ids (`presidency-of-defense-industries` / `defense-industries-presidency`). Map A's
    ids one-to-one onto B's, most shared mentions first (ties by the ids, so it is
    deterministic), then count the matched mentions whose B id is the image of their A id.
    """
    counts = Counter(pairs)
    mapping: dict[Any, Any] = {}
    used_b: set[Any] = set()
    for (ida, idb), _ in sorted(counts.items(), key=lambda item: (-item[1], str(item[0][0]), str(item[0][1]))):
        if ida not in mapping and idb not in used_b:
            mapping[ida] = idb
            used_b.add(idb)
    agree = sum(n for (ida, idb), n in counts.items() if mapping.get(ida) == idb)
    renamed = [
        {"a": ida, "b": idb, "mentions": counts[(ida, idb)]}
        for ida, idb in sorted(mapping.items(), key=lambda item: str(item[0]))
        if ida != idb
    ]
    return {"matched": len(pairs), "agree": agree, "proportion": _ratio(agree, len(pairs)), "renamed": renamed}


def _layer_report(tally: _LayerTally, layer: str) -> dict:
    per_label = {}
    for name, c in sorted(tally.per_label.items()):
        entry = prf(c["tp"], c["a"], c["b"])
        entry.update({"a": c["a"], "b": c["b"], "partial_f1": prf(c["partial_tp"], c["a"], c["b"])["f1"]})
        per_label[name] = entry
    attributes = {
        attribute: {
            "matched": tally.matched,
            "agree": tally.agree[attribute],
            "proportion": _ratio(tally.agree[attribute], tally.matched),
        }
        for attribute in ATTRIBUTES[layer]
    }
    if layer == "entities":
        attributes["entity_link"] = linking_agreement(tally.link_pairs)
    kappa, kappa_detail = {}, {}
    for attribute in KAPPA_ATTRIBUTES[layer]:
        kappa[attribute], kappa_detail[attribute] = cohen_kappa(tally.kappa_pairs.get(attribute, []))
    return {
        "counts": {"a": tally.a, "b": tally.b},
        "span": prf(tally.span_tp, tally.a, tally.b),
        "span_label": prf(tally.label_tp, tally.a, tally.b),
        "partial": prf(tally.partial_tp, tally.a, tally.b),
        "partial_label": prf(tally.partial_label_tp, tally.a, tally.b),
        "per_label": per_label,
        "attributes": attributes,
        "kappa": kappa,
        "kappa_detail": kappa_detail,
    }


def compare(
    a_docs: Mapping[str, dict] | Side,
    b_docs: Mapping[str, dict] | Side,
    layers: Iterable[str] = LAYERS,
    a_name: str = "A",
    b_name: str = "B",
) -> dict:
    """Compare two passes ({doc_id: annotation} or `Side`s) and return the report described above.

    Raises AgreementError for input that cannot be compared (malformed spans, raw_sha256 mismatch).
    """
    a_side = a_docs if isinstance(a_docs, Side) else Side(a_name, dict(a_docs), {d: f"{a_name} {d}" for d in a_docs})
    b_side = b_docs if isinstance(b_docs, Side) else Side(b_name, dict(b_docs), {d: f"{b_name} {d}" for d in b_docs})
    layers = list(layers)  # read twice below: a generator would be empty the second time
    selected = [layer for layer in LAYERS if layer in set(layers)]
    unknown = sorted(set(layers) - set(LAYERS))
    if unknown:
        raise AgreementError(f"unknown layer(s) {', '.join(unknown)} (choose from {', '.join(LAYERS)})")
    if not selected:
        raise AgreementError("no layers to compare")
    for side in (a_side, b_side):
        for doc_id in sorted(side.docs):
            _check_document(side.docs[doc_id], side.sources[doc_id], selected)

    mismatched = [
        f"{doc_id}: {a_side.sources[doc_id]} has raw_sha256 {a_side.docs[doc_id]['raw_sha256']} but "
        f"{b_side.sources[doc_id]} has {b_side.docs[doc_id]['raw_sha256']}"
        for doc_id in sorted(set(a_side.docs) & set(b_side.docs))
        if a_side.docs[doc_id]["raw_sha256"] != b_side.docs[doc_id]["raw_sha256"]
    ]
    if mismatched:
        raise AgreementError(
            "the two passes annotate different texts (raw_sha256 differs):\n  " + "\n  ".join(mismatched)
        )

    documents = sorted(set(a_side.docs) | set(b_side.docs))
    tallies = {layer: _LayerTally() for layer in selected}
    disagreements: list[dict] = []
    for doc_id in documents:
        a_doc, b_doc = a_side.docs.get(doc_id), b_side.docs.get(doc_id)
        for layer in selected:
            a_spans = a_doc[layer] if a_doc is not None else []
            b_spans = b_doc[layer] if b_doc is not None else []
            listed: list[dict] = []
            _compare_layer(doc_id, layer, a_spans, b_spans, tallies[layer], listed, link_targets(a_doc), link_targets(b_doc))
            if a_doc is not None and b_doc is not None:
                disagreements.extend(listed)

    layer_reports = {layer: _layer_report(tallies[layer], layer) for layer in selected}
    by_type = Counter(item["type"] for item in disagreements)
    summary = {
        "documents": len(documents),
        "only_in_a": sorted(set(a_side.docs) - set(b_side.docs)),
        "only_in_b": sorted(set(b_side.docs) - set(a_side.docs)),
        "disagreements": {**{t: by_type[t] for t in DISAGREEMENT_TYPES}, "total": len(disagreements)},
        "span_f1": {layer: r["span"]["f1"] for layer, r in layer_reports.items()},
        "span_label_f1": {layer: r["span_label"]["f1"] for layer, r in layer_reports.items()},
        "partial_f1": {layer: r["partial"]["f1"] for layer, r in layer_reports.items()},
    }
    return {
        "report_version": REPORT_VERSION,
        "a": a_side.name,
        "b": b_side.name,
        "documents": documents,
        "layers": layer_reports,
        "disagreements": disagreements,
        "summary": summary,
    }


# ---------------------------------------------------------------------------------------------
# output


def render_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + "\n"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.{DECIMALS}f}"


def _quoted(text: Any, limit: int = 160) -> str:
    if not isinstance(text, str):
        return "(no text)"
    if len(text) > limit:
        shown = json.dumps(text[:100] + " … " + text[-40:], ensure_ascii=False)
        return f"{shown} ({len(text)} characters, shortened)"
    return json.dumps(text, ensure_ascii=False)


def _show_value(span: dict, attribute: str) -> str:
    value = span.get(attribute)
    if attribute in SUBSPAN_ATTRIBUTES and isinstance(value, dict):
        shown = f"[{value.get('start')}, {value.get('end')}) {_quoted(value.get('text'))}"
        if attribute == "intermediary" and "entity_id" in value:
            shown += f" ({json.dumps(value.get('entity_id'))})"
        return shown
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _show_target(item: dict, side: str) -> str:
    """Where a link disagreement's id points: " -> [41, 78)", or that it names no span."""
    if item.get("attribute") not in LINK_ATTRIBUTES or item[side].get(item["attribute"]) is None:
        return ""
    target = item.get(f"{side}_target")
    return f" -> [{target[0]}, {target[1]})" if target else " -> (no such span in this pass)"


def _reading(span: dict | None, layer: str, attributes: Iterable[str] | None = None) -> str:
    if span is None:
        return "(nothing)"
    head = f"{span.get('id', '?')} [{span['start']}, {span['end']}) {_quoted(span.get('text'))}"
    names = ATTRIBUTES[layer] if attributes is None else attributes
    return head + "  " + "  ".join(f"{name}={_show_value(span, name)}" for name in names)


def render_text(report: dict) -> str:
    out: list[str] = []
    summary = report["summary"]
    out.append(f"Agreement between A = {report['a']} and B = {report['b']}")
    out.append(f"Documents: {summary['documents']} ({', '.join(report['documents']) or 'none'})")
    for side, key in (("A", "only_in_a"), ("B", "only_in_b")):
        if summary[key]:
            other = "B" if side == "A" else "A"
            out.append(
                f"  only in {side}: {', '.join(summary[key])} (all its spans count as missed by {other}; not listed below)"
            )
    out.append("")
    out.append("Span agreement (A is the reference: precision = share of B's spans that A has)")
    header = f"{'layer':<15} {'label':<14} {'A':>5} {'B':>5} {'P':>7} {'R':>7} {'F1':>7} {'partial F1':>11}"
    out.append(header)
    out.append("-" * len(header))
    for layer, r in report["layers"].items():
        rows = [
            ("(span)", r["counts"]["a"], r["counts"]["b"], r["span"], r["partial"]["f1"]),
            ("(span+label)", r["counts"]["a"], r["counts"]["b"], r["span_label"], r["partial_label"]["f1"]),
        ]
        rows += [(name, e["a"], e["b"], e, e["partial_f1"]) for name, e in r["per_label"].items()]
        for label, na, nb, m, partial_f1 in rows:
            out.append(
                f"{layer:<15} {label:<14} {na:>5} {nb:>5} {_num(m['precision']):>7} {_num(m['recall']):>7} "
                f"{_num(m['f1']):>7} {_num(partial_f1):>11}"
            )
    out.append("")
    out.append("Attribute agreement on exact-span matches")
    header = f"{'layer':<15} {'attribute':<18} {'matched':>7} {'agree':>6} {'proportion':>10} {'kappa':>7}"
    out.append(header)
    out.append("-" * len(header))
    notes = []
    for layer, r in report["layers"].items():
        for attribute, a in r["attributes"].items():
            kappa = ""
            if attribute in r["kappa"]:
                kappa = _num(r["kappa"][attribute])
                note = r["kappa_detail"][attribute]["note"]
                if note:
                    notes.append(f"  kappa {layer}.{attribute} is not defined: {note}")
            out.append(
                f"{layer:<15} {attribute:<18} {a['matched']:>7} {a['agree']:>6} {_num(a['proportion']):>10} {kappa:>7}"
            )
    out.extend(notes)
    out.append("")
    counts = summary["disagreements"]
    out.append(
        f"Disagreements: {counts['total']} "
        f"({', '.join(f'{t} {counts[t]}' for t in DISAGREEMENT_TYPES)})"
    )
    out.extend(_render_disagreements(report["disagreements"]))
    return "\n".join(out).rstrip("\n") + "\n"


def _render_disagreements(items: list[dict]) -> list[str]:
    out: list[str] = []
    doc = layer = None
    index = 0
    while index < len(items):
        item = items[index]
        if item["doc_id"] != doc:
            doc, layer = item["doc_id"], None
            out.extend(["", f"== {doc}"])
        if item["layer"] != layer:
            layer = item["layer"]
            out.append(f"  -- {layer}")
        if item["type"] == "attribute":
            # one block for all attributes of the same pair
            group = [item]
            while (
                index + 1 < len(items)
                and items[index + 1]["type"] == "attribute"
                and items[index + 1]["doc_id"] == doc
                and items[index + 1]["layer"] == layer
                and items[index + 1]["a"] == item["a"]
                and items[index + 1]["b"] == item["b"]
            ):
                index += 1
                group.append(items[index])
            names = [g["attribute"] for g in group]
            span = item["a"]
            out.append(f"    attribute ({', '.join(names)}) at [{span['start']}, {span['end']}) {_quoted(span.get('text'))}")
            for side in ("a", "b"):
                shown = [f"{g['attribute']}={_show_value(item[side], g['attribute'])}{_show_target(g, side)}" for g in group]
                out.append(f"      {side.upper()} {item[side].get('id', '?')}: " + "  ".join(shown))
        else:
            out.append(f"    {item['type']}")
            out.append(f"      A: {_reading(item['a'], layer)}")
            out.append(f"      B: {_reading(item['b'], layer)}")
        index += 1
    return out


# ---------------------------------------------------------------------------------------------
# command line


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("a", metavar="A", help="folder of annotation files (or one file): the reference pass")
    parser.add_argument("b", metavar="B", help="folder of annotation files (or one file): the pass compared with A")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="report format (default: text)")
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE (atomically) instead of stdout")
    parser.add_argument(
        "--layers",
        nargs="+",
        action="extend",
        choices=LAYERS,
        metavar="LAYER",
        help=f"compare only these layers (default: all of {', '.join(LAYERS)})",
    )
    parser.add_argument(
        "--min-f1",
        type=_threshold,
        metavar="X",
        help="exit 1 when some layer's exact-span F1 is below X (0..1)",
    )


def run(args: argparse.Namespace) -> int:
    def fail(message: str) -> int:
        print(f"newscorpus agreement: error: {message}", file=sys.stderr)
        return 2

    a_path, b_path = Path(args.a), Path(args.b)
    layers = [layer for layer in LAYERS if layer in (args.layers or LAYERS)]
    try:
        if a_path.exists() and b_path.exists() and a_path.is_dir() != b_path.is_dir():
            return fail(f"compare two folders or two files, not a folder and a file ({args.a}, {args.b})")
        a_side, b_side = load_side(a_path), load_side(b_path)
        if a_path.is_file() and b_path.is_file():
            (a_id,), (b_id,) = a_side.docs, b_side.docs
            if a_id != b_id:
                return fail(f"{args.a} annotates {a_id!r} but {args.b} annotates {b_id!r}: not the same document")
        report = compare(a_side, b_side, layers=layers)
    except AgreementError as err:
        return fail(str(err))

    text = render_json(report) if args.format == "json" else render_text(report)
    if args.output:
        if problem := source_problem(args.output, allowed=(AGREEMENT_REL,)):
            return fail(f"--output {problem}; nothing was written")
        try:
            atomic_write_text(Path(args.output), text)
        except OSError as err:
            return fail(f"{args.output}: cannot write: {err.strerror or err}")
        print(f"newscorpus agreement: wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)

    if args.min_f1 is not None:
        below = [
            f"{layer} {_num(f1)}"
            for layer, f1 in report["summary"]["span_f1"].items()
            if f1 is not None and f1_fraction(*(report["layers"][layer]["span"][k] for k in ("tp", "fp", "fn"))) < Fraction(args.min_f1)
        ]
        if below:
            print(f"newscorpus agreement: exact-span F1 below {args.min_f1}: {', '.join(below)}", file=sys.stderr)
            return 1
    return 0
