#!/usr/bin/env python3
"""Set up the project's environment, then serve the site or run the tests.

    python3 dev.py serve      # the site on http://127.0.0.1:8000, reloading on edits
    python3 dev.py test       # the whole suite, on every core (-n 0: in one process)
    python3 dev.py build      # the site for the address in SITE_URL, in site/, to publish
    python3 dev.py bench      # figures for this machine (--write: onto the Benchmarks page)
    python3 dev.py sdk-matrix # the SDK versions page's checks on several anthropic releases

    python3 dev.py run SNIPPET [--speed S] [--live]   # replay a snippet (or run it live)
    python3 dev.py serve-recordings [SNIPPET ...]      # the replay server alone
    python3 dev.py record SNIPPET                      # record a snippet from the live API
    python3 dev.py check PATH ...                      # check recordings and .sse bodies
    python3 dev.py timeline RECORDING [--svg]          # what arrived when (--svg: drawn)
    python3 dev.py drift STORED NEW | --live           # compare recordings by structure

Needs only Python 3.11+. The first run creates `.venv/` from the pinned, hash-checked
`requirements.lock`; later runs reuse it until the lock changes.
Extra arguments go to the tool: `python3 dev.py test -k text_stream`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import venv
from collections.abc import Mapping
from pathlib import Path

try:
    import resource  # CPU time of the processes a command started; not on Windows
except ImportError:
    resource = None  # type: ignore[assignment]

if sys.version_info < (3, 11):  # noqa: UP036 - this file is what runs on an older Python
    sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed-from"
PROJECT_STAMP = VENV / ".project-installed-from"
INPUTS = ("requirements.lock",)  # regenerated whenever the dependencies change


def fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    wanted = fingerprint()
    if STAMP.exists() and STAMP.read_text() == wanted:
        install_project()
        return
    print("Creating .venv from requirements.lock ...", flush=True)
    venv.EnvBuilder(clear=True, with_pip=True).create(VENV)
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    # Every package and its hash come from the lock; nothing is resolved here.
    run([*pip, "install", "--require-hashes", "--no-deps", "-r", "requirements.lock"])
    STAMP.write_text(wanted)
    install_project()


def install_project() -> None:
    """The project itself, editable, built with the locked build backend; again whenever
    pyproject.toml changes, as its entry points (the command, the pytest plugin) may have."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PROJECT_STAMP.exists() and PROJECT_STAMP.read_text() == wanted:
        return
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    run([*pip, "install", "--no-deps", "--no-build-isolation", "-e", "."])
    PROJECT_STAMP.write_text(wanted)


def run(command: list[str]) -> None:
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode:
        sys.exit(result.returncode)


# dev.py's own words for the replay tool's commands.
REPLAY_COMMANDS = {
    "run": "run",
    "serve-recordings": "serve",
    "record": "record",
    "check": "check",
    "timeline": "timeline",
    "drift": "drift",
}


def parallel_options(extra: list[str]) -> list[str]:
    """pytest-xdist's `-n auto` (a worker per core), unless the arguments choose the number of
    workers themselves, rewrite files (--update-outputs runs in one process) or debug (--pdb)."""
    chosen = any(
        arg.startswith(("-n", "--numprocesses", "--update-outputs", "--pdb", "--trace"))
        or arg in {"no:xdist", "-pno:xdist"}
        for arg in extra
    )
    return [] if chosen else ["-n", "auto"]


def ci_options(extra: list[str], environ: Mapping[str, str]) -> list[str]:
    """Under CI (CI=true), the ten slowest tests after the summary, unless asked otherwise."""
    wanted = environ.get("CI", "").lower() == "true"
    chosen = any(arg.startswith("--durations") for arg in extra)
    return ["--durations=10"] if wanted and not chosen else []


def timed(command: list[str], env: dict[str, str]) -> int:
    """Run the tests, then say how long they took: wall time, and the CPU time of every
    process they started (workers, browsers, subprocesses), which a busy machine changes less."""
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN) if resource else None
    code = subprocess.run(command, cwd=ROOT, env=env).returncode
    wall = time.monotonic() - started
    cpu = ""
    if resource and before:
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
        cpu = f", {user + system:.0f} s of CPU (user {user:.0f} s + sys {system:.0f} s)"
    print(f"dev.py test: {wall:.0f} s of wall time{cpu}", flush=True)
    return code


def main(argv: list[str]) -> int:
    actions = {"serve", "test", "build", "bench", "sdk-matrix", "setup", *REPLAY_COMMANDS}
    if not argv or argv[0] not in actions:
        print(__doc__)
        return 2
    ensure_environment()
    action, extra = argv[0], argv[1:]
    python = str(BIN / "python")
    if action == "setup":
        return 0
    if action == "serve":
        command = [python, "-m", "mkdocs", "serve", "--dev-addr", "127.0.0.1:8000", *extra]
    elif action == "test":
        options = [*parallel_options(extra), *ci_options(extra, os.environ)]
        command = [python, "-m", "pytest", *options, *extra]
    elif action == "build":
        command = [python, "-m", "tests.publish", *extra]
    elif action == "bench":
        command = [python, "-m", "tests.bench", *extra]
    elif action == "sdk-matrix":
        command = [python, "-m", "tests.sdk_matrix", *extra]
    else:
        command = [python, "-m", "stream_replay", REPLAY_COMMANDS[action], *extra]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if action == "test":
        return timed(command, env)
    return subprocess.run(command, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
