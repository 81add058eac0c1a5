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
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from ._errors import RecordingError
from ._http import (
    BODY_TIMEOUT,
    METHODS,
    BodyTimeout,
    BodyTooLarge,
    ClientGone,
    ConnectionCut,
    LingeringResponse,
    ThreadedServer,
    parse_body,
    read_body,
    request_path,
)
from ._recording import (
    EVENT_STREAM,
    MATCHED_REQUEST_HEADERS,
    Provenance,
    RecordedRequest,
    RecordedResponse,
    Recording,
    dump_recording,
    find_secret,
    parse_recording,
    sse_events,
)
from ._secrets import SecretFinder, credentials_in, credentials_in_query, without_credentials
from ._server import MAX_REQUEST_BYTES, TOO_LARGE_MESSAGE, api_error
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
# Bounds on one recording run: events per response, and seconds for the whole snippet.
MAX_EVENTS = 20_000
MAX_SECONDS = 900.0


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
    cut: str | None = None  # why the upstream connection dropped before the end, if it did
    unfinished: int = 0  # bytes of an event that had begun to arrive when it dropped
    overflow: bool = False  # more than max_events events: stopped, not to be written


class RecordingProxy(ThreadedServer):
    """Forward requests to `upstream`, keeping each exchange. A context manager, as ReplayServer."""

    def __init__(self, upstream: str, *, max_events: int = MAX_EVENTS) -> None:
        self.upstream = upstream.rstrip("/")
        # Credentials in the URL (user:password@) go as basic auth where the client sends
        # none of its own, and its query (a gateway's ?key=...) with every request; the URL
        # the proxy prints and records has neither.
        parts = urlsplit(self.upstream)
        self._base = without_credentials(self.upstream).rstrip("/")
        self._query = parts.query
        self._basic_auth = (
            httpx.BasicAuth(unquote(parts.username or ""), unquote(parts.password or ""))
            if parts.username or parts.password
            else None
        )
        self.max_events = max_events
        self.exchanges: list[Exchange] = []  # only the server's event loop appends
        # the credentials forwarded: searched for, never written
        self.keys: set[str] = credentials_in_query(self.upstream)
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
        try:
            raw = await read_body(request, limit=MAX_REQUEST_BYTES, timeout=BODY_TIMEOUT)
        except BodyTooLarge:  # the API would refuse it the same way, unread
            error = api_error(413, "request_too_large", TOO_LARGE_MESSAGE, "req_proxy")
            return LingeringResponse(error, linger=BODY_TIMEOUT)
        except (BodyTimeout, ClientGone):
            message = "The request body did not arrive."
            return api_error(408, "invalid_request_error", message, "req_proxy")
        path = request_path(request)
        headers = [
            (name, value)
            for name, value in request.headers.items()
            if name.lower() not in SKIPPED_REQUEST_HEADERS
        ]
        # Every credential forwarded (x-api-key, a bearer token in any case, x-goog-api-key,
        # ...), to refuse a recording that echoes one back; and any query value.
        self.keys |= credentials_in(request.headers.items())
        self.keys |= credentials_in_query(str(request.url))
        target = self._base + path
        if self._query:
            target += ("&" if request.url.query else "?") + self._query
        outgoing = self._client.build_request(
            request.method,
            target,
            headers=[*headers, ("accept-encoding", "identity")],
            content=raw,
        )
        auth = None if "authorization" in request.headers else self._basic_auth
        try:
            upstream = await self._client.send(outgoing, stream=True, auth=auth)
        except httpx.HTTPError as error:
            where = self._base + request.url.path
            message = f"recording proxy: {request.method} {where} failed: {type(error).__name__}"
            print(message, file=sys.stderr, flush=True)
            return PlainTextResponse(message + "\n", 502)
        matched = {
            name: ",".join(request.headers.getlist(name))
            for name in MATCHED_REQUEST_HEADERS
            if name in request.headers
        }
        exchange = Exchange(
            RecordedRequest(request.method, path, matched, parse_body(raw)),
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
                try:
                    async for chunk in upstream.aiter_bytes():
                        now = time.monotonic() - started
                        if streaming:
                            exchange.events += [(now, event) for event in splitter.feed(chunk)]
                        else:
                            body += chunk
                        if len(exchange.events) > self.max_events:
                            exchange.overflow = True
                            raise ConnectionCut
                        yield chunk
                except httpx.HTTPError as error:
                    # The upstream dropped the connection: record the cut, and pass it on.
                    exchange.cut = f"{type(error).__name__}: {error}"
                    exchange.unfinished = len(splitter.close())
                    if not streaming:
                        exchange.body = bytes(body)
                    raise ConnectionCut from None
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


def to_recording(exchange: Exchange, upstream: str, today: dt.date, name: Path) -> Recording:
    # The whole body at once: only its first event may start with a byte-order mark.
    body = b"".join(raw for _, raw in exchange.events)
    checked = sse_events(body, name) if body else ()  # none: an HTTP error's body
    # sse_events checks each event and parses its data; the offset is the one observed.
    events = tuple(
        dataclasses.replace(event, at=at)
        for event, (at, _) in zip(checked, exchange.events, strict=True)
    )
    request_body = exchange.request.body
    model = next(
        (e.data.get("message", {}).get("model") for e in events if e.name == "message_start"),
        None,
    ) or (request_body.get("model") if isinstance(request_body, dict) else None)
    live = upstream == DEFAULT_UPSTREAM
    note = None
    if exchange.cut:
        note = (
            f"The upstream connection dropped after {len(events)} events"
            + (f" and {exchange.unfinished} bytes of the next" if exchange.unfinished else "")
            + f" ({exchange.cut}); the replay drops it there too."
        )
    provenance = Provenance(
        source="live-api" if live else "proxy",
        recorded_at=today,
        model=model,
        client=exchange.user_agent,
        upstream=None if live else without_credentials(upstream),
        note=note,
    )
    response = RecordedResponse(
        exchange.status, exchange.headers, exchange.at, events, exchange.body, bool(exchange.cut)
    )
    return Recording(name, provenance, exchange.request, response)


class RecordingRefused(Exception):
    """Recording stopped before anything was written; the message says why, in one line."""


def record_snippet(
    snippet: Path,
    *,
    upstream: str | None = None,
    today: dt.date | None = None,
    overwrite: bool = False,
    max_events: int = MAX_EVENTS,
    max_seconds: float = MAX_SECONDS,
    recordings_dir: Path | None = None,
) -> int:
    """Run `snippet` through the recording proxy and write its recordings; the exit code.

    The upstream is `upstream`, else $ANTHROPIC_BASE_URL, else the live API. Existing
    recordings are replaced only with `overwrite`; new files are written whole, then renamed
    into place, so an interrupted run leaves the old ones as they were. `recordings_dir`
    (default: the project's recordings/) is where they go.
    """
    try:
        return _record(
            snippet,
            upstream=upstream or os.environ.get("ANTHROPIC_BASE_URL") or DEFAULT_UPSTREAM,
            today=today or dt.date.today(),
            overwrite=overwrite,
            max_events=max_events,
            max_seconds=max_seconds,
            recordings_dir=recordings_dir,
        )
    except RecordingRefused as refused:
        print(f"stream-replay: {refused}", file=sys.stderr)
        return 1


def _record(
    snippet: Path,
    *,
    upstream: str,
    today: dt.date,
    overwrite: bool,
    max_events: int,
    max_seconds: float,
    recordings_dir: Path | None,
) -> int:
    if not snippet.is_file():
        raise FileNotFoundError(f"no snippet at {snippet}")
    root = find_project_root(snippet.resolve().parent)
    relative = snippet_key(snippet, root)
    upstream = upstream.rstrip("/")
    if upstream == DEFAULT_UPSTREAM and not os.environ.get("ANTHROPIC_API_KEY"):
        raise RecordingRefused("recording from the live API needs ANTHROPIC_API_KEY set")
    folder_of_recordings = recordings_dir or root / "recordings"
    shown_root = root if folder_of_recordings.is_relative_to(root) else folder_of_recordings

    def shown(path: Path) -> str:
        return path.relative_to(shown_root).as_posix()

    single = folder_of_recordings / f"{relative}.toml"
    folder = folder_of_recordings / relative
    existing = [p for p in [single, *sorted(folder.glob("*.toml"))] if p.is_file()]
    if existing and not overwrite:
        raise RecordingRefused(
            f"{shown(existing[0])} exists; pass --overwrite to replace "
            f"{'it' if len(existing) == 1 else f'the {len(existing)} recordings'}"
        )

    with RecordingProxy(upstream, max_events=max_events) as proxy:
        env = {**os.environ, "ANTHROPIC_BASE_URL": proxy.url}
        try:
            # In a session of its own: Ctrl-C reaches the recorder, which stops the snippet,
            # instead of every process printing its own traceback.
            command = snippet_command(snippet)
            code = subprocess.run(
                command, env=env, timeout=max_seconds, start_new_session=True
            ).returncode
        except subprocess.TimeoutExpired:
            raise RecordingRefused(
                f"{snippet} ran past {max_seconds:g} s (--max-seconds); nothing written"
            ) from None
    if not proxy.exchanges:
        print(f"stream-replay: {snippet} sent no request; nothing recorded", file=sys.stderr)
        return code or 1
    if any(exchange.overflow for exchange in proxy.exchanges):
        raise RecordingRefused(
            f"a response passed {max_events} events (--max-events); nothing written"
        )
    if code:
        # A run that failed half-way would replace good recordings with partial ones.
        print(
            f"stream-replay: {snippet} exited with {code}; recordings left as they were",
            file=sys.stderr,
        )
        return code

    if len(proxy.exchanges) == 1:
        paths = [single]
    else:
        width = len(str(len(proxy.exchanges)))  # 01.toml ... 12.toml keeps name order
        paths = [folder / f"{n:0{width}d}.toml" for n in range(1, len(proxy.exchanges) + 1)]
    keys = proxy.keys | {
        os.environ.get(name, "") for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")
    }
    password = urlsplit(upstream).password
    finder = SecretFinder(keys | {password or ""})
    texts = []
    for number, (exchange, path) in enumerate(zip(proxy.exchanges, paths, strict=True), 1):
        if exchange.cut and exchange.body is not None:
            raise RecordingRefused(
                f"the upstream cut the body of response {number} ({exchange.cut}); nothing written"
            )
        try:
            recording = to_recording(exchange, upstream, today, Path(shown(path)))
            text = dump_recording(recording)
            parse_recording(text, shown(path))  # a bad recording fails here, unwritten
        except RecordingError as error:
            raise RecordingRefused(f"{error.reason} (response {number}); nothing written") from None
        found = finder.search_lines(text) or find_secret(recording, finder)
        if found:
            raise RecordingRefused(
                f"response {number} holds {found[1].replace('an API key', 'your API key')}; "
                "nothing written"
            )
        texts.append(text)

    _write_all(paths, texts)
    for stale in [single, *folder.glob("*.toml")]:
        if stale.is_file() and stale not in paths:
            stale.unlink()
            print(f"removed {shown(stale)}")
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
    for exchange, path in zip(proxy.exchanges, paths, strict=True):
        what = f"{len(exchange.events)} events" if exchange.body is None else "a body"
        if exchange.cut:
            what += ", then the upstream cut the connection (recorded as a cut)"
        print(
            f"wrote {shown(path)}: {exchange.request.method} "
            f"{exchange.request.path} -> {exchange.status}, {what}"
        )
    return 0


def _write_all(paths: list[Path], texts: list[str]) -> None:
    """Write every file beside its place, then rename each into it: no half-written file."""
    temporary: list[Path] = []
    try:
        for path, text in zip(paths, texts, strict=True):
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
            temporary.append(partial)
            partial.write_text(text, encoding="utf-8")
        for partial, path in zip(temporary, paths, strict=True):
            os.replace(partial, path)
    finally:
        for partial in temporary:
            partial.unlink(missing_ok=True)
