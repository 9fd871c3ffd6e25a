"""Every rule code has an invalid fixture that produces exactly that code (UD-validator style).

tests/fixtures/invalid/<name>.json describes one invalid corpus: the valid fixture corpus
plus a few edits, the one rule code it must produce, and optionally text the message must
contain and the line it must point at. A fixture is correct only when the report holds that
code and no other code at all (errors or warnings), so a rule that fires too eagerly on a
neighbouring mistake fails here too.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from newscorpus import cli, rules
from newscorpus.corpus import CorpusPaths
from newscorpus.validate import render_github, render_json, render_text, validate_corpus

INVALID = Path(__file__).resolve().parent / "fixtures" / "invalid"
FIXTURES = sorted(INVALID.glob("*.json"))


def _load(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


def test_the_valid_fixture_corpus_has_no_finding_at_all(valid_corpus):
    report = validate_corpus(CorpusPaths(valid_corpus))
    assert report.diagnostics == []
    assert report.ok(strict=True)
    assert len(report.documents) == 2
    assert sorted(report.passes) == ["ann-x", "ann-y"]


def test_every_rule_code_has_a_fixture_that_produces_it():
    covered = {_load(path)["code"] for path in FIXTURES}
    missing = sorted(set(rules.RULES) - covered)
    assert not missing, f"rule codes without an invalid fixture in {INVALID}: {missing}"
    unknown = sorted(covered - set(rules.RULES))
    assert not unknown, f"fixtures name codes that are not in newscorpus.rules: {unknown}"


def test_fixture_names_start_with_their_code():
    for path in FIXTURES:
        assert path.stem.split(".")[0] == _load(path)["code"], path.name


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_produces_exactly_its_code(fixture, make_corpus):
    spec = _load(fixture)
    code = spec["code"]
    root = make_corpus(spec["edits"])
    report = validate_corpus(CorpusPaths(root))
    codes = {d.code for d in report.diagnostics}
    assert codes == {code}, render_text(report)
    rule = rules.RULES[code]
    for d in report.diagnostics:
        assert d.severity == rule.severity
        assert d.message and "Traceback" not in d.message
        assert not Path(d.path).is_absolute()
    for needle in spec.get("message_contains", []):
        assert any(needle in d.message + " " + (d.hint or "") for d in report.diagnostics), (needle, render_text(report))
    if "line" in spec:
        assert any(d.line == spec["line"] for d in report.diagnostics), render_text(report)
    assert report.ok() is (rule.severity == "warning")
    assert report.ok(strict=True) is False


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_through_the_command_line(fixture, make_corpus):
    """The same fixture via `newscorpus validate --format json`: exit code and report agree."""
    spec = _load(fixture)
    root = make_corpus(spec["edits"])
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main(["validate", "--root", str(root), "--format", "json", "--jobs", "1"])
    report = json.loads(out.getvalue())
    severity = rules.RULES[spec["code"]].severity
    assert code == (0 if severity == "warning" else 1)
    assert report["summary"]["by_code"].keys() == {spec["code"]}
    assert report["ok"] is (severity == "warning")
    with redirect_stdout(io.StringIO()):
        assert cli.main(["validate", "--root", str(root), "--strict", "--jobs", "1"]) == 1


def test_span_mismatch_message_shows_stated_actual_and_nearest(make_corpus):
    spec = _load(INVALID / "L3-span-text-mismatch.json")
    report = validate_corpus(CorpusPaths(make_corpus(spec["edits"])))
    (d,) = report.diagnostics
    assert '"Turkey"' in d.message and '" Turke"' in d.message
    assert d.hint.startswith("did you mean start=122, end=128?")
    assert "1 code point later" in d.hint
    assert d.json_path == "$.entities[4]"
    # canonical layout puts one span per line: the line is the span's own line
    path = Path(report.root) / d.path
    line = path.read_text("utf-8").splitlines()[d.line - 1]
    assert '"id": "e5"' in line and '"start": 121' in line


def test_schema_errors_are_all_reported_with_lines(make_corpus):
    root = make_corpus(
        [
            {"op": "set", "file": "annotated/tinynews_2020-12-30_alpha-talks.json", "path": ["entities", 2, "label"], "value": "PER"},
            {"op": "delete", "file": "annotated/tinynews_2020-12-30_alpha-talks.json", "path": ["dates", 1, "anchor"]},
            {"op": "set", "file": "annotated/tinynews_2020-12-30_alpha-talks.json", "path": ["numeric_claims", 0, "value"], "value": "20 billion"},
        ]
    )
    report = validate_corpus(CorpusPaths(root))
    found = {(d.code, d.json_path) for d in report.diagnostics}
    assert found == {
        ("L2-unknown-label", "$.entities[2].label"),
        ("L2-schema", "$.dates[1]"),
        ("L2-schema", "$.numeric_claims[0].value"),
    }
    text = (root / "annotated/tinynews_2020-12-30_alpha-talks.json").read_text("utf-8").splitlines()
    for d in report.diagnostics:
        assert d.line is not None
        if d.json_path == "$.entities[2].label":
            assert '"id": "e3"' in text[d.line - 1]
        if d.json_path == "$.dates[1]":
            assert '"id": "t2"' in text[d.line - 1]


def test_a_missing_key_that_takes_a_label_lists_the_labels(make_corpus):
    """What a contributor filling a skeleton from `newscorpus new` sees: the key, and its labels."""
    doc = "annotated/tinynews_2020-12-30_alpha-talks.json"
    root = make_corpus([{"op": "delete", "file": doc, "path": ["zones", 0, "type"]}, {"op": "delete", "file": doc, "path": ["status"]},
                        {"op": "delete", "file": doc, "path": ["temporal_anchor", "basis"]}])
    found = {d.json_path: d for d in validate_corpus(CorpusPaths(root)).diagnostics}
    assert found["$"].message == 'the file is missing the required key "status"'
    assert found["$"].hint == '"status" is one of single_pass, adjudicated (AnnotationStatus in schema/vocabulary.schema.json)'
    assert found["$.zones[0]"].message == 'z1: $.zones[0] is missing the required key "type"'  # named by its id too
    assert found["$.zones[0]"].hint.startswith('"type" is one of headline, dateline, byline, caption, body, boilerplate (ZoneType')
    assert found["$.temporal_anchor"].hint is None  # free text: no label set to list


def test_layers_do_not_cascade(make_corpus):
    """A file that fails the schema is not checked for spans; a changed raw file stops span checks."""
    ann = "annotated/tinynews_2020-12-30_alpha-talks.json"
    root = make_corpus(
        [
            {"op": "delete", "file": ann, "path": ["status"]},
            {"op": "set", "file": ann, "path": ["entities", 0, "start"], "value": 3},  # also a span error
        ]
    )
    assert {d.code for d in validate_corpus(CorpusPaths(root)).diagnostics} == {"L2-schema"}
    root = make_corpus([{"op": "replace", "file": "raw/tinynews_2020-12-30_alpha-talks.txt", "old": "Foreign", "new": "Former Foreign"}])
    report = validate_corpus(CorpusPaths(root))
    assert {d.code for d in report.diagnostics} == {"L6-raw-sha256-mismatch"}
    assert {d.path for d in report.diagnostics} == {
        "raw/tinynews_2020-12-30_alpha-talks.meta.json",
        ann,
        "annotated/passes/ann-x/tinynews_2020-12-30_alpha-talks.json",
    }


def test_github_format_escapes_and_names_file_line_and_rule(make_corpus):
    spec = _load(INVALID / "L3-span-text-mismatch.json")
    report = validate_corpus(CorpusPaths(make_corpus(spec["edits"])))
    lines = render_github(report).splitlines()
    command = lines[0]
    assert re.match(r"^::error file=annotated/tinynews_2020-12-30_alpha-talks\.json,line=\d+,col=\d+,title=L3-span-text-mismatch::", command)
    assert "\n" not in command and "%0A" in command  # the hint is on its own line in the annotation
    assert lines[-1].startswith("newscorpus validate")


def test_json_report_lists_each_file_with_sha256_and_counts(valid_corpus):
    report = json.loads(render_json(validate_corpus(CorpusPaths(valid_corpus))))
    files = {f["path"]: f for f in report["files"]}
    ann = files["annotated/tinynews_2020-12-30_alpha-talks.json"]
    assert ann["kind"] == "annotation" and re.fullmatch(r"[0-9a-f]{64}", ann["sha256"])
    assert ann["counts"] == {"zones": 4, "entities": 14, "quotes": 4, "dates": 4, "numeric_claims": 3}
    assert files["raw/tinynews_2020-12-30_alpha-talks.txt"]["counts"] == {"codepoints": 447}
    assert files["annotated/passes/ann-y/tinynews_2021-01_beta-sanctions.json"]["kind"] == "pass_annotation"
    assert files["annotated/entity_registry.json"]["counts"] == {"entities": 10}
    assert report["ok"] is True and report["summary"]["errors"] == 0


def test_explain_and_list_rules(capsys):
    assert cli.main(["validate", "--explain", "L3-span-text-mismatch"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("L3-span-text-mismatch (error, layer 3)") and "did you mean" in out
    assert re.search(r"Checked in:\n  newscorpus/validate\.py:\d+ in _check_spans_basic", out), out
    assert cli.main(["validate", "--explain", "L3-span-text-mismatc"]) == 2
    assert "did you mean L3-span-text-mismatch" in capsys.readouterr().err
    assert cli.main(["validate", "--list-rules"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == list(rules.RULES)


def test_every_code_the_source_names_is_declared_once_in_rules():
    """Rule codes live in one table: any code spelt in the validator's source must be in it."""
    source_dir = Path(rules.__file__).parent
    spelt = set()
    for name in ("validate.py", "fmt.py", "positions.py", "values.py"):
        spelt |= set(re.findall(r'"(L[1-6]-[a-z0-9-]+)"', (source_dir / name).read_text("utf-8")))
    assert spelt, "the validator names its codes as string literals"
    assert spelt <= set(rules.RULES), sorted(spelt - set(rules.RULES))
    for code, rule in rules.RULES.items():
        assert re.fullmatch(r"L[1-6]-[a-z0-9]+(-[a-z0-9]+)*", code) and code.startswith(f"L{rule.layer}-")
        assert rule.severity in ("error", "warning") and rule.summary and len(rule.explanation) > 40


