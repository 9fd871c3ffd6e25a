"""Train / validation / test assignment from the declared policy in annotated/splits.json.

The policy (schema/splits.schema.json) lives in one file; this module only applies it:

1. A document pinned in `assignments` goes to its pinned split, whatever else holds. Pins are
   how a published split stays put when articles are added.
2. Every other document is placed by a hash bucket: x = first 8 bytes of
   sha256(salt + "\\n" + key) read as an integer / 2**64, in [0, 1); the split is the first one
   (in the vocabulary's order) whose cumulative fraction exceeds x.
   - With at least `min_stories_for_story_split` distinct stories in the corpus, the key is the
     document's `story_id`, so all articles about one event share a split. An unpinned document
     whose story has pinned documents follows them (the split most of them are pinned to; ties
     go to the earlier split in vocabulary order).
   - With fewer stories the key is the doc id: documents are split individually and articles
     about the same event can land in different splits. The card states this leakage.
3. A story whose documents end up in more than one split is reported as leakage, with why.

Pure: same inputs, same plan. Adding a document never moves a pinned one, and never moves an
unpinned one either unless the number of stories crosses the threshold (pin before then).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Collection, NamedTuple

from newscorpus.corpus import SPLITS_REL
from newscorpus.positions import format_path


class SplitPolicyError(Exception):
    """The split policy cannot be applied (message names the file, the place and the rule)."""


class DocKey(NamedTuple):
    doc_id: str
    story_id: str


@dataclass(frozen=True)
class Placer:
    """Where one document goes, once the corpus-wide facts are known (the unit, the pins).

    Small and picklable: a build worker places each document from the story_id it has just
    validated, so no process holds a map of every document to its split."""

    names: tuple[str, ...]
    fractions: dict[str, float]
    salt: str
    unit: str  # "story" or "document"
    pinned: dict[str, str]  # doc_id -> split, only documents present in the corpus
    story_pins: dict[str, str]  # story_id -> the split its pinned documents lead to (story unit only)

    def place(self, doc_id: str, story_id: str) -> tuple[str, str]:
        """(split, how): how is "pinned", "followed" (its story's pins) or "hashed"."""
        if doc_id in self.pinned:
            return self.pinned[doc_id], "pinned"
        if self.unit == "story":
            if story_id in self.story_pins:
                return self.story_pins[story_id], "followed"
            return _pick(bucket(self.salt, story_id), self.names, self.fractions), "hashed"
        return _pick(bucket(self.salt, doc_id), self.names, self.fractions), "hashed"

    def split_of(self, doc_id: str, story_id: str) -> str:
        return self.place(doc_id, story_id)[0]


@dataclass
class SplitPlan:
    placer: Placer  # the policy as applied to this corpus: placer.split_of(doc_id, story_id)
    documents: dict[str, int]  # split -> number of documents
    stories: int  # distinct stories in the corpus
    min_stories: int
    pinned_absent: list[str]  # pinned doc ids that are not in this corpus
    followed_pins: list[str]  # unpinned doc ids placed with their story's pinned documents
    hashed_units: int  # stories or documents the hash placed
    leaked_stories: dict[str, dict[str, list[str]]]  # story -> split -> doc ids (only stories in >1 split)
    empty_reasons: dict[str, str]  # split -> why it has no documents
    reasons: dict[str, str] = field(default_factory=dict)  # free-text reasons recorded in splits.json

    @property
    def split_names(self) -> tuple[str, ...]:
        return self.placer.names

    @property
    def unit(self) -> str:
        """"story" or "document": what the hash placed."""
        return self.placer.unit

    @property
    def fractions(self) -> dict[str, float]:
        return self.placer.fractions

    @property
    def pinned(self) -> dict[str, str]:
        """doc_id -> split, only documents present in the corpus."""
        return self.placer.pinned

    def split_of(self, doc_id: str, story_id: str) -> str:
        return self.placer.split_of(doc_id, story_id)


def bucket(salt: str, key: str) -> float:
    digest = hashlib.sha256(f"{salt}\n{key}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _pick(x: float, names: tuple[str, ...], fractions: dict[str, float]) -> str:
    acc = 0.0
    for name in names:
        acc += fractions[name]
        if fractions[name] > 0 and x < acc:
            return name
    # float rounding can leave x just above the last cumulative sum: last non-empty split
    return [n for n in names if fractions[n] > 0][-1]


@dataclass(frozen=True)
class PolicyProblem:
    """Why the policy in annotated/splits.json cannot be applied with the vocabulary's splits.

    kind: "shape" (not the schema's shape), "splits" (the fractions do not name exactly the
    splits of schema/vocabulary.schema.json), "fractions" (they do not add up to 1)."""

    kind: str
    path: tuple  # JSON path in annotated/splits.json
    message: str


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value and abs(value) != float("inf")


def policy_problems(splits_file: object, names: tuple[str, ...]) -> list[PolicyProblem]:
    """Every reason the policy of `splits_file` (parsed annotated/splits.json) cannot be applied
    to the splits `names` (the Split label set, in order). The one check of the policy: the
    build applies it through `assign`, the validator reports it with a rule code."""
    policy = splits_file.get("policy") if isinstance(splits_file, dict) else None
    if not isinstance(policy, dict):
        return [PolicyProblem("shape", ("policy",), "the policy must be an object (schema/splits.schema.json)")]
    found: list[PolicyProblem] = []
    min_stories = policy.get("min_stories_for_story_split")
    if not _is_number(min_stories) or not float(min_stories).is_integer() or min_stories < 1:
        found.append(PolicyProblem("shape", ("policy", "min_stories_for_story_split"), "must be a positive integer"))
    if not isinstance(policy.get("salt"), str):
        found.append(PolicyProblem("shape", ("policy", "salt"), "must be a string"))
    fractions = policy.get("fractions")
    where = ("policy", "fractions")
    if not isinstance(fractions, dict):
        return [*found, PolicyProblem("shape", where, "must be an object: split -> fraction")]
    unknown = [k for k in fractions if k not in names]
    missing = [n for n in names if n not in fractions]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(f"{', '.join(repr(k) for k in unknown)} {'is not a split' if len(unknown) == 1 else 'are not splits'}")
        if missing:
            parts.append(f"{', '.join(repr(n) for n in missing)} {'has' if len(missing) == 1 else 'have'} no fraction")
        found.append(PolicyProblem(
            "splits", where,
            f"the fractions name {', '.join(fractions) or 'no split'}, but the splits of schema/vocabulary.schema.json "
            f"($defs.Split) are {', '.join(names)}: {'; '.join(parts)}",
        ))
        return found
    bad = [n for n in names if not _is_number(fractions[n]) or fractions[n] < 0]
    if bad:
        found.append(PolicyProblem("shape", (*where, bad[0]), "a fraction must be a number from 0 to 1"))
        return found
    total = sum(float(fractions[n]) for n in names)
    if abs(total - 1.0) > 1e-9:
        shown = ", ".join(f"{n} {fractions[n]:g}" for n in names)
        found.append(PolicyProblem("fractions", where, f"the fractions must add up to 1 ({shown} = {total:g})"))
    return found


def _policy(splits_file: dict, names: tuple[str, ...]) -> tuple[int, dict[str, float], str]:
    for problem in policy_problems(splits_file, names):
        raise SplitPolicyError(f"{SPLITS_REL}: {format_path(problem.path)}: {problem.message}")
    policy = splits_file["policy"]
    fractions = {n: float(policy["fractions"][n]) for n in names}
    return int(policy["min_stories_for_story_split"]), fractions, policy["salt"]


def assign(docs: Collection[DocKey], splits_file: dict, names: tuple[str, ...]) -> SplitPlan:
    """Apply the policy in `splits_file` (parsed annotated/splits.json) to `docs`.

    `docs` is read twice (a list, or a SpillList at news-archive size) and no map of every
    document is kept: memory grows with the number of stories, not of documents (except in
    the document unit, which only small corpora use)."""
    min_stories, fractions, salt = _policy(splits_file, names)
    raw_pins = splits_file.get("assignments") or {}
    for doc_id, split in raw_pins.items():
        if split not in names:
            raise SplitPolicyError(
                f"{SPLITS_REL}: $.assignments[{doc_id!r}]: unknown split {split!r} (known: {', '.join(names)})"
            )
    # pass 1: the corpus-wide facts (how many stories; which stories have pinned documents)
    stories: set[str] = set()
    present_pins: set[str] = set()
    pins_by_story: dict[str, Counter] = defaultdict(Counter)
    for d in docs:
        stories.add(d.story_id)
        if d.doc_id in raw_pins:
            present_pins.add(d.doc_id)
            pins_by_story[d.story_id][raw_pins[d.doc_id]] += 1
    n_stories = len(stories)
    del stories
    unit = "story" if n_stories >= min_stories else "document"
    order = {n: i for i, n in enumerate(names)}
    pinned = {d: s for d, s in raw_pins.items() if d in present_pins}
    story_pins = {
        story: max(counts.items(), key=lambda kv: (kv[1], -order[kv[0]]))[0] for story, counts in pins_by_story.items()
    } if unit == "story" else {}
    placer = Placer(names, fractions, salt, unit, pinned, story_pins)

    # pass 2: place every document; only stories that can leak keep their members
    documents = {n: 0 for n in names}
    followed: list[str] = []
    hashed_docs = 0
    members: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for d in docs:
        split, how = placer.place(d.doc_id, d.story_id)
        documents[split] += 1
        if how == "followed":
            followed.append(d.doc_id)
        elif how == "hashed":
            hashed_docs += 1
        if unit == "document" or d.story_id in pins_by_story:  # an unpinned story is in one split
            members[d.story_id][split].append(d.doc_id)

    leaked: dict[str, dict[str, list[str]]] = {}
    for story in sorted(members):
        per = members[story]
        if len(per) > 1:
            leaked[story] = {s: sorted(per[s]) for s in names if s in per}

    plan = SplitPlan(
        placer=placer,
        documents=documents,
        stories=n_stories,
        min_stories=min_stories,
        pinned_absent=sorted(d for d in raw_pins if d not in present_pins),
        followed_pins=sorted(followed),
        hashed_units=n_stories - len(pins_by_story) if unit == "story" else hashed_docs,
        leaked_stories=leaked,
        empty_reasons={},
        reasons=dict(splits_file.get("reasons") or {}),
    )
    n_docs = sum(documents.values())
    plan.empty_reasons = {s: _why_empty(plan, s, n_docs) for s in names if not documents[s]}
    return plan


def _why_empty(plan: SplitPlan, split: str, n_docs: int) -> str:
    if n_docs == 0:
        return "the corpus has no annotated documents"
    pinned_here = len(plan.pinned)
    parts: list[str] = []
    if pinned_here:
        where = ", ".join(f"{d} → {s}" for d, s in sorted(plan.pinned.items()))
        parts.append(f"{pinned_here} of {n_docs} documents are pinned in {SPLITS_REL} to other splits ({where})")
    if plan.fractions[split] == 0:
        parts.append(f"the policy gives {split} a fraction of 0")
    elif plan.hashed_units == 0:
        followed = len(plan.followed_pins)
        parts.append(
            f"no unpinned {plan.unit} is left for the policy to place in {split}"
            + (f" ({followed} unpinned document(s) followed their story's pins)" if followed else "")
        )
    else:
        units = plan.hashed_units
        parts.append(
            f"the hash placed {units} unpinned {plan.unit}{'s' if units != 1 else ''} and none fell in "
            f"{split} (its fraction is {plan.fractions[split]:g})"
        )
    return "; ".join(parts)
