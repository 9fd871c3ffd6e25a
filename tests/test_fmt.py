"""`newscorpus fmt`: canonical layout, and never a change of content."""

from __future__ import annotations

import errno
import io
import json
import os
import random
import stat
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newscorpus import cli
from newscorpus.corpus import CorpusPaths
from newscorpus.validate import validate_corpus

ALPHA = "tinynews_2020-12-30_alpha-talks"
BETA = "tinynews_2021-01_beta-sanctions"
REPO_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "corpus"


def fmt(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["fmt", *args])
    return code, out.getvalue(), err.getvalue()


def normalise(value):
    """Content as a comparable value: span lists become multisets (sorted), the rest stays exact."""
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [normalise(v) for v in value]
        if value and all(isinstance(v, dict) and "start" in v and "end" in v for v in value):
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
        return items
    return value


def scramble(path: Path, seed: int) -> None:
    """The same content in a different layout: keys shuffled, spans shuffled, other indentation."""
    rng = random.Random(seed)
    data = json.loads(path.read_text("utf-8"))

    def shuffle(value):
        if isinstance(value, dict):
            keys = list(value)
            rng.shuffle(keys)
            return {k: shuffle(value[k]) for k in keys}
        if isinstance(value, list):
            items = [shuffle(v) for v in value]
            if value and all(isinstance(v, dict) and "start" in v for v in value):
                rng.shuffle(items)
            return items
        return value

    path.write_text(json.dumps(shuffle(data), indent=rng.choice([None, 1, 4]), ensure_ascii=rng.random() < 0.5), "utf-8")


def json_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.json") if "schema" not in p.relative_to(root).parts)


def test_fmt_restores_canonical_layout_without_changing_content(valid_corpus):
    canonical = {p: p.read_bytes() for p in json_files(valid_corpus)}
    for i, path in enumerate(canonical):
        scramble(path, seed=i)
    before = {p: json.loads(p.read_text("utf-8")) for p in canonical}
    assert any(p.read_bytes() != data for p, data in canonical.items())

    code, out, _ = fmt("--check", "--root", str(valid_corpus))
    assert code == 1 and out.count("would reformat") == len(canonical)
    assert all(p.read_bytes() != canonical[p] for p in canonical)  # --check writes nothing

    code, out, _ = fmt("--root", str(valid_corpus))
    assert code == 0
    for path, data in canonical.items():
        after = json.loads(path.read_text("utf-8"))
        assert normalise(after) == normalise(before[path]), path
        assert path.read_bytes() == data  # the generator wrote canonical files: fmt reproduces them exactly
    assert fmt("--check", "--root", str(valid_corpus))[0] == 0
    assert validate_corpus(CorpusPaths(valid_corpus)).diagnostics == []


def test_fmt_is_idempotent_and_keeps_numbers_and_text(make_corpus, monkeypatch):
    ann = f"annotated/{ALPHA}.json"
    root = make_corpus([{"op": "replace", "file": ann, "old": '"value": 20000000000,', "new": '"value": 2e10,'}])
    monkeypatch.chdir(root)
    data = json.loads((root / ann).read_text("utf-8"))
    assert fmt(ann)[0] == 0
    first = (root / ann).read_bytes()
    assert fmt(ann)[0] == 0
    assert (root / ann).read_bytes() == first
    assert normalise(json.loads(first)) == normalise(data)
    assert "Çavuşoğlu" in first.decode("utf-8")  # UTF-8, not \\u escapes


def test_one_fmt_run_makes_offsets_written_as_whole_floats_canonical(make_corpus, monkeypatch):
    """An offset written 25.0 (an L3-offset-not-integer error) becomes 25 in one run, and the
    list keeps its one-span-per-line layout: before, the first run saw no span list."""
    ann = f"annotated/{ALPHA}.json"
    root = make_corpus([{"op": "replace", "file": ann, "old": '{"id": "z2", "start": 25, "end": 64,', "new": '{"id": "z2", "start": 25.0, "end": 64.0,'}])
    monkeypatch.chdir(root)
    assert any(d.code == "L3-offset-not-integer" for d in validate_corpus(CorpusPaths(root)).diagnostics)
    assert fmt(ann)[0] == 0
    first = (root / ann).read_bytes()
    assert b'{"id": "z2", "start": 25, "end": 64,' in first
    assert fmt("--check", ann)[0] == 0
    assert validate_corpus(CorpusPaths(root)).diagnostics == []


