"""Render DATASET_CARD.md (the hand-written card template) into dist/README.md.

The template holds the prose and a YAML front matter with the hand-decided Hub fields
(licence, task categories, pretty name, tags). The build adds the fields that follow from the
data (`language`, `multilinguality`, `size_categories`, `configs`, `dataset_info`) and replaces every line
`<!-- generated:NAME -->` with a table computed from this build. Nothing countable is typed by
hand: counts per split, per label and per layer, the split policy's outcome, the field lists
and the agreement table all come from here.

`dataset_info` is produced from the same `datasets.Features` objects whose `arrow_schema`
the Parquet files were written with, so the YAML and the files cannot disagree.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from newscorpus import ner as nerlib
from newscorpus.features import (
    CONFIGS,
    DEFAULT_CONFIG,
    DOCUMENTS,
    NER_LAYERS,
    REGISTRY_SPLIT,
    SPAN_CONFIGS,
    STRING_ENUM_COLUMNS,
    field_description,
    ner_tag_names,
    ner_types,
)
from newscorpus.spec import LABEL_SETS, LAYER_CLASS_FIELD, LAYER_LABEL_FIELDS, LAYER_LABEL_SETS, Vocabulary
from newscorpus.corpus import AGREEMENT_REL, CARD_TEMPLATE, SPLITS_REL
from newscorpus.values import primary_language
from newscorpus.splits import SplitPlan

# Exact-span F1 the two blind passes should reach before adjudication (issue 6; OntoNotes kept
# layers at about 0.90). Declared once here; the card marks each layer against it.
AGREEMENT_TARGETS = {"entities": 0.95, "dates": 0.95, "quotes": 0.90, "numeric_claims": 0.90}
TEMPLATE_NOTE_RE = re.compile(r"<!-- template-note.*?-->\n*", re.S)
MARKER_RE = re.compile(r"^\s*<!--\s*generated:([a-z_]+)\s*-->\s*$")
GENERATED_YAML_KEYS = ("language", "multilinguality", "size_categories", "configs", "dataset_info")
REQUIRED_SECTIONS = ("summary", "configs", "splits", "counts", "label_counts", "ner", "provenance", "agreement", "licences")
LAYER_TITLES = {"zones": "zones", "entities": "entities", "quotes": "quotes", "dates": "dates", "numeric_claims": "numeric claims"}


class CardError(Exception):
    """The card template cannot be rendered; the message names the file and the line."""

    exit_code = 1  # what is in the template is wrong


class CardEnvironmentError(CardError):
    """The template cannot be read at all (missing, a folder, no permission): exit code 2."""

    exit_code = 2


LISTED_DOCUMENTS = 50  # up to this many documents the card lists each; above, a table per publisher


@dataclass
class DocumentTally:
    """What the card says about the documents, folded one document summary at a time
    (`build._doc_summary`), so the build keeps aggregates, not a summary per document.

    What still grows: the distinct story ids per split, which the card counts exactly."""

    count: int = 0
    publishers: set = field(default_factory=set)
    languages: Counter = field(default_factory=Counter)
    licences: Counter = field(default_factory=Counter)  # each document's rights.licence, as stated
    statuses: Counter = field(default_factory=Counter)
    annotators: dict = field(default_factory=dict)  # annotator id -> the roles it had in some document
    guidelines_versions: set = field(default_factory=set)
    per_split_stories: dict = field(default_factory=dict)  # split -> set of story ids
    per_publisher: dict = field(default_factory=dict)  # publisher (as shown) -> Counter of splits
    listed: list = field(default_factory=list)  # the first LISTED_DOCUMENTS + 1 summaries

    def add(self, d: dict) -> None:
        self.count += 1
        split = d["split"]
        if d.get("publisher"):
            self.publishers.add(d["publisher"])
        self.languages[d.get("language")] += 1
        self.licences[d.get("licence")] += 1
        self.statuses[d.get("status")] += 1
        for annotator, role in d.get("annotators") or ():
            if annotator:
                self.annotators.setdefault(annotator, set()).add(role)
        if d.get("guidelines_version"):
            self.guidelines_versions.add(d["guidelines_version"])
        self.per_split_stories.setdefault(split, set()).add(d.get("story_id"))
        self.per_publisher.setdefault(str(d.get("publisher")), Counter())[split] += 1
        if len(self.listed) <= LISTED_DOCUMENTS:
            self.listed.append(d)

    def docs_in(self, split: str) -> int:
        return sum(c[split] for c in self.per_publisher.values())

    def publishers_in(self, split: str) -> list[str]:
        return sorted(p for p, c in self.per_publisher.items() if c[split])

    @property
    def stories(self) -> set:
        """Distinct story ids over all splits (a story may have documents in several)."""
        return set().union(*self.per_split_stories.values())


@dataclass
class CardInputs:
    root: Path
    vocab: Vocabulary
    features: dict[str, Any]  # config -> datasets.Features
    files: list[tuple[str, str, str, int, int]]  # (config, split, path, rows, arrow bytes)
    plan: SplitPlan
    counts: dict[str, Counter]  # split -> counters from rows.DocRows.counts
    documents: DocumentTally  # the per-document summaries (build._doc_summary), folded
    excluded: list[str]
    registry_size: int
    source: dict
    tool_version: str
    agreement: dict | None
    registry_names: dict[str, str] = field(default_factory=dict)
    parquet_bytes: dict[str, int] = field(default_factory=dict)  # config -> size of its Parquet files (the YAML download_size)

    def rows(self, config: str, split: str | None = None) -> int:
        return sum(n for c, s, _, n, _b in self.files if c == config and (split is None or s == split))

    def splits_of(self, config: str) -> list[str]:
        found = {s for c, s, _, n, _b in self.files if c == config and n > 0}
        order = [*self.vocab.splits, REGISTRY_SPLIT]
        return [s for s in order if s in found]


# ----------------------------------------------------------------------------- entry point

def read_template(root: Path) -> str:
    """The text of the card template at `root`; CardEnvironmentError if it cannot be read."""
    path = root / CARD_TEMPLATE
    if path.is_dir():
        raise CardEnvironmentError(f"{CARD_TEMPLATE}: is a folder; the build renders the dataset card from this file (a Markdown template)")
    if not path.exists():
        link = " (a symbolic link to a file that does not exist)" if path.is_symlink() else ""
        raise CardEnvironmentError(f"{CARD_TEMPLATE}: missing{link}: the build renders the dataset card from this template")
    if not path.is_file():
        raise CardEnvironmentError(f"{CARD_TEMPLATE}: not a regular file; the build renders the dataset card from this template")
    try:
        data = path.read_bytes()
    except OSError as problem:
        raise CardEnvironmentError(f"{CARD_TEMPLATE}: cannot read: {problem.strerror or problem}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise CardError(f"{CARD_TEMPLATE}: not UTF-8 ({problem})") from None
    # an editor that saved it with CRLF line ends must not hide the front matter (licence, tags):
    # the card is rendered with LF line ends either way
    return text.replace("\r\n", "\n")


def check_template(template: str) -> None:
    """Every error `render` would find in the template itself, without the data: the build
    calls it before validating, so a broken template stops it at once, not after the work."""
    _, body, body_line = _split_front_matter(template)
    _check_markers(body, body_line)


def _check_markers(body: str, body_line: int) -> None:
    known = _sections(None)  # the names only: no section is computed
    seen = set()
    for n, line in enumerate(body.split("\n"), start=body_line):
        m = MARKER_RE.match(line)
        if not m:
            continue
        name = m.group(1)
        if name not in known:
            raise CardError(f"{CARD_TEMPLATE}:{n}: unknown generated section {name!r} (known: {', '.join(sorted(known))})")
        seen.add(name)
    missing = [s for s in REQUIRED_SECTIONS if s not in seen]
    if missing:
        raise CardError(
            f"{CARD_TEMPLATE}: the template lacks the generated section(s) {', '.join(missing)}; "
            f"add a line '<!-- generated:{missing[0]} -->' where the table belongs"
        )


def render(inp: CardInputs, template: str | None = None) -> str:
    """The dataset card: `template` (default: read from inp.root) with this build's YAML and tables."""
    if template is None:
        template = read_template(inp.root)
    front, body, body_line = _split_front_matter(template)
    _check_markers(body, body_line)
    header = _yaml(inp, front)
    sections = _sections(inp)
    out_lines = []
    for line in body.split("\n"):
        m = MARKER_RE.match(line)
        out_lines.append(sections[m.group(1)]().rstrip("\n") if m else line)
    text = TEMPLATE_NOTE_RE.sub("", "\n".join(out_lines))
    return "---\n" + header + "---\n" + text.lstrip("\n")


def _split_front_matter(template: str) -> tuple[dict, str, int]:
    """(front matter, body, line number of the body's first line). The front matter is the lines
    between a first line '---' and the next line '---'; it may be empty."""
    import yaml

    lines = template.split("\n")
    if lines[0] != "---":
        return {}, template, 1
    try:
        close = lines.index("---", 1)
    except ValueError:
        raise CardError(f"{CARD_TEMPLATE}:1: the YAML front matter opened with '---' is never closed (no later line '---')") from None
    raw = "\n".join(lines[1:close])
    try:
        front = yaml.safe_load(raw) or {}
    except yaml.YAMLError as problem:  # one line, at the template's line (the front matter starts on line 2)
        mark = getattr(problem, "problem_mark", None)
        where = f":{mark.line + 2}:{mark.column + 1}" if mark is not None else ""
        what = " ".join(str(getattr(problem, "problem", None) or problem).split())
        raise CardError(f"{CARD_TEMPLATE}{where}: the front matter is not valid YAML: {what}") from None
    if not isinstance(front, dict):
        raise CardError(f"{CARD_TEMPLATE}:2: the front matter must be a YAML mapping")
    clash = [k for k in GENERATED_YAML_KEYS if k in front]
    if clash:
        raise CardError(f"{CARD_TEMPLATE}: front matter sets {', '.join(clash)}, which the build generates; remove it from the template")
    return front, "\n".join(lines[close + 1:]), close + 2


