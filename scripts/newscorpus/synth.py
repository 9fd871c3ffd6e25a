"""Synthetic corpora for benchmarks and tests: realistic, valid by the guidelines, deterministic.

    from newscorpus.synth import generate_corpus
    stats = generate_corpus(Path("/tmp/c"), n_docs=1000, seed=7)

writes a complete corpus root: schema/ (copied from this repository), raw/<doc_id>.txt and
raw/<doc_id>.meta.json, annotated/<doc_id>.json, annotated/entity_registry.json and
annotated/splits.json. The articles read like wire copy about Turkish-Russian-US defence
politics: curly quotes and apostrophes, accented names (Çavuşoğlu, Erdoğan, İsmail, Ødegaard),
site furniture ("3 MIN READ", "READ MORE: ...") in boilerplate zones, numbers in words and digits,
absolute and relative dates. Each annotation has about `spans_per_doc` spans across the four
layers (entities, quotes, dates, numeric claims), plus zones, and follows annotated/GUIDELINES.md:
offsets are code points and every span's text equals the raw slice; no two spans of a layer
cross or nest; nothing is annotated in boilerplate; zones cover every non-blank character; ids
are numbered in text order; every entity id is in the registry with the same label; numeric
values are what the text says; dates have valid TIMEX3 values resolved against the publication
date. Files are written in canonical layout (`jsonio.canonical_dumps` with the schemas).

Determinism: document i depends only on (seed, i), so the tree is byte-identical for a seed
whatever `jobs` is. Generation streams: a worker builds one document, writes its three files and
keeps only counters and the set of entity ids it used (the registry lists exactly those).

`invalid_fraction` > 0 corrupts round(n_docs * invalid_fraction) annotation files (at least one)
with the mistakes annotators make: an off-by-one span, a span whose text was edited, an
impossible date value (2020-02-30), an entity id missing from the registry, a truncated file.
`SynthStats.corrupted` maps each corrupted file (relative path) to what was done to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from newscorpus.corpus import copy_published_prose
from newscorpus.jsonio import canonical_dumps

LAYERS = ("entities", "quotes", "dates", "numeric_claims")
CORRUPTIONS = ("off_by_one", "wrong_text", "bad_date", "unknown_entity", "truncated_json")
DOCS_PER_STORY = 3
_REPO_ROOT = Path(__file__).resolve().parents[2]
_REPO_SCHEMA_DIR = _REPO_ROOT / "schema"


def _guidelines_version() -> str:
    """The version in the repository's annotated/GUIDELINES.md (what an annotator would record)."""
    try:
        head = (_REPO_ROOT / "annotated" / "GUIDELINES.md").read_text("utf-8")[:2000]
    except OSError:
        return "1.1.0"
    import re

    match = re.search(r"Guidelines version \*\*([0-9]+\.[0-9]+\.[0-9]+)\*\*", head)
    return match.group(1) if match else "1.1.0"


GUIDELINES_VERSION = _guidelines_version()


@dataclass
class SynthStats:
    """What was generated: counts for throughput figures, and the files that were corrupted."""

    n_docs: int = 0
    n_spans: int = 0  # spans in the four layers (entities, quotes, dates, numeric_claims)
    n_zones: int = 0
    n_stories: int = 0
    raw_bytes: int = 0
    annotation_bytes: int = 0
    metadata_bytes: int = 0
    registry_entities: int = 0
    corrupted: dict[str, str] = field(default_factory=dict)  # relative path -> corruption kind
    first_doc_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


# --------------------------------------------------------------------------------------------
# The world the articles talk about: a fixed cast, from which the registry is written.
# --------------------------------------------------------------------------------------------

_FOLD = str.maketrans({"ı": "i", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "Æ": "AE"})


def ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _slug(text: str) -> str:
    out, dash = [], False
    for c in ascii_fold(text).lower():
        if c.isascii() and c.isalnum():
            out.append(c)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


@dataclass(frozen=True)
class Entity:
    id: str
    label: str
    name: str  # canonical name, own spelling
    description: str
    surfaces: tuple[str, ...]  # spellings the articles use (all listed as aliases)
    gender: str | None = None  # persons: for "he"/"she" speakers


# (first name, surname, gender, role description)
_PEOPLE = [
    ("Mevlüt", "Çavuşoğlu", "m", "Turkish foreign minister"),
    ("Recep Tayyip", "Erdoğan", "m", "President of Turkey"),
    ("Hulusi", "Akar", "m", "Turkish defence minister"),
    ("İsmail", "Demir", "m", "head of Turkey’s Presidency of Defense Industries"),
    ("İbrahim", "Kalın", "m", "Turkish presidential spokesperson"),
    ("Şule", "Yılmaz", "f", "Turkish trade official"),
    ("Gülşen", "Öztürk", "f", "Turkish member of parliament"),
    ("Çağlar", "Şahin", "m", "Turkish diplomat"),
    ("Ayşe", "Aydın", "f", "Turkish economist"),
    ("Ömer", "Karataş", "m", "Turkish defence analyst"),
    ("Emine", "Güler", "f", "Turkish ambassador"),
    ("Fatma", "Koç", "f", "Turkish energy official"),
    ("Sergei", "Lavrov", "m", "Russian foreign minister"),
    ("Dmitry", "Peskov", "m", "Kremlin spokesperson"),
    ("Sergei", "Shoigu", "m", "Russian defence minister"),
    ("Maria", "Zakharova", "f", "Russian foreign ministry spokesperson"),
    ("Anna", "Ivanova", "f", "Russian trade official"),
    ("Jürgen", "Müller", "m", "German member of the Bundestag"),
    ("Hélène", "Lefèvre", "f", "French defence analyst"),
    ("Søren", "Ødegaard", "m", "Danish NATO official"),
    ("Łukasz", "Wróbel", "m", "Polish deputy defence minister"),
    ("José", "Martínez", "m", "Spanish diplomat"),
    ("Beatriz", "Núñez", "f", "EU trade commissioner’s spokesperson"),
    ("Nikos", "Dendias", "m", "Greek foreign minister"),
    ("Eleni", "Papadopoulou", "f", "Greek defence analyst"),
    ("Zoë", "Schäfer", "f", "German political scientist"),
    ("François", "Dupré", "m", "French ambassador to NATO"),
    ("Małgorzata", "Kowalska", "f", "Polish foreign ministry official"),
    ("Björn", "Lindqvist", "m", "Swedish arms-control expert"),
    ("Antony", "Blinken", "m", "US secretary of state"),
    ("Ned", "Price", "m", "US State Department spokesperson"),
    ("Lloyd", "Austin", "m", "US defense secretary"),
]

