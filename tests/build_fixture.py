"""A small synthetic corpus for the build tests, written from scratch into a temporary folder.

`write_corpus(root, docs)` lays out a complete corpus root: the repository's schema/ and card
template, raw texts with curly quotes and non-ASCII names, metadata, canonical annotation files,
the entity registry and annotated/splits.json. Offsets are found by searching the text, so a
fixture cannot drift from its own text.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from newscorpus.corpus import copy_published_prose
from newscorpus.jsonio import canonical_dumps

REPO = Path(__file__).resolve().parents[1]

REGISTRY = {
    "mevlut-cavusoglu": ("PERSON", "Mevlüt Çavuşoğlu", "Turkish Foreign Minister in 2021"),
    "turkish": ("NORP", "Turkish", "the Turkish nationality"),
    "united-states": ("GPE", "United States", "the country"),
    "ntv": ("ORG", "NTV", "Turkish news broadcaster"),
    "ankara": ("GPE", "Ankara", "capital of Turkey"),
    "agence-unicode": ("ORG", "Agence Ünicode", "fictional wire service used in tests"),
}


def find(text: str, needle: str, nth: int = 0, after: int = 0) -> tuple[int, int]:
    pos = after - 1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    return pos, pos + len(needle)


def span(text: str, needle: str, nth: int = 0, after: int = 0) -> dict:
    s, e = find(text, needle, nth, after)
    return {"start": s, "end": e, "text": text[s:e]}


@dataclass
class Doc:
    doc_id: str
    story_id: str
    publisher: str = "Agence Ünicode"
    headline: str = "Çavuşoğlu says “talks are going well”"
    date: str = "2021-01-05"
    extra_numeric: bool = True
    notes: list[str] | None = None
    text: str = field(init=False, default="")


def article_text(doc: Doc) -> str:
    return (
        f"{doc.headline}\n"
        "3 MIN READ\n"
        "January 5, 2021\n\n"
        "Turkish Foreign Minister Mevlüt Çavuşoğlu said on Tuesday that the talks with the U.S. were "
        "“going well,” adding that around $20 billion in trade was at stake.\n\n"
        "“We’ll see next year,” he told the broadcaster NTV. Mr. Çavuşoğlu did not say more.\n\n"
        "READ MORE: Unrelated headline about Ankara\n"
    )


def annotation(doc: Doc, text: str) -> dict:
    lines = text.split("\n")
    offs = []
    pos = 0
    for line in lines:
        offs.append((pos, pos + len(line)))
        pos += len(line) + 1
    (h0, h1), (b0, b1), (d0, d1) = offs[0], offs[1], offs[2]
    body0 = offs[4][0]
    body1 = offs[6][1]
    bp0, bp1 = offs[8]
    zones = [
        {"id": "z1", "start": h0, "end": h1, "text": text[h0:h1], "type": "headline"},
        {"id": "z2", "start": b0, "end": b1, "text": text[b0:b1], "type": "boilerplate"},
        {"id": "z3", "start": d0, "end": d1, "text": text[d0:d1], "type": "dateline"},
        {"id": "z4", "start": body0, "end": body1, "text": text[body0:body1], "type": "body"},
        {"id": "z5", "start": bp0, "end": bp1, "text": text[bp0:bp1], "type": "boilerplate"},
    ]
    ents = [
        ("Çavuşoğlu", 0, 0, "PERSON", "mevlut-cavusoglu"),
        ("Turkish", 0, body0, "NORP", "turkish"),
        ("Mevlüt Çavuşoğlu", 0, body0, "PERSON", "mevlut-cavusoglu"),
        ("U.S.", 0, body0, "GPE", "united-states"),
        ("NTV", 0, body0, "ORG", "ntv"),
        ("Çavuşoğlu", 0, find(text, "Mr. ")[1], "PERSON", "mevlut-cavusoglu"),
    ]
    entities = []
    for needle, nth, after, label, eid in ents:
        entities.append({**span(text, needle, nth, after), "label": label, "entity_id": eid})
    entities.sort(key=lambda e: e["start"])
    for i, e in enumerate(entities, 1):
        e["id"] = f"e{i}"
    entities[-1]["note"] = "title 'Mr.' left out of the span"
    dates = [
        {**span(text, "January 5, 2021"), "type": "DATE", "value": "2021-01-05", "anchor": "absolute"},
        {**span(text, "Tuesday"), "type": "DATE", "value": "2021-01-05", "anchor": "publication_date"},
        {**span(text, "next year"), "type": "DATE", "value": "2022", "anchor": "publication_date", "mod": "APPROX"},
    ]
    for i, d in enumerate(dates, 1):
        d["id"] = f"t{i}"
    quotes = [
        {**span(text, "“talks are going well”"), "kind": "direct", "speaker": span(text, "Çavuşoğlu"),
         "speaker_entity_id": "mevlut-cavusoglu", "cue": span(text, "says"), "intermediary": None},
        {**span(text, "the talks with the U.S. were “going well,”"), "kind": "mixed",
         "speaker": span(text, "Mevlüt Çavuşoğlu"), "speaker_entity_id": "mevlut-cavusoglu",
         "cue": span(text, "said"), "intermediary": None},
        {**span(text, "“We’ll see next year,”"), "kind": "direct", "speaker": span(text, "he", 0, text.index("he told")),
         "speaker_entity_id": "mevlut-cavusoglu", "cue": span(text, "told"),
         "intermediary": {**span(text, "NTV"), "entity_id": "ntv"}, "note": "speaker is a pronoun"},
    ]
    for i, q in enumerate(quotes, 1):
        q["id"] = f"q{i}"
    numeric = []
    if doc.extra_numeric:
        numeric.append({
            **span(text, "around $20 billion"), "id": "n1", "value": 20000000000, "unit": "USD", "kind": "money",
            "approximate": True, "bound": "equal", "measured": "trade at stake in the talks",
            "date_id": None, "quote_id": None,
        })
    ann = {
        "schema_version": "1.0.0",
        "guidelines_version": "1.0.0",
        "doc_id": doc.doc_id,
        "raw_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "annotators": [{"id": "annotator-a", "role": "first_pass"}],
        "status": "single_pass",
        "temporal_anchor": {"value": doc.date, "basis": "dateline 'January 5, 2021'"},
        "zones": zones,
        "entities": entities,
        "quotes": quotes,
        "dates": dates,
        "numeric_claims": numeric,
    }
    if doc.notes is not None:
        ann["notes"] = doc.notes
    return ann


def metadata(doc: Doc, text: str) -> dict:
    raw = text.encode("utf-8")
    h0, h1 = 0, text.index("\n")
    return {
        "schema_version": "1.0.0",
        "doc_id": doc.doc_id,
        "original_filename": f"{doc.doc_id}.txt",
        "sha256": hashlib.sha256(raw).hexdigest(),
        "size_bytes": len(raw),
        "size_codepoints": len(text),
        "encoding": "utf-8",
        "language": "en",
        "publisher": {"name": doc.publisher, "entity_id": "agence-unicode" if doc.publisher == "Agence Ünicode" else None},
        "title": {"text": text[h0:h1], "start": h0, "end": h1},
        "url": {"value": None, "null_reason": "synthetic test article"},
        "publication_date": {"value": doc.date, "source": "stated_in_text", "confidence": "high",
                             "evidence": [span(text, "January 5, 2021")]},
        "retrieval_date": {"value": None, "null_reason": "synthetic test article"},
        "rights": {"licence": "all rights reserved (no open licence stated)", "holder": doc.publisher,
                   "note": "synthetic text written for the tests"},
        "story_id": doc.story_id,
    }


def default_docs() -> list[Doc]:
    return [
        Doc("agence_2021-01-05_talks-going-well", "2021-01-05_alpha-talks", notes=["synthetic fixture"]),
        Doc("courier_2021-01-05_talks-going-well", "2021-01-05_alpha-talks", publisher="Courier Ñews",
            headline="Çavuşoğlu: “talks are going well”, says minister", extra_numeric=False),
        Doc("gazette_2021-01-05_other-story", "2021-01-06_beta-story", publisher="Gazette Ōsaka",
            headline="Çavuşoğlu again says “talks are going well” in Türkiye’s capital"),
    ]


def default_splits(docs: list[Doc]) -> dict:
    return {
        "schema_version": "1.0.0",
        "policy": {"unit": "story", "min_stories_for_story_split": 10,
                   "fractions": {"train": 0.8, "validation": 0.1, "test": 0.1}, "salt": "test-salt"},
        "assignments": {docs[0].doc_id: "train", docs[-1].doc_id: "test"},
        "reasons": {docs[0].doc_id: "fixture pin"},
    }


def _schema(name: str) -> dict:
    return json.loads((REPO / "schema" / name).read_text("utf-8"))


def write_corpus(root: Path, docs: list[Doc] | None = None, splits: dict | None = None,
                 card: bool = True, agreement: dict | None = None) -> Path:
    docs = default_docs() if docs is None else docs
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "schema", root / "schema", dirs_exist_ok=True)
    if card:
        shutil.copy(REPO / "DATASET_CARD.md", root / "DATASET_CARD.md")
    (root / "raw").mkdir(exist_ok=True)
    (root / "annotated").mkdir(exist_ok=True)
    copy_published_prose(REPO, root)
    ann_schema, meta_schema = _schema("annotation.schema.json"), _schema("metadata.schema.json")
    spellings: dict[str, list[str]] = {}  # entity id -> its mentions' spellings: the registry's aliases
    for doc in docs:
        text = article_text(doc)
        doc.text = text
        (root / "raw" / f"{doc.doc_id}.txt").write_bytes(text.encode("utf-8"))
        meta = metadata(doc, text)
        (root / "raw" / f"{doc.doc_id}.meta.json").write_text(canonical_dumps(meta, meta_schema), "utf-8")
        ann = annotation(doc, text)
        for e in ann["entities"]:
            if e["text"] not in spellings.setdefault(e["entity_id"], []):
                spellings[e["entity_id"]].append(e["text"])
        (root / "annotated" / f"{doc.doc_id}.json").write_text(canonical_dumps(ann, ann_schema), "utf-8")
    registry = {
        "schema_version": "1.0.0",
        "entities": [
            {"id": k, "label": v[0], "name": v[1], "description": v[2]}
            | ({"aliases": spellings[k]} if k in spellings else {})
            for k, v in sorted(REGISTRY.items())
        ],
    }
    (root / "annotated" / "entity_registry.json").write_text(
        canonical_dumps(registry, _schema("entity-registry.schema.json")), "utf-8")
    splits = default_splits(docs) if splits is None else splits
    (root / "annotated" / "splits.json").write_text(canonical_dumps(splits, _schema("splits.schema.json")), "utf-8")
    if agreement is not None:
        (root / "annotated" / "passes").mkdir(exist_ok=True)
        (root / "annotated" / "passes" / "agreement.json").write_text(json.dumps(agreement), "utf-8")
    return root


def tree_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder` (relative path -> digest)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }
