"""The fast schema engine (jsonschema_rs, yes/no) and the reference (jsonschema) agree.

jsonschema_rs only says whether a file is valid; when it says no, jsonschema writes the
messages. So the diagnostics must be identical whichever engine runs, on the valid corpus
and on every invalid fixture; and NEWSCORPUS_SCHEMA_ENGINE=jsonschema must really bypass
the fast engine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newscorpus import validate
from newscorpus.corpus import CorpusPaths

INVALID = Path(__file__).resolve().parent / "fixtures" / "invalid"
FIXTURES = sorted(INVALID.glob("*.json"))

jsonschema_rs = pytest.importorskip("jsonschema_rs", reason="the fast engine is the [fast] extra")


def _diagnostics(root: Path, engine: str, monkeypatch) -> list:
    monkeypatch.setenv(validate.ENGINE_ENV, engine)
    return validate.validate_corpus(CorpusPaths(root)).diagnostics


@pytest.mark.parametrize("fixture", [None] + FIXTURES, ids=["valid"] + [p.stem for p in FIXTURES])
def test_engines_give_the_same_diagnostics(fixture, make_corpus, monkeypatch):
    edits = json.loads(fixture.read_text("utf-8"))["edits"] if fixture else []
    root = make_corpus(edits)
    fast = _diagnostics(root, "rs", monkeypatch)
    reference = _diagnostics(root, "jsonschema", monkeypatch)
    assert fast == reference
    assert {d.code for d in fast} == ({json.loads(fixture.read_text("utf-8"))["code"]} if fixture else set())


def test_fast_engine_decides_valid_files_without_the_reference(valid_corpus, monkeypatch):
    monkeypatch.setenv(validate.ENGINE_ENV, "auto")
    assert validate.fast_engine_available(valid_corpus)

    def refuse(*args, **kwargs):
        raise AssertionError("the reference engine ran on a valid corpus")

    monkeypatch.setattr(validate, "_reference_validator", refuse)
    assert validate.validate_corpus(CorpusPaths(valid_corpus)).diagnostics == []


def test_env_var_forces_the_reference_engine(valid_corpus, monkeypatch):
    calls = []
    real = validate._reference_validator

    def counting(root, kind):
        calls.append(kind)
        return real(root, kind)

    monkeypatch.setattr(validate, "_reference_validator", counting)
    monkeypatch.setenv(validate.ENGINE_ENV, "jsonschema")
    assert validate.validate_corpus(CorpusPaths(valid_corpus)).diagnostics == []
    assert {"annotation", "metadata", "entity_registry", "splits"} <= set(calls)


def test_rejected_by_fast_engine_but_valid_for_the_reference(make_corpus, monkeypatch):
    """Engines differ at the edges (Python's `$` matches before a final newline, Rust's does not).
    The reference decides: a file only the fast engine rejects gets no schema error."""
    ann = "annotated/tinynews_2020-12-30_alpha-talks.json"
    root = make_corpus([{"op": "set", "file": ann, "path": ["annotators", 0, "id"], "value": "fixture-a\n"}])
    monkeypatch.setenv(validate.ENGINE_ENV, "rs")
    fast = validate.validate_corpus(CorpusPaths(root)).diagnostics
    monkeypatch.setenv(validate.ENGINE_ENV, "jsonschema")
    assert fast == validate.validate_corpus(CorpusPaths(root)).diagnostics
