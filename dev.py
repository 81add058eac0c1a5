#!/usr/bin/env python3
"""Set up the project's environment, then serve the site or run the tests.

    python3 dev.py serve      # the site on http://127.0.0.1:8000, reloading on edits
    python3 dev.py test       # the whole suite: snippets, pages, recordings, ruff, mypy

Needs only Python 3.11+. The first run creates `.venv/` from the pinned, hash-checked
`requirements.lock`; later runs reuse it until the lock or pyproject.toml changes.
Extra arguments go to the tool: `python3 dev.py test -k text_stream`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed-from"
INPUTS = ("requirements.lock", "pyproject.toml")


def fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    wanted = fingerprint()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    print("Creating .venv from requirements.lock ...", flush=True)
    venv.EnvBuilder(clear=True, with_pip=True).create(VENV)
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    # Every package and its hash come from the lock; nothing is resolved here.
    run([*pip, "install", "--require-hashes", "--no-deps", "-r", "requirements.lock"])
    # The project itself, editable, built with the locked build backend.
    run([*pip, "install", "--no-deps", "--no-build-isolation", "-e", "."])
    STAMP.write_text(wanted)


def run(command: list[str]) -> None:
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode:
        sys.exit(result.returncode)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"serve", "test", "setup"}:
        print(__doc__)
        return 2
    ensure_environment()
    action, extra = argv[0], argv[1:]
    if action == "setup":
        return 0
    if action == "serve":
        command = [str(BIN / "mkdocs"), "serve", "--dev-addr", "127.0.0.1:8000", *extra]
    else:
        command = [str(BIN / "python"), "-m", "pytest", *extra]
    return subprocess.run(command, cwd=ROOT).returncode


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