def test_every_rule_is_checked_somewhere_and_explain_says_where():
    """No declared rule is dead: each is named by some check, and rule_sources finds the
    function that names it (the line it gives holds the code)."""
    from newscorpus.validate import rule_sources

    package = Path(rules.__file__).parent
    for code in rules.RULES:
        places = rule_sources(code)
        assert places, f"{code} is declared in rules.py but no check emits it"
        for place in places:
            filename, line = re.match(r"([a-z_]+\.py):(\d+) in \w+", place).groups()
            assert f'"{code}"' in (package / filename).read_text("utf-8").splitlines()[int(line) - 1]
        # each place leads to a function that checks: a nested helper is named with the function
        # around it, a table with the functions that read it
        for place in places:
            where = re.fullmatch(r"[a-z_]+\.py:\d+ in (\w+(?:\.\w+)*)(, read by \w+(?:, \w+)*)?", place)
            assert where, (code, place)  # never just "module level"
            if where.group(1).lstrip("_").isupper():  # a table: which functions read it
                assert where.group(2), (code, place)


def test_kind_unit_table_names_only_declared_vocabulary():
    from newscorpus.spec import vocabulary

    vocab = vocabulary(Path(__file__).resolve().parents[1])
    assert set(rules.KIND_UNITS) == set(vocab.numeric_kinds)
    for units in rules.KIND_UNITS.values():
        assert set(units) <= set(vocab.units)
    assert any(re.match(rules.CURRENCY_UNIT_PATTERN, u) for u in vocab.units)


