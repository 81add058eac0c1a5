"""The project's files as the tests see them, and running a snippet against its recordings."""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from stream_replay import ReplayServer, load_recordings_for, parse_fault
from stream_replay._platforms import replay_environment
from stream_replay._typescript import NodeMissing, node_command

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS_DIR = ROOT / "snippets"
RECORDINGS_DIR = ROOT / "recordings"
DOCS_DIR = ROOT / "docs"
SHARED_STREAMS = ROOT.parent / "shared" / "real-streams"
PLACEHOLDER_KEY = "test-key-not-a-secret"

# Python snippets, shell ones (curl) that the tests run with bash, and TypeScript ones that
# they run with Node (transpiled by esbuild: stream_replay._typescript).
SNIPPETS = sorted(
    p
    for p in SNIPPETS_DIR.rglob("*")
    if p.suffix in {".py", ".sh", ".ts"} and not p.name.startswith("_")
)
# Snippets that measure time replay at the recorded pace (speed 1), not at once; the times in
# seconds they print ("0.71 s") are compared with the shown output within TIME_TOLERANCE.
TIMED_SNIPPETS: set[str] = {"why_stream/time_to_first_token.py", "deadlines/watchdog.py"}
TIME_TOLERANCE = 0.3
# Snippets that also replay at the recorded pace, though they print no times: break_out.ts
# aborts mid-stream, and at once (speed 0) the whole body would have arrived before its
# abort(); Node 20's fetch (undici 6) can then leave finalMessage() pending for ever
# (nodejs/undici#4089), which docs/typescript.md warns about. A reader's stream is still
# arriving when they abort it, as it is at the recorded pace.
PACED_SNIPPETS: set[str] = {"cancelling/break_out.ts"}
# Snippets that serve (a web app that runs until stopped): run as __main__ they would never
# return, so the generic snippet test skips them; tests/test_relay.py serves and checks them.
# They print nothing worth showing: no output file.
SERVED_SNIPPETS: set[str] = {"relay/relay_app.py", "relay/relay_starlette.py"}
# Clients of a served snippet: they talk to it, not to the API, so they have no recordings of
# their own. tests/test_relay.py runs them against it; their output file is shown as usual.
SERVED_SNIPPET_CLIENTS: set[str] = {"relay/browser_client.py"}
# Snippets that are test modules (the testing page): pytest runs them, with the replay
# plugin, not runpy; their output file is pytest's report. tests/test_testing.py runs them.
# They have no recordings of their own: they name the recordings they use.
PYTEST_SNIPPETS: set[str] = {
    "testing/test_summarise.py",
    "testing/test_sweeps.py",
    "testing/test_verdicts.py",
}
# Snippets about failures replay with faults injected, given as the --fault specs a reader
# passes to `python3 dev.py run` (the page that shows the snippet gives the same command).
SNIPPET_FAULTS: dict[str, list[str]] = {
    "errors/overloaded_retry.py": ["http:529@1", "http:529@2"],
    "errors/rate_limited.py": ["http:429:1"],
    "errors/error_in_stream.py": ["error:5"],
    "truncated/cut_connection.py": ["cut-mid:6"],
    "truncated/cut_connection.ts": ["cut-mid:6"],
    "truncated/guarded.py": ["cut-mid:5@1"],
    "retrying/retry_then_resume.py": ["error:5@1"],
    "timeouts/idle_timeout.py": ["stall:12:3"],
    "deadlines/watchdog.py": ["stall:5:3@2"],
    "usage/usage_after_cut.py": ["cut-mid:6"],
}
# Recordings the pages play in the stream player (docs/assets/player.js), each with the --fault
# specs it is played under: the data goes to docs/players/<key>[--<fault>].json
# (stream_replay._player.player_file), written by `python3 dev.py test --update-outputs`.
PLAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("first_stream/text_stream", ()),
    ("content_blocks/tool_use_events", ()),
    ("thinking/separate_panes", ()),
    ("truncated/cut_connection", ("cut-mid:6",)),
    ("errors/error_in_stream", ("error:5",)),
]
PLAYERS_DIR = DOCS_DIR / "players"
SECONDS = re.compile(r"(\d+\.\d+) s\b")


def snippet_name(snippet: Path) -> str:
    """`snippets/<topic>/<name>.py` -> `<topic>/<name>.py`, as the sets above name it.

    A file outside snippets/ (an edited copy in a test) gets a name no set contains.
    """
    if not snippet.is_relative_to(SNIPPETS_DIR):
        return snippet.as_posix()
    return snippet.relative_to(SNIPPETS_DIR).as_posix()


def is_timed(snippet: Path) -> bool:
    return snippet_name(snippet) in TIMED_SNIPPETS


