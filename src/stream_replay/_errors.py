from __future__ import annotations

from pathlib import Path

__all__ = ["RecordingError"]


class RecordingError(ValueError):
    """A recording that cannot be used, with the file and (where known) the line at fault."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        where = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{where}: {reason}")
