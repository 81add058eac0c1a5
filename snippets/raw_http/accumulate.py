"""Assemble the final message from the raw events, stricter than the SDK.

Run it to stream one request and print the message it adds up to; or import
`sse_lines`, `sse_events` and `accumulate` and feed them the text of any HTTP
library.
"""

import json
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import httpx


class StreamError(Exception):
    """An `error` event, or events the API does not send in that order."""


class IncompleteStream(StreamError):
    """The stream ended before message_stop: not an answer."""

    def __init__(self, partial: dict[str, Any]) -> None:
        super().__init__("the stream ended before message_stop")
        self.partial = partial  # what arrived, to retry or resume from


# --8<-- [start:sse_lines]
def sse_lines(chunks: Iterable[str]) -> Iterator[str]:
    """The lines of a text/event-stream body, which end at CR, LF or CRLF only.

    Not httpx's iter_lines(): it splits at U+2028, U+2029 and U+0085 too, as
    str.splitlines() does, and those may come raw inside a JSON string.
    """
    rest = ""
    for chunk in chunks:
        rest += chunk
        # A CR at the end may be the first half of a CRLF: wait for more.
        *lines, rest = re.split(r"\r\n|\r(?=.)|\n", rest, flags=re.DOTALL)
        yield from lines
    if rest:
        yield rest.removesuffix("\r")


# --8<-- [end:sse_lines]
# --8<-- [start:sse_events]
def sse_events(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(event name, data) pairs from the lines of a text/event-stream body."""
    name, data = "", list[str]()  # the event's name and data lines
    for number, line in enumerate(lines):
        if number == 0:
            line = line.removeprefix("\ufeff")  # the standard drops one BOM
        if not line:  # a blank line ends an event
            if data:
                yield name or "message", "\n".join(data)
            name, data = "", list[str]()
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
        # ":" starts a comment; id and retry do not matter here.
    # An event not ended by a blank line is dropped, as the standard says.


# --8<-- [end:sse_events]
KNOWN = {
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
    "error",
}


def accumulate(events: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The message that (event name, JSON data) pairs of a stream add up to."""
    message: dict[str, Any] | None = None
    # The tool input of each block, as partial JSON text until the block ends.
    tool_json: defaultdict[int, str] = defaultdict(str)
    for name, data in events:
        # --8<-- [start:by_name]
        if name not in KNOWN:  # ping, and types added later: by name, and
            continue  # before json.loads, as their data need not be JSON
        event = json.loads(data)
        kind = event.get("type") if isinstance(event, dict) else None
        if kind != name:  # a proxy that mixed events up: no guessing
            raise StreamError(f"event {name} carries data of type {kind}")
        if name == "error":
            error = event.get("error") or {}
            raise StreamError(f"{error.get('type')}: {error.get('message')}")
        if name == "message_start":  # the message, with empty content
            message = event["message"]
            continue
        if message is None:
            raise StreamError(f"{name} before message_start")
        # --8<-- [end:by_name]
        if name == "content_block_start":  # the block, in its empty form
            message["content"].append(event["content_block"])
        elif name == "content_block_delta":
            index, delta = event["index"], event["delta"]
            if not 0 <= index < len(message["content"]):
                raise StreamError(f"a delta for block {index}, never started")
            block = message["content"][index]
            if delta["type"] == "text_delta":
                block["text"] += delta["text"]
            elif delta["type"] == "input_json_delta":  # not valid JSON yet
                tool_json[index] += delta["partial_json"]
            elif delta["type"] == "thinking_delta":
                block["thinking"] += delta["thinking"]
            elif delta["type"] == "signature_delta":
                block["signature"] = delta["signature"]
            elif delta["type"] == "citations_delta":
                block["citations"] = block.get("citations") or []
                block["citations"].append(delta["citation"])
        elif name == "content_block_stop" and event["index"] in tool_json:
            # The tool input is complete: parse it ("" means no arguments).
            block = message["content"][event["index"]]
            block["input"] = json.loads(tool_json.pop(event["index"]) or "{}")
        elif name == "message_delta":
            message.update(event["delta"])  # stop_reason, stop_sequence, ...
            # Usage counts are cumulative: they replace, never add.
            message["usage"].update(event.get("usage", {}))
        elif name == "message_stop":
            return message  # the only complete end
    # --8<-- [start:end]
    # The body ended cleanly, but early (a dropped connection raises in
    # httpx instead): what arrived is no answer.
    raise IncompleteStream(message or {})
    # --8<-- [end:end]


if __name__ == "__main__":
    base_url = os.environ.get(
        "ANTHROPIC_BASE_URL", "https://api.anthropic.com"
    )
    weather_tool = {
        "name": "get_weather",
        "description": "The current weather in a city.",
        "input_schema": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    }
    with httpx.stream(
        "POST",
        f"{base_url}/v1/messages",
        headers={
            "x-api-key": os.environ["ANTHROPIC_API_KEY"],
            "anthropic-version": "2026-10-21",
            "content-type": "application/json",
        },
        json={
            "model": "claude-sonnet-5-5",
            "max_tokens": 1024,
            "stream": True,
            "tools": [weather_tool],
            "messages": [
                {"role": "user", "content": "Do I need an umbrella in Porto?"}
            ],
        },
        timeout=httpx.Timeout(600, connect=5),
    ) as response:
        if response.is_error:
            response.read()
            raise SystemExit(f"HTTP {response.status_code}: {response.text}")
        lines = sse_lines(response.iter_text())
        message = accumulate(sse_events(lines))
    print(json.dumps(message, indent=2, ensure_ascii=False))
