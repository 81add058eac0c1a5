"""The OpenAI-compatible endpoint's stream: OpenAI's chunk events, as a recording holds them.

`POST /v1/chat/completions` with `"stream": true` answers with server-sent events that have no
`event:` name: each is one `data:` line holding a `chat.completion.chunk` object, and the
stream ends with the line `data: [DONE]`, which is not JSON. Source: the Claude docs' "OpenAI
SDK compatibility" page and OpenAI's Chat Completions streaming reference, read 2026-12-07.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["CHUNK_OBJECT", "DONE", "Chunk", "check_chunk", "read_chunk"]

CHUNK_OBJECT = "chat.completion.chunk"
DONE = "[DONE]"


def check_chunk(data_lines: list[str], name: str | None) -> tuple[Any, str | None]:
    """The chunk's parsed data (or the text `[DONE]`), and why it is not one (None if it is)."""
    if name is not None:
        return None, f"a chunk has no event: line (this one has event: {name})"
    text = "\n".join(data_lines)
    if text == DONE:
        return DONE, None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return None, f"data is not valid JSON: {error.msg} (column {error.colno})"
    except RecursionError:
        return None, "data is JSON nested too deeply"
    if not isinstance(data, dict) or data.get("object") != CHUNK_OBJECT:
        return None, f'data must be a JSON object with "object": "{CHUNK_OBJECT}", or [DONE]'
    return data, None


@dataclass(frozen=True)
class Chunk:
    """What one event of the OpenAI-compatible stream carries, read as the drift check, the
    text timeline and the timeline picture need it."""

    kind: str  # "[DONE]", or "chunk: " and what it sets: "chunk: content", "chunk: usage"
    text: str | None = None  # the text of `choices[0].delta.content`, if any
    finish_reason: str | None = None


def read_chunk(data: Any) -> Chunk | None:
    """`data` (an event's parsed JSON, or the text `[DONE]`) as a chunk; None if it is no
    chunk (an event of the Messages API, say). A chunk's kind names what its first choice
    sets, of `role`, `content` (not empty), `tool_calls` and `finish_reason`, then `usage`:
    the chunk that opens the reply is `chunk: role`, the one that closes it with usage and no
    choices `chunk: usage`."""
    if data == DONE:
        return Chunk(DONE)
    if not isinstance(data, dict) or data.get("object") != CHUNK_OBJECT:
        return None
    choices = data.get("choices")
    choice = choices[0] if isinstance(choices, list) and choices else {}
    choice = choice if isinstance(choice, dict) else {}
    delta = choice.get("delta")
    delta = delta if isinstance(delta, dict) else {}
    parts = [name for name in ("role", "content", "tool_calls") if delta.get(name)]
    finish_reason = choice.get("finish_reason")
    if finish_reason:
        parts.append("finish_reason")
    if data.get("usage"):
        parts.append("usage")
    text = delta.get("content")
    return Chunk(
        "chunk: " + (" ".join(parts) or "empty"),
        text if isinstance(text, str) and text else None,
        str(finish_reason) if finish_reason else None,
    )
