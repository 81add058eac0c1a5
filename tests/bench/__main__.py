"""`python3 dev.py bench [--only SECTION,...] [--runs N] [--suite] [--write]`."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from . import costs, replay, site, suite
from .report import FIGURES_JSON, FIGURES_TEXT, SECTIONS, render

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "anthropic",
    "uvicorn",
    "starlette",
    "httpx",
    "mkdocs",
    "mkdocs-material",
    "pytest",
    "pytest-xdist",
    "playwright",
)


def machine() -> dict[str, Any]:
    """What the figures depend on: the hardware, the system, the versions, the load."""
    model = platform.processor() or platform.machine()
    memory = None
    cpuinfo, meminfo = Path("/proc/cpuinfo"), Path("/proc/meminfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    if meminfo.is_file():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(memory / 2**30, 1) if memory else None,
        "cpu": model,
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "versions": {name: metadata.version(name) for name in PACKAGES},
        "load_average": [round(x, 2) for x in os.getloadavg()]
        if hasattr(os, "getloadavg")
        else None,
        "commit": commit or None,
    }


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python3 dev.py bench",
        description="Figures for this machine, printed; --write puts them on the Benchmarks page.",
    )
    parser.add_argument(
        "--only",
        type=sections,
        help=f"comma-separated sections: {', '.join(SECTIONS)} (default: all but suite)",
    )
    parser.add_argument("--runs", type=positive, default=3, help="runs per figure (default 3)")
    parser.add_argument(
        "--at-once",
        type=positive,
        default=8,
        help="fidelity: streams replayed at the same time (default 8)",
    )
    parser.add_argument(
        "--suite", action="store_true", help="also time the whole test suite (minutes)"
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="merge the figures into docs/benchmarks/ (without --only: every section, the suite"
        " included), which the Benchmarks page shows",
    )
    return parser.parse_args(argv)


def sections(text: str) -> list[str]:
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in SECTIONS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"{', '.join(unknown) or 'nothing'}: choose among {', '.join(SECTIONS)}"
        )
    return chosen


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def write(stored: dict[str, Any]) -> None:
    FIGURES_JSON.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(stored, indent=1, sort_keys=True) + "\n"
    FIGURES_JSON.write_text(text)
    FIGURES_TEXT.write_text(render(json.loads(text)))  # as the test renders it


def main(argv: list[str]) -> int:
    args = parse(argv)
    chosen = args.only or [name for name in SECTIONS if name != "suite" or args.suite or args.write]
    measures: dict[str, Callable[[], dict[str, Any]]] = {
        "fidelity": lambda: replay.fidelity(args.runs, args.at_once),
        "load": lambda: replay.load(args.runs),
        "snippets": lambda: suite.snippets(args.runs),
        "suite": suite.suite,
        "site": lambda: site.site(args.runs),
        "costs": lambda: costs.measure(args.runs),
    }
    about = machine()
    print(
        f"{about['cpu']}, {about['cores']} cores, {about['memory_gb']} GB;"
        f" Python {about['python']}; load average {about['load_average']}",
        flush=True,
    )
    stored = json.loads(FIGURES_JSON.read_text()) if FIGURES_JSON.is_file() else {}
    for name in chosen:
        print(f"{name}:", flush=True)
        started = time.perf_counter()
        figures = measures[name]() | {
            "date": datetime.date.today().isoformat(),
            "seconds": round(time.perf_counter() - started, 1),
            "load_after": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        }
        if args.write:  # after each section: the suite's own tests read the files
            stored.setdefault("sections", {})[name] = figures
            figures["command"] = " ".join(["python3 dev.py bench", *argv])
            stored["machine"] = about
            stored["command"] = "python3 dev.py bench --write"  # what rewrites every section
            stored["runs"] = args.runs
            write(stored)
    if args.write:
        print(f"wrote {FIGURES_JSON.relative_to(ROOT)} and {FIGURES_TEXT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
