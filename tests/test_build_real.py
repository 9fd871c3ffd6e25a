"""`newscorpus build` on the repository's own corpus (the seed articles).

The corpus grows by contribution: these tests check the seed articles and what must hold for
any corpus, never the exact set of documents, so adding an article does not break them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from newscorpus.build import MANIFEST, BuildRefused, build
from newscorpus.corpus import CorpusPaths
from newscorpus.jsonio import canonical_dumps
from newscorpus.rows import annotation_from_document, decode_labels, metadata_from_document

datasets = pytest.importorskip("datasets")

REPO = Path(__file__).resolve().parents[1]
SOUTHFRONT = "southfront_2020-12_turkey-us-s400-working-group"
TRT = "trtworld_2020-12-30_turkey-us-s400-working-group-talks"
NEEDED = [f"annotated/{SOUTHFRONT}.json", f"annotated/{TRT}.json", "annotated/entity_registry.json",
          "annotated/splits.json", "DATASET_CARD.md"]


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    missing = [p for p in NEEDED if not (REPO / p).is_file()]
    if missing:
        pytest.skip(f"the repository corpus is incomplete: {', '.join(missing)} absent")
    out = tmp_path_factory.mktemp("real") / "dist"
    try:
        build(CorpusPaths(REPO), out=out, jobs=2, progress=False)
    except BuildRefused as refused:
        from newscorpus.validate import render_text

        pytest.fail("the repository corpus does not validate, so the build refuses:\n" + render_text(refused.report))
    return out


def _load(dist, config, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return datasets.load_dataset(str(dist), config, cache_dir=str(tmp_path / "hf-cache"))


def test_seed_documents_land_in_their_pinned_splits(dist, tmp_path, monkeypatch):
    docs = _load(dist, "documents", tmp_path, monkeypatch)
    manifest = json.loads((dist / MANIFEST).read_text("utf-8"))
    assert set(docs) == {s for s, n in manifest["splits"]["documents"].items() if n}  # an empty split is no config split
    assert SOUTHFRONT in docs["train"]["id"] and TRT in docs["test"]["id"]
    trt = docs["test"][docs["test"]["id"].index(TRT)]
    assert trt["publication_date"] == "2020-12-30"
    assert trt["publisher"] == "TRT World"
    sf = docs["train"][docs["train"]["id"].index(SOUTHFRONT)]
    assert sf["publication_date"] is None
    assert (sf["publication_date_earliest"], sf["publication_date_latest"]) == ("2020-12-30", "2020-12-31")


def test_a_known_quote_and_its_speaker(dist, tmp_path, monkeypatch):
    quotes = _load(dist, "quotes", tmp_path, monkeypatch)["test"]
    q = next(r for r in quotes if r["text"] == "“It is an attack on our sovereign rights,”")
    assert q["doc_id"] == TRT
    assert q["speaker"]["text"] == "he"
    assert q["speaker_entity_id"] == "mevlut-cavusoglu"
    assert q["cue"]["text"] == "stressed"
    assert quotes.features["kind"].int2str(q["kind"]) == "direct"
    assert q["context"] == "“It is an attack on our sovereign rights,” he stressed."


def test_a_quote_context_holds_its_speaker_cue_and_intermediary_when_they_are_in_its_zone(dist, tmp_path, monkeypatch):
    """A trainer reading only `context` finds the attribution there, a continued quote's speaker
    paragraphs back included (SouthFront's q11 continues q10, whose "Lavrov ... said" is in the
    paragraph before)."""
    quotes = _load(dist, "quotes", tmp_path, monkeypatch)
    zones = {}
    for split in _load(dist, "documents", tmp_path, monkeypatch).values():
        for doc in split:
            zones.update({(doc["id"], z["id"]): (z["start"], z["end"]) for z in doc["zones"]})
    seen = 0
    for split in quotes.values():
        for q in split:
            lo, hi = q["context_start"], q["context_start"] + len(q["context"])
            z0, z1 = zones[(q["doc_id"], q["zone_id"])]
            for sub in (q["speaker"], q["cue"], q["intermediary"]):
                if sub and sub["start"] is not None and z0 <= sub["start"] and sub["end"] <= z1:
                    assert lo <= sub["start"] and sub["end"] <= hi, (q["doc_id"], q["id"], sub)
                    assert q["context"][sub["start"] - lo:sub["end"] - lo] == sub["text"]
            if (q["doc_id"], q["id"]) == (SOUTHFRONT, "q11"):
                seen += 1
                assert q["speaker"]["text"] == "Lavrov" and q["continues"] == "q10"
    assert seen == 1


def test_real_annotations_round_trip(dist, tmp_path, monkeypatch):
    schema = json.loads((REPO / "schema" / "annotation.schema.json").read_text("utf-8"))
    docs = _load(dist, "documents", tmp_path, monkeypatch)
    for split in docs:
        for row in docs[split]:
            rebuilt = annotation_from_document(decode_labels(row, docs[split].features), schema)
            path = REPO / "annotated" / f"{row['id']}.json"
            assert rebuilt == json.loads(path.read_text("utf-8"))
            assert canonical_dumps(rebuilt, schema).encode("utf-8") == path.read_bytes()


def test_card_states_leakage_and_why_a_split_is_empty(dist):
    """The seed pins put one story in train and test; the card must say so, and say why any
    split is empty (validation, while the corpus has only the two seed articles)."""
    readme = (dist / "README.md").read_text("utf-8")
    assert "story `2020-12-30_turkey-us-s400-working-group`" in readme
    assert "SouthFront" in readme and "TRT World" in readme
    manifest = json.loads((dist / MANIFEST).read_text("utf-8"))
    counts = manifest["splits"]["documents"]
    assert counts["train"] >= 1 and counts["test"] >= 1
    for split, n in counts.items():
        assert (f"**{split}** is empty:" in readme) == (n == 0), split
    assert "2020-12-30_turkey-us-s400-working-group" in manifest["splits"]["leaked_stories"]


def test_closed_string_columns_hold_vocabulary_values_and_the_card_lists_them(dist, tmp_path, monkeypatch):
    from newscorpus.features import STRING_ENUM_COLUMNS
    from newscorpus.spec import vocabulary

    vocab = vocabulary(REPO)
    documents = _load(dist, "documents", tmp_path, monkeypatch)
    readme = (dist / "README.md").read_text("utf-8")
    for column, defs_name in STRING_ENUM_COLUMNS.items():
        if column.startswith("provenance."):
            continue  # span configs' copy of the documents column
        head, _, sub = column.partition(".")
        values = [v for split in documents.values() for v in split[head]]
        if sub:
            values = [item[sub] for items in values for item in items or []]  # a null list: none
        assert values and set(values) <= set(vocab.enums[defs_name]), column
        assert f"**`$defs/{defs_name}`**" in readme
        for value in vocab.enums[defs_name]:
            assert f"| `{value}` |" in readme


def test_every_file_the_card_names_by_path_is_published_with_it(dist):
    """A trainer with the dataset folder alone can open the guidelines, the adjudication record,
    the split policy and the schemas the card points to: they are published at those paths,
    byte for byte as the build read them, and listed in the manifest."""
    import re

    card = (dist / "README.md").read_text("utf-8")
    named = set(re.findall(r"`((?:annotated|schema)/[^`<>*\s]+)`", card))
    assert {"annotated/GUIDELINES.md", "annotated/ADJUDICATION.md", "annotated/splits.json", "schema/vocabulary.schema.json"} <= named
    listed = {f["path"]: f["sha256"] for f in json.loads((dist / MANIFEST).read_text("utf-8"))["files"]}
    source_only = "annotated/passes/"  # the passes and their agreement report, which the card renders
    assert f"(`{source_only}`)" in card  # ... and says are in the source repository only
    for rel in sorted(named):
        if rel.startswith(source_only):
            continue
        assert (dist / rel).read_bytes() == (REPO / rel).read_bytes(), rel
        assert rel in listed, rel


def test_the_cards_provenance_names_each_annotators_roles(dist):
    """A reader must see that the adjudicator was one of the annotators (a known bias)."""
    roles: dict[str, list[str]] = {}
    for rel in (f"annotated/{SOUTHFRONT}.json", f"annotated/{TRT}.json"):
        for a in json.loads((REPO / rel).read_text("utf-8"))["annotators"]:
            if a["role"] not in roles.setdefault(a["id"], []):
                roles[a["id"]].append(a["role"])
    order = ["first_pass", "second_pass", "adjudicator"]
    expected = ", ".join(f"{a} ({', '.join(sorted(r, key=order.index))})" for a, r in sorted(roles.items()))
    assert f"| annotators | {expected} |" in (dist / "README.md").read_text("utf-8")
    assert any(len(r) > 1 for r in roles.values())  # the seed's adjudicator also made a pass: the row must show both


def test_everything_the_metadata_records_is_published(dist, tmp_path, monkeypatch):
    """Provenance a maintainer recorded (an unconfirmed URL lead, the date's evidence, what is
    known of the retrieval) reaches the data users get: each metadata file is rebuilt byte for
    byte from its documents row, so `metadata_sha256` can be checked from the data alone."""
    schema = json.loads((REPO / "schema" / "metadata.schema.json").read_text("utf-8"))
    documents = _load(dist, "documents", tmp_path, monkeypatch)
    for split in documents:
        for row in documents[split]:
            path = REPO / "raw" / f"{row['id']}.meta.json"
            rebuilt = metadata_from_document(row, schema)
            assert rebuilt == json.loads(path.read_text("utf-8"))
            blob = canonical_dumps(rebuilt, schema).encode("utf-8")
            assert blob == path.read_bytes() and hashlib.sha256(blob).hexdigest() == row["metadata_sha256"]
