"""The split policy (newscorpus.splits) and the committed annotated/splits.json."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscorpus.splits import DocKey, SplitPolicyError, assign, bucket
from newscorpus.spec import load_schemas
from newscorpus.spill import SpillList

REPO = Path(__file__).resolve().parents[1]
NAMES = ("train", "validation", "test")


def policy(min_stories=10, fractions=(0.8, 0.1, 0.1), pins=None, salt="s"):
    return {
        "schema_version": "1.0.0",
        "policy": {"unit": "story", "min_stories_for_story_split": min_stories,
                   "fractions": dict(zip(NAMES, fractions)), "salt": salt},
        "assignments": dict(pins or {}),
    }


def corpus(n_docs: int, docs_per_story: int = 1) -> list[DocKey]:
    return [DocKey(f"pub_2021-01-01_doc-{i:04d}", f"2021-01-01_story-{i // docs_per_story}") for i in range(n_docs)]


def test_pins_override_the_policy():
    docs = corpus(40, 2)
    free = assign(docs, policy(), NAMES)
    target = docs[0].doc_id
    other = next(s for s in NAMES if s != free.split_of(target, docs[0].story_id))
    pinned = assign(docs, policy(pins={target: other}), NAMES)
    assert pinned.split_of(target, docs[0].story_id) == other
    assert pinned.pinned == {target: other}


def test_story_unit_keeps_each_story_in_one_split():
    docs = corpus(60, 3)
    plan = assign(docs, policy(), NAMES)
    assert plan.unit == "story"
    per_story: dict[str, set] = {}
    for d in docs:
        per_story.setdefault(d.story_id, set()).add(plan.split_of(*d))
    assert all(len(v) == 1 for v in per_story.values())
    assert plan.leaked_stories == {}


def test_unpinned_documents_follow_their_story_pins():
    docs = corpus(60, 3)
    plan = assign(docs, policy(pins={docs[0].doc_id: "test"}), NAMES)
    assert {plan.split_of(*d) for d in docs[:3]} == {"test"}
    assert plan.followed_pins == [docs[1].doc_id, docs[2].doc_id]


def test_document_unit_below_the_threshold_reports_leakage():
    docs = corpus(8, 2)  # 4 stories < 10
    plan = assign(docs, policy(fractions=(0.5, 0.25, 0.25)), NAMES)
    assert plan.unit == "document"
    for story, per in plan.leaked_stories.items():
        assert len(per) > 1


def test_assignment_is_stable_when_documents_are_added():
    docs = corpus(30, 1)
    before, after = (assign(keys, policy(), NAMES) for keys in (docs, docs + corpus(45, 1)[30:]))
    assert [after.split_of(*d) for d in docs] == [before.split_of(*d) for d in docs]


def test_fractions_are_roughly_respected():
    plan = assign(corpus(4000, 1), policy(), NAMES)
    share = {s: plan.documents[s] / 4000 for s in NAMES}
    assert abs(share["train"] - 0.8) < 0.03 and abs(share["validation"] - 0.1) < 0.03


def test_zero_fraction_split_is_empty_with_a_reason():
    plan = assign(corpus(50, 1), policy(fractions=(0.9, 0.0, 0.1)), NAMES)
    assert plan.documents["validation"] == 0
    assert "fraction of 0" in plan.empty_reasons["validation"]


def test_fractions_must_add_up_to_one():
    with pytest.raises(SplitPolicyError, match=r"annotated/splits.json: \$.policy.fractions: .*add up to 1"):
        assign(corpus(3), policy(fractions=(0.5, 0.1, 0.1)), NAMES)


def test_unknown_pinned_split_is_a_clear_error():
    with pytest.raises(SplitPolicyError, match=r"\$.assignments\['pub_2021-01-01_doc-0000'\]: unknown split 'dev'"):
        assign(corpus(3), policy(pins={"pub_2021-01-01_doc-0000": "dev"}), NAMES)


def test_pins_for_documents_not_in_the_corpus_are_reported_not_fatal():
    plan = assign(corpus(3), policy(pins={"gone_2020-01-01_x": "train"}), NAMES)
    assert plan.pinned_absent == ["gone_2020-01-01_x"]


def test_bucket_is_a_fixed_function():
    assert bucket("salt", "key") == bucket("salt", "key")
    assert bucket("salt", "key") != bucket("other", "key")
    assert 0 <= bucket("salt", "key") < 1


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=40),
    per_story=st.integers(min_value=1, max_value=4),
    min_stories=st.integers(min_value=1, max_value=15),
    salt=st.text(min_size=1, max_size=8),
)
def test_every_document_gets_exactly_one_known_split(n, per_story, min_stories, salt):
    docs = corpus(n, per_story)
    plan = assign(docs, policy(min_stories=min_stories, salt=salt), NAMES)
    placed = Counter(plan.split_of(*d) for d in docs)
    assert set(placed) <= set(NAMES)
    assert {s: placed[s] for s in NAMES} == plan.documents
    assert plan == assign(list(reversed(docs)), policy(min_stories=min_stories, salt=salt), NAMES)
    for s in NAMES:
        assert (s in plan.empty_reasons) == (not plan.documents[s])
    if plan.unit == "story":
        assert plan.leaked_stories == {}


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=30),
    per_story=st.integers(min_value=1, max_value=4),
    min_stories=st.integers(min_value=1, max_value=12),
    pins=st.dictionaries(st.integers(min_value=0, max_value=29), st.sampled_from(NAMES), max_size=6),
)
def test_the_plan_agrees_with_placing_each_document_alone(n, per_story, min_stories, pins):
    """The plan keeps counts, not a map of every document: its leakage, followers and counts
    must be what placing the documents one by one gives."""
    docs = corpus(n, per_story)
    pin_map = {docs[i].doc_id: split for i, split in pins.items() if i < n}
    plan = assign(docs, policy(min_stories=min_stories, pins=pin_map), NAMES)
    split = {d.doc_id: plan.split_of(*d) for d in docs}
    assert all(split[d] == s for d, s in pin_map.items())
    per_story: dict[str, dict[str, list[str]]] = {}
    for d in docs:
        per_story.setdefault(d.story_id, {}).setdefault(split[d.doc_id], []).append(d.doc_id)
    assert plan.leaked_stories == {
        story: {s: per[s] for s in NAMES if s in per} for story, per in sorted(per_story.items()) if len(per) > 1
    }
    if plan.unit == "story":
        pinned_stories = {d.story_id for d in docs if d.doc_id in pin_map}
        assert plan.followed_pins == [d.doc_id for d in docs if d.story_id in pinned_stories and d.doc_id not in pin_map]
        assert plan.hashed_units == len(per_story) - len(pinned_stories)
    else:
        assert plan.followed_pins == []
        assert plan.hashed_units == n - len(pin_map)


def test_a_plan_from_documents_on_disk_equals_one_from_a_list():
    docs = corpus(1500, 3)
    pins = {docs[4].doc_id: "test", docs[5].doc_id: "validation"}
    assert assign(SpillList(docs, batch_items=100), policy(pins=pins), NAMES) == assign(docs, policy(pins=pins), NAMES)


# ----------------------------------------------------------------------------- the committed file

def test_committed_split_file_conforms_and_pins_the_seeds():
    path = REPO / "annotated" / "splits.json"
    if not path.is_file():
        pytest.skip("annotated/splits.json is absent")
    data = json.loads(path.read_text("utf-8"))
    schemas = load_schemas(REPO)
    validator = jsonschema.Draft202012Validator(schemas.documents["splits"], registry=schemas.registry)
    assert list(validator.iter_errors(data)) == []
    assert data["assignments"]["southfront_2020-12_turkey-us-s400-working-group"] == "train"
    assert data["assignments"]["trtworld_2020-12-30_turkey-us-s400-working-group-talks"] == "test"
    assert data["policy"]["min_stories_for_story_split"] == 10
    assert abs(sum(data["policy"]["fractions"].values()) - 1) < 1e-9
