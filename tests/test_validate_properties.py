"""Property: whatever is done to a valid corpus file, the validator returns a report and an
exit code (0 or 1), and every renderer renders it; it never raises.

Mutations, drawn by hypothesis: change a span offset (to another integer, a float, a string,
null, a boolean), change any value's type, delete any key or list item, truncate the file at
any byte, insert random bytes, or replace the whole file with random bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newscorpus.corpus import CorpusPaths
from newscorpus.jsonio import canonical_dumps
from newscorpus.validate import render_github, render_json, render_markdown, render_text, validate_corpus

ALPHA = "tinynews_2020-12-30_alpha-talks"
TARGETS = [
    f"annotated/{ALPHA}.json",
    f"raw/{ALPHA}.meta.json",
    f"raw/{ALPHA}.txt",
    "annotated/entity_registry.json",
    "annotated/splits.json",
    f"annotated/passes/ann-x/{ALPHA}.json",
    "annotated/passes/ann-y/entity_registry.json",
]

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
)
json_values = st.recursive(json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)), max_leaves=6)


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _paths(value, prefix + (i,))


def _offset_paths(data):
    return [p for p in _paths(data) if p and p[-1] in ("start", "end")]


def _mutate_json(data, draw):
    kind = draw(st.sampled_from(["offset", "value", "delete"]))
    paths = [p for p in _paths(data) if p]
    if kind == "offset" and _offset_paths(data):
        path = draw(st.sampled_from(_offset_paths(data)))
        value = draw(st.one_of(st.integers(min_value=-3, max_value=600), st.floats(allow_nan=False, allow_infinity=False, min_value=-1, max_value=600), st.text(max_size=3), st.none(), st.booleans()))
    else:
        path = draw(st.sampled_from(paths))
        value = draw(json_values)
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if kind == "delete":
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_validator_never_raises(data, make_corpus):
    root: Path = make_corpus([])
    rel = data.draw(st.sampled_from(TARGETS), label="file")
    path = root / rel
    original = path.read_bytes()
    how = data.draw(st.sampled_from(["json", "truncate", "insert", "random"]), label="mutation")
    if how == "json" and rel.endswith(".json"):
        mutated = _mutate_json(json.loads(original), data.draw)
        schema_name = "metadata" if rel.endswith(".meta.json") else "entity-registry" if rel.endswith("entity_registry.json") else "splits" if rel.endswith("splits.json") else "annotation"
        schema = json.loads((root / "schema" / f"{schema_name}.schema.json").read_text("utf-8"))
        try:
            text = canonical_dumps(mutated, schema)
        except (TypeError, ValueError):
            text = json.dumps(mutated, ensure_ascii=False)
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
    elif how == "truncate":
        path.write_bytes(original[: data.draw(st.integers(min_value=0, max_value=len(original)), label="cut")])
    elif how == "insert":
        at = data.draw(st.integers(min_value=0, max_value=len(original)), label="at")
        path.write_bytes(original[:at] + data.draw(st.binary(min_size=1, max_size=8), label="bytes") + original[at:])
    else:
        path.write_bytes(data.draw(st.binary(max_size=200), label="bytes"))

    report = validate_corpus(CorpusPaths(root))
    assert report.exit_code() in (0, 1)
    for render in (render_text, render_json, render_github, render_markdown):
        assert isinstance(render(report), str)
    json.loads(render_json(report))
    for d in report.diagnostics:
        assert d.code and d.message and d.path
