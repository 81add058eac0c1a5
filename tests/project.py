"""The project's files as the tests see them, and running a snippet against its recordings."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from stream_replay import ReplayServer, load_recordings_for

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS_DIR = ROOT / "snippets"
RECORDINGS_DIR = ROOT / "recordings"
DOCS_DIR = ROOT / "docs"
SHARED_STREAMS = ROOT.parent / "shared" / "real-streams"
PLACEHOLDER_KEY = "test-key-not-a-secret"

SNIPPETS = sorted(p for p in SNIPPETS_DIR.rglob("*.py") if not p.name.startswith("_"))


def output_file(snippet: Path) -> Path:
    """Where the output shown beside a snippet on its page lives."""
    return snippet.with_suffix(".output.txt")


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@dataclass
class SnippetRun:
    stdout: str
    server: ReplayServer


def run_snippet(
    snippet: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    recordings_of: Path | None = None,
) -> SnippetRun:
    """Run a snippet in this process (the SDK is imported once), against its recordings.

    `recordings_of` names another snippet whose recordings to use (for an edited copy).
    """
    recordings = load_recordings_for(recordings_of or snippet, ROOT)
    capsys.readouterr()
    failure: BaseException | None = None
    with ReplayServer(recordings, speed=0) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", PLACEHOLDER_KEY)
        try:
            runpy.run_path(str(snippet), run_name="__main__")
        except BaseException as error:  # reported below, after any request mismatch
            failure = error
    # An unmatched request explains a failure better than the SDK's error it caused.
    if server.mismatches:
        pytest.fail("\n\n".join(m.message() for m in server.mismatches), pytrace=False)
    if failure is not None:
        raise failure
    return SnippetRun(capsys.readouterr().out, server)


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment of an end-to-end subprocess: no key, and the network guard installed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["PYTHONPATH"] = str(ROOT / "tests" / "network_guard")
    env.update(extra)
    return env


def build_site(project: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` of `project` into `site`."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
