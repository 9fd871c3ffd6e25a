"""Per-document rows of every config: a pure function (document result in, rows out).

`document_rows(doc, ctx)` turns one validated `DocumentResult` into the rows it contributes
to `documents`, the four span configs and `ner`, plus small counters for the card. It reads
nothing from disk and keeps no state, so the build can run it in a process pool (or on any
other engine) and get the same rows in the same order.

`annotation_from_document(row, schema)` is its inverse for the annotation: it rebuilds
annotated/<doc_id>.json from a `documents` row (labels as names, see `decode_labels`);
`metadata_from_document(row, schema)` rebuilds raw/<doc_id>.meta.json, so that both files'
sha256 (`annotation_sha256`, `metadata_sha256`) can be checked from the published data alone.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from newscorpus import ner as nerlib
from newscorpus.corpus import annotation_rel
from newscorpus.features import (
    DATES,
    DOCUMENTS,
    ENTITIES,
    NER,
    NER_LAYERS,
    NUMERIC_CLAIMS,
    QUOTES,
    SPAN_CONFIGS,
    ner_tag_names,
    ner_types,
)
from newscorpus.rules import MAX_EXACT_INT  # integers beyond this do not survive a float64 column
from newscorpus.positions import line_bounds
from newscorpus.spec import LABEL_SETS, LAYER_CLASS_FIELD, LAYER_LABEL_FIELDS, LAYER_LABEL_SETS, Vocabulary


class RowError(Exception):
    """A document cannot be turned into rows; the message names the file, the place and the rule."""


@dataclass(frozen=True)
class RowContext:
    """What every document's rows depend on besides the document itself (picklable)."""

    vocab: Vocabulary
    registry_names: dict[str, str]
    ner_tag_index: dict[str, int] = field(default_factory=dict)  # tag name -> ClassLabel index
    ner_type_of: dict[str, dict[str, str]] = field(default_factory=dict)  # layer -> label -> tag type
    label_index: dict[str, dict[str, int]] = field(default_factory=dict)  # Vocabulary field -> label -> ClassLabel index

    def __post_init__(self):
        if not self.label_index:
            sets = {name for layer in LAYER_LABEL_FIELDS.values() for name in layer.values()}
            object.__setattr__(self, "label_index", {name: {v: i for i, v in enumerate(getattr(self.vocab, name))} for name in sets})
        if not self.ner_tag_index:
            object.__setattr__(self, "ner_tag_index", {n: i for i, n in enumerate(ner_tag_names(self.vocab))})
        if not self.ner_type_of:
            types: dict[str, dict[str, str]] = {}
            for t in ner_types(self.vocab):
                types.setdefault(t.layer, {})[t.value] = t.tag
            object.__setattr__(self, "ner_type_of", types)


@dataclass
class DocRows:
    doc_id: str
    rows: dict[str, list[dict]]
    counts: Counter = field(default_factory=Counter)  # "layer:entities", "label:entities:PERSON", ...
    mentions: Counter = field(default_factory=Counter)  # registry id -> entity mentions


_SUB_SPAN = ("start", "end", "text")
_FIELDS = {
    "zones": ("id", "start", "end", "text", "type"),
    "entities": ("id", "start", "end", "text", "label", "entity_id", "note"),
    "quotes": ("id", "start", "end", "text", "kind", "speaker", "speaker_entity_id", "cue", "intermediary", "continues", "note"),
    "dates": ("id", "start", "end", "text", "type", "value", "mod", "anchor", "note"),
    "numeric_claims": (
        "id", "start", "end", "text", "value", "unit", "kind", "approximate", "bound", "figurative",
        "measured", "date_id", "quote_id", "note",
    ),
}
_NESTED = {"speaker": _SUB_SPAN, "cue": _SUB_SPAN, "intermediary": (*_SUB_SPAN, "entity_id")}
_RELATED = ("relation", "publisher", "title", "url", "date", "how_established", "confidence")
_LEAD = ("url", "status", "how_established")


def _not_a_label(ctx: RowContext, set_name: str, value: Any, where: str) -> RowError:
    labels = getattr(ctx.vocab, set_name)
    return RowError(
        f"{where}: {value!r} is not in schema/vocabulary.schema.json $defs/{LABEL_SETS[set_name]} "
        f"(allowed: {', '.join(labels)})"
    )


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RowError(f"{where}: value {value!r} is not a number")
    if isinstance(value, int) and abs(value) > MAX_EXACT_INT:
        raise RowError(f"{where}: value {value} is too large to store exactly as float64 (limit 2**53)")
    return float(value)