_PLACES = [  # (id, label, name, description, surfaces)
    ("turkey", "GPE", "Türkiye", "Republic of Turkey", ("Turkey", "Türkiye")),
    ("united-states", "GPE", "United States", "United States of America", ("US", "U.S.", "United States")),
    ("russia", "GPE", "Russia", "Russian Federation", ("Russia",)),
    ("greece", "GPE", "Greece", "Hellenic Republic", ("Greece",)),
    ("germany", "GPE", "Germany", "Federal Republic of Germany", ("Germany",)),
    ("france", "GPE", "France", "French Republic", ("France",)),
    ("poland", "GPE", "Poland", "Republic of Poland", ("Poland",)),
    ("ankara", "GPE", "Ankara", "Capital of Turkey; also used for the Turkish government", ("Ankara",)),
    ("moscow", "GPE", "Moscow", "Capital of Russia", ("Moscow",)),
    ("washington-dc", "GPE", "Washington, D.C.", "Capital of the United States", ("Washington",)),
    ("istanbul", "GPE", "İstanbul", "Largest city of Turkey", ("Istanbul", "İstanbul")),
    ("sochi", "GPE", "Sochi", "Russian resort city on the Black Sea", ("Sochi",)),
    ("brussels", "GPE", "Brussels", "Capital of Belgium, seat of NATO", ("Brussels",)),
    ("athens", "GPE", "Athens", "Capital of Greece", ("Athens",)),
    ("krakow", "GPE", "Kraków", "City in southern Poland", ("Kraków",)),
    ("zurich", "GPE", "Zürich", "Largest city of Switzerland", ("Zürich",)),
    ("sao-paulo", "GPE", "São Paulo", "Largest city of Brazil", ("São Paulo",)),
    ("doha", "GPE", "Doha", "Capital of Qatar", ("Doha",)),
    ("baku", "GPE", "Baku", "Capital of Azerbaijan", ("Baku",)),
]
_REGIONS = [
    ("black-sea", "LOC", "Black Sea", "Inland sea between Europe and Asia", ("Black Sea",)),
    ("eastern-mediterranean", "LOC", "Eastern Mediterranean", "Eastern part of the Mediterranean Sea", ("Eastern Mediterranean",)),
    ("aegean-sea", "LOC", "Aegean Sea", "Sea between Greece and Turkey", ("Aegean",)),
]
_NORPS = [
    ("turkish", "NORP", "Turkish", "Nationality adjective for Turkey", ("Turkish",)),
    ("russian", "NORP", "Russian", "Nationality adjective for Russia", ("Russian",)),
    ("american", "NORP", "American", "Nationality adjective for the United States", ("American",)),
    ("greek", "NORP", "Greek", "Nationality adjective for Greece", ("Greek",)),
    ("german", "NORP", "German", "Nationality adjective for Germany", ("German",)),
    ("french", "NORP", "French", "Nationality adjective for France", ("French",)),
    ("polish", "NORP", "Polish", "Nationality adjective for Poland", ("Polish",)),
]
_ORGS = [
    ("nato", "ORG", "North Atlantic Treaty Organization", "Military alliance of which Turkey and the United States are members", ("NATO",)),
    ("european-union", "ORG", "European Union", "Political and economic union of European states", ("European Union", "EU")),
    ("presidency-of-defense-industries", "ORG", "Presidency of Defense Industries", "Turkish agency for defence procurement (SSB)", ("Defense Industries Presidency", "SSB")),
    ("us-state-department", "ORG", "United States Department of State", "US foreign ministry", ("State Department",)),
    ("rosoboronexport", "ORG", "Rosoboronexport", "Russian state arms exporter", ("Rosoboronexport",)),
    ("aselsan", "ORG", "Aselsan", "Turkish defence electronics company", ("Aselsan",)),
]
_MEDIA = [
    ("reuters", "ORG", "Reuters", "International news agency", ("Reuters",)),
    ("ntv", "ORG", "NTV", "Turkish television broadcaster", ("NTV",)),
    ("kanal-24", "ORG", "Kanal 24", "Turkish television broadcaster", ("Kanal 24",)),
    ("anadolu-agency", "ORG", "Anadolu Agency", "Turkish state news agency", ("Anadolu Agency",)),
    ("tass", "ORG", "TASS", "Russian state news agency", ("TASS",)),
    ("haberturk", "ORG", "Habertürk", "Turkish news channel", ("Habertürk",)),
]
_PRODUCTS = [
    ("s-400", "PRODUCT", "S-400", "Russian long-range surface-to-air missile system", ("S-400", "S-400s")),
    ("f-35", "PRODUCT", "F-35", "US-led fighter aircraft programme and its aircraft", ("F-35",)),
    ("f-16", "PRODUCT", "F-16", "US fighter aircraft", ("F-16", "F-16s")),
    ("su-57", "PRODUCT", "Su-57", "Russian fighter aircraft", ("Su-57",)),
    ("patriot", "PRODUCT", "MIM-104 Patriot", "US surface-to-air missile system", ("Patriot",)),
]
_LAWS = [
    ("caatsa", "LAW", "Countering America's Adversaries Through Sanctions Act", "United States sanctions law", ("CAATSA",)),
    ("montreux-convention", "LAW", "Montreux Convention", "1936 treaty on the Turkish Straits", ("Montreux Convention",)),
]
_FACS = [
    ("incirlik-air-base", "FAC", "Incirlik Air Base", "Air base in southern Turkey used by NATO", ("Incirlik Air Base",)),
    ("murted-air-base", "FAC", "Mürted Air Base", "Air base near Ankara", ("Mürted Air Base",)),
]
# Publishers: (doc id prefix, registry entry, byline surface)
_PUBLISHERS = [
    ("trtworld", ("trt-world", "ORG", "TRT World", "Turkish public international broadcaster", ("TRT World",))),
    ("southfront", ("southfront", "ORG", "SouthFront", "Russia-based military news website", ("SouthFront",))),
    ("aa", ("anadolu-agency", "ORG", "Anadolu Agency", "Turkish state news agency", ("Anadolu Agency",))),
    ("hurriyetdailynews", ("hurriyet-daily-news", "ORG", "Hürriyet Daily News", "Turkish English-language daily", ("Hürriyet Daily News",))),
    ("dailysabah", ("daily-sabah", "ORG", "Daily Sabah", "Turkish English-language daily", ("Daily Sabah",))),
]