@pytest.mark.parametrize("name", ["L1-json-syntax.json", "L3-span-text-mismatch.json", "L6-unused-registry-entry.json", "L6-stray-file.json"])
def test_json_report_streams_in_exactly_the_layout_of_one_dump(make_corpus, name):
    """iter_json writes a file entry at a time; joined, the pieces must be one json.dumps(indent=2)."""
    from newscorpus.validate import iter_json

    report = validate_corpus(CorpusPaths(make_corpus(_load(INVALID / name)["edits"])))
    pieces = list(iter_json(report))
    text = "".join(pieces)
    data = json.loads(text)
    assert text == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    assert len(pieces) == len(data["files"]) + 2  # head, one piece per file, tail
    assert any(f["errors"] or f["warnings"] for f in data["files"])
    assert [f["path"] for f in data["files"]] == sorted(f["path"] for f in data["files"])


def test_json_report_with_no_files_is_one_dump():
    from newscorpus.validate import ValidationReport, iter_json

    text = "".join(iter_json(ValidationReport(root="x", ignored=["notes.txt"])))
    data = json.loads(text)
    assert data["files"] == [] and data["ignored"] == ["notes.txt"]
    assert text == json.dumps(data, ensure_ascii=False, indent=2) + "\n"


ALPHA_ANN = "annotated/tinynews_2020-12-30_alpha-talks.json"
MEASURED = '"measured": "Turkey–Russia trade volume in 2020"'


