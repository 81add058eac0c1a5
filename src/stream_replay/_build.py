"""Recordings built in a test, for code that has no recording yet.

`build_recording` wraps events written in Python (one dict per event), a bare SSE body, or a
`.sse` file in a recording the replay server can serve. Its provenance says it was
constructed, and by what: nothing built here passes for a live recording.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ._errors import RecordingError
from ._matching import ANY_BODY
from ._recording import (
    Provenance,
    RecordedRequest,
    Recording,
    load_sse_body,
    recording_of_events,
    sse_events,
)

__all__ = ["build_recording", "text_events"]

BUILT_BASIS = "built in a test with stream_replay.build_recording"


def build_recording(
    events: Sequence[Mapping[str, Any]] | bytes | str | Path,
    *,
    request: Mapping[str, Any] | None = None,
    path: str = "/v1/messages",
    name: str | None = None,
) -> Recording:
    """A constructed recording around `events`, served with `200 OK` and no delays.

    `events`: a list of event dicts (each with its `"type"`, sent as `event: <type>` and one
    `data:` line of its JSON), a bare SSE body (`bytes`), or the path of a `.sse` file. Either
    way the events are checked as a recording's are.

    `request`: the arguments your code passes to `messages.create(..., stream=True)` or
    `messages.stream(...)` (`"stream": true` is added); the recording then answers only that
    request, and any other fails the test with the difference. Without it, the recording
    answers any POST to `path`, and nothing checks what your code sent.

    `name`: how messages name it (default: the `.sse` file's path, else "built-in-a-test").
    """
    if isinstance(events, str | Path):
        parsed = load_sse_body(events)
        name = name or str(events)
    else:
        name = name or "built-in-a-test"
        body = events if isinstance(events, bytes) else _sse_body(events, name)
        parsed = sse_events(body, name)
    wanted: Any = ANY_BODY
    if request is not None:
        # as the server will see it: JSON types only
        wanted = json.loads(json.dumps({"stream": True, **request}))
    return recording_of_events(
        parsed,
        RecordedRequest("POST", path, {}, wanted),
        Provenance(source="constructed", basis=BUILT_BASIS),
        name,
    )


def _sse_body(events: Sequence[Mapping[str, Any]], name: str) -> bytes:
    out: list[str] = []
    for number, event in enumerate(events, start=1):
        kind = event.get("type") if isinstance(event, Mapping) else None
        if not isinstance(kind, str):
            raise RecordingError(name, None, f'event {number} is not a dict with a "type"')
        data = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
        out.append(f"event: {kind}\ndata: {data}\n\n")
    return "".join(out).encode()


def text_events(
    *pieces: str,
    model: str = "claude-sonnet-5-5",
    stop_reason: str = "end_turn",
    message_id: str = "msg_built_in_a_test",
) -> list[dict[str, Any]]:
    """The events of a reply made of one text block, one `text_delta` per piece.

    The sequence the streaming documentation gives: `message_start`, `content_block_start`,
    the deltas, `content_block_stop`, `message_delta` (with `stop_reason`), `message_stop`.
    Token counts are zero: a built reply has none. Edit or slice the list to build a stream
    that goes wrong.
    """
    usage = {"input_tokens": 0, "output_tokens": 0}
    message: dict[str, Any] = {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage,
    }
    return [
        {"type": "message_start", "message": message},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        *(
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}
            for p in pieces
        ),
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": None},
            "usage": {"output_tokens": 0},
        },
        {"type": "message_stop"},
    ]