# ----------------------------------------------------------------------------- YAML

def size_category(n: int) -> str:
    bounds = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
              (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B")]
    for bound, name in bounds:
        if n < bound:
            return name
    return "n>1T" if n >= 10**12 else "1B<n<10B"


def _yaml(inp: CardInputs, front: dict) -> str:
    import yaml
    from datasets.info import DatasetInfo, DatasetInfosDict
    from datasets.splits import SplitDict, SplitInfo
    from huggingface_hub import DatasetCardData

    configs = []
    infos = {}
    for config in CONFIGS:
        splits = inp.splits_of(config)
        if not splits:
            continue  # a config with no rows at all cannot be loaded; the card says so
        entry: dict[str, Any] = {"config_name": config}
        if config == DEFAULT_CONFIG:
            entry["default"] = True
        entry["data_files"] = [{"split": s, "path": f"data/{config}/{s}-*.parquet"} for s in splits]
        configs.append(entry)
        split_dict = SplitDict()
        for s in splits:
            nbytes = sum(b for c, sp, _, _n, b in inp.files if c == config and sp == s)
            split_dict.add(SplitInfo(name=s, num_bytes=nbytes, num_examples=inp.rows(config, s)))
        infos[config] = DatasetInfo(features=inp.features[config], splits=split_dict, config_name=config)
    card_data = DatasetCardData()
    DatasetInfosDict(infos).to_dataset_card_data(card_data)
    dataset_info = card_data.to_dict().get("dataset_info")
    for info in dataset_info if isinstance(dataset_info, list) else [dataset_info] if dataset_info else []:
        # as the Hub writes them: the files' size on disk, and the Arrow size of all splits
        info.pop("download_size", None)
        info.pop("dataset_size", None)
        if info.get("config_name") in inp.parquet_bytes:
            info["download_size"] = inp.parquet_bytes[info["config_name"]]
            info["dataset_size"] = sum(split["num_bytes"] for split in info.get("splits") or [])
    languages = sorted(lang for lang in inp.documents.languages if lang)
    data = dict(front)
    data["language"] = languages
    data["multilinguality"] = ["multilingual" if len(set(map(primary_language, languages))) > 1 else "monolingual"]
    data["size_categories"] = [size_category(inp.rows(DOCUMENTS))]
    data["configs"] = configs
    if dataset_info:
        data["dataset_info"] = dataset_info
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=4096)


