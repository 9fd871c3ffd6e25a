"""Every rule the validator applies: the one table of rule codes.

A rule code is stable (tools, CI logs and contributors refer to it), names its layer
(`L1`..`L6`) and says what is wrong. `newscorpus validate --explain CODE` prints the
explanation; `newscorpus validate --list-rules` prints the table. Nothing else in the
package spells a rule code except as a key into `RULES` (a test checks that every code the
validator emits is declared here and that every declared code has an invalid fixture that
produces it).

Layers (a file that fails one layer is not checked by the later ones, so one mistake does
not cascade into many errors):
    L1 file        readable, UTF-8 without BOM, strict JSON, sane size, canonical layout
    L2 schema      the JSON Schema in schema/ (every violation, with JSON path and line)
    L3 spans       offsets, stated text, whitespace, overlap policy, zones
    L4 references  ids, entity/date/quote links, where cue and speaker may sit
    L5 values      date values, numbers against their text, kind/unit agreement
    L6 corpus      file pairing, raw sha256, document ids, registry use, splits
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

# Size limits for a "sane" file, by kind of file. A news article is tens of kilobytes; a
# file far above these is a collection accident (a PDF dump, a whole site), not an article.
FILE_SIZE_LIMITS: dict[str, int] = {
    "raw": 4 * 1024 * 1024,
    "metadata": 1024 * 1024,
    "annotation": 16 * 1024 * 1024,
    "registry": 256 * 1024 * 1024,
    "splits": 64 * 1024 * 1024,
    "schema": 16 * 1024 * 1024,
}

# What ends a line, for the zone rules (a zone is whole lines) and the ner sentence splitter
# (a line break ends a sentence): every line break str.splitlines knows but \x1c-\x1e.
LINE_BREAKS = "\n\r\u2028\u2029\x0b\x0c\x85"

# The dataset stores numbers (numeric_claims[].value) as float64, which holds every integer
# exactly only up to 2**53 in magnitude: above that, neighbouring integers share one float64.
# The validator refuses larger integers (L5-number-too-large); the build checks the same limit.
MAX_EXACT_INT = 2**53

# Which units each numeric kind may take (guidelines section 5). Names refer to
# schema/vocabulary.schema.json (NumericKind, Unit); a test checks every name exists there.
# "money" takes any ISO 4217 currency code of the Unit list: three upper-case letters.
CURRENCY_UNIT_PATTERN = r"^[A-Z]{3}$"
KIND_UNITS: dict[str, tuple[str, ...]] = {
    "count": ("count", "times"),
    "percent": ("percent",),
    "ordinal": ("ordinal",),
    "money": (),  # currency codes, see CURRENCY_UNIT_PATTERN
    "quantity": (),  # any measure unit: not count, times, ordinal, percent or a currency
}


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    layer: int
    summary: str
    explanation: str

    def render(self) -> str:
        return f"{self.code} ({self.severity}, layer {self.layer}): {self.summary}\n\n{self.explanation.strip()}\n"


def _mib(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB"


_RULES: tuple[Rule, ...] = (
    # ---------------------------------------------------------------- L1 file
    Rule("L1-unreadable", "error", 1, "the file cannot be read",
         """The file exists in the listing but could not be opened or read (a directory where a
file should be, a broken symlink, missing permissions). Replace it with a regular, readable
file. Nothing else is checked for this file until it can be read."""),
    Rule("L1-empty-file", "error", 1, "the file is empty",
         """A raw article, its metadata and its annotation can never be empty. An empty raw file