_TITLES = {"m": ("Foreign Minister", "Defence Minister", "spokesman", "President", "official"),
           "f": ("Foreign Minister", "Defence Minister", "spokeswoman", "official", "Ambassador")}


def _entity(row: tuple) -> Entity:
    return Entity(id=row[0], label=row[1], name=row[2], description=row[3], surfaces=tuple(row[4]))


def _people() -> list[Entity]:
    out = []
    for first, last, gender, role in _PEOPLE:
        full = f"{first} {last}"
        surfaces = [full, last]
        folded = ascii_fold(full)
        if folded != full:
            surfaces.append(folded)  # one referent, several spellings (Cavusoglu / Çavuşoğlu)
        out.append(Entity(_slug(full), "PERSON", full, role, tuple(surfaces), gender))
    return out


PEOPLE = _people()
PLACES = [_entity(r) for r in _PLACES]
COUNTRIES = [e for e in PLACES if e.id in {"turkey", "united-states", "russia", "greece", "germany", "france", "poland"}]
CITIES = [e for e in PLACES if e not in COUNTRIES]
REGIONS = [_entity(r) for r in _REGIONS]
NORPS = [_entity(r) for r in _NORPS]
ORGS = [_entity(r) for r in _ORGS]
MEDIA = [_entity(r) for r in _MEDIA]
PRODUCTS = [_entity(r) for r in _PRODUCTS]
LAWS = [_entity(r) for r in _LAWS]
FACS = [_entity(r) for r in _FACS]
PUBLISHERS = [(prefix, _entity(row)) for prefix, row in _PUBLISHERS]
ALL_ENTITIES: dict[str, Entity] = {}
for _e in [*PEOPLE, *PLACES, *REGIONS, *NORPS, *ORGS, *MEDIA, *PRODUCTS, *LAWS, *FACS, *(e for _, e in PUBLISHERS)]:
    assert ALL_ENTITIES.get(_e.id, _e) == _e, _e.id
    ALL_ENTITIES[_e.id] = _e

_TOPICS = [
    "turkey-us-s400-talks", "s400-sanctions", "black-sea-security", "turkey-russia-trade",
    "f35-programme", "nato-summit", "aegean-dispute", "defence-industry", "energy-deals", "grain-corridor",
]
_NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
                 10: "ten", 11: "eleven", 12: "twelve"}
_ORDINALS = {2: "second", 3: "third", 4: "fourth", 5: "fifth"}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


# --------------------------------------------------------------------------------------------
# One document: a builder that appends text and records spans at exact code-point offsets.
# --------------------------------------------------------------------------------------------


