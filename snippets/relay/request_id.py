"""Where a stream's request id is, with the SDK and over plain HTTP."""

import os

import anthropic
import httpx

QUESTION = "Why do proxies buffer responses?"

client = anthropic.Anthropic()
# --8<-- [start:sdk]
with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=512,
    messages=[{"role": "user", "content": QUESTION}],
) as stream:
    # The headers are in when `with` has entered: log the id before the
    # first event, so that a stream that fails later can be traced too.
    print(f"SDK:   request-id {stream.request_id}")
    print(f"       content-type {stream.response.headers['content-type']}")
    message = stream.get_final_message()
# --8<-- [end:sdk]
print(f"       {message.id}, stop_reason {message.stop_reason}")

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
        "max_tokens": 512,
        "stream": True,
        "messages": [{"role": "user", "content": QUESTION}],
    },
    timeout=httpx.Timeout(600, connect=5),
) as response:
    print(f"httpx: request-id {response.headers['request-id']}")