def test_a_valid_surrogate_pair_is_no_error_and_fmt_writes_the_character(make_corpus, capsys):
    """\\ud83d\\ude00 is one character (U+1F600): not an error; only the layout asks for the character."""
    root = make_corpus([{"op": "replace", "file": ALPHA_ANN, "old": MEASURED, "new": MEASURED.replace("trade", "trade \\ud83d\\ude00")}])
    report = validate_corpus(CorpusPaths(root))
    assert {d.code for d in report.diagnostics} == {"L1-not-canonical"}, render_text(report)
    assert report.ok()
    assert cli.main(["fmt", "--root", str(root), str(root / ALPHA_ANN)]) == 0
    assert "trade \U0001F600 volume" in (root / ALPHA_ANN).read_text("utf-8")
    capsys.readouterr()
    assert validate_corpus(CorpusPaths(root)).diagnostics == []


def test_an_escaped_backslash_before_ud800_is_text_not_an_escape(make_corpus):
    root = make_corpus([{"op": "replace", "file": ALPHA_ANN, "old": MEASURED, "new": MEASURED.replace("trade", "trade C:\\\\ud800")}])
    assert "C:\\\\ud800" in (root / ALPHA_ANN).read_text("utf-8")  # in the file: two backslash characters
    report = validate_corpus(CorpusPaths(root))
    assert report.diagnostics == [], render_text(report)


def test_a_lone_surrogate_stops_the_file_at_layer_1_and_fmt_names_the_place(make_corpus, capsys):
    root = make_corpus(
        [
            {"op": "replace", "file": ALPHA_ANN, "old": MEASURED, "new": MEASURED.replace("trade", "trade \\ud800")},
            {"op": "replace", "file": ALPHA_ANN, "old": '"text": "NTV"', "new": '"text": "NTX"'},  # a span error: not reported
        ]
    )
    report = validate_corpus(CorpusPaths(root))
    (d,) = report.diagnostics
    assert (d.code, d.path, d.json_path) == ("L1-lone-surrogate", ALPHA_ANN, "$.numeric_claims[0].measured")
    line = (root / ALPHA_ANN).read_text("utf-8").splitlines()[d.line - 1]
    assert line[d.column - 1 :].startswith("\\ud800 volume")
    assert f"{ALPHA_ANN}:{d.line}:{d.column}: error L1-lone-surrogate" in render_text(report)
    assert cli.main(["fmt", "--root", str(root), str(root / ALPHA_ANN)]) == 1
    err = capsys.readouterr().err
    assert f"{ALPHA_ANN}:{d.line}:{d.column}: the string at $.numeric_claims[0].measured has the escape \\ud800" in err
    assert "cannot be written canonically" not in err


N1_VALUE = '"value": 20000000000,'  # n1 "around $20 billion" in the alpha annotation


@pytest.mark.parametrize("value", [2**53, -(2**53), 9.876543210987654e22])
def test_values_float64_holds_are_not_too_large(make_corpus, value):
    """2**53 itself is exact in float64, and a float (the form the hint suggests) is what it is:
    only the text check speaks here (the text says 20 billion)."""
    root = make_corpus([{"op": "replace", "file": ALPHA_ANN, "old": N1_VALUE, "new": f'"value": {value!r},'}])
    report = validate_corpus(CorpusPaths(root))
    assert {d.code for d in report.diagnostics} == {"L5-numeric-text-mismatch"}, render_text(report)


def test_the_exponent_form_the_hint_suggests_reads_as_the_text():
    from newscorpus import values

    reading = values.read_number("98765432109876543210987")
    assert reading is not None and values.same_number(reading.value, 9.876543210987654e22)