class _Doc:
    def __init__(self, rng: random.Random, pub: dt.date):
        self.rng = rng
        self.pub = pub
        self.parts: list[str] = []
        self.pos = 0
        self.zones: list[dict] = []
        self.entities: list[dict] = []
        self.quotes: list[dict] = []
        self.dates: list[dict] = []
        self.numbers: list[dict] = []
        self.used: dict[str, set[str]] = {}
        self.cast = rng.sample(PEOPLE, 4)
        self.last_person: Entity | None = None

    # -- primitives -----------------------------------------------------------------------
    def t(self, s: str) -> None:
        self.parts.append(s)
        self.pos += len(s)

    def mark(self, s: str) -> tuple[int, int, str]:
        start = self.pos
        self.t(s)
        return start, self.pos, s

    def n_spans(self) -> int:
        return len(self.entities) + len(self.quotes) + len(self.dates) + len(self.numbers)

    # -- entities -------------------------------------------------------------------------
    def ent(self, e: Entity, surface: str | None = None) -> dict:
        surface = surface or self.rng.choice(e.surfaces)
        start, end, text = self.mark(surface)
        span = {"start": start, "end": end, "text": text, "label": e.label, "entity_id": e.id}
        self.entities.append(span)
        self.used.setdefault(e.id, set()).add(surface)
        if e.label == "PERSON":
            self.last_person = e
        return span

    def person(self, full: bool = False) -> tuple[Entity, dict]:
        e = self.rng.choice(self.cast)
        return e, self.ent(e, e.surfaces[0] if full else self.rng.choice(e.surfaces))

    def pick(self, pool: list[Entity]) -> Entity:
        return self.rng.choice(pool)

    # -- dates ----------------------------------------------------------------------------
    def date(self, kind: str | None = None) -> dict:
        rng, pub = self.rng, self.pub
        kind = kind or rng.choice(("full", "day", "dayth", "month_year", "year", "this_year", "next_year",
                                   "last_year", "this_month", "mid", "duration", "now", "time"))
        mod = None
        if kind == "full_pub":  # the dateline: "December 30, 2020"
            text, value, type_, anchor = f"{_MONTHS[pub.month - 1]} {pub.day}, {pub.year}", pub.isoformat(), "DATE", "absolute"
        elif kind == "iso_pub":  # the dateline: "date 2020-12-30"
            text, value, type_, anchor = pub.isoformat(), pub.isoformat(), "DATE", "absolute"
        elif kind == "full":
            d = pub - dt.timedelta(days=rng.randrange(0, 40))
            text, value, type_, anchor = f"{_MONTHS[d.month - 1]} {d.day}, {d.year}", d.isoformat(), "DATE", "absolute"
        elif kind in ("day", "dayth"):
            d = pub - dt.timedelta(days=rng.randrange(0, 25))
            if d.year != pub.year:
                d = pub
            suffix = "th" if kind == "dayth" and d.day not in (1, 2, 3, 21, 22, 23, 31) else ""
            text, value, type_, anchor = f"{_MONTHS[d.month - 1]} {d.day}{suffix}", d.isoformat(), "DATE", "publication_date"
        elif kind == "month_year":
            y, m = pub.year - rng.randrange(1, 5), rng.randrange(1, 13)
            text, value, type_, anchor = f"{_MONTHS[m - 1]} {y}", f"{y:04d}-{m:02d}", "DATE", "absolute"
        elif kind == "year":
            y = pub.year - rng.randrange(0, 6)
            text, value, type_, anchor = str(y), str(y), "DATE", "absolute"
        elif kind == "this_year":
            text, value, type_, anchor = "this year", str(pub.year), "DATE", "publication_date"
        elif kind == "next_year":
            text, value, type_, anchor = "next year", str(pub.year + 1), "DATE", "publication_date"
        elif kind == "last_year":
            text, value, type_, anchor = "last year", str(pub.year - 1), "DATE", "publication_date"
        elif kind == "this_month":
            text, value, type_, anchor = "earlier this month", f"{pub.year:04d}-{pub.month:02d}", "DATE", "publication_date"
        elif kind == "mid":
            y = pub.year - rng.randrange(1, 4)
            text, value, type_, anchor, mod = f"mid-{y}", str(y), "DATE", "absolute", "MID"
        elif kind == "duration":
            n = rng.randrange(2, 10)
            unit, code = rng.choice((("years", "Y"), ("months", "M"), ("weeks", "W"), ("days", "D")))
            text, value, type_, anchor = f"{_NUMBER_WORDS[n]} {unit}", f"P{n}{code}", "DURATION", "none"
        elif kind == "now":
            text, value, type_, anchor = "now", "PRESENT_REF", "DATE", "publication_date"
        elif kind == "time":
            d = pub - dt.timedelta(days=rng.randrange(0, 5))
            h = rng.randrange(9, 19)
            clock = f"{h - 12 if h > 12 else h} {'p.m.' if h >= 12 else 'a.m.'}"
            text = f"{clock} on {_MONTHS[d.month - 1]} {d.day}, {d.year}"
            value, type_, anchor = f"{d.isoformat()}T{h:02d}:00", "TIME", "absolute"
        else:  # pragma: no cover
            raise ValueError(kind)
        start, end, text = self.mark(text)
        span = {"start": start, "end": end, "text": text, "type": type_, "value": value, "anchor": anchor}
        if mod:
            span["mod"] = mod
        self.dates.append(span)
        return span

    # -- numbers --------------------------------------------------------------------------
    def number(self, kind: str, measured: str, date: dict | None = None, figurative: bool = False) -> dict:
        rng = self.rng
        approximate, bound = False, "equal"
        if kind == "count_word":
            v = rng.randrange(2, 13)
            text, value, unit, k = _NUMBER_WORDS[v], v, "count", "count"
        elif kind == "count_digits":
            v = rng.choice((14, 36, 120, 250, 1250, 4800))
            text, value, unit, k = f"{v:,}", v, "count", "count"
        elif kind == "millions":
            v = rng.randrange(2, 9)
            lead = rng.choice(("", "more than ", "nearly ", "up to "))
            text, value, unit, k = f"{lead}{v} million", v * 1_000_000, "count", "count"
            bound = {"more than ": "more_than", "up to ": "at_most"}.get(lead, "equal")
            approximate = lead == "nearly "
        elif kind == "money":
            whole = rng.choice((2, 5, 20, 100, 300))
            frac = rng.choice(("", ".5"))
            scale, mult = rng.choice((("billion", 1_000_000_000), ("million", 1_000_000)))
            sign, cur = rng.choice((("$", "USD"), ("€", "EUR")))
            lead = rng.choice(("", "around ", "about "))
            amount = whole + (0.5 if frac else 0)
            text = f"{lead}{sign}{whole}{frac} {scale}"
            value, unit, k, approximate = int(amount * mult), cur, "money", bool(lead)
        elif kind == "percent":
            v = rng.choice((3, 7.5, 12, 15, 40))
            text = f"{v} percent"  # not "12%": a trailing "%" is punctuation at a span edge (L3-span-punctuation)
            value, unit, k = v, "percent", "percent"
        elif kind == "ordinal":
            v = rng.randrange(2, 6)
            text, value, unit, k = _ORDINALS[v], v, "ordinal", "ordinal"
        elif kind == "times":
            v = rng.choice((3, 12, 20))
            text, value, unit, k = f"{v} times", v, "times", "count"
        elif kind == "km":
            v = rng.choice((40, 250, 400))
            text, value, unit, k, approximate = f"about {v} km", v, "km", "quantity", True
        elif kind == "degree":
            text, value, unit, k = "180-degree", 180, "degree", "quantity"
        elif kind == "at_least":
            v = rng.randrange(3, 13)
            text, value, unit, k, bound = f"at least {_NUMBER_WORDS[v]}", v, "count", "count", "at_least"
        else:  # pragma: no cover
            raise ValueError(kind)
        start, end, text = self.mark(text)
        span = {"start": start, "end": end, "text": text, "value": value, "unit": unit, "kind": k,
                "approximate": approximate, "bound": bound, "measured": measured, "_date": date}
        if figurative:
            span["figurative"] = True
        self.numbers.append(span)
        return span

    # -- quotes ---------------------------------------------------------------------------
    def quote(self, start: int, end: int, kind: str, speaker: dict | None, speaker_id: str | None,
              cue: tuple[int, int, str], intermediary: dict | None = None) -> dict:
        text = self._text_so_far()[start:end]
        span = {
            "start": start, "end": end, "text": text, "kind": kind,
            "speaker": None if speaker is None else {"start": speaker["start"], "end": speaker["end"], "text": speaker["text"]},
            "speaker_entity_id": speaker_id,
            "cue": {"start": cue[0], "end": cue[1], "text": cue[2]},
            "intermediary": intermediary,
        }
        self.quotes.append(span)
        return span

    def _text_so_far(self) -> str:
        if len(self.parts) > 1:
            self.parts[:] = ["".join(self.parts)]
        return self.parts[0] if self.parts else ""

    def text(self) -> str:
        return self._text_so_far()


# Clauses (quote content or plain facts). Each writes text through the builder, no final period.

def _clause(d: _Doc) -> None:
    r = d.rng.randrange(9)
    if r == 0:
        d.ent(d.pick(COUNTRIES)); d.t(" would not accept any conditions on its purchase of the "); d.ent(d.pick(PRODUCTS))
    elif r == 1:
        d.t("the "); d.ent(d.pick(PRODUCTS)); d.t(" would not be integrated into "); d.ent(ALL_ENTITIES["nato"]); d.t(" systems")
    elif r == 2:
        d.t("negotiations with "); d.ent(d.pick(COUNTRIES)); d.t(" had begun at the level of experts in "); d.ent(d.pick(CITIES))
    elif r == 3:
        n = d.number("count_word", "technical working groups set up by the two governments")
        d.t(" working groups would meet in "); d.ent(d.pick(CITIES)); d.t(" "); d.date("next_year")
        n["_date"] = d.dates[-1]
    elif r == 4:
        d.t("trade between "); d.ent(d.pick(COUNTRIES)); d.t(" and "); d.ent(d.pick(COUNTRIES)); d.t(" could reach ")
        d.number("money", "bilateral trade volume the two governments aim for")
    elif r == 5:
        d.t("the sanctions imposed under "); d.ent(ALL_ENTITIES["caatsa"]); d.t(" were an attack on "); d.ent(d.pick(COUNTRIES)); d.t("’s sovereign rights")
    elif r == 6:
        d.ent(d.pick(NORPS)); d.t(" and "); d.ent(d.pick(NORPS)); d.t(" officials had held "); d.number("count_word", "rounds of talks between the officials"); d.t(" rounds of talks since "); d.date("mid")
    elif r == 7:
        d.t("the delivery of the "); d.number("ordinal", "batch of air defence systems under the contract"); d.t(" batch was planned for "); d.date("next_year")
    else:
        d.ent(d.pick(ORGS)); d.t(" had not been consulted about the deployment near the "); d.ent(d.pick(REGIONS))


