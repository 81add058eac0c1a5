"""Running the checks: replay servers for every behaviour, then one release's checks against them.

The lock's release runs in this process (`measure_here`); another runs in its own virtual
environment (`measure_in`), created from its hash-pinned lock file in `locks/` the first time,
as `dev.py` creates `.venv` from `requirements.lock`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from stream_replay import ReplayServer

from ..project import ROOT
from .behaviours import BEHAVIOURS, Behaviour
from .checks import Part, run_checks

__all__ = [
    "ENVIRONMENTS_DIR",
    "LOCKS_DIR",
    "Measured",
    "lock_file",
    "locked_versions",
    "measure_here",
    "measure_in",
    "version_key",
]

LOCKS_DIR = Path(__file__).parent / "locks"
ENVIRONMENTS_DIR = ROOT / ".venv-sdk"
GUARD_DIR = ROOT / "tests" / "network_guard"
LOCK_NAME = re.compile(r"anthropic-(\d+\.\d+\.\d+)\.txt")


@dataclass(frozen=True)
class Measured:
    version: str
    httpx2: str
    outcomes: dict[str, str]
    seconds: float


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def lock_file(version: str) -> Path:
    return LOCKS_DIR / f"anthropic-{version}.txt"


def locked_versions() -> list[str]:
    """The releases with a lock file of their own, oldest first."""
    found = (LOCK_NAME.fullmatch(p.name) for p in LOCKS_DIR.iterdir())
    return sorted((m[1] for m in found if m), key=version_key)


@contextmanager
def serving(
    behaviours: Sequence[Behaviour],
) -> Iterator[tuple[dict[str, list[Part]], dict[str, list[ReplayServer]]]]:
    """A replay server for each part of each behaviour, fresh (its request count at 0)."""
    with ExitStack() as stack:
        targets: dict[str, list[Part]] = {}
        servers: dict[str, list[ReplayServer]] = {}
        for behaviour in behaviours:
            for spec in behaviour.servers:
                recording = spec.load()
                server = ReplayServer([recording], speed=0, faults=spec.fault_list())
                stack.enter_context(server)
                targets.setdefault(behaviour.key, []).append(
                    {"url": server.url, "request": recording.request.body}
                )
                servers.setdefault(behaviour.key, []).append(server)
        yield targets, servers


def with_requests(
    outcomes: dict[str, str],
    servers: dict[str, list[ReplayServer]],
    behaviours: Sequence[Behaviour],
) -> dict[str, str]:
    """Each outcome, plus the requests its servers answered where that is the point; a request
    no recording matched makes the outcome say so, as a check that cannot be trusted."""
    result = dict(outcomes)
    for behaviour in behaviours:
        mismatches = [m for s in servers[behaviour.key] for m in s.mismatches]
        if mismatches:
            result[behaviour.key] = f"the check sent an unexpected request: {mismatches[0]}"
        elif behaviour.count_requests:
            count = sum(len(s.served) for s in servers[behaviour.key])
            result[behaviour.key] += f"; {count} request{'' if count == 1 else 's'}"
    return result


def measure_here(behaviours: Sequence[Behaviour] = BEHAVIOURS) -> Measured:
    """The checks against the `anthropic` installed in this environment, in this process."""
    import anthropic

    started = time.monotonic()
    with serving(behaviours) as (targets, servers):
        outcomes = dict(run_checks(targets))
    return Measured(
        anthropic.__version__,
        metadata.version("httpx2"),
        with_requests(outcomes, servers, behaviours),
        time.monotonic() - started,
    )


def measure_in(python: Path, behaviours: Sequence[Behaviour] = BEHAVIOURS) -> Measured:
    """The checks run by another environment's Python, against servers in this process."""
    started = time.monotonic()
    with serving(behaviours) as (targets, servers), tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "PYTHON"))}
        env |= {"PYTHONPATH": str(GUARD_DIR), "ANTHROPIC_CONFIG_DIR": home}
        result = subprocess.run(
            [str(python), "-m", "tests.sdk_matrix.checks"],
            input=json.dumps(targets),
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=300,
        )
        if result.returncode:
            raise RuntimeError(f"{python} -m tests.sdk_matrix.checks failed:\n{result.stderr}")
        report: dict[str, Any] = json.loads(result.stdout)
    return Measured(
        report["version"],
        report["httpx2"],
        with_requests(report["outcomes"], servers, behaviours),
        time.monotonic() - started,
    )


def environment(version: str) -> Path:
    """The Python of `.venv-sdk/<version>/`, made from the release's lock file when that has
    changed since (pip installs exactly the lock's files, checking every hash)."""
    lock = lock_file(version)
    if not lock.is_file():
        raise FileNotFoundError(f"{lock.relative_to(ROOT)}: no lock file for anthropic {version}")
    home = ENVIRONMENTS_DIR / version
    python = home / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    stamp = home / ".installed-from"
    wanted = hashlib.sha256(lock.read_bytes()).hexdigest()
    if stamp.is_file() and stamp.read_text() == wanted:
        return python
    print(f"Creating {home.relative_to(ROOT)} from {lock.relative_to(ROOT)} ...", flush=True)
    venv.EnvBuilder(clear=True, with_pip=False).create(home)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    install = ["--python", str(python), "install", "--require-hashes", "--no-deps", "-r"]
    subprocess.run([*pip, *install, str(lock)], check=True)
    stamp.write_text(wanted)
    return python