# ----------------------------------------------------------------------------- sections

def _table(header: list[str], rows: list[list[Any]]) -> str:
    def cell(v: Any) -> str:
        s = "" if v is None else str(v)
        return s.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def _sections(inp: CardInputs) -> dict[str, Any]:
    return {
        "summary": lambda: _summary(inp),
        "languages": lambda: _languages(inp),
        "licences": lambda: _licences(inp),
        "configs": lambda: _configs(inp),
        "labels": lambda: _labels(inp),
        "splits": lambda: _splits(inp),
        "counts": lambda: _counts(inp),
        "label_counts": lambda: _label_counts(inp),
        "ner": lambda: _ner(inp),
        "documents": lambda: _documents(inp),
        "provenance": lambda: _provenance(inp),
        "agreement": lambda: _agreement(inp),
        "citation": lambda: _citation(inp),
        "speakers": lambda: _speakers(inp),
        "files": lambda: _files(inp),
    }


def _total(inp: CardInputs, key: str) -> int:
    return sum(c[key] for c in inp.counts.values())


def _summary(inp: CardInputs) -> str:
    tally = inp.documents
    publishers = sorted(tally.publishers)
    stories = tally.stories
    parts = [
        f"This build holds **{tally.count} annotated document{'s' if tally.count != 1 else ''}** "
        f"from {len(publishers)} publisher{'s' if len(publishers) != 1 else ''} ({', '.join(publishers) or 'none'}) "
        f"about {len(stories)} news stor{'ies' if len(stories) != 1 else 'y'}, with "
        + ", ".join(f"{_total(inp, f'layer:{layer}')} {LAYER_TITLES[layer]}" for layer in SPAN_CONFIGS)
        + f"; {_total(inp, 'ner:sentences')} sentences ({_total(inp, 'ner:tokens')} tokens) for token classification; "
        f"and {inp.registry_size} cross-document entities in the registry."
    ]
    if inp.excluded:
        parts.append(f"Raw documents without an annotation file are not published: {', '.join(inp.excluded)}.")
    return "\n\n".join(parts) + "\n"


def _languages(inp: CardInputs) -> str:
    per = inp.documents.languages
    rows = [[lang, n] for lang, n in sorted(per.items(), key=lambda kv: str(kv[0]))]
    return _table(["language (BCP 47)", "documents"], rows)


def _licences(inp: CardInputs) -> str:
    """The licences the documents' metadata state: the card must not claim one rights regime
    for texts whose metadata say otherwise."""
    rows = [[lic, n] for lic, n in sorted(inp.documents.licences.items(), key=lambda kv: (-kv[1], str(kv[0])))]
    return _table(["article text licence (`rights_licence`, as each document's metadata states it)", "documents"], rows)


def _type_name(feature: Any) -> str:
    import datasets

    if isinstance(feature, datasets.ClassLabel):
        return f"ClassLabel ({feature.num_classes} names)"
    if isinstance(feature, datasets.Value):
        return feature.dtype
    if isinstance(feature, (datasets.List, datasets.Sequence)):
        inner = feature.feature
        if isinstance(inner, dict):
            return "list of {" + ", ".join(inner) + "}"
        return f"list of {_type_name(inner)}"
    if isinstance(feature, dict):
        return "struct {" + ", ".join(feature) + "}"
    return type(feature).__name__


