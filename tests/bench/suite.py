"""What the test suite costs: per snippet at speed 0, and the whole suite's wall time."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import resource
import runpy
import subprocess
import sys
import time
from pathlib import Path
from statistics import median
from typing import Any

from stream_replay import ReplayServer, load_recordings_for, parse_fault

from ..project import (
    PLACEHOLDER_KEY,
    PYTEST_SNIPPETS,
    ROOT,
    SERVED_SNIPPET_CLIENTS,
    SERVED_SNIPPETS,
    SNIPPETS,
    auto_workers,
    faults_of,
    is_timed,
    relative,
    run_shell_snippet,
    snippet_name,
)

# As `python3 dev.py test` runs it, with the ten slowest tests listed.
SUITE_OPTIONS = ["-n", "auto", "--durations=10"]


def import_time(runs: int) -> float:
    """Seconds for `import anthropic` in a fresh interpreter (what every suite pays once)."""
    code = "import time; t = time.perf_counter(); import anthropic; print(time.perf_counter() - t)"
    times = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
        for _ in range(runs)
    ]
    return median(times)


def run_once(snippet: Path) -> tuple[float, float, float]:
    """(start, run, stop) in seconds: the suite's snippet test, without pytest around it."""
    started = time.perf_counter()
    recordings = load_recordings_for(snippet, ROOT)
    faults = [parse_fault(spec) for spec in faults_of(snippet)]
    server = ReplayServer(recordings, speed=0, faults=faults).start()
    ready = time.perf_counter()
    saved = {name: os.environ.get(name) for name in ("ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY")}
    os.environ["ANTHROPIC_BASE_URL"] = server.url
    os.environ["ANTHROPIC_API_KEY"] = PLACEHOLDER_KEY
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            if snippet.suffix == ".sh":
                run_shell_snippet(snippet)
            else:
                with contextlib.suppress(SystemExit):
                    runpy.run_path(str(snippet), run_name="__main__")
    finally:
        ran = time.perf_counter()
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    if server.mismatches:
        raise RuntimeError(f"{relative(snippet)}: its request matches no recording")
    return ready - started, ran - ready, time.perf_counter() - ran


def snippets(runs: int) -> dict[str, object]:
    """Each snippet the suite replays at speed 0, `runs` times; per snippet the median."""
    started = time.perf_counter()
    import anthropic  # noqa: F401 - paid once, as the suite does, before the clock starts

    imported = time.perf_counter() - started
    chosen = [
        s
        for s in SNIPPETS
        if not is_timed(s)
        and snippet_name(s) not in SERVED_SNIPPETS | SERVED_SNIPPET_CLIENTS | PYTEST_SNIPPETS
    ]
    per_snippet: dict[str, dict[str, float]] = {}
    # A snippet that stops reading early leaves the server writing to a closed socket, which
    # asyncio reports as a warning: not a figure.
    logging.getLogger("asyncio").setLevel(logging.ERROR)
    for snippet in chosen:
        times = [run_once(snippet) for _ in range(runs)]
        per_snippet[snippet_name(snippet)] = {
            "total_ms": median(sum(t) for t in times) * 1000,
            "harness_ms": median(t[0] + t[2] for t in times) * 1000,
        }
    totals = {name: figures["total_ms"] for name, figures in per_snippet.items()}
    slowest = max(totals, key=totals.__getitem__)
    result = {
        "snippets": len(chosen),
        "runs": runs,
        "median_ms": median(totals.values()),
        "max_ms": totals[slowest],
        "slowest": slowest,
        "harness_median_ms": median(f["harness_ms"] for f in per_snippet.values()),
        "import_s": import_time(max(1, runs)),
        "import_in_process_s": imported,
        "per_snippet": per_snippet,
    }
    print(
        f"  {len(chosen)} snippets, {runs} run(s) each: median {result['median_ms']:.0f} ms,"
        f" max {result['max_ms']:.0f} ms ({slowest}); starting and stopping the replay server"
        f" {result['harness_median_ms']:.1f} ms of it; `import anthropic` once:"
        f" {result['import_s']:.2f} s",
        flush=True,
    )
    return result


def suite() -> dict[str, Any]:
    """The whole suite once, as `python3 dev.py test` runs it (a worker per core)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SUITE_OPTIONS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    passed = re.search(r"(\d+) passed", summary)
    slowest = [
        [float(m[1]), m[3] if m[2] == "call" else f"{m[3]} ({m[2]})"]
        for m in re.finditer(r"^([\d.]+)s (call|setup|teardown) +(\S+)$", result.stdout, re.M)
    ]
    figures = {
        "failed_tests": re.findall(r"^FAILED (\S+)", result.stdout, re.M),
        "slowest": slowest,
        "wall_s": wall,
        "cpu_s": cpu,
        "passed": int(passed[1]) if passed else 0,
        "failed": result.returncode != 0,
        "summary": re.sub(r"=+", "", summary).strip(),
        "workers": auto_workers(),
    }
    print(f"  whole suite: {wall:.0f} s wall, {cpu:.0f} s of CPU: {figures['summary']}", flush=True)
    return figures
