"""Sentence splitting, tokenization and BIO tagging for the `ner` config (newscorpus.ner)."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from newscorpus.ner import split_sentences, tag_sentences, tokenize

LAYERS = ("entities", "dates", "numeric_claims")
TYPE_OF = {"entities": lambda s: s["label"], "dates": lambda s: s["type"], "numeric_claims": lambda s: s["kind"].upper()}


def zone(text, start=0, end=None, type_="body", zid="z1"):
    end = len(text) if end is None else end
    return {"id": zid, "start": start, "end": end, "text": text[start:end], "type": type_}


def words(text, start=0, end=None, language=None):
    toks, _ = tokenize(text, start, len(text) if end is None else end, language=language)
    return [text[a:b] for a, b in toks]


def test_tokens_keep_initialisms_numbers_and_split_possessives():
    assert words("The U.S.-led F-35 project cost $1,000.5 million.") == [
        "The", "U.S.", "-", "led", "F", "-", "35", "project", "cost", "$", "1,000.5", "million", "."]
    assert words("Turkey’s S-400s don’t “work”") == ["Turkey", "’s", "S", "-", "400s", "don’t", "“", "work", "”"]
    assert words("Çavuşoğlu İsmail Erdoğan") == ["Çavuşoğlu", "İsmail", "Erdoğan"]


def test_french_elision_is_a_token_of_its_own_everywhere_not_only_where_a_span_starts():
    """Otherwise `l’alliance` stays whole while `l’` `OTAN` is cut at the entity: where the
    tokens break would give the entities away."""
    assert words("L’OTAN et l’alliance d’Ankara : qu’il n’est pas jusqu’à", language="fr-CH") == [
        "L’", "OTAN", "et", "l’", "alliance", "d’", "Ankara", ":", "qu’", "il", "n’", "est", "pas", "jusqu’", "à"]
    assert words("l’alliance", language="de") == ["l’alliance"]  # the rule is French
    assert words("don’t we’ve O’Brien D’Angelo all’s", language="en") == ["don’t", "we’ve", "O’Brien", "D’Angelo", "all", "’s"]


def test_tokens_are_cut_at_span_boundaries():
    text = "Anakaraexpects"
    toks, forced = tokenize(text, 0, len(text), {7})
    assert [text[a:b] for a, b in toks] == ["Anakara", "expects"] and forced == 1


def test_sentences_split_at_terminal_punctuation_not_abbreviations_or_spans():
    text = "Mr. Smith met U.S. officials. “It works,” he said. Then he left!\nNext line"
    sents = [text[s.start:s.end] for s in split_sentences(text, [zone(text)], [])]
    assert sents == ["Mr. Smith met U.S. officials.", "“It works,” he said.", "Then he left!", "Next line"]
    protected = [(text.index("said. Then"), text.index("said. Then") + 10)]
    sents = [text[s.start:s.end] for s in split_sentences(text, [zone(text)], protected)]
    assert "“It works,” he said. Then he left!" in sents


def sentences(text, protected=()):
    return [text[s.start:s.end] for s in split_sentences(text, [zone(text)], list(protected))]


def test_sentences_end_inside_every_quotation_style():
    """French sets a (no-break) space inside « »; German, Danish and Swedish marks differ from
    English: a quoted sentence ends the sentence in each."""
    assert sentences("Er zögerte. „Wir bleiben.“ Dann ging er.") == ["Er zögerte.", "„Wir bleiben.“", "Dann ging er."]
    assert sentences("Er zögerte. ‚Wir bleiben.‘ Dann ging er.") == ["Er zögerte.", "‚Wir bleiben.‘", "Dann ging er."]
    assert sentences("Il hésita. « Nous restons. » Puis il partit.") == ["Il hésita.", "« Nous restons. »", "Puis il partit."]
    assert sentences("Han tøvede. »Vi bliver.« Så gik han.") == ["Han tøvede.", "»Vi bliver.«", "Så gik han."]
    assert sentences("Han tvekade. ”Vi stannar.” Sedan gick han.") == ["Han tvekade.", "”Vi stannar.”", "Sedan gick han."]


def test_a_german_or_french_document_s_own_abbreviations_end_no_sentence():
    text = "Die Firma, bzw. ihre Tochter, zahlte 3 Mio. Euro. Dann kam Nr. 10."
    z = [zone(text)]
    assert [text[s.start:s.end] for s in split_sentences(text, z, [], "de")] == ["Die Firma, bzw. ihre Tochter, zahlte 3 Mio. Euro.", "Dann kam Nr. 10."]
    assert len(split_sentences(text, z, [])) > 2  # in an English document they are words before a period
    text = "Mme. Dupont est venue le 3 janv. 2021, puis elle est repartie."
    assert [text[s.start:s.end] for s in split_sentences(text, [zone(text)], [], "fr-CH")] == [text]
    assert len(split_sentences(text, [zone(text)], [])) == 3


def test_a_period_that_an_annotated_span_holds_ends_no_sentence():
    text = "Er kam zum 3. Mal nach Ankara. Dann ging er."
    ordinal = (text.index("3."), text.index("3.") + 2)  # the German ordinal, a numeric span with its period
    assert sentences(text) == ["Er kam zum 3.", "Mal nach Ankara.", "Dann ging er."]
    assert sentences(text, [ordinal]) == ["Er kam zum 3. Mal nach Ankara.", "Dann ging er."]


def test_boilerplate_zones_give_no_sentences_and_zone_edges_are_boundaries():
    text = "Headline here\nREAD MORE: other story\nBody text."
    zones = [zone(text, 0, 13, "headline", "z1"), zone(text, 14, 35, "boilerplate", "z2"), zone(text, 36, None, "body", "z3")]
    sents = split_sentences(text, zones, [])
    assert [(s.zone_id, text[s.start:s.end]) for s in sents] == [("z1", "Headline here"), ("z3", "Body text.")]


def test_precedence_entity_over_date_over_numeric():
    text = "The 2020 Summit took place."
    layers = {
        "entities": [{"start": 4, "end": 15, "text": "2020 Summit", "label": "EVENT"}],
        "dates": [{"start": 4, "end": 8, "text": "2020", "type": "DATE"}],
        "numeric_claims": [],
    }
    tagged, stats = tag_sentences(text, [zone(text)], layers, TYPE_OF, LAYERS)
    assert tagged[0].tags == ["O", "B-EVENT", "I-EVENT", "O", "O", "O"]
    assert stats.dropped == {"entities": 0, "dates": 1, "numeric_claims": 0}


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab Ç’'“”.-$1,\n?!U.S")), min_size=0, max_size=60))
def test_tokens_cover_every_non_space_character_in_order(text):
    toks, _ = tokenize(text, 0, len(text))
    covered = "".join(text[a:b] for a, b in toks)
    assert covered == "".join(ch for ch in text if not ch.isspace())
    assert all(a < b for a, b in toks) and all(b1 <= a2 for (_, b1), (a2, _) in zip(toks, toks[1:]))


def test_a_letter_keeps_its_combining_marks():
    """Decomposed accents, Devanagari vowel signs and Arabic vowel points are combining marks,
    which Python's \\w leaves out: a word must not split at each of them."""
    import unicodedata

    nfc = "Mevlüt Çavuşoğlu met José in Moscow’s center."
    nfd = unicodedata.normalize("NFD", nfc)
    assert len(nfd) > len(nfc)  # the decomposed text really holds combining marks
    assert words(nfd) == [unicodedata.normalize("NFD", w) for w in words(nfc)]
    assert words(nfc) == ["Mevlüt", "Çavuşoğlu", "met", "José", "in", "Moscow", "’s", "center", "."]
    assert words("नमस्ते दुनिया") == ["नमस्ते", "दुनिया"]
    assert words("قالَ مُحَمَّد") == ["قالَ", "مُحَمَّد"]
    assert words(unicodedata.normalize("NFD", "É.U. said")) == [unicodedata.normalize("NFD", "É.U."), "said"]