def _direct_content(d: _Doc) -> None:
    """Inside the quotation marks: first-person speech."""
    r = d.rng.randrange(6)
    if r == 0:
        d.t("We will surely take our steps in line with our national interests")
    elif r == 1:
        d.t("The sanctions on "); d.ent(d.pick(COUNTRIES)); d.t(" are an attack on our sovereign rights")
    elif r == 2:
        d.t("The proposal came from "); d.ent(d.pick(COUNTRIES)); d.t(", and "); d.date("now"); d.t(" we have said yes")
    elif r == 3:
        d.t("We don’t accept the language of threats from "); d.ent(d.pick(CITIES))
    elif r == 4:
        d.t("We have met "); d.number("times", "meetings between the two ministers"); d.t(" since "); d.date("month_year"); d.t(" and we will meet again")
    else:
        d.t("The "); d.ent(d.pick(PRODUCTS)); d.t(" deal is done; nobody can reverse it")


def _pronoun(e: Entity, capital: bool = False) -> str:
    p = "he" if e.gender == "m" else "she"
    return p.capitalize() if capital else p


def _sentence(d: _Doc) -> None:
    """One body sentence with its final punctuation (no trailing space)."""
    rng = d.rng
    r = rng.randrange(13)
    if r == 0:  # direct quote, named speaker after it, sometimes continued by a second one
        q0 = d.pos; d.t("“"); _direct_content(d); d.t(",”"); q1 = d.pos
        d.t(" "); e, sp = d.person(); d.t(" "); cue = d.mark(rng.choice(("said", "stressed", "added")))
        d.t(" during a meeting in "); d.ent(d.pick(CITIES)); d.t(".")
        first = d.quote(q0, q1, "direct", sp, e.id, cue)
        if rng.random() < 0.4:
            d.t(" "); q2 = d.pos; d.t("“"); _direct_content(d); d.t(".”"); q3 = d.pos
            d.quote(q2, q3, "direct", sp, e.id, cue)["_continues"] = first
    elif r == 7:  # mixed: a paraphrase ending in a quoted fragment
        e, sp = d.person(); d.t(" "); cue = d.mark("said"); d.t(" that ")
        q0 = d.pos; d.t("the sanctions against "); d.ent(d.pick(COUNTRIES)); d.t(" were “an act of aggression against our sovereign rights”"); q1 = d.pos
        d.t(".")
        d.quote(q0, q1, "mixed", sp, e.id, cue)
    elif r == 1:  # direct quote, pronoun speaker (the last person named)
        if d.last_person is None:
            return _sentence_fact(d)
        e = d.last_person
        q0 = d.pos; d.t("“"); _direct_content(d); d.t(",”"); q1 = d.pos
        d.t(" "); sp0 = d.mark(_pronoun(e)); d.t(" "); cue = d.mark("told"); d.t(" reporters.")
        d.quote(q0, q1, "direct", {"start": sp0[0], "end": sp0[1], "text": sp0[2]}, e.id, cue)
    elif r == 2:  # indirect with title and nationality
        d.ent(d.pick(NORPS)); d.t(f" {rng.choice(_TITLES['m'][:2])} "); e, sp = d.person(full=True); d.t(" ")
        cue = d.mark(rng.choice(("said", "stressed"))); d.t(" that "); q0 = d.pos; _clause(d); q1 = d.pos; d.t(".")
        d.quote(q0, q1, "indirect", sp, e.id, cue)
    elif r == 3:  # told a named broadcaster: intermediary
        e, sp = d.person(); d.t(" "); cue = d.mark("told"); d.t(" the broadcaster "); m = d.ent(d.pick(MEDIA))
        d.t(" that "); q0 = d.pos; _clause(d); q1 = d.pos; d.t(".")
        d.quote(q0, q1, "indirect", sp, e.id, cue, {"start": m["start"], "end": m["end"], "text": m["text"], "entity_id": m["entity_id"]})
    elif r == 4:  # two quotes split by cue: "X said A, adding that B"
        e, sp = d.person(); d.t(" "); cue1 = d.mark("said"); d.t(" ")
        q0 = d.pos; _clause(d); q1 = d.pos; d.t(", "); cue2 = d.mark("adding"); d.t(" that ")
        q2 = d.pos; _clause(d); q3 = d.pos; d.t(".")
        d.quote(q0, q1, "indirect", sp, e.id, cue1)
        d.quote(q2, q3, "indirect", sp, e.id, cue2)
    elif r == 5:  # according to a named outlet: no speaker, outlet is the intermediary
        cue = d.mark("According to"); d.t(" "); m = d.ent(d.pick(MEDIA)); d.t(", ")
        q0 = d.pos; _clause(d); q1 = d.pos; d.t(".")
        d.quote(q0, q1, "indirect", None, None, cue, {"start": m["start"], "end": m["end"], "text": m["text"], "entity_id": m["entity_id"]})
    elif r == 6:  # group speaker: no single registry referent
        sp0 = d.pos; d.ent(ALL_ENTITIES["united-states"], "US"); d.t(" officials"); sp1 = d.pos
        d.t(" have "); d.t("repeatedly "); cue = d.mark("claimed"); d.t(" that "); q0 = d.pos; _clause(d); q1 = d.pos; d.t(".")
        d.quote(q0, q1, "indirect", {"start": sp0, "end": sp1, "text": d.text()[sp0:sp1]}, None, cue)
    else:
        _sentence_fact(d)


