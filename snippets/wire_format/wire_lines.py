"""Print a stream's status, headers and body lines exactly as they arrive."""

import os

import httpx

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
        "max_tokens": 64,
        "messages": [
            {"role": "user", "content": "Write café in capital letters."}
        ],
        "stream": True,
    },
    # Events can be seconds apart: allow a long wait for the next one.
    timeout=httpx.Timeout(10.0, read=60.0),
) as response:
    print(response.http_version, response.status_code)
    for name in ("content-type", "cache-control", "request-id"):
        print(f"{name}: {response.headers.get(name)}")
    # No content-length: the server cannot know it before the reply is written.
    print(f"transfer-encoding: {response.headers.get('transfer-encoding')}")
    print()
    # iter_lines() splits on line ends and drops them; repr() shows each line
    # as received, so the blank line that ends every event is visible as ''.
    for line in response.iter_lines():
        print(repr(line))
