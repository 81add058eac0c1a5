"""Record a snippet's requests: a proxy on 127.0.0.1 between the snippet and the API.

The snippet runs with ANTHROPIC_BASE_URL pointing at the proxy. The proxy forwards each
request upstream, streams the answer back chunk by chunk as it arrives (so the snippet behaves
as it would live), and notes when each event arrived. Afterwards each exchange becomes a
recording at the snippet's conventional place (see _snippets.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from ._http import METHODS, ThreadedServer, request_path
from ._recording import (
    EVENT_STREAM,
    MATCHED_REQUEST_HEADERS,
    Provenance,
    RecordedRequest,
    RecordedResponse,
    Recording,
    dump_recording,
    parse_recording,
    sse_events,
)
from ._snippets import find_project_root, snippet_command, snippet_key
from ._sse import EventSplitter

__all__ = ["DEFAULT_UPSTREAM", "Exchange", "RecordingProxy", "record_snippet"]

DEFAULT_UPSTREAM = "https://api.anthropic.com"
# Per-connection or recomputed by httpx; accept-encoding is replaced by "identity" so the body
# arrives uncompressed and can be split into events as it comes.
SKIPPED_REQUEST_HEADERS = frozenset({"host", "content-length", "connection", "accept-encoding"})
# uvicorn frames the body itself, and httpx hands it over already decoded.
SKIPPED_RESPONSE_HEADERS = frozenset(
    {"content-length", "transfer-encoding", "content-encoding", "connection"}
)
# What a client reads. The rest (rate limits, organization ids, cookies) stays out of the repo.
RECORDED_RESPONSE_HEADERS = ("content-type", "cache-control", "request-id")
# The SDK's own default: a long reply can stream for minutes.
UPSTREAM_TIMEOUT = httpx.Timeout(600.0, connect=10.0)


@dataclass
class Exchange:
    """One request and its response as the proxy saw them; offsets from receiving the request."""

    request: RecordedRequest  # already reduced to what a recording keeps
    user_agent: str | None
    status: int
    headers: dict[str, str]  # only RECORDED_RESPONSE_HEADERS
    at: float
    events: list[tuple[float, bytes]] = field(default_factory=list)
    body: bytes | None = None  # a response that is not an event stream, whole


class RecordingProxy(ThreadedServer):
    """Forward requests to `upstream`, keeping each exchange. A context manager, as ReplayServer."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.exchanges: list[Exchange] = []  # only the server's event loop appends
        self._client: httpx.AsyncClient
        routes = [Route("/{path:path}", self._handle, methods=METHODS)]
        app = Starlette(routes=routes, lifespan=self._lifespan)
        # The upstream's own Date and Server headers pass through instead of uvicorn's.
        super().__init__(app, lifespan="on", date_header=False, server_header=False)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        # Created and closed on the server's own event loop, the only one that uses it.
        async with httpx.AsyncClient(timeout=UPSTREAM_TIMEOUT) as self._client:
            yield

    async def _handle(self, request: Request) -> Response:
        started = time.monotonic()
        raw = await request.body()
        path = request_path(request)
        headers = [
            (name, value)
            for name, value in request.headers.items()
            if name.lower() not in SKIPPED_REQUEST_HEADERS
        ]
        outgoing = self._client.build_request(
            request.method,
            self.upstream + path,
            headers=[*headers, ("accept-encoding", "identity")],
            content=raw,
        )
        try:
            upstream = await self._client.send(outgoing, stream=True)
        except httpx.HTTPError as error:
            message = f"recording proxy: {request.method} {self.upstream}{path} failed: {error!r}"
            print(message, file=sys.stderr, flush=True)
            return PlainTextResponse(message + "\n", 502)
        matched = {n: request.headers[n] for n in MATCHED_REQUEST_HEADERS if n in request.headers}
        exchange = Exchange(
            RecordedRequest(request.method, path, matched, _json_or_text(raw)),
            request.headers.get("user-agent"),
            upstream.status_code,
            {n: upstream.headers[n] for n in RECORDED_RESPONSE_HEADERS if n in upstream.headers},
            time.monotonic() - started,
        )
        self.exchanges.append(exchange)
        streaming = upstream.headers.get("content-type", "").startswith(EVENT_STREAM)

        async def relay() -> AsyncIterator[bytes]:
            splitter = EventSplitter()
            body = bytearray()
            try:
                async for chunk in upstream.aiter_bytes():
                    now = time.monotonic() - started
                    if streaming:
                        exchange.events += [(now, event) for event in splitter.feed(chunk)]
                    else:
                        body += chunk
                    yield chunk
                # A stream may end without a blank line: what is left is its last event.
                rest = splitter.close()
                if rest:
                    exchange.events.append((time.monotonic() - started, rest))
                if not streaming:
                    exchange.body = bytes(body)
            finally:
                await upstream.aclose()

        forwarded = {
            name: value
            for name, value in upstream.headers.items()
            if name.lower() not in SKIPPED_RESPONSE_HEADERS
        }
        return StreamingResponse(relay(), upstream.status_code, headers=forwarded)


