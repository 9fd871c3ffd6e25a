"""Articles in other languages than English: a German and a French one (tests/fixtures/l10n/,
annotated by the guidelines) are valid as they stand, and the checks that read numbers and
quotation marks read them in the article's own conventions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, add_publishing_files, apply_edits
from newscorpus import values
from newscorpus.corpus import CorpusPaths, copy_published_prose
from newscorpus.validate import render_text, validate_corpus

GERMAN = "tagesbote_2021-03-10_tuerkei-usa-s400"
FRENCH = "quotidien_2021-03-10_turquie-usa-s400"


@pytest.fixture
def l10n_corpus(tmp_path: Path):
    def make(edits: list[dict] | None = None) -> Path:
        root = tmp_path / f"corpus-{len(list(tmp_path.iterdir()))}"
        shutil.copytree(FIXTURES / "l10n", root)
        shutil.copytree(REPO / "schema", root / "schema")
        copy_published_prose(REPO, root)
        apply_edits(root, edits or [])
        return root

    return make


def findings(root: Path) -> list[tuple[str, str, str]]:
    report = validate_corpus(CorpusPaths(root))
    return sorted((d.code, Path(d.path).name.split("_")[0], d.message.split(" ")[0]) for d in report.diagnostics)


def test_a_german_and_a_french_article_annotated_by_the_guidelines_are_valid(l10n_corpus):
    """Before: "12.000" read as 12 (an error), a French quote split by its incise was two errors,
    and every "rund", "environ", "mehr als", "plus de" and the ordinal "3." drew a warning."""
    report = validate_corpus(CorpusPaths(l10n_corpus()))
    assert report.diagnostics == [], render_text(report)


@pytest.mark.parametrize(
    "text, language, value",
    [
        ("12.000", "de", 12000), ("12.000", "en", 12), ("12.000", None, 12), ("2,5", "de", 2.5),
        ("0,125%", "de", 0.125), ("12\u202f000", "fr", 12000), ("1\u00a0500", "fr", 1500), ("1 500", "fr", 1500),
        ("12'000", "de-CH", 12000), ("12’000", "de-CH", 12000), ("1.5", "de-CH", 1.5), ("12.000", "tr", 12000),
        ("$1,000.5 million", "en", 1000500000), ("3.", "de", 3),  # the German ordinal
        ("55\u00a0%", "fr", 55), ("40 %", "de", 40),
    ],
)
def test_digits_are_read_with_the_documents_decimal_mark_and_thousands_separator(text, language, value):
    assert values.read_number(text, language).value == value


def test_digits_of_a_language_whose_convention_is_unknown_are_not_read(monkeypatch):
    """Not read as English: 12.000 in a language CLDR does not know, or without Babel, might be
    twelve thousand."""
    assert values.read_number("1,234.5", "xx") is None
    caches = (values.number_symbols, values._cldr_locale)
    for cached in caches:
        cached.cache_clear()
    monkeypatch.setitem(__import__("sys").modules, "babel", None)
    try:
        assert values.read_number("12.000", "de") is None and values.read_number("12.000", "en").value == 12
    finally:
        for cached in caches:
            cached.cache_clear()


@pytest.mark.parametrize("text", ["2,5 Milliarden", "sechsmal", "deux", "2,5 Billion", "rund 2,5 Billion Dollar", "40 Prozent"])
def test_number_words_of_other_languages_are_not_read_rather_than_misread(text):
    """German "Billion" is 10**12, the English billion 10**9: words after the digits are read in
    English only, so in another language such a span is left unchecked."""
    assert values.read_number(text, "de" if text != "deux" else "fr") is None


def test_a_german_value_that_disagrees_with_its_digits_is_still_an_error(l10n_corpus):
    root = l10n_corpus([{"op": "replace", "file": f"annotated/{GERMAN}.json", "old": '"value": 12000,', "new": '"value": 12,'}])
    assert findings(root) == [("L5-numeric-text-mismatch", "tagesbote", "n6:")]


def test_a_german_ordinal_value_is_checked_against_its_digits(l10n_corpus):
    root = l10n_corpus([{"op": "replace", "file": f"annotated/{GERMAN}.json", "old": '"text": "3.", "value": 3,', "new": '"text": "3.", "value": 4,'}])
    assert findings(root) == [("L5-numeric-text-mismatch", "tagesbote", "n10:")]


def test_the_language_is_read_from_metadata_with_other_errors(l10n_corpus):
    """A German article whose metadata has an unrelated error is not checked as English."""
    root = l10n_corpus([{"op": "replace", "file": f"raw/{GERMAN}.meta.json", "old": '"encoding": "utf-8"', "new": '"encoding": "latin-1"'}])
    assert {code for code, _, _ in findings(root)} == {"L2-schema"}, findings(root)


@pytest.mark.parametrize(
    "text, language, hedge, bound",
    [
        ("rund 2,5 Milliarden Dollar", "de", "rund", None), ("ca. 40", "de", "ca.", None), ("mehr als 20", "de", None, "more_than"),
        ("Über 20", "de", None, "more_than"), ("bis zu 300", "de", None, "at_most"), ("environ 300", "fr", "environ", None),
        ("près de 1 500", "fr", "près de", None), ("plus de 20", "fr", None, "more_than"), ("pas plus de 20", "fr", None, "at_most"),
        ("jusqu’à 300", "fr", None, "at_most"), ("around 300", "de", None, None),  # English words in a German article are none
        ("knapp 20 Prozent", "de", "knapp", None), ("um die 300", "de", "um die", None), ("maximal 300", "de", None, "at_most"),
        ("plus d’un million", "fr", None, "more_than"), ("moins d'un tiers", "fr", None, "less_than"), ("de l’ordre de 300", "fr", "de l’ordre de", None),
        ("circa 300", "it", None, None),  # a language without lists
    ],
)
def test_approximators_and_bound_words_are_the_documents_languages(text, language, hedge, bound):
    assert values.hedge_word(text, language) == hedge
    assert (values.bound_word(text, language) or (None, None))[1] == bound


def test_a_german_approximator_without_approximate_is_warned_about_and_its_number_read(l10n_corpus):
    root = l10n_corpus([{"op": "replace", "file": f"annotated/{GERMAN}.json", "old": '"text": "etwa 1.500", "value": 1500, "unit": "count", "kind": "count", "approximate": true',
                         "new": '"text": "etwa 1.500", "value": 1400, "unit": "count", "kind": "count", "approximate": false'}])
    assert findings(root) == [("L5-approximate-hedge", "tagesbote", "n5"), ("L5-numeric-text-mismatch", "tagesbote", "n5:")]


def test_english_word_lists_check_english_articles_only(l10n_corpus):
    """The same German claims, declared English, get the English checks' warnings back."""
    root = l10n_corpus([{"op": "replace", "file": f"raw/{GERMAN}.meta.json", "old": '"language": "de"', "new": '"language": "en"'}])
    codes = {code for code, _, _ in findings(root)}
    assert {"L5-approximate-hedge", "L5-bound-word", "L5-numeric-text-mismatch"} <= codes


