"""The layer-5 readers (TIMEX3 values, numbers in text) and the JSON position index."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
    assert [(f.kind, f.line) for f in bad.findings] == [("syntax", 2)]  # at the trailing comma itself
    utf8 = read_json_strict(b'{"a": "\xff"}')
    assert utf8.findings[0].kind == "utf8" and "byte 7" in utf8.findings[0].message
    bom = read_json_strict(b'\xef\xbb\xbf{}')
    assert bom.findings[0].kind == "bom"
    huge = read_json_strict(b"[" + b"1" * 5000 + b"]")
    assert huge.findings[0].kind == "syntax"


# ----------------------------------------------------------------------------- lone surrogates (L1)

def _surrogates(value) -> bool:
    """Whether json.loads produced a lone surrogate anywhere (a valid pair becomes one character)."""
    if isinstance(value, str):
        return any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, dict):
        return any(_surrogates(k) or _surrogates(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_surrogates(v) for v in value)
    return False


@pytest.mark.parametrize(
    "text",
    [
        r'{"a": "grin \ud83d\ude00"}',  # a valid pair is one character (U+1F600)
        r'{"a": "grin \uD83D\uDE00"}',  # hex digits in either case
        r'{"a": "a path C:\\ud800"}',  # an escaped backslash, then the letters ud800: no escape
        r'{"a": "\\\\ud800"}',  # two escaped backslashes, then letters
        r'{"a": "\u005cud800"}',  # the backslash itself written as an escape: still letters
        r'{"a": "\u00e9\u2014\uffff"}',  # escapes outside D800-DFFF
        '{"a": "ud800 \\\\"}',
    ],
)
def test_read_json_strict_accepts_valid_pairs_and_escaped_backslashes(text):
    assert not _surrogates(json.loads(text))
    assert read_json_strict(text.encode("utf-8")).findings == []


@pytest.mark.parametrize(
    "text, where",
    [
        (r'{"a": "x\ud800y"}', [(1, 9, "$.a", "\\ud800", "high surrogate")]),
        (r'{"a": "x\uDC00"}', [(1, 9, "$.a", "\\uDC00", "low surrogate")]),
        (r'{"a": "C:\\\ud800"}', [(1, 12, "$.a", "\\ud800", "high")]),  # escaped backslash, then a real escape
        (r'{"a": "\ude00\ud83d"}', [(1, 8, "$.a", "\\ude00", "low"), (1, 14, "$.a", "\\ud83d", "high")]),  # reversed pair
        (r'{"a": "\ud83d\ud83d\ude00"}', [(1, 8, "$.a", "\\ud83d", "high")]),  # the second high one has its pair
        (r'{"a": "\ud800\u0041"}', [(1, 8, "$.a", "\\ud800", "high")]),
        ('{\n  "x": [1, {"k\\udbff": 2}]\n}', [(2, 15, '$.x[1]["k\\udbff"]', "\\udbff", "the key")]),
        ('{\n  "ok": "\\ud83d\\ude00",\n  "e": [{"t": "a"}, {"t": "b\\udfff"}]\n}', [(3, 29, "$.e[1].t", "\\udfff", "low")]),
    ],
)
def test_read_json_strict_locates_lone_surrogates(text, where):
    result = read_json_strict(text.encode("utf-8"))
    assert _surrogates(json.loads(text))
    assert [(f.kind, f.line, f.column, f.json_path) for f in result.findings] == [("surrogate", *w[:3]) for w in where]
    for finding, (_, _, path, escape, words) in zip(result.findings, where):
        assert path in finding.message and escape in finding.message and words in finding.message
        assert "UTF-8" in finding.message
        finding.message.encode("utf-8")  # the message itself is printable: the escape is spelt, not decoded
    assert result.data is not None  # the file parsed; layer 1 refuses it all the same


_PIECES = st.sampled_from(
    ["a", "é", "\\ud800", "\\udbff", "\\udc00", "\\uDFFF", "\\ud83d", "\\ude00", "\\\\", "\\\\u", "ud800", "\\u0041", '\\"', "\\n", "\\u005c"]
)


@given(pieces=st.lists(_PIECES, max_size=8), key=st.booleans())
def test_lone_surrogate_scan_agrees_with_the_json_parser(pieces, key):
    """Whatever mix of escapes, backslashes and pairs a string holds, layer 1 reports a lone
    surrogate exactly when the JSON parser decodes one (as a key or as a value)."""
    body = "".join(pieces)
    text = f'{{"{body}": 1}}' if key else f'{{"k": ["{body}"]}}'
    result = read_json_strict(text.encode("utf-8"))
    assert any(f.kind == "surrogate" for f in result.findings) is _surrogates(json.loads(text))
    assert all(f.kind == "surrogate" for f in result.findings)


@pytest.mark.parametrize(
    "kind, text, wrong",
    [
        ("direct", "“We will take our steps,”", False),
        ("direct", "‘We will take our steps’", False),  # British single marks
        ("direct", "We will take our steps,”", True),  # the opening mark left out
        ("direct", "“We will take our steps", True),
        ("indirect", "Turkey’s talks with the US had begun", False),  # an apostrophe is no quotation mark
        ("indirect", "the US had made a “mistake”", True),  # a quoted fragment: mixed
        ("mixed", "the sanctions were “a mistake”", False),
        ("mixed", "the sanctions were a mistake", True),
        ("mixed", "the sanctions were ‘a mistake’", False),  # British single marks
        ("indirect", "the US had made a ‘mistake’", True),
        ("indirect", "he said the ‘90s were better for business", False),  # a mis-curled apostrophe
        ("indirect", "fans rock ‘n’ roll all night", False),
        ("mixed", "he said the ‘90s were better for business", True),
        # the quotation marks of other languages' news (guidelines section 3)
        ("direct", "„Wir werden unsere Schritte unternehmen“", False),  # German
        ("direct", "‚Wir werden‘", False),  # German single marks
        ("direct", "« Nous prendrons nos mesures »", False),  # French
        ("direct", "»Vi vil tage vores skridt«", False),  # Danish
        ("direct", "”Vi kommer att vidta våra åtgärder”", False),  # Swedish and Finnish
        ("direct", "’Vi kommer’", False),  # Swedish single marks
        ("direct", "„Podejmiemy nasze kroki”", False),  # Polish
        ("direct", "「我々は措置を講じる」", False),  # Japanese and Chinese
        ("direct", "『措置を講じる』", False),
        ("direct", "「我々は措置を講じる", True),  # the closing mark left out
        ("indirect", "die USA hätten einen „Fehler“ gemacht", True),  # a quoted fragment: mixed
        ("indirect", "les États-Unis ont commis une « erreur »", True),
        ("indirect", "米国は「誤り」を犯した", True),
        ("mixed", "米国は「誤り」を犯した", False),
        ("mixed", "die USA hätten einen ‚Fehler‘ gemacht", False),
        ("indirect", "the sanctions were a mistake, ’90s style", False),  # an apostrophe inside, not a mark
        # a mark of another style does not close what this one opened: the span lost a mark
        ("direct", "’Tis the season,”", True),
        ("direct", "“He called it ‘", True),
        ("direct", "„Wir werden unsere Schritte unternehmen»", True),
        ("direct", "„Wir werden unsere Schritte unternehmen\"", False),  # a straight mark closes any double style
    ],
)
def test_quote_kind_follows_the_quotation_marks(kind, text, wrong):
    assert (values.quote_kind_problem(kind, text) is not None) == wrong


def test_a_continued_direct_quote_may_lack_its_closing_mark():
    """News style leaves the closing mark out at the end of a quoted paragraph that the next
    paragraph continues."""
    assert values.quote_kind_problem("direct", "“We have created a working group.") is not None
    assert values.quote_kind_problem("direct", "“We have created a working group.", continued=True) is None
    assert values.quote_kind_problem("direct", "We have created a working group.", continued=True) is not None


@pytest.mark.parametrize(
    "text, says, line, column",
    [
        ('{\n  "a": [1, 2,\n  ]\n}\n', "a comma before the closing ']' (JSON allows no trailing comma; delete it)", 2, 13),
        ('{\n  "a": 1,\n}\n', "a comma before the closing '}'", 2, 9),
        ("{'a': 1}", "take double quotes", 1, 2),
        ('{"a": 1 "b": 2}', "a comma is missing between two items", 1, 9),
    ],
)
def test_json_syntax_errors_say_what_a_hand_edit_usually_did(text, says, line, column):
    (finding,) = read_json_strict(text.encode("utf-8")).findings
    assert finding.kind == "syntax" and says in finding.message
    assert (finding.line, finding.column) == (line, column)


def test_a_straight_quote_inside_a_string_is_named_not_called_a_missing_comma():
    (finding,) = read_json_strict('{"text": "he said "hi" to me"}'.encode("utf-8")).findings
    assert 'a " inside a string ends it' in finding.message


@pytest.mark.parametrize(
    "value, text, wrong",
    [
        ("2020-12-30", "December 30th", False),
        ("2020-12-29", "December 30th", True),
        ("2020-12-30", "30 December 2020", False),
        ("2024-03-14", "Thursday", False),
        ("2024-03-15", "Thursday", True),  # a Friday
        ("2031", "2030", True),
        ("2024-05-15", "March 15, 2024", True),
        ("2021-05-03", "3 May", False),
        ("2021", "next year", False),  # relative words state nothing checkable here
        ("2020-W52", "the week ending on December 27th", False),  # not a calendar value
        ("2020-12-31", "2020-12-30", True),
        ("2020", "2019-20", False),  # a range or a fiscal year: the annotator decides which part
        ("2019", "between 2019 and 2021", False),
        ("2023", "2022–23", False),
        ("2020", "fiscal 2021", False),
        ("2021-01-04", "the sun", False),  # lower-case "sun", "sat", "mar" are words, not names
        ("2021-01-03", "Sunday, 3 January 2021", False),
    ],
)
def test_a_date_value_agrees_with_what_its_words_state(value, text, wrong):
    assert (values.date_text_problem("DATE", value, text) is not None) == wrong


@pytest.mark.parametrize(
    "text, unit, wrong",
    [
        ("€3.2 billion", "USD", True),
        ("€3.2 billion", "EUR", False),
        ("around $20 billion", "USD", False),
        ("$5", "CAD", False),  # "$" names many dollars: only a currency with its own sign is ruled out
        ("$20 billion", "EUR", True),
        ("500 roubles", "RUB", False),
        ("500 roubles", "USD", True),
        ("500 rubles", "USD", True),
        ("50 lira", "USD", True),
        ("£2m", "GBP", False),
        ("$70 million (5 billion roubles)", "USD", False),  # a conversion beside the amount
        ("$70 million (5 billion roubles)", "RUB", False),
        ("5 billion roubles ($70 million)", "EUR", True),  # neither fits
        ("€20 or 1,500 roubles", "USD", True),
        ("€20 million ($22 million)", "CHF", True),  # a "$" fits only a dollar (or peso) unit
    ],
)
def test_a_money_unit_agrees_with_the_currency_the_text_names(text, unit, wrong):
    assert (values.currency_problem(text, unit) is not None) == wrong


@pytest.mark.parametrize("value, mod, text, wrong", [
    ("2019", "MID", "mid-2019", False),
    ("2019-06", "MID", "mid-2019", True),  # the month is the modifier resolved a second time
    ("2020-12", "MID", "mid-December", False),
    ("2020-12-15", "MID", "mid-December", True),  # a day is no period to modify
    ("2020-12", "START", "early this month", False),  # "this month" names the month
    ("2020", "END", "late 2020", False),
    ("2019-06", "APPROX", "around mid-2019", False),  # APPROX is no period modifier
    ("2020-12-30", "END", "late Wednesday", False),  # the words name a day: a day is the period
    ("2020-12-30", "START", "early on December 30", False),
    ("2020-12-29", "END", "late yesterday", False),
    ("2020-12", "MID", "Aralık ortası", False),  # words in another language: left to the annotator
    ("2020-06-15", "MID", "mid-2020", True),
    ("2020-12", "MID", "Mitte Dezember 2020", False),  # another language, even with a year
    ("2020-12-24", "END", "late on Christmas Eve 2020", False),  # a holiday names the day
    ("2020-12", "MID", "mid-December 2020", False),
    ("2020-12-29", "END", "late on Tuesday", False),
])
def test_a_period_modifier_goes_with_the_period_the_words_name(value, mod, text, wrong):
    assert (values.period_mod_problem("DATE", value, mod, text) is not None) == wrong


def _guidelines_relative_rows() -> list[tuple[str, str]]:
    """(text, value) of the rows of guidelines section 4's table whose value follows from the
    anchor alone (Wednesday 2020-12-30): the check must agree with the guidelines' own table."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "annotated" / "GUIDELINES.md").read_text("utf-8")
    rows = re.findall(r"^\| ([^|(]+?) \| DATE \| ([^|]+?) \| \| publication_date \|$", text, re.M)
    return [(t, v) for t, v in rows if values._RELATIVE_DATE.fullmatch(t)]


