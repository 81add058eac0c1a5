"""The TypeScript snippets type-check (tsc, once for all of them); tests/test_snippets.py runs
each one with Node against its recording."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from .project import ROOT, SNIPPETS

TSC = ROOT / "node_modules" / ".bin" / "tsc"


def test_there_are_typescript_snippets() -> None:
    assert len([s for s in SNIPPETS if s.suffix == ".ts"]) >= 5


def test_the_typescript_snippets_type_check() -> None:
    if shutil.which("node") is None or not TSC.exists():
        pytest.skip("Node or node_modules missing: `npm ci` (python3 dev.py runs it)")
    result = subprocess.run(
        [str(TSC), "-p", "tsconfig.json"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