def test_a_quote_split_by_an_incise_inside_its_marks_is_two_direct_quotes(l10n_corpus):
    """« Ankara tiendra parole, a insisté M. Çavuşoğlu, mais nous attendons des gestes concrets. »:
    the first part has no closing mark, the second no opening one. That holds only for two
    quotes with the same cue between them; with another cue each part is missing a mark."""
    assert values.quote_kind_problem("direct", "mais nous attendons des gestes concrets. »", resumed=True) is None
    assert values.quote_kind_problem("direct", "mais nous attendons des gestes concrets. »") is not None
    other_cue = [{"op": "set", "file": f"annotated/{FRENCH}.json", "path": ["quotes", 3, "cue"],
                  "value": {"start": 275, "end": 282, "text": "affirmé"}}]
    assert [f for f in findings(l10n_corpus(other_cue)) if f[0].startswith("L5")] == [
        ("L5-quote-kind-marks", "quotidien", "q3"), ("L5-quote-kind-marks", "quotidien", "q4")]


def test_the_card_of_a_german_and_french_build_says_multilingual_and_ner_keeps_french_sentences(l10n_corpus):
    import pyarrow.parquet as pq
    import yaml

    from newscorpus.build import build

    root = l10n_corpus()
    add_publishing_files(root)
    build(CorpusPaths(root), jobs=1, progress=False)
    front = yaml.safe_load((root / "dist" / "README.md").read_text("utf-8").split("---\n")[1])
    assert front["language"] == ["de", "fr"] and front["multilinguality"] == ["multilingual"]
    sentences = [t for f in sorted((root / "dist" / "data" / "ner").glob("*.parquet")) for t in pq.read_table(f, columns=["text"]).column("text").to_pylist()]
    assert "«\u00a0Nous voulons une solution avant l’été\u00a0», a-t-il affirmé devant la presse." in sentences
    assert "«\u00a0Ankara tiendra parole, a insisté M. Çavuşoğlu, mais nous attendons des gestes concrets.\u00a0»" in sentences
    assert any(s.startswith("Bereits zum 3. Mal in diesem Jahr") for s in sentences)
    assert "Tokens cut at a span boundary: 0." in (root / "dist" / "README.md").read_text("utf-8")  # l’ OTAN as l’ alliance