def _configs(inp: CardInputs) -> str:
    out = []
    for config in CONFIGS:
        splits = inp.splits_of(config)
        sizes = ", ".join(f"{s}: {inp.rows(config, s)}" for s in splits) or "no rows (left out of `configs`)"
        out.append(f"#### `{config}`\n\nRows per split: {sizes}.\n")
        rows = []
        for name, feature in inp.features[config].items():
            desc = field_description(config, name)
            if desc is None:
                raise CardError(f"newscorpus/features.py: column {config}.{name} has no entry in FIELD_DESCRIPTIONS")
            closed = STRING_ENUM_COLUMNS.get(name)
            kind = (f"string: one of {', '.join(f'`{v}`' for v in inp.vocab.enums[closed])} (`$defs/{closed}`, meanings under Label sets)"
                    if closed in inp.vocab.enums else _type_name(feature))
            rows.append([f"`{name}`", kind, desc])
        out.append(_table(["field", "type", "description"], rows))
    return "\n".join(out)


def _labels(inp: CardInputs) -> str:
    """Every closed set a column takes its values from: the ClassLabel fields of each layer
    (index = the stored integer), then the string columns with a closed set of values."""
    out = []
    for layer in ("zones", *SPAN_CONFIGS):
        for column, label_set in LAYER_LABEL_FIELDS[layer].items():
            name = LABEL_SETS[label_set]
            desc = inp.vocab.descriptions.get(name, {})
            out.append(f"**{LAYER_TITLES[layer]}.{column}** (schema/vocabulary.schema.json `$defs/{name}`)\n")
            rows = [[i, f"`{v}`", desc.get(v, "")] for i, v in enumerate(getattr(inp.vocab, label_set))]
            out.append(_table(["index", "name", "meaning"], rows))
    columns: dict[str, list[str]] = {}
    for column, name in STRING_ENUM_COLUMNS.items():
        if name in inp.vocab.enums:  # a corpus's own schema/ may predate the set
            columns.setdefault(name, []).append(column)
    for name, used_by in columns.items():
        desc = inp.vocab.descriptions.get(name, {})
        out.append(f"**`$defs/{name}`** (strings in {', '.join(f'`{c}`' for c in used_by)})\n")
        out.append(_table(["value", "meaning"], [[f"`{v}`", desc.get(v, "")] for v in inp.vocab.enums[name]]))
    return "\n".join(out)


def _splits(inp: CardInputs) -> str:
    plan = inp.plan
    names = inp.vocab.splits
    tally = inp.documents
    rows = []
    for s in names:
        rows.append([
            s,
            tally.docs_in(s),
            len(tally.per_split_stories.get(s, ())),
            ", ".join(tally.publishers_in(s)) or "—",
            f"{plan.fractions[s]:g}",
        ])
    out = [_table(["split", "documents", "stories", "publishers", "policy fraction"], rows)]
    if plan.unit == "story":
        out.append(
            f"Unit: **story**. The corpus has {plan.stories} stories (the policy's threshold is "
            f"{plan.min_stories}), so unpinned documents are placed by a hash of their `story_id`: "
            "articles about the same event share a split."
        )
    else:
        out.append(
            f"Unit: **document**. The corpus has {plan.stories} stor{'ies' if plan.stories != 1 else 'y'}, fewer than the "
            f"policy's threshold of {plan.min_stories}, so unpinned documents are placed one by one by a hash "
            "of their doc id. **Leakage:** articles about the same event can be in different splits, so "
            "scores on validation and test overstate how well a model does on unseen events."
        )
    if plan.pinned:
        pins = "; ".join(f"`{d}` → {s}" for d, s in sorted(plan.pinned.items()))
        out.append(f"Pinned in `{SPLITS_REL}` (these never move when articles are added): {pins}.")
    if plan.followed_pins:
        out.append(f"Placed with their story's pinned documents: {', '.join(f'`{d}`' for d in plan.followed_pins)}.")
    if plan.pinned_absent:
        out.append(f"Pinned but not in this build: {', '.join(f'`{d}`' for d in plan.pinned_absent)}.")
    if plan.leaked_stories:
        lines = []
        for story, per in plan.leaked_stories.items():
            where = "; ".join(f"{s}: " + ", ".join(f"`{d}`" for d in docs) for s, docs in per.items())
            why = (
                "the pinned assignments put its documents in different splits"
                if all(d in plan.pinned for docs in per.values() for d in docs)
                else "documents are split one by one (unit: document)"
            )
            lines.append(f"- story `{story}` ({why}): {where}")
        out.append("**Stories in more than one split (leakage):**\n\n" + "\n".join(lines))
    else:
        out.append("No story has documents in more than one split.")
    if plan.empty_reasons:
        lines = [f"- **{s}** is empty: {why}." for s, why in plan.empty_reasons.items()]
        out.append(
            "**Empty splits** are left out of the YAML `configs` (a split with no rows cannot be loaded):\n\n"
            + "\n".join(lines)
        )
    if plan.reasons:
        lines = [f"- `{k}`: {v}" for k, v in sorted(plan.reasons.items())]
        out.append(f"Reasons recorded in `{SPLITS_REL}`:\n\n" + "\n".join(lines))
    return "\n\n".join(out) + "\n"