def faults_of(snippet: Path) -> list[str]:
    return SNIPPET_FAULTS.get(snippet_name(snippet), [])


def outputs_match(actual: str, shown: str, *, timed: bool) -> bool:
    if not timed:
        return actual == shown
    actual_times, shown_times = SECONDS.findall(actual), SECONDS.findall(shown)
    return (
        SECONDS.sub("<t> s", actual) == SECONDS.sub("<t> s", shown)
        and len(actual_times) == len(shown_times)
        and all(
            abs(float(a) - float(b)) <= TIME_TOLERANCE
            for a, b in zip(actual_times, shown_times, strict=True)
        )
    )


def output_file(snippet: Path) -> Path:
    """Where the output shown beside a snippet on its page lives. A TypeScript snippet may
    share its name (and recording) with a Python one: its output is `<name>.ts.output.txt`."""
    if snippet.suffix == ".ts":
        return snippet.with_name(f"{snippet.name}.output.txt")
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
    speed = 1.0 if is_timed(snippet) or snippet_name(snippet) in PACED_SNIPPETS else 0.0
    capsys.readouterr()
    failure: BaseException | None = None
    stdout = ""
    faults = [parse_fault(spec) for spec in faults_of(snippet)]
    with ReplayServer(recordings, speed=speed, faults=faults) as server:
        for name, value in replay_environment(server.url, PLACEHOLDER_KEY).items():
            monkeypatch.setenv(name, value)
        try:
            if snippet.suffix == ".sh":
                stdout = run_shell_snippet(snippet)
            elif snippet.suffix == ".ts":
                stdout = run_typescript_snippet(snippet)
            else:
                runpy.run_path(str(snippet), run_name="__main__")
        except BaseException as error:  # reported below, after any request mismatch
            failure = error
    # An unmatched request explains a failure better than the SDK's error it caused.
    if server.mismatches:
        pytest.fail("\n\n".join(m.message() for m in server.mismatches), pytrace=False)
    if failure is not None:
        raise failure
    return SnippetRun(stdout or capsys.readouterr().out, server)


def run_shell_snippet(snippet: Path) -> str:
    """A shell snippet (curl) runs with bash, seeing the same environment a reader exports."""
    result = subprocess.run(
        ["bash", str(snippet)], capture_output=True, text=True, timeout=60, env=dict(os.environ)
    )
    if result.returncode:
        raise AssertionError(f"{relative(snippet)} exited {result.returncode}:\n{result.stderr}")
    return result.stdout


def run_typescript_snippet(snippet: Path) -> str:
    """A TypeScript snippet runs with Node, one process per example; skipped where Node or
    node_modules is missing (CI installs Node: .ci/run)."""
    try:
        command = node_command(snippet, ROOT)
    except NodeMissing as missing:
        pytest.skip(str(missing))
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=60, env=dict(os.environ), cwd=ROOT
    )
    if result.returncode:
        raise AssertionError(f"{relative(snippet)} exited {result.returncode}:\n{result.stderr}")
    return result.stdout


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment of an end-to-end subprocess: no key, and the network guard installed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["PYTHONPATH"] = str(ROOT / "tests" / "network_guard")
    env.update(extra)
    return env


# The address and repository the suite's site is built for, as a deployment sets SITE_URL and
# REPO_URL: a path below the host's root, as GitHub Pages serves a project's site.
PUBLISHED_SITE_URL = "https://example.org/streaming/"
PUBLISHED_REPO_URL = "https://github.com/example/streaming"


def build_site(project: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` of `project` into `site`."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def once_per_run(
    run_dir: Path, name: str, action: Callable[[], None], timeout: float = 600
) -> None:
    """Run `action` once in this run, however many workers ask; the others wait for it.

    Creating a folder is atomic: the worker that creates `<name>.lock` runs the action, and
    leaves `<name>.done`, or `<name>.failed` with the reason, which the others report too.
    """
    lock, done, failed = (run_dir / f"{name}.{end}" for end in ("lock", "done", "failed"))
    try:
        lock.mkdir()
    except FileExistsError:
        deadline = time.monotonic() + timeout
        while not done.exists():
            if failed.exists():
                pytest.fail(f"{name}: {failed.read_text()}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"{name}: another worker did not finish within {timeout:g} s")
            time.sleep(0.05)
        return
    try:
        action()
    except BaseException as error:
        failed.write_text(str(error) or type(error).__name__)
        raise
    done.touch()


def auto_workers() -> int:
    """The workers of `pytest -n auto` here: two more than the cores this process may use,
    unless the environment variable PYTEST_XDIST_AUTO_NUM_WORKERS says otherwise."""
    if chosen := os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return int(chosen)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) + 2