def test_an_integer_beyond_every_float_is_reported_not_a_traceback(make_corpus, capsys):
    """401 digits: the validator used to crash with OverflowError comparing it with the text."""
    root = make_corpus([{"op": "replace", "file": ALPHA_ANN, "old": N1_VALUE, "new": '"value": 1' + "0" * 400 + ","}])
    report = validate_corpus(CorpusPaths(root))
    (d,) = report.diagnostics
    assert (d.code, d.json_path) == ("L5-number-too-large", "$.numeric_claims[0].value")
    assert "100000…0000 (401 digits)" in d.message and "1.8e308" in d.message and len(d.message) < 400
    assert cli.main(["validate", "--root", str(root), "--jobs", "1", "--no-progress"]) == 1
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err and "L5-number-too-large" in out.out


def test_a_too_large_value_leaves_the_claims_other_checks_running(make_corpus):
    root = make_corpus(
        [
            {"op": "replace", "file": ALPHA_ANN, "old": N1_VALUE, "new": '"value": 98765432109876543210987,'},
            {"op": "replace", "file": ALPHA_ANN, "old": '"approximate": true', "new": '"approximate": false'},
        ]
    )
    report = validate_corpus(CorpusPaths(root))
    assert {(d.code, d.json_path) for d in report.diagnostics} == {
        ("L5-number-too-large", "$.numeric_claims[0].value"),
        ("L5-approximate-hedge", "$.numeric_claims[0].approximate"),
    }


@pytest.mark.parametrize("raw,cut,word", [
    ("Jose\u0301 said", (0, 4), (0, 5)),  # stops before the accent of a decomposed é
    ("C\u0327avus\u0327og\u0306lu said", (0, 1), (0, 12)),
    ("नमस्ते world", (0, 5), (0, 6)),  # stops before the vowel sign
    ("says Jose\u0301", (9, 10), (5, 10)),  # starts at a combining mark
    ("José said", (0, 3), (0, 4)),
])
def test_a_span_that_separates_a_letter_from_its_combining_mark_cuts_the_word(raw, cut, word):
    from newscorpus.validate import _check_spans_basic, _File, _Span

    def findings(start: int, end: int) -> list:
        f = _File("annotated/x.json", "annotation")
        span = _Span("entities", ("entities", 0), {"id": "e1", "start": start, "end": end, "text": raw[start:end]}, "e1")
        _check_spans_basic(f, raw, [span], punctuation=True)
        return f.diagnostics

    found = findings(*cut)
    assert [d.code for d in found] == ["L3-span-partial-word"]
    assert f'the word "{raw[word[0]:word[1]]}"' in found[0].message
    assert findings(*word) == []


@pytest.mark.parametrize("rel,make", [
    ("annotated/x.json", "folder"),  # named like an annotation, but a folder
    ("annotated/notes.txt", "file"),
    ("raw/notes.md", "file"),
    ("raw/tinynews_2020-12-31_gamma.txt", "folder"),  # named like a document: L1-unreadable
])
def test_a_path_named_alone_gets_the_findings_of_the_whole_run(make_corpus, rel, make):
    """`validate <path>` on a stray or unreadable corpus path reports what the whole-corpus run
    reports about it, not 'not a corpus file'."""
    root = make_corpus([])
    target = root / rel
    if make == "folder":
        target.mkdir()
    else:
        target.write_text("stray\n", "utf-8")
    whole = validate_corpus(CorpusPaths(root))
    alone = validate_corpus(CorpusPaths(root), [target])
    about = sorted((d.code, d.message) for d in whole.diagnostics if d.path == rel)
    assert about and sorted((d.code, d.message) for d in alone.diagnostics) == about
    assert alone.ignored == []


@pytest.mark.parametrize(
    "pub, warned",
    [
        ({"latest": "2021-01"}, False),  # a day-precise id against a month-precise bound fits
        ({"earliest": "2021-01-15"}, False),
        ({"latest": "2020-12-31"}, True),
        ({"earliest": "2021-01-16", "latest": "2021-01-20"}, True),
        ({"value": "2021-01-15"}, False),
    ],
)
def test_doc_id_date_is_compared_at_the_precision_both_have(pub, warned):
    from newscorpus.validate import _File, _check_doc_id_date

    f = _File("raw/x_2021-01-15_y.meta.json", "metadata")
    f.data = {"doc_id": "x_2021-01-15_y", "publication_date": pub}
    _check_doc_id_date(f)
    assert bool(f.diagnostics) == warned
    for d in f.diagnostics:
        assert "None" not in d.message and "null" not in d.message


