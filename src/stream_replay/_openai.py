"""The OpenAI-compatible endpoint's stream: OpenAI's chunk events, as a recording holds them.

`POST /v1/chat/completions` with `"stream": true` answers with server-sent events that have no
`event:` name: each is one `data:` line holding a `chat.completion.chunk` object, and the
stream ends with the line `data: [DONE]`, which is not JSON. Source: the Claude docs' "OpenAI
SDK compatibility" page and OpenAI's Chat Completions streaming reference, read 2026-12-07.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["CHUNK_OBJECT", "DONE", "check_chunk"]

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