def test_the_guidelines_relative_dates_are_what_the_check_computes():
    rows = _guidelines_relative_rows()
    assert {t for t, _ in rows} >= {"this year", "next year", "last Tuesday", "two weeks ago", "three years ago", "five days ago"}, rows
    for text, value in rows:
        assert values.relative_date_problem("DATE", value, text, "2020-12-30", "publication_date", "en") is None, (text, value)


@pytest.mark.parametrize("text, value, how, wrong", [
    ("yesterday", "2020-12-29", "publication_date", False),
    ("yesterday", "2020-12-30", "publication_date", True),
    ("tomorrow", "2020-12-31", "publication_date", False),
    ("today", "PRESENT_REF", "publication_date", False),  # nowadays
    ("last Wednesday", "2020-12-23", "publication_date", False),  # before the anchor, never the anchor itself
    ("last Wednesday", "2020-12-30", "publication_date", True),
    ("next Wednesday", "2021-01-06", "publication_date", False),
    ("next Friday", "2021-01-01", "publication_date", False),
    ("last Tuesday", "2026-11-24", "publication_date", True),  # after the article was published
    ("last month", "2020-11", "publication_date", False),
    ("next month", "2021-01", "publication_date", False),
    ("this week", "2020-W53", "publication_date", False),
    ("last week", "2020-W52", "publication_date", False),
    ("a year ago", "2019", "publication_date", False),
    ("18 months ago", "2019-06", "publication_date", False),
    ("next year", "2021", "absolute", True),  # relative words: anchored to the publication date
    ("next year", "2021", "none", True),
    ("Tuesday", "2020-12-15", "publication_date", False),  # a bare weekday: the tense decides, not checked here
    ("earlier this month", "2020-11", "publication_date", False),  # not a phrase the check reads
    ("about two weeks ago", "2020-W49", "publication_date", False),
])
def test_a_relative_english_date_is_checked_against_the_anchor(text, value, how, wrong):
    assert (values.relative_date_problem("DATE", value, text, "2020-12-30", how, "en") is not None) == wrong


def test_a_relative_date_in_another_language_or_without_an_anchor_is_not_checked():
    assert values.relative_date_problem("DATE", "2099", "next year", "2020-12-30", "publication_date", "de") is None
    assert values.relative_date_problem("DATE", "2099", "next year", None, "publication_date", "en") is None
    assert values.relative_date_problem("DATE", "2099", "next year", "2020-12", "publication_date", "en") is None