def test_a_decomposed_span_text_with_offsets_counted_in_it_is_explained(make_corpus):
    """A tool that counted offsets in NFD text gives a longer span than the raw's NFC text."""
    import unicodedata

    from newscorpus.corpus import CorpusPaths

    nfd = unicodedata.normalize("NFD", "Çavuşoğlu")
    root = make_corpus([
        {"op": "set", "file": "annotated/tinynews_2020-12-30_alpha-talks.json", "path": ["entities", 1, "text"], "value": nfd},
        {"op": "set", "file": "annotated/tinynews_2020-12-30_alpha-talks.json", "path": ["entities", 1, "end"], "value": 25 + len(nfd)},
    ])
    (d,) = [d for d in validate_corpus(CorpusPaths(root)).diagnostics if d.code == "L3-span-text-mismatch"]
    assert "decomposed (NFD" in d.hint and "start=25, end=34" in d.hint


def _paragraph_ends_in_q2(make_corpus, continued: bool) -> Path:
    """The fixture with q2 ending its paragraph without a closing mark (`,” ` becomes `.` and a
    blank line: the same number of code points, so no other offset moves); q3, in the next
    paragraph, continues it or not."""
    doc = "tinynews_2020-12-30_alpha-talks"
    raw = (INVALID.parent / "corpus" / "raw" / f"{doc}.txt").read_bytes()
    new_raw = raw.replace("S-400,” Ç".encode(), "S-400.\n\nÇ".encode())
    old_sha, new_sha = hashlib.sha256(raw).hexdigest(), hashlib.sha256(new_raw).hexdigest()
    ann = f"annotated/{doc}.json"
    edits = [
        {"op": "write", "file": f"raw/{doc}.txt", "hex": new_raw.hex()},
        {"op": "replace", "file": f"raw/{doc}.meta.json", "old": old_sha, "new": new_sha},
        {"op": "replace", "file": f"raw/{doc}.meta.json", "old": f'"size_bytes": {len(raw)}', "new": f'"size_bytes": {len(new_raw)}'},
        {"op": "replace", "file": ann, "old": old_sha, "new": new_sha},
        {"op": "replace", "file": ann, "old": "S-400,” Ç", "new": "S-400.\\n\\nÇ"},  # the zone's text
        {"op": "replace", "file": ann, "old": '"end": 219, "text": "“We have started talks with the US on the S-400,”"',
         "new": '"end": 218, "text": "“We have started talks with the US on the S-400."'},
        {"op": "remove", "file": f"annotated/passes/ann-x/{doc}.json"},
    ]
    if not continued:
        edits.append({"op": "replace", "file": ann, "old": ', "continues": "q2"', "new": ""})
    return make_corpus(edits)


def test_a_direct_quote_ending_its_paragraph_may_leave_out_the_closing_mark_when_the_next_continues(make_corpus):
    report = validate_corpus(CorpusPaths(_paragraph_ends_in_q2(make_corpus, continued=True)))
    assert report.diagnostics == [], render_text(report)
    report = validate_corpus(CorpusPaths(_paragraph_ends_in_q2(make_corpus, continued=False)))
    assert [(d.code, d.message.split(" ")[0]) for d in report.diagnostics] == [("L5-quote-kind-marks", "q2")], render_text(report)


def test_the_warnings_a_note_can_end_are_the_ones_whose_explanation_says_so():
    """Guidelines section 0 sends contributors to --explain: the rule table and the checks that
    honour a note naming the code must name the same rules."""
    source = (Path(rules.__file__).parent / "validate.py").read_text("utf-8")
    honoured = set(re.findall(r'_acknowledged\([^,]+, "(L[1-6]-[a-z0-9-]+)"\)', source))
    explained = {code for code, rule in rules.RULES.items() if "this rule's code there" in " ".join(rule.explanation.split())}
    assert honoured and honoured == explained
    assert all(rules.RULES[code].severity == "warning" for code in honoured)