def _json_or_text(raw: bytes) -> Any:
    # Parsed as the replay server parses an incoming body, so the two compare equal.
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode("utf-8", "replace")


def to_recording(exchange: Exchange, upstream: str, today: dt.date, name: Path) -> Recording:
    events = tuple(
        # sse_events checks the event and parses its data; the offset is the one observed.
        dataclasses.replace(sse_events(raw, name)[0], at=at)
        for at, raw in exchange.events
    )
    body = exchange.request.body
    model = next(
        (e.data.get("message", {}).get("model") for e in events if e.name == "message_start"),
        None,
    ) or (body.get("model") if isinstance(body, dict) else None)
    live = upstream == DEFAULT_UPSTREAM
    provenance = Provenance(
        source="live-api" if live else "proxy",
        recorded_at=today,
        model=model,
        client=exchange.user_agent,
        upstream=None if live else upstream,
    )
    response = RecordedResponse(
        exchange.status, exchange.headers, exchange.at, events, exchange.body
    )
    return Recording(name, provenance, exchange.request, response)


def record_snippet(
    snippet: Path, *, upstream: str | None = None, today: dt.date | None = None
) -> int:
    """Run `snippet` through the recording proxy and write its recordings; the exit code."""
    if not snippet.is_file():
        raise FileNotFoundError(f"no snippet at {snippet}")
    root = find_project_root(snippet.resolve().parent)
    relative = snippet_key(snippet, root)
    upstream = (upstream or DEFAULT_UPSTREAM).rstrip("/")
    if upstream == DEFAULT_UPSTREAM and not os.environ.get("ANTHROPIC_API_KEY"):
        print(
            "stream-replay: recording from the live API needs ANTHROPIC_API_KEY set",
            file=sys.stderr,
        )
        return 1

    with RecordingProxy(upstream) as proxy:
        env = {**os.environ, "ANTHROPIC_BASE_URL": proxy.url}
        code = subprocess.run(snippet_command(snippet), env=env).returncode
    if not proxy.exchanges:
        print(f"stream-replay: {snippet} sent no request; nothing recorded", file=sys.stderr)
        return code or 1
    if code:
        # A run that failed half-way would replace good recordings with partial ones.
        print(
            f"stream-replay: {snippet} exited with {code}; recordings left as they were",
            file=sys.stderr,
        )
        return code

    single = root / "recordings" / f"{relative}.toml"
    folder = root / "recordings" / relative
    if len(proxy.exchanges) == 1:
        paths = [single]
    else:
        width = len(str(len(proxy.exchanges)))  # 01.toml ... 12.toml keeps name order
        paths = [folder / f"{n:0{width}d}.toml" for n in range(1, len(proxy.exchanges) + 1)]
    texts = []
    for exchange, path in zip(proxy.exchanges, paths, strict=True):
        text = dump_recording(to_recording(exchange, upstream, today or dt.date.today(), path))
        parse_recording(text, path.relative_to(root))  # a bad recording fails here, unwritten
        texts.append(text)

    for stale in [single, *folder.glob("*.toml")]:
        if stale.is_file() and stale not in paths:
            stale.unlink()
            print(f"removed {stale.relative_to(root)}")
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
    for exchange, path, text in zip(proxy.exchanges, paths, texts, strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        what = f"{len(exchange.events)} events" if exchange.body is None else "a body"
        print(
            f"wrote {path.relative_to(root)}: {exchange.request.method} "
            f"{exchange.request.path} -> {exchange.status}, {what}"
        )
    return 0