def _counts(inp: CardInputs) -> str:
    names = inp.vocab.splits
    rows = []
    for key, title in [("documents", "documents"), *[(f"layer:{l}", LAYER_TITLES[l]) for l in ("zones", *SPAN_CONFIGS)],
                       ("ner:sentences", "ner sentences"), ("ner:tokens", "ner tokens")]:
        per = [inp.counts[s][key] for s in names]
        rows.append([title, *per, sum(per)])
    rows.append(["entity registry entries", *["" for _ in names], inp.registry_size])
    return _table(["layer", *names, "total"], rows)


def _label_counts(inp: CardInputs) -> str:
    names = inp.vocab.splits
    out = []
    for layer in ("zones", *SPAN_CONFIGS):
        labels = getattr(inp.vocab, LAYER_LABEL_SETS[layer])
        rows = []
        for label in labels:
            per = [inp.counts[s][f"label:{layer}:{label}"] for s in names]
            rows.append([f"`{label}`", *per, sum(per)])
        out.append(f"**{LAYER_TITLES[layer]}** by `{LAYER_CLASS_FIELD[layer]}`\n")
        out.append(_table([LAYER_CLASS_FIELD[layer], *names, "total"], rows))
    out.append(_label_gaps(inp))
    return "\n".join(out)


def _label_gaps(inp: CardInputs) -> str:
    """The labels a split with documents has no example of, although another split has: a score
    on that split says nothing about them. Said here because the tables make it easy to miss."""
    held = [s for s in inp.vocab.splits if inp.counts[s]["documents"]]
    lines = []
    for split in held:
        missing = []
        for layer in SPAN_CONFIGS:
            absent = [label for label in getattr(inp.vocab, LAYER_LABEL_SETS[layer])
                      if not inp.counts[split][f"label:{layer}:{label}"] and any(inp.counts[s][f"label:{layer}:{label}"] for s in held)]
            if absent:
                missing.append(f"{LAYER_TITLES[layer]} {', '.join(f'`{a}`' for a in absent)}")
        if missing:
            lines.append(f"- **{split}** has none of: {'; '.join(missing)}.")
    if not lines:
        return "Every label that occurs in the published splits occurs in each of them.\n"
    return ("Labels that occur in some split but not in every split that has documents (a score on such a split "
            "cannot measure them; build an evaluation set that has them before comparing models on them):\n\n" + "\n".join(lines) + "\n")


