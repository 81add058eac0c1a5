"""Stream a reply over plain HTTP, no SDK: httpx sends, httpx-sse parses."""

import json
import os

import httpx
from httpx_sse import EventSource

base_url = os.environ.get("ANTHROPIC_BASE_URL", "https://api.anthropic.com")
headers = {
    "x-api-key": os.environ["ANTHROPIC_API_KEY"],
    "anthropic-version": "2026-10-21",
    "content-type": "application/json",
}
body = {
    "model": "claude-sonnet-5-5",
    "max_tokens": 512,
    "stream": True,  # server-sent events instead of one JSON message
    "messages": [
        {"role": "user", "content": "What does a proxy buffer do, briefly?"}
    ],
}

with httpx.stream(
    "POST",
    f"{base_url}/v1/messages",
    headers=headers,
    json=body,
    timeout=httpx.Timeout(600, connect=5),  # the Python SDK's defaults
) as response:
    if response.is_error:  # an HTTP error is one JSON body, not a stream
        response.read()
        raise SystemExit(f"HTTP {response.status_code}: {response.text}")
    for sse in EventSource(response).iter_sse():
        if sse.event == "content_block_delta":
            delta = json.loads(sse.data)["delta"]
            if delta["type"] == "text_delta":
                print(delta["text"], end="", flush=True)
        elif sse.event == "message_delta":
            stop_reason = json.loads(sse.data)["delta"]["stop_reason"]
            print(f"\n[stop_reason: {stop_reason}]")
        elif sse.event == "error":  # a failure after the 200 OK
            raise SystemExit(f"\n[stream failed: {sse.data}]")
        # message_start, content_block_start/stop, message_stop, ping and
        # event types added later need nothing here.
