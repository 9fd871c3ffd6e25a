"""Deterministic sentence splitting, tokenization and BIO tagging for the `ner` config.

Pure functions of the raw text and the annotation: no model, no locale, no randomness, so the
same input gives the same sentences and tokens on every machine. The rules:

Sentences. Only non-boilerplate zones are split; a zone boundary is always a sentence
boundary. Inside a zone a sentence ends at a line break, and after `.`, `!` or `?` (plus any
closing quotation marks, of any style the validator knows, or brackets) followed by whitespace
and an upper-case letter or a digit, or an opening quotation mark or bracket before one,
unless the word before the period is an abbreviation (`U.S.`, `Mr.`; in a German or French
document also its own: `bzw.`, `Nr.`, `Mme.`, `janv.`) or the period belongs to an annotated
span (the German ordinal `3.`). No boundary is ever placed inside an entity, date or numeric
span. Sentences are trimmed of surrounding whitespace.

Tokens. Left to right, the first rule that matches: a number with internal `.`/`,`
(`1,000`, `3.5`); an initialism of letter-period pairs (`U.S.`); a run of letters and digits,
each with the combining marks that follow it (a decomposed `é`, a Devanagari vowel sign, Arabic
vowel points), with internal apostrophes (`don’t`, `we’ve`, `400s`, `D’Angelo`), but in a French
document an elided word before a letter is its own token (`l’` `alliance`, `qu’` `il`, `d’`
`Ankara`: c’, d’, j’, l’, m’, n’, s’, t’, qu’, jusqu’, lorsqu’, puisqu’, quoiqu’, presqu’; Italian
elisions such as `dell’` are not split), and so is an `’s` that ends the word, which is its own
token whether possessive (`Turkey ’s`) or a contraction (`It ’s`), as in the Penn Treebank; `’s`/`'s`; any other single non-space character (so hyphens, quotes, `$` are
tokens).
Then every token that an annotated span boundary falls inside is cut at that boundary, so
every span is exactly a run of whole tokens.

Tags. BIO over entity labels, date types and numeric kinds. When spans of different layers
cover the same token, precedence is entity > date > numeric: a span is tagged only if none of
its tokens is already tagged by a higher layer; otherwise it is left out of `ner` (it stays in
its own config) and counted as dropped.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from newscorpus.positions import LINE_BREAK_RE
from newscorpus.values import CLOSING_MARKS, OPENING_MARKS, primary_language

# Combining marks are encoded in the Basic and Supplementary Multilingual Planes and in plane 14
# (variation selectors); a test checks that no other code point of this Python's Unicode
# database is a mark. Scanning only these takes a fifth of the time of all 1.1 million.
MARK_PLANES = (range(0, 0x20000), range(0xE0000, 0xF0000))


def _combining_marks() -> list[tuple[int, int]]:
    """Every combining mark (Unicode categories Mn, Mc, Me) as ranges of code points: Python's
    \\w leaves them out, so without them a word splits at each accent of decomposed text and at
    each vowel sign of Indic scripts. Built once per process."""
    ranges: list[tuple[int, int]] = []
    for code in (c for plane in MARK_PLANES for c in plane):
        if unicodedata.category(chr(code))[0] == "M":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return ranges


def _char_class(ranges: list[tuple[int, int]]) -> str:
    return "[" + "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]"


ELIDING_LANGUAGES = frozenset({"fr"})  # whose documents get the elision rule
_ELIDED = r"(?i:\b(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|presqu))"  # French: l’ alliance, qu’ il
_ELISION = _ELIDED + "['’]"
_APOSTROPHE_BEFORE_LETTER_RE = re.compile(r"['’](?=[^\W_])")
_ELIDED_AT_END_RE = re.compile(_ELIDED + r"\Z")


def _may_elide(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] may hold a French elision. Apostrophes are found first (a fast
    scan); the word before each is then matched, so English text pays almost nothing."""
    for m in _APOSTROPHE_BEFORE_LETTER_RE.finditer(text, start, end):
        if _ELIDED_AT_END_RE.search(text, max(start, m.start() - 8), m.start()):
            return True
    return False