def _ner(inp: CardInputs) -> str:
    names = inp.vocab.splits
    tags = ner_tag_names(inp.vocab)
    types = ner_types(inp.vocab)
    out = [
        f"`ner_tags` is a ClassLabel with {len(tags)} names: `O`, then `B-`/`I-` for each of "
        f"{len(types)} types, in this order: "
        + ", ".join(f"`{t.tag}`" for t in types)
        + ". Entity labels keep their names; date types keep theirs; numeric kinds are upper-cased "
        "(`money` → `MONEY`).",
    ]
    rows = []
    for t in types:
        per = [inp.counts[s][f"ner:spans:{t.tag}"] for s in names]
        rows.append([f"`{t.tag}`", t.layer.replace("_", " "), f"`{t.value}`", *per, sum(per)])
    out.append(_table(["type", "layer", "annotated as", *names, "total"], rows))
    dropped = {layer: _total(inp, f"ner:dropped:{layer}") for layer in NER_LAYERS}
    order = " > ".join(LAYER_TITLES[layer] for layer in NER_LAYERS)
    out.append(
        f"Overlaps across layers: precedence is {order}. A span whose tokens are already tagged by a "
        "higher layer is left out of `ner` (it stays in its own config). Left out in this build: "
        + ", ".join(f"{LAYER_TITLES[l]} {n}" for l, n in dropped.items())
        + f". Tokens cut at a span boundary: {_total(inp, 'ner:forced_token_cuts')}."
    )
    doc = (nerlib.__doc__ or "").strip().split("\n\n")[1:]
    out.append("**Sentence splitting, tokenization and tags** (from `scripts/newscorpus/ner.py`):\n\n" + "\n\n".join(p.replace("\n", " ") for p in doc))
    return "\n\n".join(out) + "\n"


def _documents(inp: CardInputs) -> str:
    tally = inp.documents
    if tally.count > LISTED_DOCUMENTS:
        rows = [[p, *[c[s] for s in inp.vocab.splits], sum(c.values())] for p, c in sorted(tally.per_publisher.items())]
        return _table(["publisher", *inp.vocab.splits, "total"], rows)
    rows = [
        [f"`{d['doc_id']}`", d["publisher"], d["date"] or "unknown", f"`{d['story_id']}`", d["split"],
         d["holder"], "; ".join(d["related"]) or "—"]
        for d in tally.listed
    ]
    return _table(["doc id", "publisher", "publication date", "story", "split", "rights holder", "related sources"], rows)


def _provenance(inp: CardInputs) -> str:
    src = inp.source
    if src.get("commit"):
        commit = (f"`{src['commit']}`" + (" (the inputs had uncommitted changes)" if src.get("dirty") else "")
                  + (" (built by newscorpus code from outside this checkout)" if src.get("code_note") else ""))
    else:
        commit = f"unknown ({src.get('null_reason')})"
    statuses = inp.documents.statuses
    role_order = {role: i for i, role in enumerate(inp.vocab.annotator_roles)}
    annotators = []
    for annotator, roles in sorted(inp.documents.annotators.items()):
        named = ", ".join(sorted((r for r in roles if r), key=lambda r: (role_order.get(r, len(role_order)), r)))
        annotators.append(f"{annotator} ({named})" if named else annotator)
    rows = [
        ["build tool", f"newscorpus {inp.tool_version}"],
        ["source commit", commit],
        ["schema version", inp.vocab.schema_version],
        ["guidelines version(s)", ", ".join(sorted(inp.documents.guidelines_versions)) or "—"],
        ["annotation status", ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))) or "—"],
        ["annotators", ", ".join(annotators) or "—"],
    ]
    return _table(["what", "value"], rows) + (
        "\nEvery span, sentence and document row carries the raw, metadata and annotation sha256 and the "
        "schema and guidelines versions; every Parquet file's metadata (key `newscorpus`) carries the tool "
        "and schema versions, its config and split (not the commit, so that a commit that changes no input "
        "leaves the data files byte-identical); `MANIFEST.json` records the source commit and lists every "
        "file with its sha256 and row count.\n"
    )