def _layer_items(doc_id: str, ann: dict, layer: str, ctx: RowContext) -> list[dict]:
    """The layer's spans as feature-shaped dicts (labels as ClassLabel indices), in file order.
    Only the fields that need converting are visited; where a span is is spelled only for an
    error (this runs for every span of every document)."""
    out = []
    special = _SPECIAL_FIELDS[layer]
    fields = _FIELDS[layer]
    for n, span in enumerate(ann.get(layer) or []):
        item: dict[str, Any] = {key: span.get(key) for key in fields}
        for key, kind, arg in special:
            value = item[key]
            if value is None:
                continue
            if kind == "label":
                try:
                    item[key] = ctx.label_index[arg][value]
                except (KeyError, TypeError):  # not a label (or not even a string)
                    raise _not_a_label(ctx, arg, value, f"{annotation_rel(doc_id)}: $.{layer}[{n}].{key}") from None
            elif kind == "nested":
                item[key] = {k: value.get(k) for k in arg}
            else:
                item[key] = _number(value, f"{annotation_rel(doc_id)}: $.{layer}[{n}].value")
        out.append(item)
    return out


# Per layer, in field order, the fields _layer_items converts: (field, "label", Vocabulary
# field) | (field, "nested", keys kept) | ("value", "number", None).
_SPECIAL_FIELDS = {
    layer: tuple(
        (key, "label", LAYER_LABEL_FIELDS[layer][key]) if key in LAYER_LABEL_FIELDS[layer]
        else (key, "nested", _NESTED[key]) if key in _NESTED
        else (key, "number", None)
        for key in fields
        if key in LAYER_LABEL_FIELDS[layer] or key in _NESTED or (layer == NUMERIC_CLAIMS and key == "value")
    )
    for layer, fields in _FIELDS.items()
}


class _Locator:
    """Zone and sentence lookups for one document."""

    def __init__(self, text: str, zones: list[dict], sentences: list[nerlib.Sentence]):
        self.text = text
        self.zones = sorted(zones, key=lambda z: (z["start"], z["end"]))
        self.zone_starts = [z["start"] for z in self.zones]
        self.sentences_by_zone: dict[str, list[nerlib.Sentence]] = {}
        for s in sentences:
            self.sentences_by_zone.setdefault(s.zone_id, []).append(s)
        self.ends_by_zone = {z: [s.end for s in ss] for z, ss in self.sentences_by_zone.items()}

    def zone_of(self, start: int) -> dict | None:
        i = bisect.bisect_right(self.zone_starts, start) - 1
        if i >= 0 and self.zones[i]["start"] <= start < self.zones[i]["end"]:
            return self.zones[i]
        return None

    def context(self, start: int, end: int, zone: dict | None = None) -> tuple[dict | None, str, int]:
        """(zone, context text, context start) for the span [start, end), which lies in `zone`
        (default: the zone its start is in); the context never leaves that zone."""
        zone = self.zone_of(start) if zone is None else zone
        bounds = None
        if zone is not None:
            bounds = nerlib.covering(self.sentences_by_zone.get(zone["id"], []), start, end, self.ends_by_zone.get(zone["id"]))
        if bounds is None:  # no zone or no sentence: fall back to the span's line(s), inside its zone
            bounds = self.lines(start, end, zone)
        a, b = bounds
        return zone, self.text[a:b], a

    def lines(self, start: int, end: int, zone: dict | None) -> tuple[int, int]:
        """The whole lines holding [start, end), cut to `zone` when there is one."""
        a, b = line_bounds(self.text, start, end)
        return (max(a, zone["start"]), min(b, zone["end"])) if zone is not None else (a, b)


