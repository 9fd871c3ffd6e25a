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

SPLITS_PATH = "annotated/splits.json"


class SplitPolicyError(Exception):
    """The split policy cannot be applied (message names the file, the place and the rule)."""


@dataclass(frozen=True)
class DocKey:
    doc_id: str
    story_id: str


@dataclass
class SplitPlan:
    split_names: tuple[str, ...]
    assignment: dict[str, str]  # doc_id -> split
    unit: str  # "story" or "document": what the hash placed
    stories: int  # distinct stories in the corpus
    min_stories: int
    fractions: dict[str, float]
    pinned: dict[str, str]  # doc_id -> split, only documents present in the corpus
    pinned_absent: list[str]  # pinned doc ids that are not in this corpus
    followed_pins: list[str]  # unpinned doc ids placed with their story's pinned documents
    hashed_units: int  # stories or documents the hash placed
    leaked_stories: dict[str, dict[str, list[str]]]  # story -> split -> doc ids (only stories in >1 split)
    empty_reasons: dict[str, str]  # split -> why it has no documents
    reasons: dict[str, str] = field(default_factory=dict)  # free-text reasons recorded in splits.json

    def docs_in(self, split: str) -> list[str]:
        return sorted(d for d, s in self.assignment.items() if s == split)


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


def _policy(splits_file: dict, names: tuple[str, ...]) -> tuple[int, dict[str, float], str]:
    try:
        policy = splits_file["policy"]
        fractions = {n: float(policy["fractions"][n]) for n in names}
        min_stories = int(policy["min_stories_for_story_split"])
        salt = str(policy["salt"])
    except (KeyError, TypeError, ValueError) as problem:
        raise SplitPolicyError(
            f"{SPLITS_PATH}: $.policy: cannot read the policy ({problem!r}); it must follow schema/splits.schema.json"
        ) from None
    total = sum(fractions.values())
    if abs(total - 1.0) > 1e-9:
        shown = ", ".join(f"{n} {fractions[n]:g}" for n in names)
        raise SplitPolicyError(f"{SPLITS_PATH}: $.policy.fractions: the fractions must add up to 1 ({shown} = {total:g})")
    if any(v < 0 for v in fractions.values()):
        raise SplitPolicyError(f"{SPLITS_PATH}: $.policy.fractions: a fraction is negative")
    return min_stories, fractions, salt


def assign(docs: list[DocKey], splits_file: dict, names: tuple[str, ...]) -> SplitPlan:
    """Apply the policy in `splits_file` (parsed annotated/splits.json) to `docs`."""
    min_stories, fractions, salt = _policy(splits_file, names)
    raw_pins = splits_file.get("assignments") or {}
    for doc_id, split in raw_pins.items():
        if split not in names:
            raise SplitPolicyError(
                f"{SPLITS_PATH}: $.assignments[{doc_id!r}]: unknown split {split!r} (known: {', '.join(names)})"
            )
    present = {d.doc_id for d in docs}
    pinned = {d: s for d, s in raw_pins.items() if d in present}
    pinned_absent = sorted(d for d in raw_pins if d not in present)
    by_story: dict[str, list[str]] = defaultdict(list)
    for d in docs:
        by_story[d.story_id].append(d.doc_id)
    n_stories = len(by_story)
    unit = "story" if n_stories >= min_stories else "document"
    order = {n: i for i, n in enumerate(names)}

    assignment: dict[str, str] = dict(pinned)
    followed: list[str] = []
    hashed: set[str] = set()
    for d in sorted(docs, key=lambda k: k.doc_id):
        if d.doc_id in assignment:
            continue
        if unit == "story":
            story_pins = Counter(pinned[x] for x in by_story[d.story_id] if x in pinned)
            if story_pins:
                best = max(story_pins.items(), key=lambda kv: (kv[1], -order[kv[0]]))[0]
                assignment[d.doc_id] = best
                followed.append(d.doc_id)
                continue
            assignment[d.doc_id] = _pick(bucket(salt, d.story_id), names, fractions)
            hashed.add(d.story_id)
        else:
            assignment[d.doc_id] = _pick(bucket(salt, d.doc_id), names, fractions)
            hashed.add(d.doc_id)

    leaked: dict[str, dict[str, list[str]]] = {}
    for story, members in sorted(by_story.items()):
        per: dict[str, list[str]] = defaultdict(list)
        for m in sorted(members):
            per[assignment[m]].append(m)
        if len(per) > 1:
            leaked[story] = {s: per[s] for s in names if s in per}

    plan = SplitPlan(
        split_names=names,
        assignment=assignment,
        unit=unit,
        stories=n_stories,
        min_stories=min_stories,
        fractions=fractions,
        pinned=pinned,
        pinned_absent=pinned_absent,
        followed_pins=followed,
        hashed_units=len(hashed),
        leaked_stories=leaked,
        empty_reasons={},
        reasons=dict(splits_file.get("reasons") or {}),
    )
    plan.empty_reasons = {s: _why_empty(plan, s, len(docs)) for s in names if not plan.docs_in(s)}
    return plan


def _why_empty(plan: SplitPlan, split: str, n_docs: int) -> str:
    if n_docs == 0:
        return "the corpus has no annotated documents"
    pinned_here = len(plan.pinned)
    parts: list[str] = []
    if pinned_here:
        where = ", ".join(f"{d} → {s}" for d, s in sorted(plan.pinned.items()))
        parts.append(f"{pinned_here} of {n_docs} documents are pinned in {SPLITS_PATH} to other splits ({where})")
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