def _sentence_fact(d: _Doc) -> None:
    rng = d.rng
    r = rng.randrange(8)
    if r == 0:
        a = d.pick(COUNTRIES); d.ent(a); d.t(" signed a contract with "); d.ent(d.pick(COUNTRIES)); d.t(" in ")
        t = d.date("month_year"); d.t(" to acquire "); d.number("count_word", "air defence batteries in the contract", t)
        d.t(" "); d.ent(d.pick(PRODUCTS)); d.t(" batteries worth "); d.number("money", "value of the air defence contract", t); d.t(".")
    elif r == 1:
        d.t("On "); d.date(rng.choice(("day", "dayth", "full"))); d.t(", the "); d.ent(d.pick(ORGS))
        d.t(" imposed sanctions on "); d.ent(d.pick(COUNTRIES)); d.t("’s defence industry under "); d.ent(ALL_ENTITIES["caatsa"]); d.t(".")
    elif r == 2:
        d.t("Trade between "); d.ent(d.pick(COUNTRIES)); d.t(" and "); d.ent(d.pick(COUNTRIES)); d.t(" reached ")
        t = None
        n = d.number("money", "bilateral trade volume"); d.t(" in "); t = d.date("year"); n["_date"] = t
        d.t(", up "); d.number("percent", "growth of bilateral trade on the year before", t); d.t(" on the year before.")
    elif r == 3:
        d.ent(d.pick(COUNTRIES)); d.t(" welcomed "); n = d.number("millions", "foreign tourists in the year"); d.t(" ")
        d.ent(d.pick(NORPS)); d.t(" tourists "); t = d.date(rng.choice(("this_year", "last_year"))); n["_date"] = t; d.t(".")
    elif r == 4:
        d.t("The talks in "); d.ent(d.pick(CITIES)); d.t(" lasted "); d.date("duration"); d.t(" and were the ")
        d.number("ordinal", "round of technical talks"); d.t(" round since "); d.date("mid"); d.t(".")
    elif r == 5:
        d.t("The "); d.ent(d.pick(PRODUCTS)); d.t(" can strike targets "); d.number("km", "range of the system"); d.t(" away over the "); d.ent(d.pick(REGIONS)); d.t(".")
    elif r == 6:
        d.t("The decision marked a "); d.number("degree", "change in the government’s position", figurative=True)
        d.t(" turn for "); d.ent(d.pick(CITIES)); d.t(", "); d.ent(d.pick(MEDIA)); d.t(" noted.")
    else:
        d.t("Earlier, "); d.ent(d.pick(NORPS)); d.t(" jets had flown "); d.number("at_least", "sorties over the area")
        d.t(" sorties from "); d.ent(d.pick(FACS)); d.t(" "); d.date("this_month"); d.t(".")


def _line(d: _Doc, zone_type: str, body: Callable[[], None], annotate: bool = True) -> None:
    start = d.pos
    if annotate:
        body()
    else:
        saved = (d.entities, d.quotes, d.dates, d.numbers, d.used)
        d.entities, d.quotes, d.dates, d.numbers, d.used = [], [], [], [], {}
        body()
        d.entities, d.quotes, d.dates, d.numbers, d.used = saved
    d.zones.append({"start": start, "end": d.pos, "text": None, "type": zone_type})


def _headline(d: _Doc, a: Entity, b: Entity, p: Entity) -> Callable[[], None]:
    def write() -> None:
        d.ent(a, a.surfaces[0]); d.t(" and "); d.ent(b, b.surfaces[0]); d.t(" in talks over joint working group on "); d.ent(p, p.surfaces[0]); d.t(", sanctions")
    return write


def _quote_out(q: dict) -> dict:
    out = {"id": q["id"], **{k: v for k, v in q.items() if k not in ("id", "_continues")}}
    if "_continues" in q:
        out["continues"] = q["_continues"]["id"]
    return out


_EXPLORE = [
    "Türkiye's representative to UN calls for effective Security Council reforms",
    "Erdoğan: the region has had enough of blood, tears and destruction",
    "How the UK–Türkiye defence partnership is reshaping European security",
    "Foreign Minister travels to Doha with ceasefire on the agenda",
    "Minority council protests Greece’s school entry bar in Western Thrace",
    "Top security body vows to fight terror, calls for global action",
    "Ready to support humanitarian aid in Eastern Mediterranean: defence ministry",
    "Intelligence chief in Qatar for talks",
    "India, Greece are closing ranks. What their growing military ties mean for the region",
    "High school students make history at CERN with award-winning physics project",
    "Global forensic experts convene in İstanbul, spotlight human rights, innovation",
    "Air force joins NATO Tiger Meet with F-16s and personnel",
    "Président Macron’s visit to Ankara postponed, Élysée says",
    "Zürich court rules on São Paulo arbitration case",
]


