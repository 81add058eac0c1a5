"""The TypeScript snippets type-check (tsc, once for all of them); tests/test_snippets.py runs
each one with Node against its recording."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from stream_replay._typescript import NodeMissing, TranspileError, node_command

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


def test_a_snippet_esbuild_rejects_fails_naming_its_line(tmp_path: Path) -> None:
    # A syntax error is the author's mistake, not a missing tool: it must fail, not skip.
    if shutil.which("node") is None or not (ROOT / "node_modules" / ".bin" / "esbuild").exists():
        pytest.skip("Node or node_modules missing: `npm ci` (python3 dev.py runs it)")
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    bad = tmp_path / "snippets" / "broken" / "bad.ts"
    bad.parent.mkdir(parents=True)
    bad.write_text("const a = 1;\nconst x y = 2;\n")
    with pytest.raises(TranspileError) as raised:
        node_command(bad, tmp_path)
    assert str(raised.value) == 'snippets/broken/bad.ts:2:8: Expected ";" but found "y"'


def test_node_missing_is_said_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(NodeMissing, match=r"^TypeScript snippets need Node 20 or newer"):
        node_command(ROOT / "snippets" / "first_stream" / "text_stream.ts", ROOT)