def document_rows(doc, ctx: RowContext) -> DocRows:
    """All rows one document contributes, for every per-document config. Pure."""
    doc_id = doc.doc_id
    text: str = doc.text
    meta: dict = doc.metadata
    ann: dict = doc.annotation
    vocab = ctx.vocab
    if ann.get("raw_sha256") != doc.raw_sha256:
        raise RowError(
            f"{annotation_rel(doc_id)}: $.raw_sha256: {ann.get('raw_sha256')} does not match the raw file "
            f"({doc.raw_sha256}); the annotation was made on another text"
        )

    layers = {layer: _layer_items(doc_id, ann, layer, ctx) for layer in ("zones", *SPAN_CONFIGS)}
    roles = vocab.annotator_roles
    annotators = [
        {"id": a.get("id"), "role": _role(roles, a.get("role"), f"{annotation_rel(doc_id)}: $.annotators[{i}].role"),
         "note": a.get("note")}
        for i, a in enumerate(ann.get("annotators") or [])
    ]
    provenance = {
        "raw_sha256": doc.raw_sha256,
        "metadata_sha256": doc.metadata_sha256,
        "annotation_sha256": doc.annotation_sha256,
        "schema_version": ann.get("schema_version"),
        "guidelines_version": ann.get("guidelines_version"),
        "status": ann.get("status"),
        "annotators": [{"id": a["id"], "role": a["role"]} for a in annotators],
    }
    out = DocRows(doc_id=doc_id, rows={DOCUMENTS: [], **{c: [] for c in SPAN_CONFIGS}, NER: []})

    # --- documents: one row, every annotation layer nested (lossless, see annotation_from_document)
    title = meta.get("title") or {}
    publisher = meta.get("publisher") or {}
    url = meta.get("url") or {}
    pub = meta.get("publication_date") or {}
    ret = meta.get("retrieval_date") or {}
    rights = meta.get("rights") or {}
    anchor = ann.get("temporal_anchor") or {}
    out.rows[DOCUMENTS].append({
        "id": doc_id,
        "text": text,
        "title": title.get("text"),
        "title_start": title.get("start"),
        "title_end": title.get("end"),
        "language": meta.get("language"),
        "metadata_schema_version": meta.get("schema_version"),
        "original_filename": meta.get("original_filename"),
        "publisher": publisher.get("name"),
        "publisher_entity_id": publisher.get("entity_id"),
        "publisher_note": publisher.get("note"),
        "url": url.get("value"),
        "url_null_reason": url.get("null_reason"),
        "url_leads": None if url.get("leads") is None else [{k: lead.get(k) for k in _LEAD} for lead in url["leads"]],
        "publication_date": pub.get("value"),
        "publication_date_earliest": pub.get("earliest"),
        "publication_date_latest": pub.get("latest"),
        "publication_date_source": pub.get("source"),
        "publication_date_confidence": pub.get("confidence"),
        "publication_date_note": pub.get("note"),
        "publication_date_evidence": [{k: e.get(k) for k in _SUB_SPAN} for e in pub.get("evidence") or []],
        "retrieval_date": ret.get("value"),
        "retrieval_date_null_reason": ret.get("null_reason"),
        "retrieval_date_note": ret.get("note"),
        "rights_licence": rights.get("licence"),
        "rights_holder": rights.get("holder"),
        "rights_note": rights.get("note"),
        "story_id": meta.get("story_id"),
        "related_sources": None if meta.get("related_sources") is None else [{k: r.get(k) for k in _RELATED} for r in meta["related_sources"]],
        "raw_sha256": doc.raw_sha256,
        "metadata_sha256": doc.metadata_sha256,
        "annotation_sha256": doc.annotation_sha256,
        "schema_version": ann.get("schema_version"),
        "guidelines_version": ann.get("guidelines_version"),
        "annotators": annotators,
        "status": ann.get("status"),
        "temporal_anchor": {"value": anchor.get("value"), "basis": anchor.get("basis")},
        "notes": ann.get("notes"),
        **{layer: layers[layer] for layer in ("zones", *SPAN_CONFIGS)},
    })
    out.counts["documents"] += 1
    out.counts[f"status:{ann.get('status')}"] += 1

    # --- ner: sentences, tokens, BIO tags
    types = ctx.ner_type_of
    raw_layers = {layer: ann.get(layer) or [] for layer in NER_LAYERS}
    type_of = {
        ENTITIES: lambda s: types[ENTITIES][s["label"]],
        DATES: lambda s: types[DATES][s["type"]],
        NUMERIC_CLAIMS: lambda s: types[NUMERIC_CLAIMS][s["kind"]],
    }
    zones = ann.get("zones") or []
    tagged, stats = nerlib.tag_sentences(text, zones, raw_layers, type_of, NER_LAYERS, meta.get("language"))
    tag_index = ctx.ner_tag_index
    zone_type_index = {z: i for i, z in enumerate(vocab.zone_types)}
    for i, ts in enumerate(tagged):
        s = ts.sentence
        offset = s.start
        out.rows[NER].append({
            "id": f"{doc_id}#{i}",
            "doc_id": doc_id,
            "sentence_index": i,
            "zone_id": s.zone_id,
            "zone_type": zone_type_index[s.zone_type],
            "start": s.start,
            "end": s.end,
            "text": text[s.start:s.end],
            "tokens": [text[a:b] for a, b in zip(ts.token_starts, ts.token_ends)],
            "ner_tags": [tag_index[t] for t in ts.tags],
            "token_starts": [a - offset for a in ts.token_starts],
            "token_ends": [b - offset for b in ts.token_ends],
            "provenance": provenance,
        })
    if tagged:
        out.counts["ner:sentences"] += len(tagged)
        out.counts["ner:tokens"] += sum(len(ts.tags) for ts in tagged)
    for kind, n in stats.tagged_types.items():  # one B- tag per span tagged
        out.counts[f"ner:spans:{kind}"] += n
    for layer in NER_LAYERS:
        out.counts[f"ner:tagged:{layer}"] += stats.tagged[layer]
        out.counts[f"ner:dropped:{layer}"] += stats.dropped[layer]
    out.counts["ner:forced_token_cuts"] += stats.split_tokens

    # --- span configs: one row per span with the context to use it alone
    loc = _Locator(text, zones, [ts.sentence for ts in tagged])
    names = ctx.registry_names
    dates_by_id = {d["id"]: d for d in ann.get(DATES) or []}

    def placed(start: int, end: int, zone: dict | None = None) -> dict:
        zone, context, cstart = loc.context(start, end, zone)
        return {
            "zone_id": zone["id"] if zone else None,
            "zone_type": zone_type_index.get(zone["type"]) if zone else None,
            "context": context,
            "context_start": cstart,
        }

    for item in layers[ENTITIES]:
        out.rows[ENTITIES].append({
            "doc_id": doc_id, **item, "entity_name": names.get(item["entity_id"]),
            **placed(item["start"], item["end"]), "provenance": provenance,
        })
    for item in layers[QUOTES]:
        # The context shows the attribution too: speaker, cue and intermediary widen it when they
        # are in the quote's zone, in any paragraph of it (a continued quote's speaker is often
        # paragraphs back); a dateline's "(NTV)" is another zone, not the body's context.
        start, end = item["start"], item["end"]
        zone = loc.zone_of(start)
        lo, hi = (zone["start"], zone["end"]) if zone is not None else loc.lines(start, end, None)
        for sub in (item["speaker"], item["cue"], item["intermediary"]):
            if sub and lo <= sub["start"] and sub["end"] <= hi:
                start, end = min(start, sub["start"]), max(end, sub["end"])
        out.rows[QUOTES].append({
            "doc_id": doc_id, **item, "speaker_name": names.get(item["speaker_entity_id"]) if item["speaker_entity_id"] else None,
            **placed(start, end, zone), "provenance": provenance,
        })
    for item in layers[DATES]:
        out.rows[DATES].append({
            "doc_id": doc_id, **item, "temporal_anchor": anchor.get("value"),
            **placed(item["start"], item["end"]), "provenance": provenance,
        })
    for item in layers[NUMERIC_CLAIMS]:
        date = dates_by_id.get(item["date_id"]) if item["date_id"] else None
        out.rows[NUMERIC_CLAIMS].append({
            "doc_id": doc_id, **item,
            "date_text": date.get("text") if date else None,
            "date_value": date.get("value") if date else None,
            **placed(item["start"], item["end"]), "provenance": provenance,
        })

    # The counters, a layer at a time: Counter.update counts a whole iterable in one call.
    for layer in ("zones", *SPAN_CONFIGS):
        out.counts[f"layer:{layer}"] += len(layers[layer])
    for layer, key in LAYER_CLASS_FIELD.items():
        label_names = getattr(vocab, LAYER_LABEL_SETS[layer])
        out.counts.update(f"label:{layer}:{label_names[item[key]]}" for item in layers[layer])
    out.counts.update(f"speaker:{_speaker(item)}" for item in layers[QUOTES])
    out.mentions.update(item["entity_id"] for item in layers[ENTITIES])
    return out