def _token_re(marks: str, elision: bool = True) -> re.Pattern:
    """The token rules; `marks` is what may follow each letter (combining marks, or nothing).
    Without `elision`, for text that has none, the same tokens about a third faster."""
    letter = rf"[^\W_]{marks}"  # a letter or digit and its combining marks
    return re.compile(
        r"\d+(?:[.,]\d+)+"  # 1,000  3.5
        rf"|(?:[^\W\d_]{marks}\.){{2,}}"  # U.S.  e.g.
        + (rf"|{_ELISION}(?={letter})" if elision else "")  # before the words, which would take it in
        + rf"|(?:{letter})+(?:['’](?!s\b)(?:{letter})+)*"  # words, numbers, don’t, 400s (not the possessive)
        r"|['’]s\b"  # possessive / clitic ’s
        r"|\S",  # any other single character
    )


_MARK_RANGES = _combining_marks()
_MARKS = _char_class(_MARK_RANGES) + "*"
TOKEN_RE = _token_re(_MARKS)
# The same rules for text without a combining mark (nearly all of it) match the same tokens
# about 4 times faster. Whether a text may hold a mark is asked of two quick patterns: the
# marks below U+10000 (a class the regex engine looks up in one step) and any character above.
_PLAIN_TOKEN_RE = _token_re("")
_NO_ELISION_TOKEN_RE = {True: _token_re(_MARKS, elision=False), False: _token_re("", elision=False)}
_MAY_HOLD_MARKS = (
    re.compile(_char_class([(a, b) for a, b in _MARK_RANGES if b < 0x10000])),
    re.compile("[\U00010000-\U0010ffff]"),
)


def _elides(language: str | None) -> bool:
    return isinstance(language, str) and primary_language(language) in ELIDING_LANGUAGES


def _token_re_for(text: str, start: int, end: int, elide: bool = False) -> re.Pattern:
    marks = any(p.search(text, start, end) for p in _MAY_HOLD_MARKS)
    if not elide or not _may_elide(text, start, end):
        return _NO_ELISION_TOKEN_RE[marks]
    return TOKEN_RE if marks else _PLAIN_TOKEN_RE


# A candidate sentence end: terminal punctuation, closing marks (of every quotation style the
# validator knows; French sets a space before » and after «), whitespace, then a likely start.
_CLOSERS = CLOSING_MARKS + ")]"
_SPACE_IN_MARKS = " \u00a0\u202f"
_END_RE = re.compile(rf"[.!?]+(?:[{_SPACE_IN_MARKS}]?[»›]|[{re.escape(_CLOSERS)}])*(?=\s)")  # French: « … . »
_NEXT_RE = re.compile(rf"\s+(?:[{re.escape(OPENING_MARKS)}(\[][{_SPACE_IN_MARKS}]?)?(\S)")
_INITIALISM_RE = re.compile(r"(?:^|[^\w.])(?:[^\W\d_]\.)+$")
_WORD_AT_PERIOD_RE = re.compile(r"(\w+)\.$")
ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen lt col maj capt sgt sen rep gov pres st jr sr vs etc no inc co ltd corp dept est approx".split()
)
# Abbreviations of other languages, for documents in them (the English ones apply everywhere).
ABBREVIATIONS_BY_LANGUAGE: dict[str, frozenset[str]] = {
    "de": frozenset("bzw sog nr mio mrd vgl ca evtl ggf inkl zzgl usw abs art bd hrsg jh str tel dr prof".split()),
    "fr": frozenset("mme mmes mlle mm cf env av apr janv févr avr juil sept oct nov déc etc".split()),
}
_LONGEST_ABBREVIATION = max(map(len, ABBREVIATIONS.union(*ABBREVIATIONS_BY_LANGUAGE.values())))


@dataclass(frozen=True)
class Sentence:
    zone_id: str
    zone_type: str
    start: int
    end: int


@dataclass
class TaggedSentence:
    sentence: Sentence
    token_starts: list[int]  # absolute offsets in the document
    token_ends: list[int]
    tags: list[str]  # BIO tag names


@dataclass
class NerStats:
    tagged: dict[str, int] = field(default_factory=dict)  # layer -> spans tagged
    dropped: dict[str, int] = field(default_factory=dict)  # layer -> spans dropped by precedence
    split_tokens: int = 0  # tokens cut at a span boundary
    tagged_types: Counter = field(default_factory=Counter)  # tag type (e.g. 'PERSON') -> spans tagged


