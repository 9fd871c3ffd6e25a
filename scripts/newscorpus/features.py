"""Column types of every published config, generated from the declared vocabulary.

One definition per config: `config_features(name, vocab)` returns a `datasets.Features`.
The build writes Parquet with `features.arrow_schema` (ClassLabel names travel in the
`huggingface` schema metadata) AND generates the card's YAML `dataset_info` from the same
object, so the two can never disagree. Label names and their order come from
schema/vocabulary.schema.json through `newscorpus.spec`; nothing here lists a label.

`datasets` is imported inside the functions: importing this module stays cheap and the
validate path never pays for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from newscorpus.spec import LABEL_SETS, LAYER_LABEL_FIELDS, LAYER_LABEL_SETS, Vocabulary

# Config names, in the order the card and the YAML list them. `documents` is the default.
DOCUMENTS = "documents"
ENTITIES = "entities"
QUOTES = "quotes"
DATES = "dates"
NUMERIC_CLAIMS = "numeric_claims"
NER = "ner"
ENTITY_REGISTRY = "entity_registry"

SPAN_CONFIGS = (ENTITIES, QUOTES, DATES, NUMERIC_CLAIMS)  # one config per annotation layer
CONFIGS = (DOCUMENTS, *SPAN_CONFIGS, NER, ENTITY_REGISTRY)
DEFAULT_CONFIG = DOCUMENTS

# The registry is not a sample of documents, so it is not train/validation/test.
REGISTRY_SPLIT = "registry"

# Token-level precedence when spans of different layers cover the same token (section NER in
# the card): a span is tagged only if none of its tokens was tagged by an earlier layer.
NER_LAYERS = (ENTITIES, DATES, NUMERIC_CLAIMS)


class FeatureError(Exception):
    """The vocabulary cannot be turned into dataset features (e.g. two NER types collide)."""


@dataclass(frozen=True)
class NerType:
    layer: str  # annotation layer the type comes from
    value: str  # the label as annotated (PERSON, DATE, money)
    tag: str  # the type in BIO tags (PERSON, DATE, MONEY)


# Where each NER layer's types are declared: $defs name in schema/vocabulary.schema.json.
NER_LAYER_DEFS = {layer: LABEL_SETS[LAYER_LABEL_SETS[layer]] for layer in NER_LAYERS}


def _all_ner_types(vocab: Vocabulary) -> list[NerType]:
    found: list[NerType] = []
    found += [NerType(ENTITIES, v, v) for v in vocab.entity_labels]
    found += [NerType(DATES, v, v) for v in vocab.date_types]
    found += [NerType(NUMERIC_CLAIMS, v, v.upper()) for v in vocab.numeric_kinds]
    return found


def ner_type_clashes(vocab: Vocabulary) -> list[tuple[NerType, NerType]]:
    """(earlier, later) pairs of NER types that would give the same tag type. The validator
    reports them (L2-duplicate-label), so the build never meets one."""
    seen: dict[str, NerType] = {}
    clashes = []
    for t in _all_ner_types(vocab):
        if t.tag in seen:
            clashes.append((seen[t.tag], t))
        else:
            seen[t.tag] = t
    return clashes


def ner_types(vocab: Vocabulary) -> tuple[NerType, ...]:
    """Entity labels, then date types, then numeric kinds (upper-cased), in declared order."""
    for other, t in ner_type_clashes(vocab):
        raise FeatureError(
            f"schema/vocabulary.schema.json: NER tag type {t.tag!r} is produced by both "
            f"{other.layer} ({other.value!r}) and {t.layer} ({t.value!r}); tag types must be unique"
        )
    return tuple(_all_ner_types(vocab))


def ner_tag_names(vocab: Vocabulary) -> list[str]:
    """ClassLabel names of `ner_tags`: O, then B-/I- for each type in `ner_types` order."""
    names = ["O"]
    for t in ner_types(vocab):
        names += [f"B-{t.tag}", f"I-{t.tag}"]
    return names


def _d():
    try:
        import datasets  # noqa: F401  (lazy: only the build needs it)
    except ImportError as missing:  # pragma: no cover - environment problem
        raise FeatureError(
            f"the build needs the 'build' extra ({missing.name} is not installed): pip install 'newscorpus[build]'"
        ) from None
    return datasets


def _label(vocab: Vocabulary, layer: str, field: str):
    """The ClassLabel of an annotation field, from the one table of label fields."""
    return _d().ClassLabel(names=list(getattr(vocab, LAYER_LABEL_FIELDS[layer][field])))


def _parts(vocab: Vocabulary):
    ds = _d()
    V, CL, L = ds.Value, ds.ClassLabel, ds.List
    s, i32 = V("string"), V("int32")
    label = partial(_label, vocab)
    sub_span = {"start": i32, "end": i32, "text": s}
    provenance = {
        "raw_sha256": s,
        "metadata_sha256": s,
        "annotation_sha256": s,
        "schema_version": s,
        "guidelines_version": s,
        "status": s,
        "annotators": L({"id": s, "role": CL(names=list(vocab.annotator_roles))}),
    }
    zone = {"id": s, "start": i32, "end": i32, "text": s, "type": label("zones", "type")}
    entity = {
        "id": s, "start": i32, "end": i32, "text": s,
        "label": label("entities", "label"),
        "entity_id": s, "note": s,
    }
    quote = {
        "id": s, "start": i32, "end": i32, "text": s,
        "kind": label("quotes", "kind"),
        "speaker": dict(sub_span),
        "speaker_entity_id": s,
        "cue": dict(sub_span),
        "intermediary": {"start": i32, "end": i32, "text": s, "entity_id": s},
        "continues": s, "note": s,
    }
    date = {
        "id": s, "start": i32, "end": i32, "text": s,
        "type": label("dates", "type"),
        "value": s,
        "mod": label("dates", "mod"),
        "anchor": label("dates", "anchor"),
        "note": s,
    }
    numeric = {
        "id": s, "start": i32, "end": i32, "text": s,
        "value": V("float64"),
        "unit": label("numeric_claims", "unit"),
        "kind": label("numeric_claims", "kind"),
        "approximate": V("bool"),
        "bound": label("numeric_claims", "bound"),
        "figurative": V("bool"),
        "measured": s,
        "date_id": s, "quote_id": s, "note": s,
    }
    return ds, s, i32, provenance, zone, entity, quote, date, numeric


def config_features(name: str, vocab: Vocabulary):
    """The `datasets.Features` of config `name` (one of CONFIGS)."""
    ds, s, i32, provenance, zone, entity, quote, date, numeric = _parts(vocab)
    CL, L = ds.ClassLabel, ds.List
    zone_type = _label(vocab, "zones", "type")
    # Columns every span row carries so that it can be used without the documents config.
    span_context = {
        "zone_id": s,
        "zone_type": zone_type,
        "context": s,
        "context_start": i32,
    }
    if name == DOCUMENTS:
        cols = {
            "id": s,
            "text": s,
            "title": s,
            "title_start": i32,
            "title_end": i32,
            "language": s,
            "metadata_schema_version": s,
            "original_filename": s,
            "publisher": s,
            "publisher_entity_id": s,
            "publisher_note": s,
            "url": s,
            "url_null_reason": s,
            "url_leads": L({"url": s, "status": s, "how_established": s}),
            "publication_date": s,
            "publication_date_earliest": s,
            "publication_date_latest": s,
            "publication_date_source": s,
            "publication_date_confidence": s,
            "publication_date_note": s,
            "publication_date_evidence": L({"start": i32, "end": i32, "text": s}),
            "retrieval_date": s,
            "retrieval_date_null_reason": s,
            "retrieval_date_note": s,
            "rights_licence": s,
            "rights_holder": s,
            "rights_note": s,
            "story_id": s,
            "related_sources": L({
                "relation": s, "publisher": s, "title": s, "url": s, "date": s,
                "how_established": s, "confidence": s,
            }),
            "raw_sha256": s,
            "metadata_sha256": s,
            "annotation_sha256": s,
            "schema_version": s,
            "guidelines_version": s,
            "annotators": L({"id": s, "role": CL(names=list(vocab.annotator_roles)), "note": s}),
            "status": s,
            "temporal_anchor": {"value": s, "basis": s},
            "notes": L(s),
            "zones": L(zone),
            "entities": L(entity),
            "quotes": L(quote),
            "dates": L(date),
            "numeric_claims": L(numeric),
        }
    elif name == ENTITIES:
        cols = {"doc_id": s, **entity, "entity_name": s, **span_context, "provenance": provenance}
    elif name == QUOTES:
        cols = {"doc_id": s, **quote, "speaker_name": s, **span_context, "provenance": provenance}
    elif name == DATES:
        cols = {"doc_id": s, **date, "temporal_anchor": s, **span_context, "provenance": provenance}
    elif name == NUMERIC_CLAIMS:
        cols = {
            "doc_id": s, **numeric, "date_text": s, "date_value": s,
            **span_context, "provenance": provenance,
        }
    elif name == NER:
        cols = {
            "id": s,
            "doc_id": s,
            "sentence_index": i32,
            "zone_id": s,
            "zone_type": zone_type,
            "start": i32,
            "end": i32,
            "text": s,
            "tokens": L(s),
            "ner_tags": L(CL(names=ner_tag_names(vocab))),
            "token_starts": L(i32),
            "token_ends": L(i32),
            "provenance": provenance,
        }
    elif name == ENTITY_REGISTRY:
        cols = {
            "id": s,
            "label": _label(vocab, "entities", "label"),
            "name": s,
            "description": s,
            "aliases": L(s),
            "mention_count": i32,
            "document_count": i32,
            "mentions_by_split": {split: i32 for split in vocab.splits},
        }
    else:
        raise FeatureError(f"unknown config {name!r} (known: {', '.join(CONFIGS)})")
    return ds.Features(cols)


# String columns that hold a value of a closed set declared in the vocabulary (kept as strings:
# they describe provenance, they are not training targets): column path -> $defs name. The
# card lists each set's values with its meaning.
STRING_ENUM_COLUMNS: dict[str, str] = {
    "publication_date_source": "DateSource",
    "publication_date_confidence": "Confidence",
    "url_leads.status": "LeadStatus",
    "related_sources.relation": "SourceRelation",
    "related_sources.confidence": "Confidence",
    "status": "AnnotationStatus",
    "provenance.status": "AnnotationStatus",
}

# One line per column for the card's "fields" tables: "<config>.<column>" where a column means
# something else in that config, else "<column>" (field_description). A column without a
# description fails the card test, so a new column cannot be published undocumented.
_SPAN_ID = "the span's id, unique within its document only (join on `doc_id` and `id`)"
FIELD_DESCRIPTIONS: dict[str, str] = {
    f"{DOCUMENTS}.id": "the document's id, `<publisher>_<date>_<slug>`: what `doc_id` names in every other config",
    **{f"{config}.id": _SPAN_ID for config in SPAN_CONFIGS},
    f"{NER}.id": "`<doc_id>#<sentence_index>`",
    f"{ENTITY_REGISTRY}.id": "the entity's id: what `entity_id` and `speaker_entity_id` name",
    "doc_id": "the document the row comes from (key into `documents`)",
    f"{DOCUMENTS}.text": "the raw article text, verbatim: every offset counts into it",
    "text": "the span's text, verbatim (the document's text at [start, end))",
    f"{NER}.text": "the sentence, verbatim (the document's text at [start, end))",
    "title": "headline as printed, from the metadata",
    "title_start": "code-point offset of the title in `text`",
    "title_end": "end offset (exclusive) of the title in `text`",
    "language": "BCP 47 language tag",
    "publisher": "outlet that published the article",
    "publisher_entity_id": "registry id of the outlet, null if not in the registry",
    "url": "URL of the article; null when unknown (see `url_null_reason`)",
    "url_null_reason": "why `url` is null",
    "publication_date": "ISO date; null when the text fixes only a range",
    "publication_date_earliest": "earliest possible publication date when only a range is known",
    "publication_date_latest": "latest possible publication date when only a range is known",
    "publication_date_source": "how the date was established",
    "publication_date_confidence": "confidence in the publication date",
    "publication_date_note": "the reasoning behind the publication date",
    "publication_date_evidence": "the spans of `text` the publication date rests on (start, end, text), when it is stated in or inferred from the article",
    "original_filename": "the file name the raw text had in the collection it came from",
    "metadata_schema_version": "the schema version the metadata file follows (`schema_version` is the annotation file's)",
    "publisher_note": "where the page names the publisher, or how it was identified",
    "url_leads": "possible addresses of the article found while looking for its URL, each with its status and how it was found; an unconfirmed lead is not the URL (null: the metadata lists none)",
    "retrieval_date_note": "what is known about when the page was collected, when the date itself is not",
    "retrieval_date": "when the page was collected; null when not recorded",
    "retrieval_date_null_reason": "why `retrieval_date` is null",
    "rights_licence": "licence of the article text (the publisher's rights; not relicensed)",
    "rights_holder": "copyright holder of the article text",
    "rights_note": "conditions of inclusion",
    "story_id": "news event the article reports; splits keep a story together when the policy allows",
    "related_sources": "articles this one derives from or was syndicated from, with how that was established (null: the metadata lists none)",
    "raw_sha256": "sha256 of the raw UTF-8 file",
    "metadata_sha256": "sha256 of raw/<doc_id>.meta.json",
    "annotation_sha256": "sha256 of annotated/<doc_id>.json",
    "schema_version": "annotation schema version",
    "guidelines_version": "annotation guidelines version the file follows",
    "annotators": "annotator ids and roles",
    "status": "one annotator's pass or adjudicated from two blind passes",
    f"{DOCUMENTS}.temporal_anchor": "the date relative expressions were resolved against: `value` (the publication date, or the "
    "earliest possible day when only a range is known) and `basis`, which says which and why",
    "temporal_anchor": "the `value` of the document's temporal anchor (see `documents.temporal_anchor`), for the rows' `anchor`",
    "notes": "annotator notes on the whole document",
    "zones": "layout zones (headline, body, caption, ...), each with its type",
    "entities": "named-entity mentions (OntoNotes labels) linked to the registry",
    "quotes": "attributions (PARC 3.0 style): content, speaker, cue, intermediary",
    "dates": "temporal expressions (TIMEX3 style) with normalised values",
    "numeric_claims": "numbers stating a quantity, with value, unit, kind and what is measured",
    "start": "code-point offset, inclusive (spans: into the document text)",
    "end": "code-point offset, exclusive",
    "label": "entity label (OntoNotes)",
    "entity_id": "registry id of the referent (key into `entity_registry`)",
    "entity_name": "canonical name of the referent from the registry",
    "note": "annotator's note on the span",
    f"{QUOTES}.kind": "direct, indirect or mixed: how much of the content is inside quotation marks",
    f"{NUMERIC_CLAIMS}.kind": "what sort of number: count, money, percent, quantity, ordinal",
    "speaker": "span naming the source; null when the text names none",
    "speaker_entity_id": "registry id of the source; null for unnamed or group sources",
    "speaker_name": "canonical registry name of the source",
    "cue": "the attribution cue span (said, told, according to)",
    "intermediary": "outlet or person the words reached the writer through, with its registry id",
    "continues": "id of the quote this one continues",
    "type": "TIMEX3 type of the date expression",
    f"{DATES}.value": "TIMEX3 value (2020-12-30, 2020-W52, P3Y, PRESENT_REF)",
    f"{NUMERIC_CLAIMS}.value": "the number stated, scaled ('7 million' is 7000000)",
    "mod": "TIMEX3 modifier; null when none",
    "anchor": "what the value was resolved against: the text alone, the document's temporal anchor, or nothing",
    "unit": "unit of the number (ISO 4217 code for money)",
    "approximate": "true for 'around', 'about', 'nearly', 'some'",
    "bound": "how the stated number bounds the quantity",
    "figurative": "true for idioms using a number; null when not marked, which by the guidelines (section 5, only figurative uses are marked) means a literal number",
    "measured": "what is counted or measured, in plain words",
    "date_id": "id of the date the figure is stated for",
    "quote_id": "id of the quote the number sits in",
    "date_text": "text of the date `date_id` names",
    "date_value": "TIMEX3 value of the date `date_id` names",
    "zone_id": "id of the zone holding the span or sentence",
    "zone_type": "type of that zone",
    "context": "the whole sentence(s) around the span, verbatim, within its zone",
    f"{QUOTES}.context": "the whole sentences from the first to the last of content, speaker, cue and intermediary, "
    "verbatim, within the quote's zone (a speaker in another zone, a dateline say, is left out)",
    "context_start": "code-point offset of `context` in the document; span offset in context = start - context_start",
    "provenance": "raw, metadata and annotation sha256, schema and guidelines versions, status, annotators",
    "sentence_index": "position of the sentence among the document's annotated sentences",
    "tokens": "tokens of the sentence (see Tokenization)",
    "ner_tags": "BIO tags over entity labels, date types and numeric kinds",
    "token_starts": "code-point offset of each token in the row's `text`",
    "token_ends": "end offset (exclusive) of each token in the row's `text`",
    "name": "canonical name in its own spelling",
    "description": "what tells the referent apart",
    "aliases": "spellings seen in the corpus",
    "mention_count": "entity mentions linked to this id in the published splits",
    "document_count": "documents with at least one such mention",
    "mentions_by_split": "mentions per split",
}


def field_description(config: str, column: str) -> str | None:
    """What `column` of `config` holds, for the card: the config's own line, else the shared one."""
    return FIELD_DESCRIPTIONS.get(f"{config}.{column}", FIELD_DESCRIPTIONS.get(column))
