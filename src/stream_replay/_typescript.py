"""Running a TypeScript snippet: esbuild strips its types, Node 20 runs the JavaScript.

Node 20 cannot run TypeScript itself (`--experimental-strip-types` came in Node 22), so the
snippet is transpiled, not type-checked, by the project's pinned esbuild (one native process,
milliseconds) into `node_modules/.cache/snippets/`, where Node finds `@anthropic-ai/sdk` in the
project's `node_modules`. `python3 dev.py` installs them with `npm ci` where Node is present.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

__all__ = ["NodeMissing", "TranspileError", "node_command"]

CACHE = Path("node_modules", ".cache", "snippets")


class NodeMissing(Exception):
    """Node, or the project's node_modules, is not installed: a TypeScript snippet cannot run."""


class TranspileError(Exception):
    """esbuild rejected a snippet (a syntax error): its message names the file and line."""


def node_command(snippet: Path, root: Path) -> list[str]:
    """The command that runs a `.ts` snippet with Node, once it is transpiled."""
    node = shutil.which("node")
    esbuild = root / "node_modules" / ".bin" / "esbuild"
    if node is None:
        raise NodeMissing("TypeScript snippets need Node 20 or newer (node is not on PATH)")
    if not esbuild.exists() or not (root / "node_modules" / "@anthropic-ai" / "sdk").is_dir():
        raise NodeMissing(
            "TypeScript snippets need node_modules: run `npm ci` (python3 dev.py does it)"
        )
    relative = snippet.resolve().relative_to(root / "snippets")
    script = root / CACHE / relative.with_suffix(".mjs")
    result = subprocess.run(
        [
            str(esbuild),
            str(snippet.resolve()),
            "--format=esm",
            "--platform=node",
            "--target=node20",
            f"--outfile={script}",
            "--log-level=error",
            "--color=false",
        ],
        capture_output=True,
        text=True,
        cwd=root,  # its messages name the file from the project's root
    )
    if result.returncode:
        raise TranspileError(_first_error(result.stderr) or f"esbuild failed on {snippet}")
    return [node, str(script)]


def _first_error(report: str) -> str:
    """esbuild's first error as one line, `file:line:column: message`."""
    lines = [line.strip() for line in report.splitlines() if line.strip()]
    for n, line in enumerate(lines):
        if line.startswith("✘ [ERROR] "):
            message = line.removeprefix("✘ [ERROR] ")
            where = lines[n + 1].rstrip(":") if n + 1 < len(lines) else ""
            return f"{where}: {message}" if where else message
    return ""
