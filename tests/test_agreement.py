"""`newscorpus agreement` on small hand-made passes whose answers are worked out by hand below."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscorpus.agreement import (
    AgreementError,
    attribute_value,
    cohen_kappa,
    compare,
    render_json,
    render_text,
)
from newscorpus.cli import main

SHA = "a" * 64
OTHER_SHA = "b" * 64
DOC = "pub_2020-12-30_story"
DOC2 = "pub_2020-12-31_other"
TEXT = "Mevlut Cavusoglu told NTV in Ankara that Turkey and Russia held six meetings."
#       0         1         2         3         4         5         6         7
#       0123456789012345678901234567890123456789012345678901234567890123456789012345678


def doc(doc_id: str = DOC, sha: str = SHA, **layers) -> dict:
    base = {
        "schema_version": "1.0.0",
        "guidelines_version": "1.0.0",
        "doc_id": doc_id,
        "raw_sha256": sha,
        "annotators": [{"id": "x", "role": "first_pass"}],
        "status": "single_pass",
        "temporal_anchor": {"value": "2020-12-30", "basis": "metadata"},
        "zones": [],
        "entities": [],
        "quotes": [],
        "dates": [],
        "numeric_claims": [],
    }
    base.update(layers)
    return base


def ent(n: int, start: int, end: int, label: str = "PERSON", entity_id: str = "x") -> dict:
    return {"id": f"e{n}", "start": start, "end": end, "text": TEXT[start:end] or "t", "label": label, "entity_id": entity_id}


def sub(start: int, end: int) -> dict:
    return {"start": start, "end": end, "text": TEXT[start:end]}


def quote(n, start, end, kind="indirect", speaker=None, speaker_entity_id=None, cue=(17, 21), intermediary=None):
    return {
        "id": f"q{n}",
        "start": start,
        "end": end,
        "text": TEXT[start:end],
        "kind": kind,
        "speaker": speaker,
        "speaker_entity_id": speaker_entity_id,
        "cue": sub(*cue),
        "intermediary": intermediary,
    }


def write(folder: Path, annotation: dict, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name or annotation['doc_id']}.json"
    path.write_text(json.dumps(annotation), encoding="utf-8")
    return path


# The four-entity case: A has e1..e4; B has three of them exactly and "Cavusoglu" [7, 16)
# instead of "Mevlut Cavusoglu" [0, 16).
A_FOUR = [ent(1, 0, 16, "PERSON", "mevlut-cavusoglu"), ent(2, 22, 25, "ORG", "ntv"), ent(3, 29, 35, "GPE", "ankara"), ent(4, 41, 47, "GPE", "turkey")]
B_FOUR = [ent(1, 7, 16, "PERSON", "mevlut-cavusoglu"), ent(2, 22, 25, "ORG", "ntv"), ent(3, 29, 35, "GPE", "ankara"), ent(4, 41, 47, "GPE", "turkey")]


# ------------------------------------------------------------------------------------------
# span metrics


def test_exact_and_partial_f1_with_one_boundary_variant():
    report = compare({DOC: doc(entities=A_FOUR)}, {DOC: doc(entities=B_FOUR)}, layers=["entities"])
    layer = report["layers"]["entities"]
    # exact: 3 shared spans; B's [7,16) is a false positive, A's [0,16) a false negative
    # P = 3/4, R = 3/4, F1 = 2*3/(2*3+1+1) = 0.75
    assert layer["span"] == {"tp": 3, "fp": 1, "fn": 1, "precision": 0.75, "recall": 0.75, "f1": 0.75}
    # partial: [0,16) and [7,16) share 9 characters, so all four pair up
    assert layer["partial"] == {"tp": 4, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert layer["counts"] == {"a": 4, "b": 4}
    assert report["disagreements"] == [
        {"doc_id": DOC, "layer": "entities", "type": "boundary", "a": A_FOUR[0], "b": B_FOUR[0]}
    ]
    assert report["summary"]["disagreements"] == {
        "boundary": 1, "attribute": 0, "missing_in_b": 0, "missing_in_a": 0, "total": 1
    }


def test_span_label_per_label_and_attribute_disagreements():
    a = [ent(1, 0, 16, "PERSON", "mevlut-cavusoglu"), ent(2, 29, 35, "GPE", "ankara"), ent(3, 41, 47, "GPE", "turkey")]
    b = [ent(1, 0, 16, "PERSON", "cavusoglu"), ent(2, 29, 35, "ORG", "ankara"), ent(3, 52, 58, "GPE", "russia")]
    report = compare({DOC: doc(entities=a)}, {DOC: doc(entities=b)}, layers=["entities"])
    layer = report["layers"]["entities"]
    # span: [0,16) and [29,35) shared -> tp 2, fp 1, fn 1 -> P = R = F1 = 2/3
    assert layer["span"] == {"tp": 2, "fp": 1, "fn": 1, "precision": 0.6667, "recall": 0.6667, "f1": 0.6667}
    # span+label: only [0,16) PERSON -> tp 1, fp 2, fn 2 -> 1/3
    assert layer["span_label"] == {"tp": 1, "fp": 2, "fn": 2, "precision": 0.3333, "recall": 0.3333, "f1": 0.3333}
    per = layer["per_label"]
    assert sorted(per) == ["GPE", "ORG", "PERSON"]
    assert per["PERSON"] == {"a": 1, "b": 1, "tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0, "partial_f1": 1.0}
    # GPE: A has two, B one ([52,58)), none shared and none overlapping
    assert per["GPE"] == {"a": 2, "b": 1, "tp": 0, "fp": 1, "fn": 2, "precision": 0.0, "recall": 0.0, "f1": 0.0, "partial_f1": 0.0}
    # ORG: B only -> recall has no denominator
    assert per["ORG"] == {"a": 0, "b": 1, "tp": 0, "fp": 1, "fn": 0, "precision": 0.0, "recall": None, "f1": 0.0, "partial_f1": 0.0}
    # attributes over the 2 exact matches: label agrees on 1, entity_id on 1 ([29,35) ankara)
    assert layer["attributes"] == {
        "label": {"matched": 2, "agree": 1, "proportion": 0.5},
        "entity_id": {"matched": 2, "agree": 1, "proportion": 0.5},
        # linking maps mevlut-cavusoglu -> cavusoglu and ankara -> ankara: both mentions agree
        "entity_link": {"matched": 2, "agree": 2, "proportion": 1.0,
                        "renamed": [{"a": "mevlut-cavusoglu", "b": "cavusoglu", "mentions": 1}]},
    }
    found = [(d["type"], d.get("attribute"), (d["a"] or {}).get("start"), (d["b"] or {}).get("start")) for d in report["disagreements"]]
    assert found == [
        ("attribute", "entity_id", 0, 0),
        ("attribute", "label", 29, 29),
        ("missing_in_b", None, 41, None),
        ("missing_in_a", None, None, 52),
    ]


def test_partial_matching_prefers_largest_overlap_then_position():
    # A [0,10) overlaps B [0,4) by 4 and B [4,10) by 6: the larger overlap wins
    report = compare({DOC: doc(entities=[ent(1, 0, 10)])}, {DOC: doc(entities=[ent(1, 0, 4), ent(2, 4, 10)])}, layers=["entities"])
    assert [(d["type"], (d["b"] or {}).get("start")) for d in report["disagreements"]] == [("missing_in_a", 0), ("boundary", 4)]
    # equal overlaps (5 and 5, same union): the earlier pair wins, deterministically
    report = compare({DOC: doc(entities=[ent(1, 0, 10)])}, {DOC: doc(entities=[ent(1, 0, 5), ent(2, 5, 10)])}, layers=["entities"])
    assert [(d["type"], (d["b"] or {}).get("start")) for d in report["disagreements"]] == [("boundary", 0), ("missing_in_a", 5)]
    assert report["layers"]["entities"]["partial"]["tp"] == 1
    # one B span straddling two A spans is matched once only
    report = compare({DOC: doc(entities=[ent(1, 0, 10), ent(2, 10, 20)])}, {DOC: doc(entities=[ent(1, 5, 15)])}, layers=["entities"])
    partial = report["layers"]["entities"]["partial"]
    assert (partial["tp"], partial["fp"], partial["fn"]) == (1, 0, 1)
    assert [(d["type"], (d["a"] or {}).get("start")) for d in report["disagreements"]] == [("boundary", 0), ("missing_in_b", 10)]


def test_spans_sharing_offsets_pair_by_label_first():
    # invalid data (two entities on the same offsets) is still compared, one-to-one
    a = [ent(1, 0, 6, "GPE"), ent(2, 0, 6, "ORG")]
    b = [ent(1, 0, 6, "ORG")]
    report = compare({DOC: doc(entities=a)}, {DOC: doc(entities=b)}, layers=["entities"])
    layer = report["layers"]["entities"]
    assert (layer["span"]["tp"], layer["span_label"]["tp"]) == (1, 1)
    assert layer["attributes"]["label"] == {"matched": 1, "agree": 1, "proportion": 1.0}
    assert [(d["type"], d["a"]["id"]) for d in report["disagreements"]] == [("missing_in_b", "e1")]


def test_touching_spans_do_not_overlap_and_same_label_breaks_ties():
    # [0,5) and [5,10) share no character
    partial = compare({DOC: doc(entities=[ent(1, 0, 5)])}, {DOC: doc(entities=[ent(1, 5, 10)])}, layers=["entities"])["layers"]["entities"]["partial"]
    assert (partial["tp"], partial["fp"], partial["fn"]) == (0, 1, 1)
    # A GPE [0,10) overlaps B ORG [0,5) and B GPE [5,10) by 5 each, same union: the GPE pairs
    report = compare({DOC: doc(entities=[ent(1, 0, 10, "GPE")])}, {DOC: doc(entities=[ent(1, 0, 5, "ORG"), ent(2, 5, 10, "GPE")])}, layers=["entities"])
    assert report["layers"]["entities"]["partial_label"]["tp"] == 1
    assert [(d["type"], d["b"]["id"]) for d in report["disagreements"]] == [("missing_in_a", "e1"), ("boundary", "e2")]


def test_disagreements_are_listed_in_text_order():
    # nested spans (invalid, but comparable): the one that starts first comes first
    a = [ent(1, 0, 30, "GPE"), ent(2, 10, 15, "GPE")]
    b = [ent(1, 10, 15, "ORG")]
    report = compare({DOC: doc(entities=a)}, {DOC: doc(entities=b)}, layers=["entities"])
    assert [(d["type"], d["a"]["id"]) for d in report["disagreements"]] == [("missing_in_b", "e1"), ("attribute", "e2")]


def test_partial_label_requires_the_same_label():
    a = [ent(1, 0, 16, "PERSON")]
    b = [ent(1, 7, 16, "ORG")]
    layer = compare({DOC: doc(entities=a)}, {DOC: doc(entities=b)}, layers=["entities"])["layers"]["entities"]
    assert layer["partial"]["tp"] == 1
    assert layer["partial_label"]["tp"] == 0
    assert layer["per_label"]["PERSON"]["partial_f1"] == 0.0


def test_empty_layers_give_null_scores():
    layer = compare({DOC: doc()}, {DOC: doc()}, layers=["dates"])["layers"]["dates"]
    assert layer["span"] == {"tp": 0, "fp": 0, "fn": 0, "precision": None, "recall": None, "f1": None}
    assert layer["attributes"]["value"] == {"matched": 0, "agree": 0, "proportion": None}
    assert layer["kappa"] == {"type": None}
    assert layer["kappa_detail"]["type"]["note"] == "no exact-span matches"


def test_identical_passes_agree_completely():
    zones = [{"id": "z1", "start": 0, "end": 78, "text": TEXT, "type": "body"}]
    annotation = doc(zones=zones, entities=A_FOUR, quotes=[quote(1, 41, 77, speaker=sub(0, 16), speaker_entity_id="m")])
    report = compare({DOC: annotation}, {DOC: json.loads(json.dumps(annotation))})
    assert report["disagreements"] == []
    for name in ("zones", "entities", "quotes"):
        assert report["layers"][name]["span"]["f1"] == 1.0
        assert all(a["proportion"] == 1.0 for a in report["layers"][name]["attributes"].values())


# ------------------------------------------------------------------------------------------
# kappa


def _label_pairs(table: dict[tuple[str, str], int]) -> tuple[list[dict], list[dict]]:
    """Entities at distinct offsets whose A and B labels follow `table`."""
    a, b = [], []
    n = 0
    for (label_a, label_b), count in table.items():
        for _ in range(count):
            n += 1
            a.append(ent(n, 2 * n, 2 * n + 1, label_a))
            b.append(ent(n, 2 * n, 2 * n + 1, label_b))
    return a, b


def test_kappa_classic_two_by_two():
    # 50 items: both PERSON 20, A PERSON/B ORG 5, A ORG/B PERSON 10, both ORG 15.
    # p_o = 35/50 = 0.7; A PERSON 25/50, B PERSON 30/50;
    # p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    a, b = _label_pairs({("PERSON", "PERSON"): 20, ("PERSON", "ORG"): 5, ("ORG", "PERSON"): 10, ("ORG", "ORG"): 15})
    layer = compare({DOC: doc(entities=a)}, {DOC: doc(entities=b)}, layers=["entities"])["layers"]["entities"]
    assert layer["kappa"] == {"label": 0.4}
    assert layer["kappa_detail"]["label"] == {"n": 50, "p_o": 0.7, "p_e": 0.5, "note": None}
    assert layer["attributes"]["label"] == {"matched": 50, "agree": 35, "proportion": 0.7}
    # kappa does not depend on which pass is the reference
    swapped = compare({DOC: doc(entities=b)}, {DOC: doc(entities=a)}, layers=["entities"])["layers"]["entities"]
    assert swapped["kappa"] == {"label": 0.4}


def test_kappa_three_categories_on_quote_kind():
    # 10 quotes: direct/direct 4, indirect/indirect 3, mixed/mixed 1, direct/indirect 1, indirect/mixed 1
    # p_o = 8/10; A: direct 5, indirect 4, mixed 1; B: direct 4, indirect 4, mixed 2
    # p_e = (5*4 + 4*4 + 1*2) / 100 = 0.38; kappa = (0.8 - 0.38) / 0.62 = 0.677419... -> 0.6774
    table = [("direct", "direct")] * 4 + [("indirect", "indirect")] * 3 + [("mixed", "mixed"), ("direct", "indirect"), ("indirect", "mixed")]
    a = [quote(n, 2 * n, 2 * n + 1, kind=ka) for n, (ka, _) in enumerate(table, 1)]
    b = [quote(n, 2 * n, 2 * n + 1, kind=kb) for n, (_, kb) in enumerate(table, 1)]
    layer = compare({DOC: doc(quotes=a)}, {DOC: doc(quotes=b)}, layers=["quotes"])["layers"]["quotes"]
    assert layer["kappa"] == {"kind": 0.6774}
    assert layer["kappa_detail"]["kind"]["p_e"] == 0.38


def test_kappa_is_null_when_only_one_category_is_observed():
    a, b = _label_pairs({("GPE", "GPE"): 3})
    layer = compare({DOC: doc(entities=a)}, {DOC: doc(entities=b)}, layers=["entities"])["layers"]["entities"]
    assert layer["kappa"] == {"label": None}
    assert layer["kappa_detail"]["label"] == {"n": 3, "p_o": 1.0, "p_e": 1.0, "note": "only one category observed"}
    assert layer["attributes"]["label"]["proportion"] == 1.0


def test_cohen_kappa_function_directly():
    # perfect disagreement on two balanced categories: p_o = 0, p_e = 0.5 -> kappa = -1
    assert cohen_kappa([("x", "y"), ("y", "x")])[0] == -1.0
    assert cohen_kappa([])[0] is None


# ------------------------------------------------------------------------------------------
# attributes of the other layers


def test_quote_attributes_compare_subspans_by_offsets():
    a = [
        quote(1, 41, 77, speaker=sub(0, 16), speaker_entity_id="mevlut-cavusoglu", cue=(17, 21), intermediary={**sub(22, 25), "entity_id": "ntv"}),
        quote(2, 5, 9, kind="direct", speaker=None, cue=(17, 21)),
    ]
    b = [
        # same speaker offsets with a different text copy: still the same speaker span
        quote(1, 41, 77, speaker={"start": 0, "end": 16, "text": "different"}, speaker_entity_id="cavusoglu", cue=(17, 25), intermediary=None),
        quote(2, 5, 9, kind="direct", speaker=None, cue=(17, 21)),
    ]
    report = compare({DOC: doc(quotes=a)}, {DOC: doc(quotes=b)}, layers=["quotes"])
    attrs = report["layers"]["quotes"]["attributes"]
    assert {k: v["agree"] for k, v in attrs.items()} == {
        "kind": 2, "speaker": 2, "speaker_entity_id": 1, "cue": 1, "intermediary": 1, "continues": 2
    }
    assert [d["attribute"] for d in report["disagreements"]] == ["speaker_entity_id", "cue", "intermediary"]
    # kinds: (indirect, indirect), (direct, direct): p_o = 1, p_e = 1/4 + 1/4 = 0.5 -> kappa = 1
    assert report["layers"]["quotes"]["kappa"] == {"kind": 1.0}


def test_an_intermediary_linked_to_another_referent_is_a_disagreement():
    """Same intermediary offsets, different entity_id: the passes disagree on who the words came
    through (speaker has speaker_entity_id for this; the intermediary carries its own id)."""
    a = [quote(1, 41, 77, speaker=sub(0, 16), cue=(17, 21), intermediary={**sub(22, 25), "entity_id": "ntv"})]
    b = [quote(1, 41, 77, speaker=sub(0, 16), cue=(17, 21), intermediary={**sub(22, 25), "entity_id": "cnn-turk"})]
    same = [quote(1, 41, 77, speaker=sub(0, 16), cue=(17, 21), intermediary={**sub(22, 25), "entity_id": "ntv"})]
    report = compare({DOC: doc(quotes=a)}, {DOC: doc(quotes=b)}, layers=["quotes"])
    assert report["layers"]["quotes"]["attributes"]["intermediary"]["agree"] == 0
    assert [d["attribute"] for d in report["disagreements"]] == ["intermediary"]
    agreeing = compare({DOC: doc(quotes=a)}, {DOC: doc(quotes=same)}, layers=["quotes"])
    assert agreeing["layers"]["quotes"]["attributes"]["intermediary"]["agree"] == 1


def test_layers_may_be_any_iterable():
    report = compare({DOC: doc(entities=A_FOUR)}, {DOC: doc(entities=B_FOUR)}, layers=(layer for layer in ["entities"]))
    assert list(report["layers"]) == ["entities"]


def test_date_attributes_and_missing_mod_reads_as_null():
    a = [{"id": "t1", "start": 0, "end": 4, "text": "2020", "type": "DATE", "value": "2020", "anchor": "absolute"},
         {"id": "t2", "start": 10, "end": 18, "text": "mid-2019", "type": "DATE", "value": "2019", "mod": "MID", "anchor": "absolute"}]
    b = [{"id": "t1", "start": 0, "end": 4, "text": "2020", "type": "DATE", "value": "2020", "mod": None, "anchor": "publication_date"},
         {"id": "t2", "start": 10, "end": 18, "text": "mid-2019", "type": "DATE", "value": "2019-06", "anchor": "absolute"}]
    report = compare({DOC: doc(dates=a)}, {DOC: doc(dates=b)}, layers=["dates"])
    assert {k: v["agree"] for k, v in report["layers"]["dates"]["attributes"].items()} == {
        "type": 2, "value": 1, "mod": 1, "anchor": 1
    }
    assert [(d["a"]["id"], d["attribute"]) for d in report["disagreements"]] == [("t1", "anchor"), ("t2", "value"), ("t2", "mod")]


def test_numeric_attributes_compare_numbers_by_value():
    def num(n, start, end, value, unit="USD", kind="money", approximate=True, bound="equal"):
        return {"id": f"n{n}", "start": start, "end": end, "text": "x", "value": value, "unit": unit, "kind": kind,
                "approximate": approximate, "bound": bound, "measured": "m", "date_id": None, "quote_id": None}

    a = [num(1, 0, 5, 20000000000), num(2, 10, 13, 6, unit="count", kind="count", approximate=False)]
    b = [num(1, 0, 5, 2e10, approximate=False), num(2, 10, 13, 6.0, unit="times", kind="count", approximate=False, bound="more_than")]
    report = compare({DOC: doc(numeric_claims=a)}, {DOC: doc(numeric_claims=b)}, layers=["numeric_claims"])
    layer = report["layers"]["numeric_claims"]
    assert {k: v["agree"] for k, v in layer["attributes"].items()} == {
        "value": 2, "unit": 1, "kind": 2, "approximate": 1, "bound": 1, "date_id": 2, "quote_id": 2
    }
    # unit: pairs (USD, USD), (count, times); p_o = 1/2; A: USD 1, count 1; B: USD 1, times 1
    # p_e = 1/2 * 1/2 = 0.25; kappa = (0.5 - 0.25) / 0.75 = 1/3
    assert layer["kappa"] == {"kind": 1.0, "unit": 0.3333}


def test_true_is_not_one_but_two_is_two_point_zero():
    assert attribute_value({"approximate": True}, "approximate") != attribute_value({"approximate": 1}, "approximate")
    assert attribute_value({"value": 2}, "value") == attribute_value({"value": 2.0}, "value")
    assert attribute_value({}, "mod") == attribute_value({"mod": None}, "mod")
    assert attribute_value({"cue": sub(1, 3)}, "cue") != attribute_value({"cue": sub(1, 4)}, "cue")


def test_zone_types():
    a = [{"id": "z1", "start": 0, "end": 10, "text": "h", "type": "headline"}, {"id": "z2", "start": 11, "end": 78, "text": "b", "type": "body"}]
    b = [{"id": "z1", "start": 0, "end": 10, "text": "h", "type": "dateline"}, {"id": "z2", "start": 11, "end": 78, "text": "b", "type": "body"}]
    layer = compare({DOC: doc(zones=a)}, {DOC: doc(zones=b)}, layers=["zones"])["layers"]["zones"]
    assert layer["span"]["f1"] == 1.0
    assert layer["span_label"]["f1"] == 0.5
    assert layer["attributes"]["type"] == {"matched": 2, "agree": 1, "proportion": 0.5}


# ------------------------------------------------------------------------------------------
# documents and errors


def test_document_in_one_pass_only_counts_as_missed_and_is_named():
    a = {DOC: doc(entities=A_FOUR[:2]), DOC2: doc(DOC2, entities=A_FOUR[2:])}
    b = {DOC: doc(entities=A_FOUR[:2])}
    report = compare(a, b, layers=["entities"])
    assert report["documents"] == [DOC, DOC2]
    assert report["summary"]["only_in_a"] == [DOC2]
    assert report["summary"]["only_in_b"] == []
    # 4 in A, 2 in B, 2 shared: P = 1, R = 0.5, F1 = 2*2/(4+0+2) = 0.6667
    assert report["layers"]["entities"]["span"] == {"tp": 2, "fp": 0, "fn": 2, "precision": 1.0, "recall": 0.5, "f1": 0.6667}
    assert report["disagreements"] == []
    assert f"only in A: {DOC2}" in render_text(report)


def test_sha_mismatch_is_an_error():
    with pytest.raises(AgreementError, match="raw_sha256"):
        compare({DOC: doc()}, {DOC: doc(sha=OTHER_SHA)})


def test_malformed_span_is_named():
    bad = doc(entities=[{"id": "e1", "start": "3", "end": 5, "text": "x", "label": "GPE", "entity_id": "x"}])
    with pytest.raises(AgreementError, match=r"\$\.entities\[0\].*'start' and 'end' must be integers"):
        compare({DOC: bad}, {DOC: doc()})
    missing = doc()
    del missing["quotes"]
    with pytest.raises(AgreementError, match=r"\$\.quotes must be a list"):
        compare({DOC: missing}, {DOC: doc()})
    # ... but a layer not compared may be absent
    assert compare({DOC: missing}, {DOC: doc()}, layers=["entities"])["layers"].keys() == {"entities"}


# ------------------------------------------------------------------------------------------
# properties


span_strategy = st.tuples(st.integers(0, 30), st.integers(1, 8), st.sampled_from(["GPE", "ORG"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(span_strategy, max_size=8), st.lists(span_strategy, max_size=8))
def test_metric_invariants(a_raw, b_raw):
    a = [ent(n, s, s + w, label) for n, (s, w, label) in enumerate(a_raw, 1)]
    b = [ent(n, s, s + w, label) for n, (s, w, label) in enumerate(b_raw, 1)]
    forward = compare({DOC: doc(entities=a)}, {DOC: doc(entities=b)}, layers=["entities"])
    backward = compare({DOC: doc(entities=b)}, {DOC: doc(entities=a)}, layers=["entities"])
    f, r = forward["layers"]["entities"], backward["layers"]["entities"]
    for kind in ("span", "span_label", "partial", "partial_label"):
        assert f[kind]["tp"] + f[kind]["fn"] == len(a)
        assert f[kind]["tp"] + f[kind]["fp"] == len(b)
        assert f[kind]["f1"] == r[kind]["f1"]
        assert (f[kind]["precision"], f[kind]["recall"]) == (r[kind]["recall"], r[kind]["precision"])
    assert f["span_label"]["tp"] <= f["span"]["tp"] <= f["partial"]["tp"]
    assert f["span_label"]["tp"] <= f["partial_label"]["tp"] <= f["partial"]["tp"]
    assert sum(e["tp"] for e in f["per_label"].values()) == f["span_label"]["tp"]
    assert all(e["partial_f1"] is None or e["partial_f1"] >= e["f1"] for e in f["per_label"].values())
    assert f["attributes"]["label"]["agree"] == f["span_label"]["tp"]
    counts = forward["summary"]["disagreements"]
    assert counts["boundary"] == f["partial"]["tp"] - f["span"]["tp"]
    assert counts["missing_in_b"] == len(a) - f["partial"]["tp"]
    assert counts["missing_in_a"] == len(b) - f["partial"]["tp"]
    # the order spans are listed in does not change the report
    shuffled = compare({DOC: doc(entities=a[::-1])}, {DOC: doc(entities=b[::-1])}, layers=["entities"])
    assert render_json(shuffled) == render_json(forward)
    itself = compare({DOC: doc(entities=a)}, {DOC: doc(entities=a)}, layers=["entities"])
    assert itself["disagreements"] == []


# ------------------------------------------------------------------------------------------
# command line


def passes(tmp_path: Path, a_docs: list[dict], b_docs: list[dict]) -> tuple[Path, Path]:
    a_dir, b_dir = tmp_path / "annotator-a", tmp_path / "annotator-b"
    for annotation in a_docs:
        write(a_dir, annotation)
    for annotation in b_docs:
        write(b_dir, annotation)
    return a_dir, b_dir


def test_cli_json_report(tmp_path, capsys):
    a_dir, b_dir = passes(tmp_path, [doc(entities=A_FOUR)], [doc(entities=B_FOUR)])
    # a pass may keep its own registry: not a document
    (a_dir / "entity_registry.json").write_text("{}", encoding="utf-8")
    assert main(["agreement", str(a_dir), str(b_dir), "--format", "json"]) == 0
    out = capsys.readouterr().out
    report = json.loads(out)
    assert set(report) == {"report_version", "a", "b", "documents", "layers", "disagreements", "summary"}
    assert report["documents"] == [DOC]
    assert report["a"] == a_dir.as_posix()
    assert set(report["layers"]) == {"zones", "entities", "quotes", "dates", "numeric_claims"}
    assert set(report["layers"]["entities"]) == {
        "counts", "span", "span_label", "partial", "partial_label", "per_label", "attributes", "kappa", "kappa_detail"
    }
    assert report["layers"]["entities"]["span"]["f1"] == 0.75
    # deterministic: a second run gives the same bytes, and --output writes the same report
    assert main(["agreement", str(a_dir), str(b_dir), "--format", "json"]) == 0
    assert capsys.readouterr().out == out
    target = tmp_path / "out" / "agreement.json"
    assert main(["agreement", str(a_dir), str(b_dir), "--format", "json", "--output", str(target)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert target.read_text(encoding="utf-8") == out
    assert [p.name for p in target.parent.iterdir()] == ["agreement.json"]


def test_cli_text_report_shows_both_readings(tmp_path, capsys):
    long_zone = {"id": "z1", "start": 0, "end": 400, "text": "w" * 400, "type": "body"}
    a_dir, b_dir = passes(
        tmp_path,
        [doc(entities=A_FOUR + [ent(5, 52, 58, "GPE", "russia")], zones=[long_zone])],
        [doc(entities=[B_FOUR[0], B_FOUR[1], ent(3, 29, 35, "ORG", "ankara-gov"), B_FOUR[3]])],
    )
    assert main(["agreement", str(a_dir), str(b_dir)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert any(line.split()[:3] == ["entities", "(span)", "5"] and "0.7500" in line for line in lines)
    assert f"== {DOC}" in out
    # the boundary pair, both readings with offsets and text
    assert 'A: e1 [0, 16) "Mevlut Cavusoglu"' in out
    assert 'B: e1 [7, 16) "Cavusoglu"' in out
    # one block for both attributes of the Ankara pair
    assert 'attribute (label, entity_id) at [29, 35) "Ankara"' in out
    assert "A e3: label=GPE  entity_id=ankara" in out
    assert "B e3: label=ORG  entity_id=ankara-gov" in out
    assert 'A: e5 [52, 58) "Russia"' in out and "B: (nothing)" in out
    # a zone missing from B is shown shortened, with its length
    assert "(400 characters, shortened)" in out


def test_cli_min_f1(tmp_path, capsys):
    a_dir, b_dir = passes(tmp_path, [doc(entities=A_FOUR)], [doc(entities=B_FOUR)])
    assert main(["agreement", str(a_dir), str(b_dir), "--layers", "entities", "--min-f1", "0.8"]) == 1
    assert "entities 0.7500" in capsys.readouterr().err
    assert main(["agreement", str(a_dir), str(b_dir), "--layers", "entities", "--min-f1", "0.75"]) == 0
    assert main(["agreement", str(a_dir), str(b_dir), "--min-f1", "2"]) == 2


def test_cli_min_f1_compares_the_unrounded_f1(tmp_path, capsys):
    """F1 = 2/3 is printed as 0.6667 but is below 0.66668: the gate fails."""
    a_dir, b_dir = passes(tmp_path, [doc(entities=A_FOUR[:1])], [doc(entities=A_FOUR[:2])])
    assert main(["agreement", str(a_dir), str(b_dir), "--layers", "entities", "--min-f1", "0.66668"]) == 1
    assert "entities 0.6667" in capsys.readouterr().err
    assert main(["agreement", str(a_dir), str(b_dir), "--layers", "entities", "--min-f1", "0.66666"]) == 0


def test_cli_layers_option(tmp_path, capsys):
    a_dir, b_dir = passes(tmp_path, [doc(entities=A_FOUR)], [doc(entities=B_FOUR)])
    assert main(["agreement", str(a_dir), str(b_dir), "--format", "json", "--layers", "dates", "entities"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert sorted(report["layers"]) == ["dates", "entities"]
    assert main(["agreement", str(a_dir), str(b_dir), "--layers", "words"]) == 2


def test_cli_two_single_files(tmp_path, capsys):
    a_file = write(tmp_path / "x", doc(entities=A_FOUR), name="mine")
    b_file = write(tmp_path / "y", doc(entities=B_FOUR), name="theirs")
    assert main(["agreement", str(a_file), str(b_file), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["documents"] == [DOC]
    other = write(tmp_path / "z", doc(DOC2))
    assert main(["agreement", str(a_file), str(other)]) == 2
    assert "not the same document" in capsys.readouterr().err


@pytest.mark.parametrize(
    "problem, expected",
    [
        ("sha", "raw_sha256"),
        ("json", "not valid JSON"),
        ("array", "one JSON object"),
        ("nan", "NaN is not a JSON number"),
        ("latin1", "not UTF-8"),
        ("span", "$.entities[0]: offsets [5, 5) are not a span"),
        ("doc_id", "does not match the file name"),
        ("empty", "no annotation files"),
        ("nothing", "no such file or folder"),
        ("mixed", "not a folder and a file"),
        ("infinite", "the number 1e400 is too large"),
        ("deep", "nested too deeply"),
        ("entity_id", "'entity_id' must be a string, found ['x']"),
        ("null_entity_id", "'entity_id' must be a string, found None"),
    ],
)
def test_cli_errors_exit_2_with_a_clear_message(tmp_path, capsys, problem, expected):
    a_dir, b_dir = passes(tmp_path, [doc(entities=A_FOUR)], [doc(entities=B_FOUR)])
    b_file = b_dir / f"{DOC}.json"
    b_arg = str(b_dir)
    if problem == "sha":
        write(b_dir, doc(sha=OTHER_SHA))
    elif problem == "json":
        b_file.write_text('{"doc_id": ', encoding="utf-8")
    elif problem == "array":
        b_file.write_text("[]", encoding="utf-8")
    elif problem == "nan":
        b_file.write_text('{"doc_id": NaN}', encoding="utf-8")
    elif problem == "latin1":
        b_file.write_bytes('{"doc_id": "Türkiye"}'.encode("latin-1"))
    elif problem == "span":
        write(b_dir, doc(entities=[ent(1, 5, 5)]))
    elif problem == "doc_id":
        write(b_dir, doc(DOC2), name=DOC)
    elif problem == "empty":
        b_file.unlink()
    elif problem == "nothing":
        b_arg = str(tmp_path / "annotator-c")
    elif problem == "mixed":
        b_arg = str(b_file)
    elif problem == "infinite":
        b_file.write_text(json.dumps(doc(numeric_claims=[])).replace('"numeric_claims": []', '"numeric_claims": [], "x": 1e400'), encoding="utf-8")
    elif problem == "deep":
        b_file.write_text('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    elif problem == "entity_id":
        write(b_dir, doc(entities=[{**B_FOUR[0], "entity_id": ["x"]}]))
    elif problem == "null_entity_id":
        write(b_dir, doc(entities=[{**B_FOUR[0], "entity_id": None}]))
    assert main(["agreement", str(a_dir), b_arg, "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err
    if problem in {"json", "array", "nan", "latin1", "span", "doc_id", "infinite", "deep", "entity_id", "null_entity_id"}:
        assert str(b_file) in err


def test_paths_are_reported_relative_to_the_corpus_root(tmp_path, capsys, monkeypatch):
    root = tmp_path / "corpus"
    (root / "schema").mkdir(parents=True)
    (root / "schema" / "vocabulary.schema.json").write_text("{}", encoding="utf-8")
    (root / "raw").mkdir()
    a_dir, b_dir = passes(root / "annotated" / "passes", [doc()], [doc()])
    monkeypatch.chdir(tmp_path)
    assert main(["agreement", str(a_dir), str(b_dir), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["a"], report["b"]) == ("annotated/passes/annotator-a", "annotated/passes/annotator-b")


def test_cli_as_a_subprocess(tmp_path):
    a_dir, b_dir = passes(tmp_path, [doc(entities=A_FOUR)], [doc(entities=B_FOUR), doc(DOC2)])
    done = subprocess.run(
        [sys.executable, "-m", "newscorpus", "agreement", str(a_dir), str(b_dir), "--format", "json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["summary"]["only_in_b"] == [DOC2]
    assert report["layers"]["entities"]["span"]["f1"] == 0.75
    bad = subprocess.run(
        [sys.executable, "-m", "newscorpus", "agreement", str(a_dir), str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "no such file or folder" in bad.stderr and "Traceback" not in bad.stderr


def test_entity_link_ignores_registry_key_spelling_but_not_linking():
    # Same grouping under other names: entity_id disagrees everywhere, linking agrees fully.
    a = {DOC: doc(entities=[ent(1, 0, 5, entity_id="x"), ent(2, 6, 9, entity_id="x"), ent(3, 10, 14, entity_id="y")])}
    renamed = {DOC: doc(entities=[ent(1, 0, 5, entity_id="p"), ent(2, 6, 9, entity_id="p"), ent(3, 10, 14, entity_id="q")])}
    attrs = compare(a, renamed)["layers"]["entities"]["attributes"]
    assert attrs["entity_id"]["proportion"] == 0.0
    assert attrs["entity_link"] == {
        "matched": 3, "agree": 3, "proportion": 1.0,
        "renamed": [{"a": "x", "b": "p", "mentions": 2}, {"a": "y", "b": "q", "mentions": 1}],
    }
    # Split differently: (x,p), (x,q), (y,q). Greedy one-to-one, ties by id: x->p, then y->q;
    # the pair (x,q) breaks the linking, so 2 of 3 agree.
    regrouped = {DOC: doc(entities=[ent(1, 0, 5, entity_id="p"), ent(2, 6, 9, entity_id="q"), ent(3, 10, 14, entity_id="q")])}
    link = compare(a, regrouped)["layers"]["entities"]["attributes"]["entity_link"]
    assert (link["agree"], link["matched"], link["proportion"]) == (2, 3, 0.6667)


def claim(n: int, start: int, end: int, date_id=None, quote_id=None) -> dict:
    return {"id": f"n{n}", "start": start, "end": end, "text": TEXT[start:end], "value": 6, "unit": "meetings", "kind": "count",
            "approximate": False, "bound": "equal", "measured": "meetings held", "date_id": date_id, "quote_id": quote_id}


def date(n: int, start: int, end: int) -> dict:
    return {"id": f"t{n}", "start": start, "end": end, "text": TEXT[start:end], "type": "DATE", "value": "2020-12-30"}


def test_links_compare_by_the_span_they_name_not_by_its_id():
    """Each pass numbers its own spans: the claim "six meetings" sits in q1 in A and in q7 in B,
    the same quote, so they agree; when B's q7 is another span they do not. A link naming no
    span of its pass compares by its id."""
    said = quote(1, 41, 78)
    a = doc(quotes=[said], numeric_claims=[claim(1, 66, 78, quote_id="q1")])
    b_same = doc(quotes=[{**said, "id": "q7"}], numeric_claims=[claim(4, 66, 78, quote_id="q7")])
    report = compare({DOC: a}, {DOC: b_same})
    assert report["layers"]["numeric_claims"]["attributes"]["quote_id"] == {"agree": 1, "matched": 1, "proportion": 1.0}
    assert report["layers"]["numeric_claims"]["attributes"]["date_id"]["agree"] == 1  # null and null

    b_other = doc(quotes=[{**said, "id": "q1", "start": 46, "text": TEXT[46:78]}], numeric_claims=[claim(4, 66, 78, quote_id="q1")])
    report = compare({DOC: a}, {DOC: b_other})  # same id, another span: a disagreement
    assert report["layers"]["numeric_claims"]["attributes"]["quote_id"]["agree"] == 0
    assert [(d["layer"], d["attribute"]) for d in report["disagreements"] if d["type"] == "attribute"] == [("numeric_claims", "quote_id")]
    item = next(d for d in report["disagreements"] if d["type"] == "attribute")
    assert (item["a_target"], item["b_target"]) == ([41, 78], [46, 78])
    assert "A n1: quote_id=q1 -> [41, 78)" in render_text(report) and "B n4: quote_id=q1 -> [46, 78)" in render_text(report)

    dangling = doc(numeric_claims=[claim(4, 66, 78, quote_id="q1", date_id="t9")])
    assert compare({DOC: doc(numeric_claims=[claim(1, 66, 78, quote_id="q1", date_id="t9")])}, {DOC: dangling})[
        "layers"]["numeric_claims"]["attributes"]["date_id"]["agree"] == 1  # both name no span: their ids agree
    report = compare({DOC: a}, {DOC: dangling})
    assert report["layers"]["numeric_claims"]["attributes"]["quote_id"]["agree"] == 0  # a span vs nothing
    assert "quote_id=q1 -> (no such span in this pass)" in render_text(report).split("B n4:")[1]

    dated = doc(dates=[date(2, 0, 6)], numeric_claims=[claim(1, 66, 78, date_id="t2")])
    redated = doc(dates=[date(5, 0, 6)], numeric_claims=[claim(1, 66, 78, date_id="t5")])
    assert compare({DOC: dated}, {DOC: redated})["layers"]["numeric_claims"]["attributes"]["date_id"]["agree"] == 1


def test_a_continued_quote_compares_by_the_quote_it_continues():
    first, second = quote(1, 0, 30), {**quote(2, 41, 78), "continues": "q1"}
    renumbered = [{**first, "id": "q5"}, {**second, "id": "q6", "continues": "q5"}]
    assert compare({DOC: doc(quotes=[first, second])}, {DOC: doc(quotes=renumbered)})["layers"]["quotes"]["attributes"]["continues"]["agree"] == 2
    alone = [first, {k: v for k, v in second.items() if k != "continues"}]
    report = compare({DOC: doc(quotes=[first, second])}, {DOC: doc(quotes=alone)})
    assert report["layers"]["quotes"]["attributes"]["continues"]["agree"] == 1
    assert [d["attribute"] for d in report["disagreements"]] == ["continues"]


def test_a_link_that_is_not_an_id_names_no_span_and_is_no_traceback():
    """A link that is not an id (a list here) names no span: it is compared as the value it is
    (so it disagrees with no link), and its target is null; before, a TypeError."""
    first = quote(1, 0, 30)
    odd = {**quote(2, 41, 78), "continues": ["q1"]}
    report = compare({DOC: doc(quotes=[first, odd])}, {DOC: doc(quotes=[first, quote(2, 41, 78)])})
    assert report["layers"]["quotes"]["attributes"]["continues"]["agree"] == 1
    item = next(d for d in report["disagreements"] if d.get("attribute") == "continues")
    assert (item["a_target"], item["b_target"]) == (None, None)