def test_every_combining_mark_lies_in_the_planes_the_tokeniser_scans():
    import sys
    import unicodedata

    from newscorpus.ner import MARK_PLANES

    scanned = set().union(*(set(plane) for plane in MARK_PLANES))
    outside = [hex(c) for c in range(sys.maxunicode + 1) if c not in scanned and unicodedata.category(chr(c))[0] == "M"]
    assert outside == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
@example("a\U0001d167b c\U000e0100d")  # marks above U+FFFF (a musical tremolo, a variation selector)
@example("Jose\u0301 did\u0308")
@example("l’a\u0301 xl’a qu’\u0301 d'Ankara")  # elisions, with marks and without
def test_the_fast_token_pattern_gives_the_tokens_of_the_full_one(text):
    """Text without a combining mark, or without an elision, is tokenised by a pattern without
    that rule; it must give exactly the tokens of the full rules, on any text."""
    from newscorpus.ner import TOKEN_RE

    from newscorpus.ner import _NO_ELISION_TOKEN_RE

    assert tokenize(text, 0, len(text), language="fr")[0] == [m.span() for m in TOKEN_RE.finditer(text)]
    assert tokenize(text, 0, len(text))[0] == [m.span() for m in _NO_ELISION_TOKEN_RE[True].finditer(text)]
