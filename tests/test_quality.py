"""Lint, format and types: ruff over everything, mypy --strict (snippets: the SDK's types)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .project import ROOT


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy"],  # files and strictness: [tool.mypy] in pyproject.toml
    ],
    ids=" ".join,
)
# mypy over the whole tree takes about a minute cold on two cores, more beside the browser tests:
# the suite's 120 s per test is for a test that hangs, not for one that is merely slow.
@pytest.mark.timeout(600)
def test_tool_passes(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
