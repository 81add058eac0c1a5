"""Where a snippet's recordings live.

The recordings of `snippets/<topic>/<name>.py` are `recordings/<topic>/<name>.toml` for a
snippet that sends one request, or the files of `recordings/<topic>/<name>/` in name order
(`1-ask.toml`, `2-answer.toml`, ...) for one that sends several.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ._recording import Recording, load_recording
from ._typescript import node_command

__all__ = [
    "find_project_root",
    "load_recordings_for",
    "recording_paths_for",
    "snippet_command",
    "snippet_key",
]


def find_project_root(start: Path) -> Path:
    """The nearest folder at or above `start` that holds both `snippets/` and `recordings/`."""
    for folder in [start, *start.parents]:
        if (folder / "snippets").is_dir() and (folder / "recordings").is_dir():
            return folder
    raise FileNotFoundError(f"no folder with snippets/ and recordings/ above {start}")


def snippet_command(snippet: Path) -> list[str]:
    """How a reader runs a snippet: Python files with this Python, shell ones (curl) with bash,
    TypeScript ones with Node (raises NodeMissing where Node or node_modules is missing)."""
    if snippet.suffix == ".sh":
        return ["bash", str(snippet)]
    if snippet.suffix == ".ts":
        return node_command(snippet, find_project_root(snippet.resolve().parent))
    return [sys.executable, str(snippet)]


def snippet_key(snippet: Path, root: Path) -> Path:
    """`snippets/<topic>/<name>.py` -> `<topic>/<name>`, the name its recordings go by."""
    try:
        return snippet.resolve().relative_to(root / "snippets").with_suffix("")
    except ValueError:
        raise FileNotFoundError(f"{snippet} is not under {root / 'snippets'}") from None


def recording_paths_for(snippet: Path, root: Path | None = None) -> list[Path]:
    root = root or find_project_root(snippet.resolve().parent)
    relative = snippet_key(snippet, root)
    single = root / "recordings" / relative.with_suffix(".toml")
    folder = root / "recordings" / relative
    paths = [single] if single.is_file() else sorted(folder.glob("*.toml"))
    if not paths:
        raise FileNotFoundError(
            f"no recording for snippets/{relative.as_posix()}{snippet.suffix}: expected "
            f"recordings/{relative.as_posix()}.toml or recordings/{relative.as_posix()}/*.toml"
        )
    return paths


def load_recordings_for(snippet: Path, root: Path | None = None) -> list[Recording]:
    root = root or find_project_root(snippet.resolve().parent)
    # Named relative to the project, as messages and diffs show them.
    return [
        load_recording(path, name=path.relative_to(root))
        for path in recording_paths_for(snippet, root)
    ]