def build_document(seed: int, index: int, spans_per_doc: int = 50) -> dict[str, Any]:
    """Document `index` of the corpus for `seed`: a pure function of its arguments.

    Returns {"doc_id", "text", "metadata", "annotation", "used"} (used: entity id -> surfaces).
    """
    rng = random.Random(f"newscorpus-synth:{seed}:{index}")
    story = index // DOCS_PER_STORY
    story_rng = random.Random(f"newscorpus-synth-story:{seed}:{story}")
    story_date = dt.date(2019, 1, 1) + dt.timedelta(days=story_rng.randrange(0, 5 * 365))
    topic = story_rng.choice(_TOPICS)
    pub = story_date + dt.timedelta(days=rng.randrange(0, 2))
    prefix, publisher = PUBLISHERS[rng.randrange(len(PUBLISHERS))]
    doc_id = f"{prefix}_{pub.isoformat()}_{topic}-{index:07d}"
    story_id = f"{story_date.isoformat()}_{topic}-{story:07d}"

    d = _Doc(rng, pub)
    a, b = rng.sample(COUNTRIES, 2)
    product = rng.choice(PRODUCTS)
    headline = _headline(d, a, b, product)

    # dateline, furniture, headline, caption, body, READ MORE, body, byline
    if rng.random() < 0.5:
        dateline_kind = "iso"
        _line(d, "dateline", lambda: (d.t("date "), d.date("iso_pub"), d.t(" "), d.ent(ALL_ENTITIES["turkey"], "TÜRKİYE")))
    else:
        dateline_kind = "long"
        _line(d, "dateline", lambda: d.date("full_pub"))
    d.t("\n")
    _line(d, "boilerplate", lambda: d.t(f"{rng.randrange(2, 9)} MIN READ"), annotate=False)
    d.t("\n")
    title_start = d.pos
    _line(d, "headline", headline)
    title = {"text": d.text()[title_start:d.pos], "start": title_start, "end": d.pos}
    d.t("\n")

    def caption() -> None:
        d.ent(d.pick(NORPS)); d.t(f" {rng.choice(_TITLES['m'][:2])} "); d.person(full=True); d.t(" attends a news conference in ")
        d.ent(d.pick(CITIES)); d.t(", "); d.date("full"); d.t(". / "); d.ent(d.pick(MEDIA))
    _line(d, "caption", caption)
    d.t("\n\n")

    def body(target: int) -> Callable[[], None]:
        def write() -> None:
            first = True
            while d.n_spans() < target or first:
                if not first:
                    d.t("\n\n")
                first = False
                for k in range(rng.randrange(1, 3)):
                    if k:
                        d.t(" ")
                    _sentence(d)
        return write

    header_spans = d.n_spans() + 3  # the byline adds one entity; leave room
    half = header_spans + max(1, (spans_per_doc - header_spans) // 2)
    _line(d, "body", body(half))
    d.t("\n\n")
    other = rng.choice(COUNTRIES)
    _line(d, "boilerplate", lambda: d.t(f"READ MORE: The real reasons behind {other.surfaces[0]}’s opposition to the {product.surfaces[0]} purchase\n\nRecommended"), annotate=False)
    d.t("\n\n")
    _line(d, "body", body(max(spans_per_doc - 1, half + 1)))
    d.t("\n\n")
    _line(d, "byline", lambda: (d.t("SOURCE: "), d.ent(publisher, publisher.surfaces[0]), d.t(" and agencies")))
    d.t("\n")
    explore = rng.sample(_EXPLORE, rng.randrange(5, 11))
    _line(d, "boilerplate", lambda: d.t("Explore\n" + "\n".join(explore)), annotate=False)
    text = d.text()

    # ids in text order; resolve number -> date and number -> quote references
    for layer, prefix_char in (("zones", "z"), ("entities", "e"), ("quotes", "q"), ("dates", "t"), ("numbers", "n")):
        spans = getattr(d, layer)
        spans.sort(key=lambda s: (s["start"], s["end"]))
        for k, s in enumerate(spans, 1):
            s["id"] = f"{prefix_char}{k}"
    for z in d.zones:
        z["text"] = text[z["start"]:z["end"]]
    quotes_by_pos = [(q["start"], q["end"], q["id"]) for q in d.quotes]
    numeric_claims = []
    for n in d.numbers:
        date = n.pop("_date")
        quote_id = next((qid for qs, qe, qid in quotes_by_pos if qs <= n["start"] and n["end"] <= qe), None)
        claim = {"id": n["id"], **{k: v for k, v in n.items() if k != "id"}}
        claim["date_id"] = date["id"] if date is not None else None
        claim["quote_id"] = quote_id
        numeric_claims.append(claim)

    raw = text.encode("utf-8")
    sha = hashlib.sha256(raw).hexdigest()
    evidence = [{"start": z["start"], "end": z["end"], "text": z["text"]} for z in d.zones if z["type"] == "dateline"]
    if dateline_kind == "iso":
        dl = evidence[0]
        evidence = [{"start": dl["start"] + 5, "end": dl["start"] + 15, "text": pub.isoformat()}]
    metadata = {
        "schema_version": "1.0.0",
        "doc_id": doc_id,
        "original_filename": f"{index:07d}_{sha[:16]}.txt",
        "sha256": sha,
        "size_bytes": len(raw),
        "size_codepoints": len(text),
        "encoding": "utf-8",
        "language": "en",
        "publisher": {"name": publisher.name, "entity_id": publisher.id},
        "title": title,
        "url": {"value": f"https://www.example.com/{prefix}/{pub.isoformat()}/{topic}-{index}"},
        "publication_date": {"value": pub.isoformat(), "source": "stated_in_text", "confidence": "high", "evidence": evidence},
        "retrieval_date": {"value": (pub + dt.timedelta(days=rng.randrange(1, 400))).isoformat()},
        "rights": {"licence": "CC-BY-4.0", "holder": "newscorpus synthetic generator",
                   "note": "Synthetic text generated for benchmarks; it reports no real events."},
        "story_id": story_id,
    }
    annotation = {
        "schema_version": "1.0.0",
        "guidelines_version": GUIDELINES_VERSION,
        "doc_id": doc_id,
        "raw_sha256": sha,
        "annotators": [{"id": "synth", "role": "first_pass"}],
        "status": "single_pass",
        "temporal_anchor": {"value": pub.isoformat(), "basis": "Publication date stated in the dateline, recorded in the raw metadata."},
        "zones": [{"id": z["id"], "start": z["start"], "end": z["end"], "text": z["text"], "type": z["type"]} for z in d.zones],
        "entities": [{"id": e["id"], "start": e["start"], "end": e["end"], "text": e["text"], "label": e["label"], "entity_id": e["entity_id"]} for e in d.entities],
        "quotes": [_quote_out(q) for q in d.quotes],
        "dates": [{"id": t["id"], **{k: v for k, v in t.items() if k != "id"}} for t in d.dates],
        "numeric_claims": numeric_claims,
    }
    return {"doc_id": doc_id, "text": text, "metadata": metadata, "annotation": annotation, "used": d.used}




# --------------------------------------------------------------------------------------------
# Corruptions: realistic annotator mistakes, one per corrupted file.
# --------------------------------------------------------------------------------------------


def corrupt_annotation(annotation: dict, kind: str, rng: random.Random) -> dict | None:
    """Apply one mistake to `annotation` in place. Returns None for 'truncated_json' (the
    caller truncates the serialised bytes instead)."""
    if kind == "off_by_one":
        span = rng.choice(annotation["entities"])
        span["start"] += 1
        span["end"] += 1
    elif kind == "wrong_text":
        span = rng.choice(annotation["entities"])
        span["text"] = span["text"] + "s" if not span["text"].endswith("s") else span["text"][:-1]
    elif kind == "bad_date":
        span = rng.choice(annotation["dates"])
        span["value"] = "2020-02-30"
        span["type"] = "DATE"
        span.pop("mod", None)
    elif kind == "unknown_entity":
        span = rng.choice(annotation["entities"])
        span["entity_id"] = "no-such-entity-in-registry"
    elif kind == "truncated_json":
        return None
    else:
        raise ValueError(kind)
    return annotation


def _corrupted_indices(n_docs: int, seed: int, invalid_fraction: float) -> dict[int, str]:
    if invalid_fraction <= 0 or n_docs <= 0:
        return {}
    k = min(n_docs, max(1, round(n_docs * invalid_fraction)))
    chosen = sorted(random.Random(f"newscorpus-synth-corrupt:{seed}").sample(range(n_docs), k))
    return {i: CORRUPTIONS[j % len(CORRUPTIONS)] for j, i in enumerate(chosen)}


# --------------------------------------------------------------------------------------------
# Writing the corpus
# --------------------------------------------------------------------------------------------

_SCHEMAS: dict[str, dict] = {}


def _schemas(schema_dir: Path) -> dict[str, dict]:
    if not _SCHEMAS:
        for name, filename in (("annotation", "annotation.schema.json"), ("metadata", "metadata.schema.json"),
                               ("entity_registry", "entity-registry.schema.json"), ("splits", "splits.schema.json")):
            _SCHEMAS[name] = json.loads((schema_dir / filename).read_text("utf-8"))
    return _SCHEMAS


def _write_chunk(args: tuple) -> dict[str, Any]:
    root, seed, start, stop, spans_per_doc, corrupt, schema_dir = args
    root = Path(root)
    schemas = _schemas(Path(schema_dir))
    raw_dir, ann_dir = root / "raw", root / "annotated"
    out: dict[str, Any] = {"n_docs": 0, "n_spans": 0, "n_zones": 0, "raw_bytes": 0, "annotation_bytes": 0,
                           "metadata_bytes": 0, "used": {}, "corrupted": {}, "first_doc_id": None}
    used: dict[str, set[str]] = out["used"]
    for i in range(start, stop):
        doc = build_document(seed, i, spans_per_doc)
        doc_id = doc["doc_id"]
        if out["first_doc_id"] is None:
            out["first_doc_id"] = doc_id
        raw = doc["text"].encode("utf-8")
        meta = canonical_dumps(doc["metadata"], schemas["metadata"]).encode("utf-8")
        ann_data = doc["annotation"]
        out["n_spans"] += sum(len(ann_data[layer]) for layer in LAYERS)
        out["n_zones"] += len(ann_data["zones"])
        kind = corrupt.get(i)
        if kind is not None:
            crng = random.Random(f"newscorpus-synth-corrupt:{seed}:{i}")
            corrupt_annotation(ann_data, kind, crng)
        ann = canonical_dumps(ann_data, schemas["annotation"]).encode("utf-8")
        if kind == "truncated_json":
            ann = ann[: len(ann) // 2]
        if kind is not None:
            out["corrupted"][f"annotated/{doc_id}.json"] = kind
        (raw_dir / f"{doc_id}.txt").write_bytes(raw)
        (raw_dir / f"{doc_id}.meta.json").write_bytes(meta)
        (ann_dir / f"{doc_id}.json").write_bytes(ann)
        out["n_docs"] += 1
        out["raw_bytes"] += len(raw)
        out["annotation_bytes"] += len(ann)
        out["metadata_bytes"] += len(meta)
        for eid, surfaces in doc["used"].items():
            used.setdefault(eid, set()).update(surfaces)
    return out


def _chunks(n_docs: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, n_docs, size):
        yield start, min(n_docs, start + size)


def generate_corpus(
    root: Path,
    n_docs: int,
    seed: int,
    invalid_fraction: float = 0.0,
    spans_per_doc: int = 50,
    *,
    jobs: int = 1,
    schema_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SynthStats:
    """Write a synthetic corpus of `n_docs` documents under `root` (which must be empty or absent).

    Output is byte-identical for the same (n_docs, seed, invalid_fraction, spans_per_doc),
    whatever `jobs` is. `progress(done, total)` is called after each chunk of documents.
    """
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty")
    schema_dir = Path(schema_dir or _REPO_SCHEMA_DIR)
    shutil.copytree(schema_dir, root / "schema")
    (root / "raw").mkdir(parents=True)
    (root / "annotated").mkdir(parents=True)
    copy_published_prose(_REPO_ROOT, root)  # not synthetic: the guidelines the documents follow, the adjudication record
    corrupt = _corrupted_indices(n_docs, seed, invalid_fraction)
    chunk = 250
    tasks = [(str(root), seed, a, b, spans_per_doc, {i: k for i, k in corrupt.items() if a <= i < b}, str(schema_dir))
             for a, b in _chunks(n_docs, chunk)]
    stats = SynthStats()
    used: dict[str, set[str]] = {}

    def merge(part: dict[str, Any]) -> None:
        for key in ("n_docs", "n_spans", "n_zones", "raw_bytes", "annotation_bytes", "metadata_bytes"):
            setattr(stats, key, getattr(stats, key) + part[key])
        stats.corrupted.update(part["corrupted"])
        for eid, surfaces in part["used"].items():
            used.setdefault(eid, set()).update(surfaces)
        if progress:
            progress(stats.n_docs, n_docs)

    if jobs > 1 and len(tasks) > 1:
        import multiprocessing as mp

        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
        first = None
        with ctx.Pool(jobs) as pool:
            for part in pool.imap(_write_chunk, tasks):  # in order: first_doc_id stays deterministic
                first = first or part["first_doc_id"]
                merge(part)
    else:
        first = None
        for task in tasks:
            part = _write_chunk(task)
            first = first or part["first_doc_id"]
            merge(part)
    stats.first_doc_id = first
    stats.n_stories = (n_docs + DOCS_PER_STORY - 1) // DOCS_PER_STORY
    stats.corrupted = dict(sorted(stats.corrupted.items()))

    schemas = _schemas(schema_dir)
    registry = {
        "schema_version": "1.0.0",
        "entities": [
            {"id": e.id, "label": e.label, "name": e.name, "description": e.description,
             "aliases": sorted(used[e.id])}
            for e in sorted((ALL_ENTITIES[eid] for eid in used), key=lambda e: e.id)
        ],
    }
    stats.registry_entities = len(registry["entities"])
    (root / "annotated" / "entity_registry.json").write_text(canonical_dumps(registry, schemas["entity_registry"]), "utf-8")
    splits = {
        "schema_version": "1.0.0",
        "policy": {"unit": "story", "min_stories_for_story_split": 10,
                   "fractions": {"train": 0.8, "validation": 0.1, "test": 0.1}, "salt": f"synth-{seed}"},
        "assignments": {},
    }
    (root / "annotated" / "splits.json").write_text(canonical_dumps(splits, schemas["splits"]), "utf-8")
    return stats


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m newscorpus.synth", description="write a synthetic corpus")
    parser.add_argument("root", type=Path)
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--invalid-fraction", type=float, default=0.0)
    parser.add_argument("--spans", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    stats = generate_corpus(args.root, args.docs, args.seed, args.invalid_fraction, args.spans, jobs=args.jobs)
    print(json.dumps(stats.as_dict(), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
