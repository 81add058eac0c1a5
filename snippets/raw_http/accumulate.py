"""Assemble the final message from the raw events by hand, as the SDK does.

Run it to stream one request and print the message it adds up to; or import
`accumulate` and feed it (event name, data) pairs from any SSE parser.
"""

import json
import os
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import httpx
from httpx_sse import EventSource


class StreamError(Exception):
    """An `error` event: the request failed after its 200 OK."""


def accumulate(events: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The message that (event name, JSON data) pairs of a stream add up to."""
    message: dict[str, Any] = {}
    # The tool input of each block, as partial JSON text until the block ends.
    tool_json: defaultdict[int, str] = defaultdict(str)
    for name, data in events:
        if name == "ping":
            continue
        event = json.loads(data)
        if name == "message_start":  # the message, with empty content
            message = event["message"]
        elif name == "content_block_start":  # the block, in its empty form
            message["content"].append(event["content_block"])
        elif name == "content_block_delta":
            index, delta = event["index"], event["delta"]
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
            break
        elif name == "error":
            error = event["error"]
            raise StreamError(f"{error['type']}: {error['message']}")
        # Any other event type is new to this code: skip it.
    return message


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
        sse_events = EventSource(response).iter_sse()
        message = accumulate((sse.event, sse.data) for sse in sse_events)
    print(json.dumps(message, indent=2, ensure_ascii=False))
