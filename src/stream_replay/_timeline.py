"""A recording's timing as text: what arrived when, and the time to first token."""

from __future__ import annotations

import json

from ._openai import read_chunk
from ._recording import Recording

__all__ = ["timeline"]


def timeline(recording: Recording) -> str:
    """One line per event: its offset from the request, its type, and any text it carries
    (on the OpenAI-compatible endpoint, each chunk's kind and content: `_openai.py`)."""
    response = recording.response
    content_type = response.headers.get("content-type", "")
    lines = [f"{response.at:7.3f} s  HTTP {response.status} ({content_type})"]
    first_text: float | None = None
    for event in response.events:
        chunk = read_chunk(event.data)
        if chunk is not None:
            kind, text = chunk.kind, chunk.text
        else:
            kind = event.data.get("type", "?") if event.data else "(comment)"
            delta = event.data.get("delta", {}) if event.data else {}
            is_text = isinstance(delta, dict) and delta.get("type") == "text_delta"
            text = delta.get("text", "") if is_text else None
        detail = ""
        if text is not None:
            detail = json.dumps(text, ensure_ascii=False)
            if first_text is None:
                first_text = event.at
                detail += "  <- first text"
        lines.append(f"{event.at:7.3f} s  {kind:<20} {detail}".rstrip())
    if response.events:
        lines.append("")
        if first_text is not None:
            lines.append(f"time to first text: {first_text:.3f} s")
        lines.append(f"whole reply:        {response.events[-1].at:.3f} s")
    return "\n".join(lines) + "\n"