def test_fmt_refuses_files_that_are_not_strict_json(make_corpus):
    ann = f"annotated/{ALPHA}.json"
    root = make_corpus([{"op": "replace", "file": ann, "old": '"status": "adjudicated",', "new": '"status": "adjudicated",\n"status": "single_pass",'}])
    before = (root / ann).read_bytes()
    code, _, err = fmt("--root", str(root))
    assert code == 1
    assert f"{ann}:" in err and "appears twice" in err and "not formatted" in err
    assert (root / ann).read_bytes() == before  # a duplicate key would lose data: not touched


def test_fmt_keeps_file_mode_and_never_touches_raw_files(make_corpus, monkeypatch):
    meta = f"raw/{BETA}.meta.json"
    root = make_corpus([{"op": "replace", "file": meta, "old": '"encoding": "utf-8",', "new": '"encoding":"utf-8",'}])
    monkeypatch.chdir(root)
    os.chmod(root / meta, 0o644)
    raw_before = (root / "raw" / f"{BETA}.txt").read_bytes()
    code, out, _ = fmt(f"raw/{BETA}.txt")  # a raw file target formats its metadata
    assert code == 0 and out.strip() == f"reformatted {meta}"
    assert stat.S_IMODE((root / meta).stat().st_mode) == 0o644
    assert (root / "raw" / f"{BETA}.txt").read_bytes() == raw_before


def test_fmt_usage_errors(tmp_path, valid_corpus):
    assert fmt("--root", str(tmp_path))[0] == 2
    assert fmt("--root", str(valid_corpus), str(valid_corpus / "nope.json"))[0] == 2


def test_validator_layout_check_equals_jsonio_canonical_dumps(valid_corpus):
    """The validator's fast canonical layout (used for the L1-not-canonical warning) is byte for
    byte jsonio.canonical_dumps, on every fixture file and on scrambled copies of them."""
    from newscorpus.jsonio import canonical_dumps
    from newscorpus.validate import canonical_bytes

    kinds = {"metadata": "metadata", "entity_registry": "entity-registry", "splits": "splits", "annotation": "annotation"}
    for i, path in enumerate(json_files(valid_corpus)):
        kind = "metadata" if path.name.endswith(".meta.json") else "entity_registry" if path.name == "entity_registry.json" else "splits" if path.name == "splits.json" else "annotation"
        schema = json.loads((valid_corpus / "schema" / f"{kinds[kind]}.schema.json").read_text("utf-8"))
        for attempt in range(3):
            data = json.loads(path.read_text("utf-8"))
            data["zz_unknown"] = {"b": 1, "a": [1, {"y": 2, "x": 3}]}
            assert canonical_bytes(valid_corpus, kind, data) == canonical_dumps(data, schema).encode("utf-8"), path
            scramble(path, seed=i * 10 + attempt)