usually means the collection step failed; an empty JSON file means an editor saved
nothing. Restore the file's content (git checkout, or collect the article again)."""),
    Rule("L1-file-too-large", "error", 1, "the file is larger than a file of its kind can sensibly be",
         f"""Size limits: raw article {_mib(FILE_SIZE_LIMITS['raw'])}, metadata {_mib(FILE_SIZE_LIMITS['metadata'])},
annotation {_mib(FILE_SIZE_LIMITS['annotation'])}, entity registry {_mib(FILE_SIZE_LIMITS['registry'])},
splits {_mib(FILE_SIZE_LIMITS['splits'])}. A file above its limit is almost always an accident (a
whole web site saved as one article, a file pasted twice). The file is not read further.
Split or re-collect the article; if a real article is this long, raise it so the limit
(newscorpus.rules.FILE_SIZE_LIMITS) can be reconsidered."""),
    Rule("L1-not-utf8", "error", 1, "the file is not valid UTF-8",
         """Every file in the corpus is UTF-8. Offsets are code points into the raw file decoded
as UTF-8, so a raw file in another encoding (Windows-1252, Latin-1) has no well-defined
offsets. The message gives the byte offset, line and column of the first invalid byte.
Re-save the file as UTF-8 (for a raw article: convert the original download, then record
the new sha256 in its metadata; never retype the text)."""),
    Rule("L1-bom", "error", 1, "the file starts with a byte-order mark (BOM)",
         """A UTF-8 BOM (EF BB BF) at the start of a file is invisible in most editors but is a
character: in a raw file it would shift every offset by one, and JSON parsers reject or
silently drop it. Save the file as "UTF-8" without BOM (in many editors: "UTF-8" rather
than "UTF-8 with BOM")."""),
    Rule("L1-json-syntax", "error", 1, "the file is not well-formed JSON",
         """The JSON parser stopped at the line and column given. Common causes: a trailing
comma after the last item of a list or object, a missing comma between two spans, single
quotes instead of double quotes, an unescaped double quote or newline inside a string, a
file cut short by a merge conflict (look for <<<<<<<). Fix the file at that place; running
`newscorpus fmt` afterwards restores the canonical layout."""),
    Rule("L1-duplicate-key", "error", 1, "an object has the same key twice",
         """JSON parsers keep only one of two equal keys (usually the last) without telling
anyone, so half of what was written would silently disappear. The message names the key
and where both occur. Keep one of them (merge the values by hand if both matter)."""),
    Rule("L1-nan-infinity", "error", 1, "the file uses NaN or Infinity, which are not JSON",
         """`NaN`, `Infinity` and `-Infinity` are accepted by some parsers but are not JSON and
mean nothing as an annotation value. Write the number the text states; if the text states
no number, do not make the span."""),
    Rule("L1-lone-surrogate", "error", 1, "a string has a \\u escape of half a surrogate pair",
         """JSON strings may spell characters as \\u escapes. Characters beyond U+FFFF (most emoji)
take two: a high surrogate \\ud800-\\udbff followed at once by a low surrogate \\udc00-\\udfff,
as in \\ud83d\\ude00 for the grinning face. Either half alone (\\ud800, or a pair cut in two
or reversed) is no character at all: JSON parsers accept it, but it cannot be written as
UTF-8, so `newscorpus fmt` cannot format the file and the build cannot store it. The message
gives the line and column of the escape and the JSON path of the string. Write the character
itself instead of escapes (the canonical layout has none), or delete the stray escape. An
escaped backslash followed by letters (\\\\ud800) is ordinary text and is fine. Nothing else is
checked for this file until it is fixed."""),
    Rule("L1-not-canonical", "warning", 1, "the file is not in canonical layout",
         """Annotation, metadata, registry and splits files are kept in one canonical layout:
keys in the order the schema declares, spans sorted by offset with one span per line,
two-space indentation, UTF-8 without escapes, a final newline. Then a pull-request diff
shows exactly which span changed and every span has its own line number in error
messages. Run `newscorpus fmt PATH` to rewrite the file (content is never changed), or
`newscorpus fmt --check` to list the files that need it. Only files without errors are
checked for layout: fix the errors first, then format."""),
    # ---------------------------------------------------------------- L2 schema
    Rule("L2-schema", "error", 2, "the file does not match its JSON Schema",
         """The file breaks its schema (schema/annotation.schema.json, metadata.schema.json,
entity-registry.schema.json or splits.schema.json). Every violation is reported with its
JSON path (for example $.entities[3].end) and line. Typical causes: a missing required key,
a misspelt key (additional properties are not allowed), a string where a number belongs, an
id that does not follow its pattern (e1, q2, t3, n4, z5), an empty text. The schema files
themselves get this code too when one cannot be used: not a JSON Schema with an $id, a $ref
that leads nowhere, or a vocabulary without a label set the tools read (each a non-empty list
of strings), without schema_version or without a DocId pattern."""),
    Rule("L2-unknown-label", "error", 2, "a label is not in the declared vocabulary",
         """Closed label sets (zone types, entity labels, quote kinds, date types and mods,
numeric kinds, bounds and units, splits) are declared once, in
schema/vocabulary.schema.json. The message lists the allowed labels and the nearest one.
Use one of them; if a new label is really needed, propose it in a pull request that changes
the vocabulary and the guidelines together."""),
    Rule("L2-duplicate-label", "error", 2, "a label is declared twice: in one enum of schema/, or as one NER tag type by two label sets",
         """Every label set of schema/vocabulary.schema.json lists each label once: its order is
the index of the label in the published ClassLabel, so a label listed twice has no single
index and the dataset cannot be built. The same holds for any other enum of the schema
files. The NER tags are the entity labels, the date types and the numeric kinds (upper-cased)
together, so an entity label DATE, or a numeric kind spelt like an entity label, would give
two label sets one tag type. The message names the value, the label set and both places.
Delete the second occurrence, or rename one of the two labels (and the guidelines with it)."""),
    # ---------------------------------------------------------------- L3 spans
    Rule("L3-offset-not-integer", "error", 3, "a span offset is a number with a fractional part or written as a float",
         """Offsets are whole numbers of code points. JSON Schema accepts 12.0 as an integer, but
an offset written as 12.0 (or 12.5) is a sign of arithmetic gone wrong in a tool. Write
the integer."""),
    Rule("L3-span-out-of-range", "error", 3, "a span's offsets are not 0 <= start < end <= length of the raw text",
         """Offsets are half-open [start, end) in Unicode code points into the raw file decoded as
UTF-8. A span must be non-empty and end at or before the end of the text. The message gives
the length of the text. If the offsets came from a tool, check that it counts code points
(not UTF-8 bytes or UTF-16 units)."""),
    Rule("L3-span-text-mismatch", "error", 3, "a span's text is not the raw text at its offsets",
         """Every span repeats its text, which must equal raw[start:end] exactly. The message shows
the stated text, the actual slice, and where the stated text does occur nearest to the
offsets ("did you mean start=.., end=..?"): an off-by-one or off-by-N is the usual mistake.
Other causes: straight ' or " typed where the raw file has curly ’ or “ ”; offsets counted
in UTF-8 bytes or UTF-16 units instead of code points (the message says so when it sees
it); a raw file that changed after annotation (see L6-raw-sha256-mismatch)."""),
    Rule("L3-span-whitespace", "error", 3, "a span starts or ends with whitespace",
         """No span has leading or trailing whitespace (guidelines section 0); zones end after
their last non-blank character. Move start forward or end back past the whitespace."""),
    Rule("L3-span-punctuation", "warning", 3, "a span starts or ends with punctuation",
         """Spans carry no leading or trailing punctuation (guidelines section 0), with these
exceptions: the quotation marks of a direct or mixed quote; the final period of an
abbreviation such as U.S.; the period of an ordinal numeric claim written with one (German
"3.", in any language); and the last character of a direct quote that ends without its
closing mark, because a later paragraph continues it (news style) or an incise follows inside
the marks (French « …, a-t-il dit, … »), since that punctuation is inside the quotation. Check the boundary; if it is right, say why in the
span's `note` and name this rule's code there, which ends the warning for that span (for a
quote's speaker, cue or intermediary, which have no note, the quote's note speaks for all its
parts)."""),
    Rule("L3-span-partial-word", "warning", 3, "a span starts or ends inside a word",
         """Spans cover whole words: a span that starts or ends between two letters or digits cuts
a word ("he" inside "the", "S-400" of "S-400s", whose plural belongs in the span). Move the
boundary to the word's edge. A hyphen or an apostrophe is a word edge ("U.S.-led" gives
`U.S.`, "Turkey’s" gives `Turkey`). If the word really is cut, say why in the span's `note`
and name this rule's code there, which ends the warning for that span (a quote's note speaks
for its speaker, cue and intermediary)."""),
    Rule("L3-entity-boundary", "warning", 3, "an entity span starts with \"the\" or ends with a possessive ’s",
         """An entity span is the name as written, without a leading "the" and without the
possessive ’s (guidelines section 2): "the United States" gives `United States`, "Turkey’s"
gives `Turkey`. The hint gives the offsets without them. A name that really holds the word or
the ’s (The Hague, McDonald’s) keeps it: say so in the mention's `note` and name this rule's
code there, which ends the warning for that mention. Until then the registry checks count the
mention as its bare name ("US"), the spelling it will have: do not add "the US" to the aliases."""),
    Rule("L3-duplicate-span", "error", 3, "two spans of the same layer have the same offsets",
         """Within a layer no two spans are identical (guidelines section 6). Two entity mentions
at the same offsets, or two dates, are one annotation entered twice: delete one (and
repoint anything that referred to its id)."""),
    Rule("L3-span-crossing", "error", 3, "two spans of the same layer cross",
         """Within a layer spans never cross (one starts inside the other and ends outside it).
Crossing spans mean one of the two boundaries is wrong; look at both spans named in the
message and fix the boundary that breaks the guidelines."""),
    Rule("L3-span-nested", "error", 3, "a span lies inside another span of the same layer",
         """Entities, dates, numeric claims and quote contents do not nest (guidelines section 6):
the longest expression wins. `Countering America's Adversaries Through Sanctions Act` is one
LAW with no GPE inside it. Delete the inner span."""),
    Rule("L3-zone-overlap", "error", 3, "two zones overlap",
         """Every non-blank character belongs to exactly one zone (guidelines section 1), so zones
cannot overlap. Fix the end of the first zone or the start of the second."""),
    Rule("L3-zone-gap", "error", 3, "non-blank text is not covered by any zone",
         """Every character of the document that is not blank belongs to a zone (guidelines
section 1). The message shows the uncovered text and its offsets. Extend a neighbouring zone
or add a zone (`boilerplate` for site furniture)."""),
    Rule("L3-zone-partial-line", "warning", 3, "a zone starts or ends in the middle of a line",
         """A zone is one contiguous stretch of whole lines: it starts at the first non-blank
character of a line and ends after the last non-blank character of a line. A zone that
splits a line is usually a boundary typed a few characters off."""),
    Rule("L3-span-in-boilerplate", "error", 3, "an annotated span lies in a boilerplate zone",
         """Boilerplate (site furniture, 'READ MORE' links, lists of other stories' headlines) is
never annotated in any layer (guidelines section 1): its content is not part of the article
and would teach wrong facts about it. Delete the span, or, if the zone is really part of
the article, change the zone's type."""),
    Rule("L3-span-zone-boundary", "error", 3, "an annotated span is not inside one zone",
         """Every annotated span (entity, quote content, speaker, cue, intermediary, date,
numeric claim) lies inside a single non-boilerplate zone (guidelines section 6). A span that
runs across a zone boundary has a wrong offset, or the zones are cut in the wrong place."""),
    # ---------------------------------------------------------------- L4 references
    Rule("L4-duplicate-id", "error", 4, "an id is used twice in one file",
         """Ids are local to a file and unique in it (z1.., e1.., q1.., t1.., n1..); registry ids
are unique in the registry. Renumber one of the two (and every reference to it)."""),
    Rule("L4-id-order", "warning", 4, "ids are not numbered in text order",
         """Within each layer ids are numbered in text order (guidelines section 0): the span that
starts first is e1, the next e2, and so on; a span inserted later means renumbering the
ones after it, and every reference to them (date_id, quote_id, continues): `newscorpus fmt
--renumber FILE` does both (ids named outside the file, as in ADJUDICATION.md, are not updated). A warning, not
an error, because an id carries no meaning: the data is right either way, but numbered ids
keep files comparable between annotators, so renumber before the pull request is merged."""),
    Rule("L4-unknown-entity-id", "error", 4, "an entity id is not in the entity registry",
         """Every `entity_id`, `speaker_entity_id`, intermediary `entity_id` and metadata
`publisher.entity_id` must be an id of annotated/entity_registry.json (for an annotation
pass with its own entity_registry.json, that file). Add the registry entry first (id, label,
canonical name, description, aliases), or use the existing id; the message suggests the
nearest ids."""),
    Rule("L4-entity-label-mismatch", "error", 4, "an entity mention's label differs from its registry entry's label",
         """The guidelines do not resolve metonymy: `Ankara` is GPE even when it stands for the
government, and a NORP mention (`Turkish`) links to the nationality entity (`turkish`), not
to the country. So a mention's label is always the label of the referent it links to, and a
disagreement means either the label or the link is wrong. This is an error, not a warning,
because either way the data would contradict itself. Fix the label, or link the mention to
the right entity (adding a registry entry if needed)."""),
    Rule("L4-unknown-date-id", "error", 4, "a numeric claim's date_id names no date in the file",
         """`date_id` must be the id of a date annotation in the same file (t1, t2, ..) or null."""),
    Rule("L4-unknown-quote-id", "error", 4, "a quote_id or continues names no quote in the file",
         """A numeric claim's `quote_id` and a quote's `continues` must be ids of quotes in the same
file (q1, q2, ..); `quote_id` may be null."""),
    Rule("L4-continues-not-earlier", "error", 4, "a quote continues itself or a later quote",
         """`continues` points back: a quote paragraph with no cue of its own continues an
earlier quote (guidelines section 3). It cannot name itself or a quote that starts later in
the text."""),
    Rule("L4-continues-mismatch", "error", 4, "a continuing quote does not take the speaker and cue of the quote it continues",
         """A quote that `continues` another has no cue of its own: it takes the speaker span,
speaker_entity_id and cue span of the quote it continues (guidelines section 3). Copy them
from that quote."""),
    Rule("L4-speaker-null-mismatch", "error", 4, "a quote with a null speaker has a speaker_entity_id",
         """A null `speaker` (an unnamed source: "there have been reports") always has a null
`speaker_entity_id` (guidelines section 3). The other direction is allowed: a speaker that
is a group with no single registry referent ("US officials") has a speaker span and a null
speaker_entity_id. Either add the speaker span (the mention naming the source) or set
speaker_entity_id to null."""),
    Rule("L4-cue-inside-content", "error", 4, "a quote's cue lies inside its content span",
         """The cue (said, told, according to) links the content to the source; it is never part of
the content (guidelines section 3). For an indirect quote the content starts after the
complementiser 'that'; for a direct quote it is the quoted text with its marks."""),
    Rule("L4-sourceless-cue-inside-content", "warning", 4, "a quote with no speaker has its cue inside its content (a hedging adverb such as 'reportedly')",
         """A cue inside the content of a quote with no speaker is a hedging adverb in the author's own
clause ("technical negotiations are reportedly underway"). Since guidelines 1.1.0 such
hedges are not quotes (section 3): delete the quote. It is a warning, not an error, because
blind passes made under the first 1.0.0 text annotated them and are kept unchanged as the
record the agreement figures were computed from; gold files must not have it (--strict)."""),
    Rule("L4-speaker-inside-content", "error", 4, "a quote's speaker lies inside its content span",
         """The speaker is the subject of the cue and sits outside the reported content. A speech
report nested inside quote content ('we said yes') is not annotated separately."""),
    Rule("L4-link-conflict", "error", 4, "a speaker or intermediary links to a different entity than the mention at the same span",
         """When a quote's speaker or intermediary span is also an entity mention (it normally is),
both must link to the same registry id. One of the two links is wrong."""),
    Rule("L4-numeric-quote-mismatch", "error", 4, "a numeric claim's quote_id names a quote whose content does not contain it",
         """`quote_id` is the quote whose content contains the number (guidelines section 5). Point
it at the quote that contains the number, or set it to null."""),
    Rule("L4-numeric-quote-missing", "warning", 4, "a number inside a quote's content has no quote_id",
         """The number lies inside the content span of a quote, so its `quote_id` is normally that
quote: the figure is the speaker's claim, not the writer's. Set quote_id, or say why not
in the claim's `note`, naming this rule's code there, which ends the warning for that claim."""),
    # ---------------------------------------------------------------- L5 values
    Rule("L5-date-value-invalid", "error", 5, "a date value is not a valid ISO 8601 / TIMEX3 value",
         """Date values follow guidelines section 4: DATE `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYY-Www`
(also `YYYY-Qn`, seasons `YYYY-SP|SU|FA|WI`, and `PRESENT_REF`, `PAST_REF`, `FUTURE_REF`);
TIME `YYYY-MM-DDThh:mm` or a part of the day `YYYY-MM-DDTMO|AF|EV|NI`; DURATION `PnY`, `PnM`, `PnW`, `PnD`, `PTnH`...; SET a duration or a
date pattern with X. The value must exist in the calendar (no 2020-02-30, no month 13, no
week 53 in a year that has 52). Also applies to the temporal anchor and to the metadata's
dates, where `earliest` must not be after `latest`."""),
    Rule("L5-date-text-mismatch", "warning", 5, "a date's value disagrees with what its words state",
         """A DATE value (YYYY, YYYY-MM, YYYY-MM-DD) must agree with what the span's own words state:
a four-digit year, a month name ("May" only next to a day), a day next to a month name ("30
December", "December 30th"), a weekday (2024-03-15 is a Friday, so "Thursday" cannot be it),
an ISO date written out; abbreviations count when capitalised ("Mar", not "mar"). Month and
weekday names are those of the document's `language` (CLDR: "10. März", "lundi"); in a
language CLDR does not know, only years and ISO dates are checked. Spans with a
year range or two years ("2019-20", "between 2019 and 2021") and fiscal years are left to the
annotator. The English relative dates whose value follows from the temporal anchor alone are
worked out and compared too: today, yesterday, tomorrow, last/next <weekday>, last/this/next
week, month or year, "<n> <units> ago" (guidelines section 4's table), and their `anchor` must
be publication_date. Other relative words (a bare weekday, whose tense decides; "earlier this
month") and other languages are checked by reading. A warning, not an error, because articles contradict
themselves (a weekday that does not fit the printed date): keep the reading chosen and say
why in the date's `note`, naming this rule's code there, which ends the warning for that date
(a note about something else does not)."""),
    Rule("L5-date-mod-period", "warning", 5, "a START, MID or END date's value has the modifier resolved into it",
         """`mod` START, MID and END modify the period the words name, and the value is that period
(guidelines section 4): "mid-2019" is 2019 with MID, "mid-December" 2020-12 with MID, "late
Wednesday" a day with END. A value finer than the words, a day where they name a month or a
year but no day, or a month where they name a year but no month ("mid-2019" as 2019-06),
states the modifier twice, and a model learns two answers for one phrase. Write the period;
if the value is right as it is, say why in the date's `note`, naming this rule's code there.
Judged for phrases made only of month and weekday names, numbers and the plain-date words of
the article's language (the languages values.PERIOD_WORDS_BY_LANGUAGE has words for); a
holiday, or a language without such words, is left to the annotator."""),
    Rule("L5-anchor-mismatch", "error", 5, "the temporal anchor is not the publication date from the metadata",
         """`temporal_anchor.value` is the document's publication date from raw/<doc_id>.meta.json:
its `value`, or, when only a range is known, its `earliest` date (guidelines section 4).
Relative expressions are resolved against it, so a wrong anchor makes every relative date
wrong."""),
    Rule("L5-doc-id-date", "warning", 5, "the date in a doc id does not fit the publication date in its metadata",
         """A doc id is `publisher_date_slug`, and its date is the publication date as far as it is
known: `2020-12-30` when the day is known, `2020-12` when only the month is (a range
2020-12-30..2020-12-31 fits it). An id is never renamed once a release has used it, so a
typo in it would stay for good; the warning comes while it can still be fixed, by renaming
the raw, metadata and annotation files (and the doc_id inside them) or by correcting the
metadata's publication_date."""),
    Rule("L5-numeric-not-finite", "error", 5, "a numeric value is not a finite number",
         """A value such as 1e999 parses as infinity. Write the number the text states, scaled
(`$20 billion` is 20000000000)."""),
    Rule("L5-numeric-text-mismatch", "error", 5, "a numeric value disagrees with the number in its text",
         """Where the span's text can be read as a number ("$20 billion", "7 million", "six",
"second" in "a second", "20 times", "180-degree"), `value` must be that number, scaled, and never
corrected (guidelines section 5). The message says what the text reads as. Digits are read
with the decimal mark and thousands separator of the document's `language` (CLDR): in a German
article "12.000" is 12000 and "2,5" is 2.5, in a French one "12 000" is 12000; in a language
CLDR does not know (or without Babel) digits are not read. Number, scale and unit words are
read in English only: in another language a span with words after its digits ("2,5 Milliarden",
where German "Billion" would be 10**12) is not checked. Spans the reader cannot parse are not
checked."""),
    Rule("L5-number-too-large", "error", 5, "an integer is too large for the dataset's float64 column",
         f"""The published dataset stores `value` of a numeric claim as float64, which holds every
integer exactly only up to 2**53 = {MAX_EXACT_INT:,} in magnitude; a larger integer would
silently become a neighbouring one, so the build refuses it. Numbers this large are almost
always a typo (digits typed twice, a scale applied twice): check the value against the text
and correct it. If the text really states such a number, write instead the value the message
suggests, a number with a fraction or an exponent (9.876543210987654e+22 for
98765432109876543210987): that is the float64 the dataset will hold, rounded to about 16
significant digits, and the file then says so openly; add a note."""),
    Rule("L5-numeric-kind-unit", "error", 5, "a numeric claim's unit does not fit its kind",
         """kind and unit agree (guidelines section 5): money takes an ISO 4217 currency code
(USD, EUR, ..), percent takes `percent`, ordinal takes `ordinal`, count takes `count` or
`times`, quantity takes a measure unit (degree, km, kg, ..)."""),
    Rule("L5-currency-mismatch", "warning", 5, "a money claim's unit is not the currency its sign or word names",
         """A money claim's `unit` is the ISO 4217 code of the currency the text names (guidelines
section 5): "€3.2 billion" is EUR, "₺50" TRY, "500 roubles" RUB, "£2m" GBP (or another pound).
"$" and "dollars" name many currencies (US, Canadian, Australian dollars, pesos), so they only
rule out a unit whose currency has a sign or word of its own. A span that names two currencies
("$70 million (5 billion roubles)") is fine when one of them fits the unit. A warning, because an article
can name a currency loosely; if the unit is right, say why in the claim's `note`, naming this
rule's code there, which ends the warning for that claim."""),
    Rule("L5-approximate-hedge", "warning", 5, "the approximate flag disagrees with the hedge words in the span",
         """`approximate` is true exactly when the span has an approximator such as 'around',
'about', 'nearly', 'some', 'roughly', 'approximately', 'almost' (guidelines section 5).
Either the flag or the span boundary is off; if the flag is right, say why in the claim's
`note`, naming this rule's code there, which ends the warning for that claim. The words are
those of the document's `language`: English, German ('rund', 'etwa', 'ca.', ...) and French
('environ', 'près de', 'quelque', ...) are known (values.HEDGE_WORDS_BY_LANGUAGE); a document
in another language is not checked."""),
    Rule("L5-bound-word", "warning", 5, "the bound disagrees with the bound words in the span",
         """`bound` follows the bound word inside the span: 'more than'/'over' -> more_than,
'at least' -> at_least, 'less than'/'under'/'fewer than' -> less_than, 'up to'/'at most' ->
at_most, none -> equal (guidelines section 5). If the bound is right as it is, say why in the
claim's `note`, naming this rule's code there, which ends the warning for that claim. The words
are those of the document's `language`: English, German ('mehr als', 'mindestens', 'bis zu',
...) and French ('plus de', 'au moins', 'jusqu’à', ...) are known
(values.BOUND_WORDS_BY_LANGUAGE); a document in another language is not checked."""),
    Rule("L5-quotation-not-annotated", "warning", 5, "a passage in quotation marks is in no quote",
         """Every attributed statement is a quote (guidelines section 3), and a passage of four words or
more between quotation marks, in a zone that is annotated, is almost always one: when no quote
span overlaps it, a direct quote was most likely left out. Annotate it (its speaker may be
unnamed: a null speaker). A passage that is no quote (a book title, a slogan, a term held at
a distance) is acknowledged in the annotation's `notes` by a note naming this rule's code and
the passage's first three words (case, apostrophe style and no-break spaces aside; in a
script without spaces, its first 8 characters), which ends the warning. Shorter passages are
not checked: scare quotes ("technical" talks) are usually one or two words."""),
    Rule("L5-quote-kind-marks", "error", 5, "a quote's kind disagrees with the quotation marks in its span",
         """The kind follows the quotation marks (guidelines section 3): a `direct` quote's span runs
from the opening mark to the closing mark, both included (“…,” with the comma inside); an
`indirect` quote has no quotation marks; a `mixed` one is a paraphrase holding a quoted
fragment, so it has some. Other languages' marks count as well („…“, « … », »…«, ”…”, 「…」;
section 3 lists them), each closing what its own style opens (“…” but not “…‘). Inside a span
’ and ' count as apostrophes, ‘ as a quotation mark; at a direct quote's edges all count. A
direct quote that ends its paragraph and that a later quote `continues` may lack its closing
mark (news style leaves it out there); a quote that an incise splits inside its marks (French
« Ankara tiendra parole, a insisté M. Çavuşoğlu, mais … ») is two direct quotes with the same
cue, the first without its closing mark, the second without its opening one. Usually the
span misses a mark by one character, and the hint gives the offset; otherwise the kind is
wrong."""),
    # ---------------------------------------------------------------- L6 corpus
    Rule("L6-missing-raw", "error", 6, "metadata or an annotation exists without its raw file",
         """Every raw/<doc_id>.meta.json, annotated/<doc_id>.json and annotation pass file belongs to
a raw/<doc_id>.txt with the same doc_id. Either the raw file was not added, or the other
file's name is misspelt."""),
    Rule("L6-missing-metadata", "error", 6, "a raw file has no metadata",
         """Every raw/<doc_id>.txt has raw/<doc_id>.meta.json recording where it came from, its
sha256, sizes, publisher, title and dates (schema/metadata.schema.json). Add it."""),
    Rule("L6-missing-annotation", "error", 6, "a raw file has no gold annotation",
         """Every raw/<doc_id>.txt has annotated/<doc_id>.json. Annotate the document (guidelines
section 7), or do not add the raw file yet."""),
    Rule("L6-missing-file", "error", 6, "a corpus-level file is missing",
         """annotated/entity_registry.json (when any annotation exists) must exist, and for a
whole-corpus check annotated/splits.json, annotated/GUIDELINES.md and annotated/ADJUDICATION.md
(newscorpus.corpus.PUBLISHED_DOCUMENTATION: the build publishes them with the data and the
dataset card names them). Restore a deleted one from git."""),
    Rule("L6-raw-sha256-mismatch", "error", 6, "the raw file's sha256 differs from the one recorded",
         """The metadata (`sha256`) and every annotation (`raw_sha256`) record the sha256 of the raw
file they describe. A difference means the raw file changed after it was recorded, which
breaks every offset: raw text is immutable. Restore the raw file from git. Only if the
original collection really was wrong: replace it deliberately, update the metadata, and
re-check every span of every annotation of it; the annotation's spans are not checked
against a changed raw file."""),
    Rule("L6-size-mismatch", "error", 6, "the metadata's size_bytes or size_codepoints differs from the raw file",
         """`size_bytes` is the raw file's length in bytes, `size_codepoints` its length in Unicode
code points after UTF-8 decoding. Correct the metadata (the raw file is the truth)."""),
    Rule("L6-unsafe-doc-id", "error", 6, "a document id is not a safe name",
         """Document ids are file names: lower-case ASCII publisher_date_slug (for example
trtworld_2020-12-30_turkey-us-talks), no path separators, no '..', no spaces or capitals,
as the DocId pattern in schema/vocabulary.schema.json says. Rename the raw, metadata and
annotation files together."""),
    Rule("L6-doc-id-mismatch", "error", 6, "the doc_id in a file differs from its file name",
         """The `doc_id` recorded in raw/<doc_id>.meta.json and annotated/<doc_id>.json equals the
file name without its suffix. A difference usually comes from copying another document's
file as a template."""),
    Rule("L6-unused-registry-entry", "warning", 6, "an entity registry entry is used by no annotation",
         """Registry entries exist for the mentions in the corpus. An unused entry is a leftover
from a renamed id, or a typo in the id of the entry that was meant to be used. Delete it or
use it. (Checked when the whole corpus or the registry itself is validated.)"""),
    Rule("L6-alias-missing", "warning", 6, "a spelling that entity mentions use is not among their registry entry's aliases",
         """A registry entry's `aliases` list every spelling of the referent that occurs in the
corpus's texts, the canonical name too when an article uses it (guidelines section 2): they are
what an entity linker meets, and the registry published with the dataset is its lookup
table. A spelling the mentions use that is not listed means the registry fell behind the
annotations. Reported once per entry and spelling, at the registry, with how many documents
use it and the first of them: add the exact text to the entry's `aliases`, or, if those
mentions name another referent, link them to that entity. A mention whose span takes in a
leading "the" or a possessive ’s is not reported here when the bare name is listed: that is
a boundary error, which L3-entity-boundary reports at the mention. Checked whenever
annotations are (a check of some documents covers their mentions) and when the registry
itself is validated; L6-unused-alias is the other direction."""),
    Rule("L6-unused-alias", "warning", 6, "a registry alias is the spelling of no entity mention or publisher name",
         """An entry's `aliases` hold only spellings that occur in the corpus's texts, as the text of
an entity mention linked to that entry, or as the publisher name in the metadata of a
document the entry publishes (guidelines section 2): the registry published with
the dataset is an entity linker's lookup table, and a spelling no text uses would teach it
something the corpus does not show. A name the articles do not use (the referent's name in
its own language, an official long form) goes in the description. Checked on a whole-corpus
run, or when the registry itself is validated; L6-alias-missing is the other direction."""),
    Rule("L6-split-unknown-doc", "error", 6, "splits.json pins a document that does not exist",
         """Every doc_id in `assignments` of annotated/splits.json names a document of the corpus.
Remove the assignment or fix the id."""),
    Rule("L6-split-fractions", "error", 6, "the split fractions do not add up to 1",
         """`policy.fractions` (one per split of schema/vocabulary.schema.json: train + validation +
test) must sum to 1. The build applies the policy with the same check."""),
    Rule("L6-split-vocabulary", "error", 6, "a split of the vocabulary has no fraction in the split policy",
         """`policy.fractions` of annotated/splits.json gives one fraction to each split declared in
schema/vocabulary.schema.json ($defs.Split): a declared split without one could never be
filled. (A fraction for a split the vocabulary does not declare is L2-unknown-label: the
schema takes the split names from the Split label set.) Change the fractions and the Split
label set together."""),
    Rule("L6-stray-file", "warning", 6, "a file in raw/ or annotated/ is not part of the corpus layout",
         """raw/ holds only <doc_id>.txt and <doc_id>.meta.json; annotated/ holds annotations
(.json), the registry, splits.json, passes/ and Markdown documents. Anything else (an
editor backup, a .DS_Store, a misnamed file such as .meta.JSON) is ignored by every tool,
which is rarely what was meant. Rename or delete it."""),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}
if len(RULES) != len(_RULES):  # pragma: no cover - guarded by tests
    raise RuntimeError("duplicate rule code in newscorpus.rules")


def rule(code: str) -> Rule:
    """The rule for `code`; a KeyError here is a bug in the validator, not in the data."""
    return RULES[code]


def severity(code: str) -> Severity:
    return RULES[code].severity
