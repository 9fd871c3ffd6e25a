"""The README's two commands stay true: CI runs the README's test command, and the main
command calls a console script the package really installs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _readme_shell_commands() -> list[str]:
    readme = (REPO / "README.md").read_text("utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_ci_runs_the_readme_test_command():
    ci_lines = [
        line.strip()
        for line in (REPO / ".ci" / "run").read_text("utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    test_command = ci_lines[-1]
    assert "pytest" in test_command
    assert test_command in _readme_shell_commands()


def test_main_command_uses_an_installed_console_script():
    main = next(c for c in _readme_shell_commands() if c.endswith("newscorpus build"))
    extras = re.search(r'-e "\.\[(\w+)\]"', main).group(1)
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["scripts"]["newscorpus"] == "newscorpus.cli:main"
    assert extras in project["optional-dependencies"]
    assert any(dep.startswith("datasets") for dep in project["optional-dependencies"][extras])