_span_values = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=4), st.floats(allow_nan=False, allow_infinity=False))
_offsets = {"start": st.one_of(st.integers(0, 4), st.booleans()), "end": st.one_of(st.integers(0, 4), st.booleans())}
_odd_offsets = {"start": st.one_of(st.integers(0, 4), st.just(1.0)), "end": st.one_of(st.integers(0, 4), st.just("2"))}
_flat = {
    "id": st.one_of(st.sampled_from(["e1", "e2", "q1"]), st.integers(0, 2)),
    "text": st.text(max_size=6),  # "}, {" and newlines included
    "label": st.sampled_from(["PERSON", "ORG"]),
    "note": _span_values,
}
_nested = {
    "zz_unknown": st.one_of(_span_values, st.lists(st.integers(0, 2), max_size=2)),
    "speaker": st.fixed_dictionaries({"text": st.text(max_size=3), "start": st.integers(0, 4), "end": st.integers(0, 4)}),
    "cue": st.fixed_dictionaries(  # an inner dict that is not flat: unknown keys sort, at every depth
        {"text": st.text(max_size=3), "start": st.integers(0, 4), "end": st.integers(0, 4)},
        optional={"zz_inner": st.one_of(st.lists(st.integers(0, 2), max_size=2), st.fixed_dictionaries({"b": st.integers(0, 1), "a": st.integers(0, 1)}))},
    ),
}
_spans = st.one_of(  # flat spans (the fast path's case), spans with nested values, offsets that are not integers
    st.lists(st.fixed_dictionaries(_offsets, optional=_flat), max_size=6),
    st.lists(st.fixed_dictionaries(_offsets, optional={**_flat, **_nested}), max_size=6),
    st.lists(st.fixed_dictionaries(_odd_offsets, optional=_flat), max_size=6),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_validator_span_lists_equal_jsonio_canonical_dumps(valid_corpus, data):
    """The validator's canonical layout takes a fast path for span lists that are sorted, flat
    and in key order; on any span list (ties, booleans as offsets, keys in any order, nested
    values, unknown keys, items that are not spans) it gives jsonio.canonical_dumps's bytes."""
    from newscorpus.jsonio import _ordered, canonical_dumps
    from newscorpus.validate import canonical_bytes

    schema = json.loads((valid_corpus / "schema" / "annotation.schema.json").read_text("utf-8"))
    ann = json.loads((valid_corpus / "annotated" / f"{ALPHA}.json").read_text("utf-8"))
    for layer in ("zones", "entities", "quotes", "dates", "numeric_claims"):
        spans = data.draw(_spans, label=layer)
        shuffled = []
        for span in spans:
            keys = list(span)
            if data.draw(st.booleans(), label="reorder keys"):
                keys = data.draw(st.permutations(keys), label="key order")
            shuffled.append({k: span[k] for k in keys})
        if shuffled and data.draw(st.booleans(), label="add a non-span item"):
            shuffled.append(data.draw(st.one_of(st.text(max_size=2), st.integers(), st.none(), st.fixed_dictionaries({"start": st.integers(0, 2)}))))
        if data.draw(st.booleans(), label="sort by offsets"):  # the order of a canonical file, ties aside
            try:
                shuffled.sort(key=lambda v: (v["start"], v["end"]))
            except (TypeError, KeyError):
                pass
        ann[layer] = shuffled
    if data.draw(st.booleans(), label="keys in schema order"):  # as in a canonical file
        ann = _ordered(ann, schema, schema)
        if data.draw(st.booleans(), label="but not inside nested values"):
            for layer in ("zones", "entities", "quotes", "dates", "numeric_claims"):
                for span in ann[layer]:
                    for key, value in list(span.items()) if isinstance(span, dict) else ():
                        if isinstance(value, dict):
                            span[key] = dict(reversed(value.items()))
    assert canonical_bytes(valid_corpus, "annotation", ann) == canonical_dumps(ann, schema).encode("utf-8")


_inner_scalars = st.one_of(st.none(), st.integers(0, 3), st.text(max_size=3))
_small_dict = st.fixed_dictionaries({"b": _inner_scalars, "a": _inner_scalars})  # canonical order: a, b
_inner = st.one_of(  # a quote's speaker/cue: flat, or holding a list or a dict (unknown keys sort)
    st.fixed_dictionaries({"text": st.text(max_size=3), "start": st.integers(0, 9), "end": st.integers(0, 9)}),
    st.fixed_dictionaries({"text": st.text(max_size=3), "start": st.integers(0, 9), "zz": st.one_of(st.lists(_inner_scalars, max_size=2), _small_dict)}),
    st.none(),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_validator_quote_lines_equal_jsonio_canonical_dumps(valid_corpus, data):
    """Spans with inner dicts or lists take the fast path only when everything inside is flat
    and in key order too. Every example here is sorted, with distinct offsets and keys in schema
    order at the top level, so it reaches that decision; then one level below may be put out of
    order."""
    from newscorpus.jsonio import _ordered, canonical_dumps
    from newscorpus.validate import canonical_bytes

    schema = json.loads((valid_corpus / "schema" / "annotation.schema.json").read_text("utf-8"))
    ann = json.loads((valid_corpus / "annotated" / f"{ALPHA}.json").read_text("utf-8"))
    n = data.draw(st.integers(1, 4), label="quotes")
    zz_list = st.lists(st.one_of(_inner_scalars, _small_dict), max_size=2)
    ann["quotes"] = [
        {"id": f"q{i}", "start": 2 * i, "end": 2 * i + 1, "speaker": data.draw(_inner, label="speaker"), "cue": data.draw(_inner, label="cue"),
         **data.draw(st.fixed_dictionaries({}, optional={"zz_list": zz_list}), label="a list")}
        for i in range(n)
    ]
    ann = _ordered(ann, schema, schema)
    where = data.draw(st.sampled_from(["nowhere", "inner dict", "dict in inner dict", "dict in list"]), label="out of order")
    for quote in ann["quotes"]:
        for key, inner in list(quote.items()):
            if where == "inner dict" and isinstance(inner, dict):
                quote[key] = dict(reversed(inner.items()))
            elif where == "dict in inner dict" and isinstance(inner, dict) and isinstance(inner.get("zz"), dict):
                inner["zz"] = dict(reversed(inner["zz"].items()))
            elif where == "dict in list" and isinstance(inner, list):
                quote[key] = [dict(reversed(v.items())) if isinstance(v, dict) else v for v in inner]
    assert canonical_bytes(valid_corpus, "annotation", ann) == canonical_dumps(ann, schema).encode("utf-8")


def _refuse_writes_in(folder: Path, step: str, monkeypatch) -> None:
    """Make one step of the atomic write fail, as a read-only folder or a full disk would, for
    files in `folder` only (chmod does not stop root, so the OS error is simulated)."""

    from newscorpus import jsonio

    def inside(name) -> bool:
        return Path(os.fsdecode(name)).resolve().parent == folder.resolve()

    if step == "mkstemp":
        real = jsonio.tempfile.mkstemp

        def fake(*args, **kwargs):
            if inside(Path(kwargs["dir"]) / "x"):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(Path(kwargs["dir"]) / ".x.json.abc.tmp"))
            return real(*args, **kwargs)

        monkeypatch.setattr(jsonio.tempfile, "mkstemp", fake)
    elif step == "fsync":  # the disk fills up: the temporary file exists, half written
        real_fsync = jsonio.os.fsync
        opened: dict[int, str] = {}
        real_mkstemp = jsonio.tempfile.mkstemp

        def mkstemp(*args, **kwargs):
            fd, name = real_mkstemp(*args, **kwargs)
            opened[fd] = name
            return fd, name

        def fsync(fd):
            if fd in opened and inside(opened[fd]):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real_fsync(fd)

        monkeypatch.setattr(jsonio.tempfile, "mkstemp", mkstemp)
        monkeypatch.setattr(jsonio.os, "fsync", fsync)
    else:
        real_replace = jsonio.os.replace

        def replace(src, dst, *args, **kwargs):
            if inside(dst):
                raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), src, None, dst)
            return real_replace(src, dst, *args, **kwargs)

        monkeypatch.setattr(jsonio.os, "replace", replace)


