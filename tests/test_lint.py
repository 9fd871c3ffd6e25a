"""The code passes the lint the pre-commit hook runs (pyflakes rules, see pyproject.toml), so a
contributor without the hook still learns of an undefined or unused name from CI."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed (it comes with the test extra)")
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "scripts", "tests"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