def _is_abbreviation(text: str, period: int, extra: frozenset[str] = frozenset()) -> bool:
    """Whether the '.' at `period` ends an abbreviation rather than a sentence (`extra`: the
    document language's own)."""
    head = text[max(0, period - 64):period + 1]  # an abbreviation is short: a window suffices
    if _INITIALISM_RE.search(head):
        return True
    # A word longer than every abbreviation is none of them, so the word is looked for in the
    # last few characters only (the search would try every start of the window). The window has
    # one character more than the longest abbreviation and its period: a longer word is then
    # captured cut, but still longer than any abbreviation, so never taken for one.
    word = _WORD_AT_PERIOD_RE.search(head, max(0, len(head) - _LONGEST_ABBREVIATION - 2))
    return bool(word) and (word.group(1).lower() in ABBREVIATIONS or word.group(1).lower() in extra)


def _interiors(spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Merge spans that overlap (strictly) so that "strictly inside some span" is one lookup."""
    starts: list[int] = []
    ends: list[int] = []
    for s, e in sorted(spans):
        if starts and s < ends[-1]:
            ends[-1] = max(ends[-1], e)
        else:
            starts.append(s)
            ends.append(e)
    return starts, ends


def _inside(pos: int, interiors: tuple[list[int], list[int]]) -> bool:
    starts, ends = interiors
    i = bisect.bisect_right(starts, pos) - 1
    return i >= 0 and starts[i] < pos < ends[i]


def _covers(pos: int, interiors: tuple[list[int], list[int]]) -> bool:
    """Whether the character at `pos` lies in some span."""
    starts, ends = interiors
    i = bisect.bisect_right(starts, pos) - 1
    return i >= 0 and starts[i] <= pos < ends[i]


def split_sentences(text: str, zones: list[dict], protected: list[tuple[int, int]], language: str | None = None) -> list[Sentence]:
    """Sentences of every non-boilerplate zone, in text order. `protected`: spans never cut;
    `language`: the document's (BCP 47), whose abbreviations are known too."""
    extra = ABBREVIATIONS_BY_LANGUAGE.get(primary_language(language), frozenset()) if isinstance(language, str) else frozenset()
    out: list[Sentence] = []
    interiors = _interiors(protected)
    for zone in sorted(zones, key=lambda z: (z["start"], z["end"])):
        if zone["type"] == "boilerplate":
            continue
        z0, z1 = zone["start"], zone["end"]
        body = text[z0:z1]
        cuts = {0, len(body)}
        for m in LINE_BREAK_RE.finditer(body):
            cuts.add(m.start())
            cuts.add(m.end())
        for m in _END_RE.finditer(body):
            nxt = _NEXT_RE.match(body, m.end())
            if not nxt or not (nxt.group(1).isupper() or nxt.group(1).isdigit()):
                continue
            last = m.start() + len(m.group(0).rstrip(_CLOSERS + _SPACE_IN_MARKS)) - 1  # the last terminal mark
            if body[last] == "." and (_is_abbreviation(body, last, extra) or _covers(z0 + last, interiors)):
                continue  # an abbreviation's period, or one an annotated span holds ("zum 3. Mal")
            cuts.add(m.end())
        ordered = sorted(c for c in cuts if not _inside(z0 + c, interiors))
        for a, b in zip(ordered, ordered[1:]):
            piece = body[a:b]
            stripped = piece.strip()
            if not stripped:
                continue
            lead = len(piece) - len(piece.lstrip())
            start = z0 + a + lead
            out.append(Sentence(zone["id"], zone["type"], start, start + len(stripped)))
    return out


def tokenize(text: str, start: int, end: int, boundaries: set[int] | frozenset[int] | list[int] = frozenset(),
             language: str | None = None) -> tuple[list[tuple[int, int]], int]:
    """Tokens of text[start:end] as absolute (start, end) pairs, cut at `boundaries`;
    `language`: the document's (French gets the elision rule).

    Returns the tokens and how many extra cuts the boundaries forced."""
    cuts = sorted(x for x in boundaries if start < x < end)
    return _tokens(_token_re_for(text, start, end, _elides(language)), text, start, end, cuts)


def _tokens(pattern: re.Pattern, text: str, start: int, end: int, cuts: list[int]) -> tuple[list[tuple[int, int]], int]:
    """`tokenize` with the token pattern already chosen and the cuts already sorted and inside
    (start, end): tag_sentences chooses the pattern once per document."""
    tokens = [m.span() for m in pattern.finditer(text, start, end)]  # no token matches only whitespace
    if not cuts:
        return tokens, 0
    # Which token each cut falls strictly inside, by bisection: nearly every boundary already is
    # a token edge, so the common case never loops over the tokens in Python.
    token_starts = [a for a, _ in tokens]
    cuts_inside: dict[int, list[int]] = {}
    for cut in cuts:
        i = bisect.bisect_right(token_starts, cut) - 1  # the last token starting at or before the cut
        if i >= 0 and token_starts[i] < cut < tokens[i][1]:
            cuts_inside.setdefault(i, []).append(cut)
    if not cuts_inside:
        return tokens, 0
    pieces: list[tuple[int, int]] = []
    for i, (a, b) in enumerate(tokens):
        for cut in cuts_inside.get(i, ()):
            pieces.append((a, cut))
            a = cut
        pieces.append((a, b))
    forced = sum(len(inside) for inside in cuts_inside.values())
    # a cut can leave a whitespace-only piece only if a boundary sits next to a space; drop it
    return [(a, b) for a, b in pieces if text[a:b].strip()], forced


def tag_sentences(
    text: str,
    zones: list[dict],
    layers: dict[str, list[dict]],
    type_of: dict[str, Callable[[dict], str]],
    precedence: tuple[str, ...],
    language: str | None = None,
) -> tuple[list[TaggedSentence], NerStats]:
    """Sentences, tokens and BIO tags for one document.

    `layers`: layer name -> its spans; `type_of[layer](span)` -> the tag type (e.g. 'PERSON').
    """
    stats = NerStats(tagged={k: 0 for k in precedence}, dropped={k: 0 for k in precedence})
    protected = sorted((s["start"], s["end"]) for layer in precedence for s in layers.get(layer, []))
    sentences = split_sentences(text, zones, protected, language)
    boundaries = sorted({p for s, e in protected for p in (s, e)})
    by_layer = {layer: sorted(layers.get(layer, []), key=lambda x: (x["start"], x["end"])) for layer in precedence}
    layer_starts = {layer: [x["start"] for x in spans] for layer, spans in by_layer.items()}
    out: list[TaggedSentence] = []
    pattern = _token_re_for(text, 0, len(text), _elides(language))  # a text without a mark has none in any sentence
    for sent in sentences:
        lo, hi = bisect.bisect_right(boundaries, sent.start), bisect.bisect_left(boundaries, sent.end)
        tokens, forced = _tokens(pattern, text, sent.start, sent.end, boundaries[lo:hi])
        stats.split_tokens += forced
        tags = ["O"] * len(tokens)
        tok_starts = [a for a, _ in tokens]
        tok_ends = [b for _, b in tokens]
        for layer in precedence:
            spans = by_layer[layer]
            lo = bisect.bisect_left(layer_starts[layer], sent.start)
            hi = bisect.bisect_left(layer_starts[layer], sent.end)
            for span in spans[lo:hi]:
                s, e = span["start"], span["end"]
                if e > sent.end:
                    continue  # cannot happen: no sentence boundary is placed inside a span
                # Every span boundary inside the sentence is a token edge (tokens were cut there),
                # so the span's tokens are exactly those starting in [s, e).
                first = bisect.bisect_left(tok_starts, s)
                last = bisect.bisect_left(tok_starts, e, first)
                if first == last:
                    continue
                if tags[first:last].count("O") != last - first:
                    stats.dropped[layer] += 1
                    continue
                kind = type_of[layer](span)
                tags[first:last] = ["B-" + kind] + ["I-" + kind] * (last - first - 1)
                stats.tagged[layer] += 1
                stats.tagged_types[kind] += 1
        out.append(TaggedSentence(sent, tok_starts, tok_ends, tags))
    return out, stats


def covering(sentences: list[Sentence], start: int, end: int, ends: list[int] | None = None) -> tuple[int, int] | None:
    """The smallest run of whole sentences covering [start, end), or None.

    `sentences` are one zone's, in text order (they do not overlap)."""
    ends = [s.end for s in sentences] if ends is None else ends
    i = bisect.bisect_right(ends, start)
    first = last = None
    while i < len(sentences) and sentences[i].start < end:
        first = sentences[i] if first is None else first
        last = sentences[i]
        i += 1
    if first is None:
        return None
    return first.start, last.end