def _two_files_to_reformat(make_corpus) -> tuple[Path, str, str]:
    """A corpus whose annotation of ALPHA and metadata of BETA are both out of canonical layout:
    one file to make fail, the other to show that fmt goes on."""
    ann = f"annotated/{ALPHA}.json"
    meta = f"raw/{BETA}.meta.json"
    root = make_corpus([
        {"op": "replace", "file": ann, "old": '"value": 20000000000,', "new": '"value": 2e10,'},
        {"op": "replace", "file": meta, "old": '"encoding": "utf-8",', "new": '"encoding":"utf-8",'},
    ])
    return root, ann, meta


@pytest.mark.parametrize("step", ["mkstemp", "fsync", "replace"])
def test_fmt_reports_a_refused_write_in_one_line_and_goes_on(make_corpus, monkeypatch, step):
    root, ann, meta = _two_files_to_reformat(make_corpus)
    ann_before = (root / ann).read_bytes()
    _refuse_writes_in(root / "annotated", step, monkeypatch)
    code, out, err = fmt("--root", str(root))
    assert code == 2  # the environment, not the corpus
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if ann in line]
    assert len(lines) == 1 and "error: cannot write" in lines[0] and "left as it was" in lines[0]
    assert os.strerror({"mkstemp": 30, "fsync": 28, "replace": 1}[step]) in lines[0]
    assert (root / ann).read_bytes() == ann_before  # never half written
    assert not [p.name for p in (root / "annotated").iterdir() if p.name.endswith(".tmp")]
    assert out.strip() == f"reformatted {meta}"  # the other files are still formatted
    assert "1 reformatted, 1 not written" in err


def test_fmt_reports_an_unreadable_file_as_the_environment_and_goes_on(make_corpus, monkeypatch):
    root, ann, meta = _two_files_to_reformat(make_corpus)
    ann_before = (root / ann).read_bytes()
    real_read_bytes = Path.read_bytes

    def read_bytes(self):
        if self == root / ann:  # tests run as root, whom chmod does not stop
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    code, out, err = fmt("--root", str(root))
    assert code == 2  # the environment, not the corpus
    lines = [line for line in err.splitlines() if ann in line]
    assert len(lines) == 1 and "error: cannot read" in lines[0] and os.strerror(errno.EACCES) in lines[0]
    assert out.strip() == f"reformatted {meta}"  # the other files are still formatted
    assert "1 not readable" in err
    monkeypatch.setattr(Path, "read_bytes", real_read_bytes)
    assert (root / ann).read_bytes() == ann_before