def _speaker(quote: dict) -> str:
    """Who a quote is counted for: the registry entity, else the speaker's text, else no one."""
    return quote["speaker_entity_id"] or ("text:" + quote["speaker"]["text"] if quote["speaker"] else "")


def _role(roles: tuple[str, ...], value: Any, where: str) -> int | None:
    if value is None:
        return None
    if value not in roles:
        raise RowError(f"{where}: {value!r} is not in schema/vocabulary.schema.json $defs/AnnotatorRole ({', '.join(roles)})")
    return roles.index(value)


# ---------------------------------------------------------------- the inverse (lossless check)

def decode_labels(value: Any, feature: Any) -> Any:
    """Replace ClassLabel indices by their names, following a `datasets` feature."""
    import datasets

    if value is None:
        return None
    if isinstance(feature, datasets.ClassLabel):
        return feature.int2str(value)
    if isinstance(feature, (datasets.List, datasets.Sequence)) and isinstance(value, list):
        return [decode_labels(v, feature.feature) for v in value]
    if isinstance(feature, (dict, datasets.Features)) and isinstance(value, dict):
        return {k: decode_labels(v, feature[k]) if k in feature else v for k, v in value.items()}
    return value


def _resolve(node: Any, root: dict) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: Any = root
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def _restore(value: Any, node: Any, root: dict) -> Any:
    """Drop optional keys that are null (absent in the file) and give integral numbers back as int."""
    node = _resolve(node, root)
    if isinstance(node, dict) and value is not None:
        for branch in node.get("oneOf", []):
            branch = _resolve(branch, root)
            if isinstance(branch, dict) and branch.get("type") != "null":
                node = branch
                break
    if isinstance(value, dict):
        props = node.get("properties", {}) if isinstance(node, dict) else {}
        required = set(node.get("required", [])) if isinstance(node, dict) else set()
        return {
            k: _restore(v, props.get(k), root)
            for k, v in value.items()
            if not (v is None and k not in required)
        }
    if isinstance(value, list):
        items = node.get("items") if isinstance(node, dict) else None
        return [_restore(v, items, root) for v in value]
    if isinstance(value, float) and isinstance(node, dict) and node.get("type") == "number" and value.is_integer():
        return int(value)
    return value


