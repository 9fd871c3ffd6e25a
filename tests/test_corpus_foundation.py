"""The corpus itself (issue 2): raw files are intact, schemas are valid, every file conforms.

These tests read the real repository corpus, not fixtures: they are what stops a commit that
edits a raw article or breaks an annotation from landing.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

import jsonschema
import pytest

from newscorpus.corpus import CorpusPaths
from newscorpus.spec import SCHEMA_FILES, load_schemas

REPO = Path(__file__).resolve().parents[1]
PATHS = CorpusPaths(REPO)
SHARED_SOURCES = REPO.parent / "shared" / "sources"

# The two seed articles and the sha256 the issue fixed for them.
SEED_SHA256 = {
    "southfront_2020-12_turkey-us-s400-working-group": "1533c97f4cec9182a7ec3af74bc484a3fb93f3b8a4e1bfd5dba8793e115934a4",
    "trtworld_2020-12-30_turkey-us-s400-working-group-talks": "181610df7824e127e784986b4aaf19eb10f7289e0c1405a4e8565b5fad21bd26",
}

DOC_IDS = PATHS.raw_doc_ids()
SCHEMAS = load_schemas(REPO)


def _validator(kind: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(SCHEMAS.documents[kind], registry=SCHEMAS.registry)


def _annotation_files() -> list[Path]:
    files = [PATHS.annotation(d) for d in PATHS.annotation_doc_ids()]
    if PATHS.passes_dir.is_dir():
        files += sorted(p for p in PATHS.passes_dir.glob("*/*.json") if p.name != "entity_registry.json")
    return files


def test_seed_articles_are_present_and_byte_exact():
    for doc_id, sha in SEED_SHA256.items():
        assert doc_id in DOC_IDS
        assert hashlib.sha256(PATHS.raw(doc_id).read_bytes()).hexdigest() == sha


@pytest.mark.skipif(not SHARED_SOURCES.is_dir(), reason="shared/sources is not beside this checkout")
def test_raw_files_equal_their_sources():
    for doc_id in SEED_SHA256:
        meta = json.loads(PATHS.meta(doc_id).read_text("utf-8"))
        assert PATHS.raw(doc_id).read_bytes() == (SHARED_SOURCES / meta["original_filename"]).read_bytes()


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_metadata_records_the_raw_file(doc_id):
    raw = PATHS.raw(doc_id).read_bytes()
    meta = json.loads(PATHS.meta(doc_id).read_text("utf-8"))
    text = raw.decode("utf-8")
    assert meta["doc_id"] == doc_id
    assert meta["sha256"] == hashlib.sha256(raw).hexdigest()
    assert meta["size_bytes"] == len(raw)
    assert meta["size_codepoints"] == len(text)
    assert text[meta["title"]["start"] : meta["title"]["end"]] == meta["title"]["text"]
    for evidence in meta["publication_date"]["evidence"]:
        assert text[evidence["start"] : evidence["end"]] == evidence["text"]


def test_raw_text_is_not_normalised():
    """The raw files keep what a cleaner would 'fix': the typo, curly quotes, the furniture."""
    southfront = PATHS.raw("southfront_2020-12_turkey-us-s400-working-group").read_text("utf-8")
    assert "Anakara" in southfront and "\u2019" in southfront and "\u201c" in southfront
    assert southfront.endswith("Support SouthFront")
    trt = PATHS.raw("trtworld_2020-12-30_turkey-us-s400-working-group-talks").read_text("utf-8")
    assert trt.startswith(" date 2020-12-30")
    # Not NFC-normalised by anyone: the file decodes to exactly what it encodes.
    assert trt.encode("utf-8") == PATHS.raw("trtworld_2020-12-30_turkey-us-s400-working-group-talks").read_bytes()
    assert unicodedata.is_normalized("NFC", trt)  # a fact about this source, recorded so a change shows


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_schemas_are_valid_draft_2020_12(kind):
    doc = SCHEMAS.documents[kind]
    jsonschema.Draft202012Validator.check_schema(doc)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["$id"].startswith("urn:newscorpus:schema:")
    assert doc["schema_version"] == SCHEMAS.vocabulary.schema_version


@pytest.mark.parametrize("kind", ["annotation", "metadata", "entity_registry", "splits"])
def test_schemas_reject_unknown_properties(kind):
    doc = SCHEMAS.documents[kind]
    assert doc.get("additionalProperties") is False
    errors = list(_validator(kind).iter_errors({"schema_version": "1.0.0", "surprise": 1}))
    assert any("surprise" in e.message for e in errors)


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_metadata_validates(doc_id):
    data = json.loads(PATHS.meta(doc_id).read_text("utf-8"))
    assert [e.message for e in _validator("metadata").iter_errors(data)] == []


def test_registry_validates():
    data = json.loads(PATHS.registry.read_text("utf-8"))
    assert [e.message for e in _validator("entity_registry").iter_errors(data)] == []


@pytest.mark.parametrize("path", _annotation_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_annotation_validates_and_every_span_matches_raw(path):
    data = json.loads(path.read_text("utf-8"))
    assert [e.message for e in _validator("annotation").iter_errors(data)] == []
    raw = PATHS.raw(data["doc_id"]).read_bytes()
    assert data["raw_sha256"] == hashlib.sha256(raw).hexdigest()
    text = raw.decode("utf-8")
    checked = 0
    for layer in ("zones", "entities", "quotes", "dates", "numeric_claims"):
        for span in data[layer]:
            assert text[span["start"] : span["end"]] == span["text"], (layer, span["id"])
            checked += 1
            for part in ("speaker", "cue", "intermediary"):
                sub = span.get(part)
                if isinstance(sub, dict):
                    assert text[sub["start"] : sub["end"]] == sub["text"], (layer, span["id"], part)
    assert checked > 0


def test_every_entity_id_used_in_gold_is_registered():
    registry = {e["id"]: e for e in json.loads(PATHS.registry.read_text("utf-8"))["entities"]}
    for doc_id in PATHS.annotation_doc_ids():
        data = json.loads(PATHS.annotation(doc_id).read_text("utf-8"))
        for mention in data["entities"]:
            assert mention["entity_id"] in registry, (doc_id, mention["id"])
            assert registry[mention["entity_id"]]["label"] == mention["label"], (doc_id, mention["id"])


def test_one_person_one_id_across_spellings():
    """Cross-document linking: the same minister in both articles, the misspelt capital linked."""
    ids_by_text: dict[str, set[str]] = {}
    for doc_id in PATHS.annotation_doc_ids():
        for mention in json.loads(PATHS.annotation(doc_id).read_text("utf-8"))["entities"]:
            ids_by_text.setdefault(mention["text"], set()).add(mention["entity_id"])
    assert ids_by_text["Anakara"] == ids_by_text["Ankara"] == {"ankara"}
    assert ids_by_text["Cavusoglu"] == ids_by_text["Mevlut Cavusoglu"] == {"mevlut-cavusoglu"}
