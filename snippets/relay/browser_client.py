"""Play the browser: read the relay's events and print them."""

import os

import httpx
from httpx_sse import connect_sse

relay_url = os.environ.get("RELAY_URL", "http://127.0.0.1:8000")
question = "Why do proxies buffer responses?"

with (
    httpx.Client(timeout=httpx.Timeout(600, connect=5)) as http,
    connect_sse(
        http, "GET", f"{relay_url}/chat", params={"q": question}
    ) as source,
):
    for name in ("content-type", "cache-control", "x-accel-buffering"):
        print(f"{name}: {source.response.headers.get(name)}")
    for sse in source.iter_sse():
        print(f"{sse.event:<5} {sse.data}")
        if sse.event in {"done", "error"}:
            break  # the end: a browser's EventSource would reconnect