def annotation_from_document(row: dict, annotation_schema: dict) -> dict:
    """annotated/<doc_id>.json rebuilt from a `documents` row whose labels are names.

    Exact up to JSON equality (an integral number written as 7.0 comes back as 7); with
    `jsonio.canonical_dumps(result, annotation_schema)` it is byte-identical to a file in
    canonical layout."""
    ann = {
        "schema_version": row["schema_version"],
        "guidelines_version": row["guidelines_version"],
        "doc_id": row["id"],
        "raw_sha256": row["raw_sha256"],
        "annotators": row["annotators"],
        "status": row["status"],
        "temporal_anchor": row["temporal_anchor"],
        "notes": row["notes"],
        **{layer: row[layer] for layer in ("zones", *SPAN_CONFIGS)},
    }
    return _restore(ann, annotation_schema, annotation_schema)


def metadata_from_document(row: dict, metadata_schema: dict) -> dict:
    """raw/<doc_id>.meta.json rebuilt from a `documents` row.

    The raw file's sha256, sizes and encoding come from `raw_sha256` and `text`; an optional
    list the file leaves out is null in the row, one it writes empty is []. Exact up to JSON
    equality; with `jsonio.canonical_dumps(result, metadata_schema)` it is byte-identical to a
    file in canonical layout (which L1-not-canonical asks of every file)."""
    text = row["text"]
    meta = {
        "schema_version": row["metadata_schema_version"],
        "doc_id": row["id"],
        "original_filename": row["original_filename"],
        "sha256": row["raw_sha256"],
        "size_bytes": len(text.encode("utf-8")),
        "size_codepoints": len(text),
        "encoding": "utf-8",  # the schema's only value: `text` is the raw file decoded as UTF-8
        "language": row["language"],
        "publisher": {"name": row["publisher"], "entity_id": row["publisher_entity_id"], "note": row["publisher_note"]},
        "title": {"text": row["title"], "start": row["title_start"], "end": row["title_end"]},
        "url": {"value": row["url"], "null_reason": row["url_null_reason"], "leads": row["url_leads"]},
        "publication_date": {
            "value": row["publication_date"],
            "earliest": row["publication_date_earliest"],
            "latest": row["publication_date_latest"],
            "source": row["publication_date_source"],
            "confidence": row["publication_date_confidence"],
            "evidence": row["publication_date_evidence"],
            "note": row["publication_date_note"],
        },
        "retrieval_date": {"value": row["retrieval_date"], "null_reason": row["retrieval_date_null_reason"], "note": row["retrieval_date_note"]},
        "rights": {"licence": row["rights_licence"], "holder": row["rights_holder"], "note": row["rights_note"]},
        "story_id": row["story_id"],
        "related_sources": row["related_sources"],
    }
    return _restore(meta, metadata_schema, metadata_schema)