def _agreement(inp: CardInputs) -> str:
    data = inp.agreement
    if data is None:
        return (
            f"No inter-annotator agreement report exists for this build (`{AGREEMENT_REL}` is absent). "
            "Until a second blind pass is compared with `newscorpus agreement --format json`, treat the "
            "annotations as the work of the annotator(s) named above, without a measured error rate.\n"
        )
    layers = data.get("layers") or {}
    rows = []
    for layer, v in layers.items():
        span = v.get("span") or {}
        partial = v.get("partial") or {}
        target = AGREEMENT_TARGETS.get(layer)
        f1 = _exact_f1(span)
        verdict = "—" if target is None else f"{target:.2f}: " + ("met" if f1 is not None and f1 >= target else "**not met**")
        rows.append([layer, _num(span.get("precision")), _num(span.get("recall")), _num(span.get("f1")), _num(partial.get("f1")), verdict])
    compared = ""
    if data.get("a") and data.get("b"):
        compared = f" It compares `{data['a']}` with `{data['b']}`"
        docs = data.get("documents")
        if isinstance(docs, list):
            compared += f" over {len(docs)} document{'s' if len(docs) != 1 else ''}"
        compared += "."
    out = [f"From `{AGREEMENT_REL}` (written by `newscorpus agreement --format json`).{compared}\n", _table(["layer", "span precision", "span recall", "span F1", "partial-match F1", "target span F1"], rows)]
    attr_rows = []
    for layer, v in layers.items():
        attrs = v.get("attributes") or {}
        kappa = v.get("kappa") or {}
        for attr in sorted(set(attrs) | set(kappa)):
            detail = (v.get("kappa_detail") or {}).get(attr) or {}
            k = _num(kappa.get(attr))
            if kappa.get(attr) is None and detail.get("note"):
                k = f"n/a ({detail['note']})"
            elif kappa.get(attr) is not None and _count(detail.get("n")) is not None:
                k += f" (n = {detail['n']})"
            attr_rows.append([layer, attr, _proportion(attrs.get(attr) or {}), k])
    if attr_rows:
        out.append("\n" + _table(["layer", "attribute", "agreement (proportion)", "Cohen's kappa"], attr_rows))
    return "\n".join(out)


def _count(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else None


def _exact_f1(span: dict) -> Any:
    """F1 from the report's tp/fp/fn, exactly, for the target verdict: the report's value is
    rounded (0.89996 shows as 0.9000 but misses a 0.90 target). The report's own value when
    its counts are missing; None when undefined (no spans on either side)."""
    tp, fp, fn = (_count(span.get(k)) for k in ("tp", "fp", "fn"))
    if tp is None or fp is None or fn is None:
        return span.get("f1")
    return Fraction(2 * tp, 2 * tp + fp + fn) if tp + fp + fn else None


def _proportion(attribute: dict) -> str:
    agree, matched = _count(attribute.get("agree")), _count(attribute.get("matched"))
    shown = _num(attribute.get("proportion"))
    return f"{shown} ({agree}/{matched})" if agree is not None and matched else shown


def _num(v: Any) -> str:
    """A figure of the agreement report as the report gives it, 4 decimals: rounding it again
    to fewer can be off by one in the last place (0.98246 -> 0.9825 -> 0.983)."""
    if v is None:
        return "n/a"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{v:.4f}"
    return str(v)


def _speakers(inp: CardInputs) -> str:
    names = inp.vocab.splits
    keys = sorted({k for c in inp.counts.values() for k in c if k.startswith("speaker:")})
    registry = inp.registry_names
    rows = []
    for key in keys:
        who = key[len("speaker:"):]
        if who == "":
            label = "(no source named in the text)"
        elif who.startswith("text:"):
            label = f"{who[5:]} (no registry id)"
        else:
            label = f"{registry.get(who, who)} (`{who}`)"
        per = [inp.counts[s][key] for s in names]
        rows.append([label, *per, sum(per)])
    rows.sort(key=lambda r: (-r[-1], r[0]))
    if not rows:
        return "No quotes in this build.\n"
    return _table(["speaker", *names, "total"], rows)


def _files(inp: CardInputs) -> str:
    rows = [[f"`{path}`", config, split, n] for config, split, path, n, _b in inp.files]
    return _table(["file", "config", "split", "rows"], rows)


def _citation(inp: CardInputs) -> str:
    commit = inp.source.get("commit")
    note = f"newscorpus {inp.tool_version}" + (f", source commit {commit}" if commit else "")
    return (
        "```bibtex\n"
        "@misc{newscorpus,\n"
        "  title  = {newscorpus: an annotated news corpus of entities, quotes, dates and numeric claims},\n"
        "  author = {{newscorpus contributors}},\n"
        f"  note   = {{{note}}}\n"
        "}\n"
        "```\n"
    )
