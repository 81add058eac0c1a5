"""A body that starts with a byte-order mark: the SDK, then httpx-sse."""

import os

import anthropic
import httpx
from httpx_sse import EventSource

QUESTION = "In one sentence: what is a byte-order mark?"

client = anthropic.Anthropic()
with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=256,
    messages=[{"role": "user", "content": QUESTION}],
) as stream:
    kinds, text = [], ""
    for event in stream:
        kinds.append(event.type)
        if event.type != "content_block_delta":
            continue
        if event.delta.type == "text_delta":  # what text_stream reads
            text += event.delta.text
    print(f"SDK, first event: {kinds[0]!r}")  # message_start never came
    print(f"SDK text: {text!r}")
    try:
        stream.get_final_message()
    except AssertionError:
        print("SDK get_final_message(): AssertionError")

base_url = os.environ.get("ANTHROPIC_BASE_URL", "https://api.anthropic.com")
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
        "max_tokens": 256,
        "stream": True,
        "messages": [{"role": "user", "content": QUESTION}],
    },
    timeout=httpx.Timeout(600, connect=5),
) as response:
    first = next(EventSource(response).iter_sse())
    print(f"httpx-sse, first event: {first.event!r}, {first.data[:30]}...")
