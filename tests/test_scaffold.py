"""`newscorpus span` and `newscorpus new`: offsets in code points that round-trip to the raw
text, skeletons whose hashes and sizes are the raw file's, refusals that write nothing, and a
skeleton that `newscorpus validate` reports field by field until it is filled."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from newscorpus.cli import main
from newscorpus.jsonio import canonical_dumps

REPO = Path(__file__).resolve().parents[1]
DOC = "tinynews_2021-02-03_kovac-prize"
# Non-ASCII before every target: dotted capitals, curly quotes, an apostrophe, CR LF, a line
# that holds only spaces (blank), a line separator (U+2028) inside the body.
RAW = (
    " date 2021-02-03 TÜRKİYE\n"
    "\n"
    "Kovač wins the “big” prize\n"
    "   \n"
    "Foreign Minister Mevlüt Çavuşoğlu’s rival, Ivan Kovač, said that “Çavuşoğlu lost”.\r\n"
    "Çavuşoğlu declined to comment.\u2028Kovač thanked the jury.\n"
    "\n"
    "Support TinyNews: 3 ways to help\n"
)


def out_lines(capsys) -> tuple[list[str], str]:
    captured = capsys.readouterr()
    return captured.out.splitlines(), captured.err


def corpus_with_raw(valid_corpus: Path, text: str = RAW, doc_id: str = DOC, data: bytes | None = None) -> Path:
    (valid_corpus / "raw" / f"{doc_id}.txt").write_bytes(text.encode("utf-8") if data is None else data)
    return valid_corpus


# ------------------------------------------------------------------------------------------ span


def test_span_nth_occurrence_counts_code_points_and_round_trips(tmp_path, capsys):
    raw_file = tmp_path / "article.txt"
    raw_file.write_bytes(RAW.encode("utf-8"))
    assert main(["span", str(raw_file), "Çavuşoğlu", "--nth", "2"]) == 0
    lines, err = out_lines(capsys)
    assert len(lines) == 1
    first = RAW.index("Çavuşoğlu")
    second = RAW.index("Çavuşoğlu", first + 1)
    # the canonical one-line layout, exactly: key order, ", " and ": ", no escapes
    assert lines[0] == f'{{"start": {second}, "end": {second + 9}, "text": "Çavuşoğlu"}}'
    span = json.loads(lines[0])
    assert RAW[span["start"] : span["end"]] == "Çavuşoğlu"
    assert span["start"] != len(RAW[:second].encode("utf-8"))  # not a byte offset
    line_no = RAW[:second].count("\n") + 1
    column = second - (RAW.rfind("\n", 0, second) + 1) + 1
    assert f"{raw_file}:{line_no}:{column}: occurrence 2 of 3" in err


def test_span_json_round_trips_text_that_needs_escapes(tmp_path, capsys):
    text = 'He wrote "a\\b" then\tleft 😀 “done”\nnext line'
    raw_file = tmp_path / "article.txt"
    raw_file.write_bytes(text.encode("utf-8"))
    for needle in ('"a\\b"', "then\tleft 😀", "😀 “done”\nnext", "“"):
        assert main(["span", str(raw_file), needle]) == 0
        (line,), _ = out_lines(capsys)
        span = json.loads(line)
        assert text[span["start"] : span["end"]] == span["text"] == needle
        # what the annotation files hold for this span, in their canonical layout
        assert f"    {line}" in canonical_dumps({"spans": [span]}).splitlines()


def test_span_by_doc_id_all_and_after(valid_corpus, capsys, monkeypatch):
    root = corpus_with_raw(valid_corpus)
    starts = [i for i in range(len(RAW)) if RAW.startswith("Kovač", i)]
    assert main(["span", DOC, "Kovač", "--all", "--root", str(root)]) == 0
    lines, err = out_lines(capsys)
    assert [json.loads(line)["start"] for line in lines] == starts
    assert err.count("occurrence") == 3 and "occurrence 3 of 3" in err
    monkeypatch.chdir(root / "annotated")  # the corpus is found above the working directory
    assert main(["span", DOC, "Kovač", "--after", str(starts[0] + 1)]) == 0
    lines, err = out_lines(capsys)
    assert json.loads(lines[0])["start"] == starts[1]
    assert "occurrence 2 of 3 (the 1st at or after offset" in err
    assert main(["span", DOC, "Kovač", "--after", str(starts[0] + 1), "--nth", "3"]) == 1
    lines, err = out_lines(capsys)
    assert lines == [] and "occurs 3 times" in err and "2 of them at or after" in err
    # --before: only occurrences that end by then; with --after, the ones inside a stretch
    assert main(["span", DOC, "Kovač", "--after", str(starts[0] + 1), "--before", str(starts[2] + 4), "--all"]) == 0
    lines, err = out_lines(capsys)
    assert [json.loads(line)["start"] for line in lines] == [starts[1]]
    assert "occurrence 2 of 3 (the 1st at or after offset" in err and f"ending by offset {starts[2] + 4}" in err
    assert main(["span", DOC, "Kovač", "--after", "5", "--before", "5"]) == 2


@pytest.mark.parametrize(
    ("raw_word", "asked", "what"),
    [
        ("Kovač", "Kovac", "accents"),
        ("Ødegaard", "Odegaard", "accents"),  # Ø, Ł, æ, ß have no decomposition: folded by a table
        ("Łódź", "Lodz", "accents"),
        (unicodedata.normalize("NFD", "Kovač"), "Kovač", "Unicode normalisation"),
        ("KOVAČ", "Kovač", "letter case"),
        ("“Kovač”", '"Kovač"', "quotation marks"),
    ],
)
def test_span_not_found_exits_1_and_names_the_near_miss(tmp_path, capsys, raw_word, asked, what):
    text = f"Çavuşoğlu’s rival {raw_word} spoke."
    raw_file = tmp_path / "article.txt"
    raw_file.write_bytes(text.encode("utf-8"))
    assert main(["span", str(raw_file), asked]) == 1
    lines, err = out_lines(capsys)
    assert lines == []
    start = text.index(raw_word)
    assert "does not occur in" in err and f"differs only in {what}" in err
    assert f"at [{start}, {start + len(raw_word)})" in err


def test_span_usage_errors_exit_2(valid_corpus, tmp_path, capsys):
    assert main(["span", str(tmp_path / "missing.txt"), "x"]) == 2
    assert main(["span", "Not-A-Doc-Id", "x", "--root", str(valid_corpus)]) == 2
    assert main(["span", "tinynews_2020_nothing", "x", "--root", str(valid_corpus)]) == 2
    assert main(["span", str(valid_corpus / "raw"), "x"]) == 2
    assert main(["span", str(valid_corpus / "raw" / "tinynews_2020-12-30_alpha-talks.txt"), ""]) == 2
    _, err = out_lines(capsys)
    assert "missing.txt: no such file" in err and "nor a doc_id" in err and "raw/tinynews_2020_nothing.txt" in err
    alpha = "tinynews_2020-12-30_alpha-talks"
    for other in (f"annotated/{alpha}.json", f"raw/{alpha}.meta.json"):  # offsets into the JSON would be wrong spans
        assert main(["span", str(valid_corpus / other), "Turkey"]) == 2
        assert f"newscorpus span {alpha} TEXT" in capsys.readouterr().err
    notes = valid_corpus / "notes.md"
    notes.write_text("Turkey", "utf-8")
    for other in (notes, valid_corpus / "annotated" / "splits.json", valid_corpus / "annotated" / "entity_registry.json"):
        assert main(["span", str(other), "Turkey"]) == 2  # no document's file: no command to suggest
        err = capsys.readouterr().err
        assert "offsets count into a raw text" in err and "run: newscorpus span" not in err
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbfKovac")
    assert main(["span", str(bom), "Kovac"]) == 1  # the data is invalid: no offsets exist
    assert "L1-bom" in capsys.readouterr().err


def test_span_as_a_real_command(valid_corpus):
    corpus_with_raw(valid_corpus)
    run = subprocess.run([sys.executable, "-m", "newscorpus", "span", DOC, "Kovac"], cwd=valid_corpus, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and run.stdout == "" and "differs only in accents" in run.stderr
    assert "Traceback" not in run.stderr
    run = subprocess.run([sys.executable, "-m", "newscorpus", "span", f"raw/{DOC}.txt", "TÜRKİYE"], cwd=valid_corpus, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and json.loads(run.stdout)["start"] == RAW.index("TÜRKİYE")


# ------------------------------------------------------------------------------------------- new


def test_new_writes_only_computed_values(valid_corpus, capsys):
    root = corpus_with_raw(valid_corpus)
    raw_path = root / "raw" / f"{DOC}.txt"
    assert main(["new", str(raw_path)]) == 0
    out = capsys.readouterr().out
    data = raw_path.read_bytes()
    meta_path, ann_path = root / "raw" / f"{DOC}.meta.json", root / "annotated" / f"{DOC}.json"
    meta, ann = json.loads(meta_path.read_text("utf-8")), json.loads(ann_path.read_text("utf-8"))
    assert meta == {
        "schema_version": "1.0.0",
        "doc_id": DOC,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size_bytes": len(data),
        "size_codepoints": len(data.decode("utf-8")),
        "encoding": "utf-8",
    }
    assert meta["size_codepoints"] < meta["size_bytes"]  # non-ASCII: the two sizes differ
    assert ann["raw_sha256"] == hashlib.sha256(data).hexdigest()
    assert [ann[layer] for layer in ("entities", "quotes", "dates", "numeric_claims")] == [[], [], [], []]
    assert not {"annotators", "status", "temporal_anchor"} & set(ann)  # nothing guessed
    # the version the corpus's guidelines declare (the fixture corpus has the repository's)
    assert f"Guidelines version **{ann['guidelines_version']}**" in (root / "annotated" / "GUIDELINES.md").read_text("utf-8")
    # one zone per block of non-blank lines, trimmed; a line of spaces is blank, CR LF one break
    blocks = ["date 2021-02-03 TÜRKİYE", "Kovač wins the “big” prize", RAW.split("   \n")[1].split("\n\n")[0], "Support TinyNews: 3 ways to help"]
    assert [z["text"] for z in ann["zones"]] == blocks
    assert [z["id"] for z in ann["zones"]] == ["z1", "z2", "z3", "z4"]
    assert all(RAW[z["start"] : z["end"]] == z["text"] and "type" not in z for z in ann["zones"])
    # written in the canonical layout: `fmt --check` has nothing to do
    assert main(["fmt", "--check", "--root", str(root), str(meta_path), str(ann_path)]) == 0
    assert "left to fill" in out and "zones[*].type (4)" in out and "story_id" in out
    assert f"newscorpus validate {raw_path}" in out


def test_new_fills_what_the_options_give(valid_corpus, capsys):
    root = corpus_with_raw(valid_corpus)
    shutil.copy(REPO / "annotated" / "GUIDELINES.md", root / "annotated" / "GUIDELINES.md")
    assert main(["new", str(root / "raw" / f"{DOC}.txt"), "--title", "Kovač wins the “big” prize", "--evidence", "2021-02-03",
                 "--publication-date", "2021-02-03", "--publisher", "TinyNews", "--annotator", "tester"]) == 0
    meta = json.loads((root / "raw" / f"{DOC}.meta.json").read_text("utf-8"))
    ann = json.loads((root / "annotated" / f"{DOC}.json").read_text("utf-8"))
    title_at = RAW.index("Kovač wins")
    assert meta["title"] == {"text": "Kovač wins the “big” prize", "start": title_at, "end": title_at + 26}
    assert meta["publication_date"] == {"value": "2021-02-03", "evidence": [{"start": 6, "end": 16, "text": "2021-02-03"}]}
    assert meta["publisher"] == {"name": "TinyNews"}  # entity_id not given: left out, not null
    assert ann["annotators"] == [{"id": "tester", "role": "first_pass"}] and ann["status"] == "single_pass"
    assert ann["temporal_anchor"] == {"value": "2021-02-03"}  # the basis is the contributor's to write
    assert f"Guidelines version **{ann['guidelines_version']}**" in (REPO / "annotated" / "GUIDELINES.md").read_text("utf-8")
    capsys.readouterr()


def test_validate_names_every_field_left_to_fill(valid_corpus, capsys):
    root = corpus_with_raw(valid_corpus)
    assert main(["new", str(root / "raw" / f"{DOC}.txt")]) == 0
    capsys.readouterr()
    assert main(["validate", "--root", str(root), "--format", "json", str(root / "raw" / f"{DOC}.txt")]) == 1
    report = json.loads(capsys.readouterr().out)
    errors = [e for f in report["files"] for e in f["errors"]]
    assert {e["code"] for e in errors} == {"L2-schema"}
    text = "\n".join(e["message"] + " " + (e.get("hint") or "") for e in errors)
    meta_schema = json.loads((root / "schema" / "metadata.schema.json").read_text("utf-8"))
    ann_schema = json.loads((root / "schema" / "annotation.schema.json").read_text("utf-8"))
    meta = json.loads((root / "raw" / f"{DOC}.meta.json").read_text("utf-8"))
    ann = json.loads((root / "annotated" / f"{DOC}.json").read_text("utf-8"))
    for key in [k for k in meta_schema["required"] if k not in meta] + [k for k in ann_schema["required"] if k not in ann]:
        assert f'"{key}"' in text, key
    assert "the file is missing the required keys" in text
    zone_errors = [e for e in errors if e["json_path"].startswith("$.zones[")]
    assert len(zone_errors) == len(ann["zones"])
    assert all('missing the required key "type"' in e["message"] and "headline, dateline" in e["hint"] for e in zone_errors)


def test_a_filled_skeleton_validates(valid_corpus, capsys):
    root = corpus_with_raw(valid_corpus)
    shutil.copy(REPO / "annotated" / "GUIDELINES.md", root / "annotated" / "GUIDELINES.md")
    assert main(["new", str(root / "raw" / f"{DOC}.txt"), "--title", "Kovač wins the “big” prize", "--publication-date", "2021-02-03",
                 "--evidence", "2021-02-03", "--publisher", "TinyNews", "--publisher-entity-id", "tinynews", "--language", "en",
                 "--original-filename", "kovac.txt", "--annotator", "tester"]) == 0
    meta_path, ann_path = root / "raw" / f"{DOC}.meta.json", root / "annotated" / f"{DOC}.json"
    meta, ann = json.loads(meta_path.read_text("utf-8")), json.loads(ann_path.read_text("utf-8"))
    # what only the contributor knows
    meta["publication_date"].update(source="stated_in_text", confidence="high")
    meta.update(url={"value": None, "null_reason": "test article"}, retrieval_date={"value": "2021-02-04"},
                rights={"licence": "CC0-1.0", "holder": "newscorpus tests", "note": "written for the tests"}, story_id="2021-02-03_kovac-prize")
    ann["temporal_anchor"]["basis"] = "the dateline"
    for zone, kind in zip(ann["zones"], ("dateline", "headline", "body", "boilerplate")):
        zone["type"] = kind
    def schema(name: str) -> dict:
        return json.loads((root / "schema" / f"{name}.schema.json").read_text("utf-8"))

    meta_path.write_text(canonical_dumps(meta, schema("metadata")), "utf-8")
    ann_path.write_text(canonical_dumps(ann, schema("annotation")), "utf-8")
    capsys.readouterr()
    assert main(["validate", "--root", str(root), "--strict"]) == 0, capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("Kovac Prize.txt", RAW.encode("utf-8"), "not a safe document id"),
        ("kovac.txt", RAW.encode("utf-8"), "not a safe document id"),
        (f"{DOC}.txt", "Kovač".encode("cp1250"), "L1-not-utf8"),
        (f"{DOC}.txt", b"\xef\xbb\xbf" + RAW.encode("utf-8"), "L1-bom"),
        (f"{DOC}.txt", b"", "empty"),
    ],
)
def test_new_refuses_and_writes_nothing(valid_corpus, capsys, name, data, why):
    raw_path = valid_corpus / "raw" / name
    raw_path.write_bytes(data)
    before = sorted(p.relative_to(valid_corpus) for p in valid_corpus.rglob("*"))
    assert main(["new", str(raw_path)]) == 2
    err = capsys.readouterr().err
    assert why in err and "nothing was written" in err and name in err
    assert sorted(p.relative_to(valid_corpus) for p in valid_corpus.rglob("*")) == before


@pytest.mark.parametrize("existing", ["raw/{doc}.meta.json", "annotated/{doc}.json"])
def test_new_never_overwrites(valid_corpus, capsys, existing):
    root = corpus_with_raw(valid_corpus)
    there = root / existing.format(doc=DOC)
    there.write_bytes(b'{"hand": "made"}\n')
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    assert main(["new", str(root / "raw" / f"{DOC}.txt")]) == 2
    err = capsys.readouterr().err
    assert existing.format(doc=DOC) in err and "already exists" in err and "nothing was written" in err
    assert there.read_bytes() == b'{"hand": "made"}\n'
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_new_refuses_options_that_do_not_fit(valid_corpus, capsys):
    root = corpus_with_raw(valid_corpus)
    raw_path = str(root / "raw" / f"{DOC}.txt")
    assert main(["new", raw_path, "--title", "Kovac wins"]) == 2
    assert "--title" in capsys.readouterr().err
    assert main(["new", raw_path, "--title", ""]) == 2 and "--title: the text is empty" in capsys.readouterr().err
    assert main(["new", raw_path, "--publication-date", "2021-02-30"]) == 2
    assert "no day 30" in capsys.readouterr().err
    assert main(["new", raw_path, "--annotator", "Tester One"]) == 2
    assert "--annotator" in capsys.readouterr().err
    # a publisher id the registry lacks, and a date the doc_id contradicts, are caught now, not later
    assert main(["new", raw_path, "--publisher-entity-id", "tiny-news"]) == 2
    assert "--publisher-entity-id \"tiny-news\" is not in annotated/entity_registry.json" in capsys.readouterr().err
    assert main(["new", raw_path, "--publication-date", "2021-02-04"]) == 2
    err = capsys.readouterr().err
    assert "does not fit the date \"2021-02-03\" in the doc_id (L5-doc-id-date)" in err and "raw/tinynews_2021-02-04_kovac-prize.txt" in err
    assert main(["new", raw_path, "--publication-date", "2021-02"]) == 0  # compared at the precision both have, as the validator does
    capsys.readouterr()
    (root / "raw" / f"{DOC}.meta.json").unlink()
    (root / "annotated" / f"{DOC}.json").unlink()
    outside = valid_corpus.parent / f"{DOC}.txt"
    outside.write_bytes(RAW.encode("utf-8"))
    assert main(["new", str(outside), "--root", str(root)]) == 2
    assert "must be saved as raw/<doc_id>.txt" in capsys.readouterr().err
    assert not (root / "raw" / f"{DOC}.meta.json").exists() and not (root / "annotated" / f"{DOC}.json").exists()


def test_entity_searches_ids_names_and_aliases_ignoring_case_and_accents(valid_corpus, capsys):
    root = str(valid_corpus)
    assert main(["entity", "cavusoglu", "--root", root]) == 0  # the registry spells it Çavuşoğlu
    out = capsys.readouterr().out
    assert out.startswith("mevlut-cavusoglu  PERSON  Mevlüt Çavuşoğlu") and out.count("\n") == 1
    assert main(["entity", "Zoë Ødegaard", "--root", root]) == 1
    err = capsys.readouterr().err
    assert "no registry entry matches" in err and "'zoe-odegaard'" in err
    (valid_corpus / "annotated" / "entity_registry.json").write_text("[]", "utf-8")
    assert main(["entity", "x", "--root", root]) == 1 and "run `newscorpus validate" in capsys.readouterr().err
    assert main(["entity", "  ", "--root", root]) == 2


def test_entity_search_reads_an_aliases_string_as_one_alias_not_letters(make_corpus, capsys):
    # against the schema (validate reports it), but a search should still find the entry by it
    root = make_corpus([{"op": "replace", "file": "annotated/entity_registry.json", "old": '"aliases": ["TÜRKİYE", "Turkey"]', "new": '"aliases": "TÜRKİYE"'}])
    assert main(["entity", "türkiye", "--root", str(root)]) == 0  # in no id or name: only the alias holds it
    out = capsys.readouterr().out
    assert out == "turkey  GPE  Turkey  (aliases: TÜRKİYE)\n"


def test_entity_search_lists_exact_matches_first(valid_corpus, capsys):
    root = str(valid_corpus)
    assert main(["entity", "us", "--root", root]) == 0  # "us" is inside Çavuşoğlu and Russia too
    ids = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert ids[0] == "united-states" and {"mevlut-cavusoglu", "russia"} <= set(ids[1:])
    from newscorpus.scaffold import _match_rank  # a phrase ranks by whole words too

    assert _match_rank("new york", ("nyt", "ORG", "New York Times", [])) == 1
    assert _match_rank("new york", ("x", "GPE", "Anew Yorkshire", [])) == 2


def test_entity_add_of_a_spelling_the_entry_already_has_says_to_link_it(valid_corpus, capsys):
    before = (valid_corpus / "annotated" / "entity_registry.json").read_bytes()
    assert main(["entity", "Russia", "--add", "--label", "GPE", "--description", "the country", "--root", str(valid_corpus)]) == 1
    err = capsys.readouterr().err
    assert 'already in the registry with this spelling: link the mention with "entity_id": "russia"' in err and "--alias-of" not in err
    assert "another referent with the same name, give it its own id with --id" in err  # a homonym's way on
    assert (valid_corpus / "annotated" / "entity_registry.json").read_bytes() == before


def _registry(root: Path) -> dict:
    return json.loads((root / "annotated" / "entity_registry.json").read_text("utf-8"))


def test_entity_add_writes_the_entry_in_canonical_layout_and_validate_then_only_asks_for_a_mention(valid_corpus, capsys):
    from newscorpus.corpus import CorpusPaths
    from newscorpus.validate import validate_corpus

    root = str(valid_corpus)
    assert main(["entity", "Jens Stoltenberg", "--add", "--label", "PERSON", "--description", "Secretary General of NATO",
                 "--alias", "Stoltenberg", "--root", root]) == 0
    out = capsys.readouterr().out
    assert "added jens-stoltenberg (PERSON" in out and '"entity_id": "jens-stoltenberg"' in out
    entries = _registry(valid_corpus)["entities"]
    assert entries[-1] == {"id": "jens-stoltenberg", "label": "PERSON", "name": "Jens Stoltenberg",
                           "description": "Secretary General of NATO", "aliases": ["Stoltenberg"]}  # the fixture is not sorted: appended
    assert main(["fmt", "--check", "--root", root]) == 0
    codes = [d.code for d in validate_corpus(CorpusPaths(valid_corpus)).diagnostics]
    assert codes == ["L6-unused-registry-entry"]  # what is left: a mention that uses it

    registry = _registry(valid_corpus)
    registry["entities"].sort(key=lambda e: e["id"])
    (valid_corpus / "annotated" / "entity_registry.json").write_text(json.dumps(registry), "utf-8")
    assert main(["entity", "Zoë Ødegaard", "--add", "--label", "PERSON", "--description", "x", "--root", root]) == 0
    ids = [e["id"] for e in _registry(valid_corpus)["entities"]]
    assert "zoe-odegaard" in ids and ids == sorted(ids)  # a sorted registry stays sorted


@pytest.mark.parametrize(
    "args, code, says",
    [
        (["ANKARA", "--add", "--label", "GPE", "--description", "d"], 1, "the id ankara is taken"),  # a new spelling: --alias-of
        (["Ankara", "--add", "--label", "GPE", "--description", "d"], 1, "already in the registry with this spelling"),
        (["Çavuşoğlu", "--add", "--label", "PERSON", "--description", "d", "--id", "cavusoglu-2"], 0, None),  # another referent, own id
        (["Cavusoglu", "--add", "--label", "PERSON", "--description", "d"], 1, "mevlut-cavusoglu"),  # an alias, accents aside
        (["Foo", "--add", "--label", "ANIMAL", "--description", "d"], 2, "the labels are: PERSON"),
        (["Foo", "--add", "--label", "ORG"], 2, "needs --label and --description"),
        (["بشار", "--add", "--label", "PERSON", "--description", "d"], 2, "give one with --id"),
        (["Foo", "--add", "--label", "ORG", "--description", "d", "--id", "Not An Id"], 1, "$.entities["),  # the schema's id pattern
        (["Foo", "--label", "ORG"], 2, "goes with --add only"),
        (["Foo ", "--add", "--label", "ORG", "--description", "d"], 2, "spaces around it"),
        (["Anakara", "--alias-of", "ankra"], 1, "no entry"),
    ],
)
def test_entity_edits_that_would_be_wrong_are_refused_and_write_nothing(valid_corpus, capsys, args, code, says):
    path = valid_corpus / "annotated" / "entity_registry.json"
    before = path.read_bytes()
    assert main(["entity", *args, "--root", str(valid_corpus)]) == code
    if code:
        assert says in capsys.readouterr().err
        assert path.read_bytes() == before
    else:
        assert _registry(valid_corpus)["entities"][-1]["id"] == "cavusoglu-2"
        assert "mevlut-cavusoglu has the same name" in capsys.readouterr().err


def test_entity_alias_of_adds_the_spelling_l6_alias_missing_asks_for(make_corpus, capsys):
    from newscorpus.corpus import CorpusPaths
    from newscorpus.validate import validate_corpus

    root = make_corpus([{"op": "replace", "file": "annotated/entity_registry.json",
                         "old": '"aliases": ["Çavuşoğlu", "Mevlüt Çavuşoğlu"]', "new": '"aliases": ["Mevlüt Çavuşoğlu"]'}])
    assert [d.code for d in validate_corpus(CorpusPaths(root)).diagnostics] == ["L6-alias-missing"]
    assert main(["entity", "Çavuşoğlu", "--alias-of", "mevlut-cavusoglu", "--root", str(root)]) == 0
    assert "added the alias" in capsys.readouterr().out
    assert validate_corpus(CorpusPaths(root)).diagnostics == []
    assert main(["entity", "Çavuşoğlu", "--alias-of", "mevlut-cavusoglu", "--root", str(root)]) == 0  # again: nothing to do
    assert "already an alias" in capsys.readouterr().out
    assert _registry(root)["entities"][0]["aliases"] == ["Mevlüt Çavuşoğlu", "Çavuşoğlu"]


def test_entity_edit_refuses_a_registry_that_is_not_strict_json(make_corpus, capsys):
    root = make_corpus([{"op": "replace", "file": "annotated/entity_registry.json",
                         "old": '"label": "PERSON",', "new": '"label": "PERSON", "label": "ORG",'}])
    before = (root / "annotated" / "entity_registry.json").read_bytes()
    assert main(["entity", "Çavuşoğlu", "--alias-of", "mevlut-cavusoglu", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "annotated/entity_registry.json:" in err and "twice" in err and "fix it first" in err
    assert (root / "annotated" / "entity_registry.json").read_bytes() == before


@pytest.mark.parametrize("old, new, says", [
    ('"aliases": ["Mevlüt Çavuşoğlu"]', '"aliases": "Mevlüt Çavuşoğlu"', "$.entities[0].aliases"),  # a string, not a list
    ('"entities": [', '"entities": {}, "x": [', "$"),  # entities not a list
])
def test_entity_edit_refuses_a_registry_of_the_wrong_shape_in_one_line(make_corpus, capsys, old, new, says):
    root = make_corpus([{"op": "replace", "file": "annotated/entity_registry.json", "old": '"aliases": ["Çavuşoğlu", "Mevlüt Çavuşoğlu"]',
                         "new": '"aliases": ["Mevlüt Çavuşoğlu"]'},
                        {"op": "replace", "file": "annotated/entity_registry.json", "old": old, "new": new}])
    before = (root / "annotated" / "entity_registry.json").read_bytes()
    for args in (["Çavuşoğlu", "--alias-of", "mevlut-cavusoglu"], ["Jens Stoltenberg", "--add", "--label", "PERSON", "--description", "d"]):
        assert main(["entity", *args, "--root", str(root)]) == 1
        err = capsys.readouterr().err
        assert says in err and "fix it first" in err and "Traceback" not in err
    assert (root / "annotated" / "entity_registry.json").read_bytes() == before


def test_entity_edit_reports_a_refused_write_in_one_line(valid_corpus, capsys, monkeypatch):
    import errno

    from newscorpus import jsonio

    before = (valid_corpus / "annotated" / "entity_registry.json").read_bytes()

    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(jsonio.tempfile, "mkstemp", refuse)
    assert main(["entity", "Anakara", "--alias-of", "ankara", "--root", str(valid_corpus)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write: Read-only file system" in err and "left as it was" in err
    assert (valid_corpus / "annotated" / "entity_registry.json").read_bytes() == before


def test_entity_options_of_add_are_refused_without_it(valid_corpus, capsys):
    before = (valid_corpus / "annotated" / "entity_registry.json").read_bytes()
    assert main(["entity", "Anakara", "--alias-of", "ankara", "--id", "foo", "--root", str(valid_corpus)]) == 2
    assert "--id goes with --add only" in capsys.readouterr().err
    assert (valid_corpus / "annotated" / "entity_registry.json").read_bytes() == before


def test_alias_missing_hint_gives_the_command_only_for_the_gold_registry(make_corpus):
    from newscorpus.corpus import CorpusPaths
    from newscorpus.validate import validate_corpus

    root = make_corpus([{"op": "replace", "file": "annotated/passes/ann-y/entity_registry.json", "old": '"aliases": ["Reuters"]', "new": '"aliases": ["REUTERS"]'},
                        {"op": "replace", "file": "annotated/entity_registry.json", "old": '"aliases": ["Çavuşoğlu", "Mevlüt Çavuşoğlu"]',
                         "new": '"aliases": ["Mevlüt Çavuşoğlu"]'}])
    found = {d.path: d for d in validate_corpus(CorpusPaths(root)).diagnostics if d.code == "L6-alias-missing"}
    assert "--alias-of mevlut-cavusoglu" in found["annotated/entity_registry.json"].hint
    assert "newscorpus entity" not in found["annotated/passes/ann-y/entity_registry.json"].hint  # the command edits the gold registry
