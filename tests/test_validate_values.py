"""The layer-5 readers (TIMEX3 values, numbers in text) and the JSON position index."""

from __future__ import annotations

import pytest

from newscorpus import values
from newscorpus.positions import PositionIndex, format_path, read_json_strict


@pytest.mark.parametrize(
    "date_type, value",
    [
        ("DATE", "2020"), ("DATE", "2020-12"), ("DATE", "2020-12-30"), ("DATE", "2020-02-29"), ("DATE", "2020-W53"),
        ("DATE", "2020-W52-7"), ("DATE", "2020-Q4"), ("DATE", "2020-SU"), ("DATE", "PRESENT_REF"), ("DATE", "199"),
        ("TIME", "2020-12-30T14:00"), ("TIME", "2020-12-30T24:00"), ("TIME", "2020-12-30TMO"),
        ("DURATION", "P3Y"), ("DURATION", "P1Y6M"), ("DURATION", "PT2H"), ("DURATION", "P2W"), ("DURATION", "PXY"),
        ("SET", "P1Y"), ("SET", "XXXX-WXX-1"),
    ],
)
def test_valid_timex_values(date_type, value):
    assert values.timex_problem(date_type, value) is None


@pytest.mark.parametrize(
    "date_type, value, reason",
    [
        ("DATE", "2020-02-30", "no day 30"), ("DATE", "2021-02-29", "no day 29"), ("DATE", "2020-13", "month 13"),
        ("DATE", "2021-W53", "no week 53"), ("DATE", "0000", "year 0000"), ("DATE", "2020-12-30T10:00", "type TIME"),
        ("DATE", "P3Y", "type DURATION"), ("DATE", "Dec 2020", "not a DATE"), ("DATE", "2020-1-5", "not a DATE"),
        ("TIME", "2020-12-30T25:00", "hour 25"), ("TIME", "2020-12-30T10:61", "minute 61"), ("TIME", "2020-12-30", "not a TIME"),
        ("DURATION", "P", "not a DURATION"), ("DURATION", "PT", "not a DURATION"), ("DURATION", "3 years", "not a DURATION"),
        ("SET", "every year", "not a SET"),
    ],
)
def test_invalid_timex_values(date_type, value, reason):
    problem = values.timex_problem(date_type, value)
    assert problem is not None and reason in problem


@pytest.mark.parametrize(
    "text, number",
    [
        ("around $20 billion", 20e9), ("$100 billion", 1e11), ("7 million", 7e6), ("2 million", 2e6), ("six", 6), ("14", 14),
        ("two", 2), ("second", 2), ("a second", 2), ("20 times", 20), ("180-degree", 180), ("1,250", 1250), ("5.5%", 5.5),
        ("12 percent", 12), ("twenty-five", 25), ("one hundred and five", 105), ("a dozen", 12), ("$1.5bn", 1.5e9),
        ("more than 100", 100), ("up to three", 3), ("21st", 21), ("twenty-first", 21),
    ],
)
def test_read_number(text, number):
    reading = values.read_number(text)
    assert reading is not None and values.same_number(reading.value, number), reading


@pytest.mark.parametrize("text", ["two-thirds", "3-4", "half", "2 or 3", "several", "S-400", "a", "20km/h", ""])
def test_read_number_declines_what_it_does_not_understand(text):
    assert values.read_number(text) is None


def test_hedge_and_bound_words():
    assert values.hedge_word("around $20 billion") == "around"
    assert values.hedge_word("some 300") == "some"
    assert values.hedge_word("7 million") is None
    assert values.bound_word("more than 100") == ("more than", "more_than")
    assert values.bound_word("up to 5") == ("up to", "at_most")
    assert values.bound_word("over 7 million") == ("over", "more_than")
    assert values.bound_word("20 times") is None


def test_position_index_finds_values_keys_and_nested_items():
    text = '{\n  "a": [\n    {"start": 1, "end": 2},\n    {"start": 3, "end": 4}\n  ],\n  "b\\"c": null\n}\n'
    index = PositionIndex(text)
    assert index.locate(("a", 1)) == (4, 5)
    assert index.locate(("a", 1, "end")) == (4, 25)
    assert index.locate(("a", 1, "missing")) == (4, 5)  # falls back to the nearest ancestor
    assert index.locate(('b"c',), key=True) == (6, 3)
    assert format_path(("a", 1, "end")) == "$.a[1].end"
    assert format_path(("weird key", 0)) == '$["weird key"][0]'


def test_read_json_strict_locates_duplicates_nan_and_syntax():
    dup = read_json_strict(b'{\n  "x": 1,\n  "y": {"k": 1, "k": 2}\n}')
    assert [(f.kind, f.line, f.column, f.json_path) for f in dup.findings] == [("duplicate", 3, 17, "$.y.k")]
    nan = read_json_strict(b'{"v": [1, NaN, -Infinity]}')
    assert [(f.kind, f.json_path) for f in nan.findings] == [("nonfinite", "$.v[1]"), ("nonfinite", "$.v[2]")]
    bad = read_json_strict(b'{\n  "a": 1,\n}')
    assert [(f.kind, f.line) for f in bad.findings] == [("syntax", 3)]
    utf8 = read_json_strict(b'{"a": "\xff"}')
    assert utf8.findings[0].kind == "utf8" and "byte 7" in utf8.findings[0].message
    bom = read_json_strict(b'\xef\xbb\xbf{}')
    assert bom.findings[0].kind == "bom"
    huge = read_json_strict(b"[" + b"1" * 5000 + b"]")
    assert huge.findings[0].kind == "syntax"