def test_fmt_writes_through_a_symlinked_annotation_and_keeps_the_link(make_corpus, tmp_path, monkeypatch):
    from newscorpus import jsonio

    ann = f"annotated/{ALPHA}.json"
    root = make_corpus([{"op": "replace", "file": ann, "old": '"value": 20000000000,', "new": '"value": 2e10,'}])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "alpha.json"
    (root / ann).rename(target)
    os.chmod(target, 0o640)
    (root / ann).symlink_to(target)
    temp_dirs = []
    real_mkstemp = jsonio.tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        temp_dirs.append(Path(kwargs["dir"]))
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(jsonio.tempfile, "mkstemp", mkstemp)
    code, out, _ = fmt("--root", str(root))
    assert code == 0 and out.strip() == f"reformatted {ann}"
    assert (root / ann).is_symlink() and os.readlink(root / ann) == str(target)  # still the same link
    assert b"20000000000" in target.read_bytes()  # the target got the canonical layout
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert temp_dirs == [elsewhere]  # the temporary file beside the target: the rename stays on its file system
    assert sorted(p.name for p in elsewhere.iterdir()) == ["alpha.json"]  # and none is left
    assert fmt("--check", "--root", str(root))[0] == 0


def test_fmt_rewrites_only_the_file_named_but_a_raw_text_stands_for_its_document(valid_corpus, monkeypatch):
    """fmt writes files, so a named JSON file is the only one it touches; `validate` reads the
    sibling metadata too, fmt must not rewrite it behind the user's back."""
    monkeypatch.chdir(valid_corpus)
    ann, meta = valid_corpus / "annotated" / f"{ALPHA}.json", valid_corpus / "raw" / f"{ALPHA}.meta.json"
    scramble(ann, 1)
    scramble(meta, 2)
    meta_before = meta.read_bytes()
    code, out, err = fmt(f"annotated/{ALPHA}.json")
    assert code == 0 and out == f"reformatted annotated/{ALPHA}.json\n" and "1 file checked, 1 reformatted" in err
    assert meta.read_bytes() == meta_before
    code, out, _ = fmt(f"raw/{ALPHA}.txt")  # the document: its metadata (and annotation files)
    assert code == 0 and out == f"reformatted raw/{ALPHA}.meta.json\n" and meta.read_bytes() != meta_before


def test_a_named_symlinked_file_is_the_only_one_fmt_rewrites(make_corpus, tmp_path, monkeypatch):
    ann, meta = f"annotated/{ALPHA}.json", f"raw/{ALPHA}.meta.json"
    root = make_corpus([{"op": "replace", "file": ann, "old": '"value": 20000000000,', "new": '"value": 2e10,'}])
    target = tmp_path / "alpha.json"
    (root / ann).rename(target)
    (root / ann).symlink_to(target)
    scramble(root / meta, 3)
    meta_before = (root / meta).read_bytes()
    monkeypatch.chdir(root)
    code, out, _ = fmt(ann)
    assert code == 0 and out == f"reformatted {ann}\n"
    assert (root / meta).read_bytes() == meta_before


def test_renumber_numbers_ids_in_text_order_and_follows_every_reference(make_corpus, monkeypatch):
    """Ids spoilt the way inserting a span leaves them (t9 between t2 and t4, q7 for q2) and
    their references: --renumber gives back the original file byte for byte."""
    ann = f"annotated/{ALPHA}.json"
    root = make_corpus([
        {"op": "set", "file": ann, "path": ["dates", 2, "id"], "value": "t9"},
        {"op": "set", "file": ann, "path": ["numeric_claims", 0, "date_id"], "value": "t9"},
        {"op": "set", "file": ann, "path": ["quotes", 1, "id"], "value": "q7"},
        {"op": "set", "file": ann, "path": ["quotes", 2, "continues"], "value": "q7"},
    ])
    monkeypatch.chdir(root)
    original = (REPO_FIXTURE / ann).read_bytes()
    assert {d.code for d in validate_corpus(CorpusPaths(root)).diagnostics} >= {"L4-id-order"}
    code, out, _ = fmt(ann)  # plain fmt never changes content
    assert code == 0 and (root / ann).read_bytes() != original
    code, out, _ = fmt("--renumber", ann)
    assert code == 0 and out == f"reformatted {ann}\n"
    assert (root / ann).read_bytes() == original
    assert fmt("--renumber", "--check")[0] == 0  # nothing left to renumber anywhere
