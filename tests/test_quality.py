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
def test_tool_passes(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
