"""`python3 dev.py sdk-matrix [--installed] [--write] [--versions V,...]`.

Runs the checks of the SDK versions page against several `anthropic` releases: the lock's in
this process, every other one with a lock file in tests/sdk_matrix/locks/ in its own virtual
environment (.venv-sdk/<version>/, made from that lock the first time). Prints what each
release did that differs from docs/sdk-versions/results.json, and fails if anything does.

    --write       store the results and rewrite docs/sdk-versions/table.txt instead of failing
    --installed   only the release installed in .venv (a newer one, in the scheduled workflow),
                  compared with the stored results for its version, or else for the lock's
    --versions    only these releases (comma-separated)
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import platform
import sys

from .measure import Measured, environment, locked_versions, measure_here, measure_in
from .report import RESULTS_JSON, TABLE, TITLES, changes, load, lock_version, render, store


def annotate(version: str, lines: list[str]) -> None:
    """Each changed behaviour on a line of its own; on GitHub Actions, as an error annotation."""
    for line in lines:
        print(f"  changed: {line}")
        if os.environ.get("GITHUB_ACTIONS") == "true":
            key = line.split(" ", 1)[0]
            print(f"::error title=anthropic {version}: {TITLES.get(key, key)} changed::{line}")


def measure(version: str, lock: str) -> Measured:
    if version == lock:
        import anthropic

        if anthropic.__version__ != lock:
            sys.exit(
                f"sdk-matrix: .venv has anthropic {anthropic.__version__}, but requirements.lock "
                f"pins {lock}: run `python3 dev.py setup`, or pass --installed"
            )
        return measure_here()
    return measure_in(environment(version))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python3 dev.py sdk-matrix", description=__doc__)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--installed", action="store_true")
    parser.add_argument("--versions", type=lambda text: text.split(","))
    options = parser.parse_args(argv)
    # A client that gives up on a stream leaves the server's write to fail: not news here.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    data, lock = load(), lock_version()
    known = [*locked_versions(), lock]
    if options.installed:
        if options.write or options.versions:
            parser.error("--installed takes neither --write nor --versions")
        return installed(data, lock)
    versions = options.versions or known
    if unknown := [v for v in versions if v not in known]:
        parser.error(f"no lock file for {', '.join(unknown)} (known: {', '.join(known)})")
    today = datetime.date.today().isoformat()
    failed = False
    for version in versions:
        measured = measure(version, lock)
        stored = data["versions"].get(version, {}).get("outcomes", {})
        lines = changes(stored, measured.outcomes)
        state = "as stored" if not lines else f"{len(lines)} differ from the stored results"
        print(
            f"anthropic {measured.version} (httpx2 {measured.httpx2}): "
            f"{len(measured.outcomes)} behaviours in {measured.seconds:.1f} s, {state}",
            flush=True,
        )
        annotate(version, lines)
        failed |= bool(lines)
        store(data, measured, today, platform.python_version())
    if options.write:
        RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
        RESULTS_JSON.write_text(json.dumps(data, indent=2) + "\n")
        TABLE.write_text(render(data))
        print(f"wrote {RESULTS_JSON.name} and {TABLE.name} in docs/sdk-versions/")
        return 0
    return 1 if failed else 0


def installed(data: dict[str, object], lock: str) -> int:
    """The installed release against what the site says: its own stored results, else the
    lock's (a release newer than the lock has none)."""
    measured = measure_here()
    versions = data["versions"]
    assert isinstance(versions, dict)
    basis = measured.version if measured.version in versions else lock
    stored = versions.get(basis, {}).get("outcomes", {})
    lines = changes(stored, measured.outcomes)
    print(
        f"anthropic {measured.version} (httpx2 {measured.httpx2}), installed: "
        f"{len(measured.outcomes)} behaviours in {measured.seconds:.1f} s, compared with the "
        f"stored results of {basis}: " + ("the same" if not lines else f"{len(lines)} changed")
    )
    annotate(measured.version, lines)
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