@pytest.mark.parametrize(
    "text, language, value, wrong",
    [
        ("Mittwoch, 10. März 2021", "de", "2021-03-10", False),
        ("10. März 2021", "de", "2021-04-10", True),
        ("Montag", "de", "2021-03-09", True),  # a Tuesday
        ("14. Dez. 2020", "de", "2020-11-14", True),
        ("le 3 mars 2021", "fr", "2021-03-03", False),
        ("le 3 mars 2021", "fr", "2021-04-03", True),
        ("lundi dernier", "fr", "2021-03-08", False),
        ("lundi dernier", "fr", "2021-03-09", True),
        ("3 de marzo", "es", "2021-04-03", True),
        ("March 3", "xx", "2021-04-03", False),  # a language CLDR does not know: no names, nothing misread
        ("March 3", "en", "2021-04-03", True),
    ],
)
def test_month_and_weekday_names_are_read_in_the_documents_language(text, language, value, wrong):
    assert (values.date_text_problem("DATE", value, text, language) is not None) == wrong


def test_a_german_weekday_that_does_not_fit_the_date_is_warned_about(l10n_corpus):
    root = l10n_corpus([{"op": "replace", "file": f"annotated/{GERMAN}.json", "old": '"2021-03-09"', "new": '"2021-03-08"'}])
    assert [f for f in findings(root) if f[0] == "L5-date-text-mismatch"], findings(root)


@pytest.mark.parametrize(
    "value, mod, text, language, wrong",
    [
        ("2019", "MID", "Mitte 2019", "de", False),
        ("2019-06", "MID", "Mitte 2019", "de", True),  # the month is the modifier resolved a second time
        ("2020-12", "MID", "Mitte Dezember 2020", "de", False),
        ("2020-12-15", "MID", "Mitte Dezember 2020", "de", True),
        ("2021", "MID", "Mitte des Jahres", "de", False),
        ("2021-03", "START", "Anfang dieses Monats", "de", False),  # "Monats" names the month
        ("2021-03-09", "END", "Dienstag spät", "de", False),  # "spät" is not a plain-date word: not judged
        ("2022", "START", "début 2022", "fr", False),
        ("2022-01", "START", "début 2022", "fr", True),
        ("2020-12", "MID", "mi-décembre 2020", "fr", False),
        ("2020-12-15", "MID", "mi-décembre 2020", "fr", True),
        ("2021-03-01", "START", "début mars 2021", "fr", True),
        ("2019-06", "MID", "mitad de 2019", "es", False),  # no plain-date words declared for Spanish
        ("2019-06", "MID", "Mitte 2019", "en", False),  # German words in an English article: the annotator's call
    ],
)
def test_a_period_modifier_is_judged_in_the_documents_language(value, mod, text, language, wrong):
    assert (values.period_mod_problem("DATE", value, mod, text, language) is not None) == wrong


def test_a_german_mid_year_resolved_into_a_month_is_warned_about(l10n_corpus):
    root = l10n_corpus([{"op": "replace", "file": f"annotated/{GERMAN}.json", "old": '"text": "Mitte 2019", "type": "DATE", "value": "2019",',
                         "new": '"text": "Mitte 2019", "type": "DATE", "value": "2019-06",'}])
    assert [f for f in findings(root) if f[0] == "L5-date-mod-period"], findings(root)
