"""A real HTTP server on 127.0.0.1 that answers API requests from recordings.

Starlette handles the request and streams the body; uvicorn speaks HTTP/1.1 and sends each
event as its own chunk (chunked transfer encoding), so a client sees events arrive one by
one, at the recorded offsets divided by `speed`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
import sys
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ._bedrock import plan_frames
from ._exchanges import Exchange
from ._faults import ERROR_MESSAGES, ERROR_TYPES, Fault, HttpError, Plan, plan_response
from ._http import (
    BODY_TIMEOUT,
    HEADER_TIMEOUT,
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
from ._matching import IncomingRequest, Mismatch, closest_recording, request_diff
from ._platforms import AWS_EVENT_STREAM, has_credentials, platform_of
from ._recording import MATCHED_REQUEST_HEADERS, RecordedResponse, Recording

__all__ = ["MAX_REQUEST_BYTES", "ConnectionCut", "ReplayServer", "api_error", "plan_for"]

# The API's own limit: "a maximum request size of 32 MB for standard endpoints, including the
# Messages API", over which it answers 413 `request_too_large` ("Request exceeds the maximum
# allowed number of bytes"), sent by Cloudflare before the request reaches the API servers.
# Source: the Claude API overview ("Request size limits") and errors pages,
# platform.claude.com/docs/en/api/overview and /docs/en/api/errors, stored copies read
# 2026-12-02. The page says MB; 32 MiB is taken here.
MAX_REQUEST_BYTES = 32 * 1024 * 1024
TOO_LARGE_MESSAGE = "Request exceeds the maximum allowed number of bytes."
# Unmatched requests kept whole (a test's failure shows them); the rest are only counted.
KEPT_MISMATCHES = 100


def api_error(
    status: int, error_type: str, message: str, request_id: str, *, close: bool = False
) -> JSONResponse:
    """An error in the API's own shape, so SDKs raise what they would raise for the real one.

    `close`: the request's body was left unread, so the connection cannot carry another
    request; it is closed after the answer rather than left for the idle timeout to close.
    """
    body = {
        "type": "error",
        "error": {"type": error_type, "message": message},
        "request_id": request_id,
    }
    headers = {"request-id": request_id} | ({"connection": "close"} if close else {})
    return JSONResponse(body, status_code=status, headers=headers)


class ReplayServer(ThreadedServer):
    """Serve recordings over HTTP on 127.0.0.1, in a background thread.

    Use it as a context manager; `url` is what `ANTHROPIC_BASE_URL` should be. Each request is
    answered by a recording whose request matches it (method, path, JSON body, and the recorded
    `anthropic-*` headers). Of several that match, the least-served comes first, so a snippet
    that sends the same request twice gets its recordings in order. `speed` divides the
    recorded delays; 0 sends everything at once. A request no recording matches is answered
    with the difference and printed; the first `kept_mismatches` are kept in `mismatches`.
    """

    def __init__(
        self,
        recordings: Sequence[Recording],
        *,
        speed: float = 1.0,
        port: int = 0,
        faults: Sequence[Fault] = (),
        header_timeout: float = HEADER_TIMEOUT,
        body_timeout: float = BODY_TIMEOUT,
        kept_mismatches: int = KEPT_MISMATCHES,
    ) -> None:
        if not math.isfinite(speed) or speed < 0:
            raise ValueError("speed must be a finite number, 0 or more")
        self.recordings = list(recordings)
        self.speed = speed
        self.faults = list(faults)
        self.served: list[Recording] = []
        self.mismatches: list[Mismatch] = []  # the first `kept_mismatches`, body and all
        self.mismatch_count = 0  # every request no recording matched
        self._kept_mismatches = kept_mismatches
        self.received = 0  # requests that reached the server, answered or refused
        self.abandoned = 0  # streams whose client closed the connection before the last event
        self.exchanges: list[Exchange] = []  # every request and how its response ended
        self._times_served: Counter[int] = Counter()
        self._lock = threading.Lock()
        self._request_ids = itertools.count(1)
        self._body_timeout = body_timeout
        app = Starlette(routes=[Route("/{path:path}", self._handle, methods=METHODS)])
        super().__init__(app, port=port, header_timeout=header_timeout, lifespan="off")

    def add(self, recording: Recording) -> None:
        """Answer with `recording` too, from the next request on (the server may be running)."""
        with self._lock:
            self.recordings.append(recording)

    def reset(self, faults: Sequence[Fault] = ()) -> None:
        """Answer from now on under `faults`, as if no request had been answered yet: what
        was served, unmatched or abandoned is forgotten (a sweep's next run starts so).
        `received` keeps counting."""
        with self._lock:
            self.faults = list(faults)
            self.served = []
            self.mismatches = []
            self.mismatch_count = 0
            self.abandoned = 0
            self.exchanges = []
            self._times_served.clear()
        self.connections.forget()

    # -- requests

    def _take(self, request: IncomingRequest) -> tuple[Recording, int] | None:
        """The recording that answers `request`, and how many requests were answered so far."""
        with self._lock:
            candidates = [
                (self._times_served[index], index)
                for index, recording in enumerate(self.recordings)
                if request.matches(recording.request)
            ]
            if not candidates:
                return None
            _, index = min(candidates)
            self._times_served[index] += 1
            self.served.append(self.recordings[index])
            return self.recordings[index], len(self.served)

    async def _handle(self, request: Request) -> Response:
        started = time.monotonic()
        self.received += 1  # only the server's event loop counts
        port = request.client.port if request.client else 0
        with self._lock:
            number = len(self.exchanges) + 1
            exchange = Exchange(number, request.method, request_path(request), port, started)
            self.exchanges.append(exchange)
        self.connections.carried(port, number)
        response = await self._answer(request, started, exchange)
        if exchange.status is None:  # answered whole, not streamed
            exchange.status = response.status_code
            if exchange.outcome == "streaming":
                exchange.outcome = "complete" if response.status_code < 400 else "refused"
            exchange.end(exchange.outcome, time.monotonic())
        return response

    async def _answer(self, request: Request, started: float, exchange: Exchange) -> Response:
        request_id = f"req_replay_{next(self._request_ids):04d}"
        headers = {name.lower(): value for name, value in request.headers.items()}
        for name in MATCHED_REQUEST_HEADERS:  # a header sent twice counts with both values
            if len(values := request.headers.getlist(name)) > 1:
                headers[name] = ",".join(values)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_REQUEST_BYTES:  # refused before the API
            return self._too_large(request_id)
        # The same checks, in the same order and words, as the real API. A key may come as
        # x-api-key (curl, the docs) or as a bearer token (the Python SDK 2.x sends that).
        # Bedrock's SigV4 signature and Vertex's Google token count too (_platforms.py).
        if not has_credentials(headers):
            return api_error(
                401, "authentication_error", "x-api-key header is required", request_id
            )
        platform = platform_of(request_path(request))
        if not headers.get("anthropic-version") and platform == "anthropic":
            return api_error(
                400, "invalid_request_error", "anthropic-version: header is required", request_id
            )
        try:
            raw = await read_body(request, limit=MAX_REQUEST_BYTES, timeout=self._body_timeout)
        except BodyTooLarge:
            return self._too_large(request_id)
        except BodyTimeout:
            message = f"The request body did not arrive within {self._body_timeout:g} s."
            print(f"replay server: {message}", file=sys.stderr, flush=True)
            return api_error(408, "invalid_request_error", message, request_id, close=True)
        except ClientGone:
            print("replay server: a client went away mid-upload", file=sys.stderr, flush=True)
            exchange.outcome = "abandoned"
            return Response(status_code=400)  # never sent: the connection is gone
        try:
            body = await asyncio.to_thread(parse_body, raw)
        except RecursionError:
            message = "The request body is JSON nested too deeply to read."
            return api_error(400, "invalid_request_error", message, request_id)
        incoming = IncomingRequest(request.method, request_path(request), headers, body)
        exchange.body = body

        # Matching and explaining a mismatch run in a worker thread: however large the
        # request, the event loop keeps sending the other streams.
        taken = await asyncio.to_thread(self._take, incoming)
        if taken is None:
            exchange.outcome = "unmatched"
            return await asyncio.to_thread(self._mismatch, incoming, request_id)
        recording, number = taken
        exchange.recording = recording.name
        if not await self._headers_due(request, started, recording.response.at):
            with self._lock:
                self.abandoned += 1
            exchange.outcome = "abandoned"
            return Response(status_code=499)  # never sent: the client has gone
        plan = plan_for(recording.response, self.faults, number)
        if plan.http_error is not None:
            return _http_error(plan.http_error, request_id)
        return self._respond(recording.response, plan, started, request_id, exchange)

    def _too_large(self, request_id: str) -> Response:
        """The API's 413, the rest of the body read and dropped so the client can read it."""
        error = api_error(413, "request_too_large", TOO_LARGE_MESSAGE, request_id)
        return LingeringResponse(error, linger=self._body_timeout)

    def _mismatch(self, incoming: IncomingRequest, request_id: str) -> Response:
        same_route = [
            r
            for r in self.recordings
            if (r.request.method, r.request.path) == (incoming.method, incoming.path)
        ]
        closest = closest_recording(same_route or self.recordings, incoming)
        diff = request_diff(closest, incoming) if closest else ""
        mismatch = Mismatch(incoming, closest, diff)
        with self._lock:
            self.mismatch_count += 1
            if len(self.mismatches) < self._kept_mismatches:
                self.mismatches.append(mismatch)
        print(f"replay server: {mismatch.message()}", file=sys.stderr, flush=True)
        if not same_route:
            return api_error(404, "not_found_error", mismatch.message(), request_id)
        return api_error(400, "invalid_request_error", mismatch.message(), request_id)

    def _respond(
        self,
        response: RecordedResponse,
        plan: Plan,
        started: float,
        request_id: str,
        exchange: Exchange,
    ) -> Response:
        # "Every API response includes a unique request-id header" (the API's Errors page):
        # the recorded one if the recording kept it, else one of the server's own.
        headers = {"request-id": request_id, **response.headers}
        if response.body is not None:
            return Response(response.body, response.status, headers=headers)

        async def chunks() -> AsyncIterator[bytes]:
            complete = idled = False
            last = time.monotonic()  # the headers went out
            try:
                for step in plan.steps:  # made one by one, as they are sent
                    if step.stall:
                        exchange.stalling(step.stall, time.monotonic())
                    idle = plan.idle_cut
                    if idle is not None and self._due(started, step.at, step.delay) > last + idle:
                        await asyncio.sleep(max(last + idle - time.monotonic(), 0.0))
                        idled = True  # a proxy's idle timeout: it drops the connection
                        break
                    await self._sleep_until(started, step.at, step.delay)
                    if step.stall:
                        exchange.stall_over(time.monotonic())
                    yield step.data  # one chunk per step: uvicorn writes it out at once
                    last = time.monotonic()
                    exchange.wrote(step.data, last)
                else:
                    complete = True
            finally:
                if not (complete or idled):  # the client went away before the end
                    with self._lock:
                        self.abandoned += 1
                    exchange.end("abandoned", time.monotonic())
            cut = plan.cut or idled
            exchange.end("cut" if cut else "complete", time.monotonic())
            if cut:
                raise ConnectionCut  # uvicorn closes the connection mid-body

        exchange.status = response.status
        return StreamingResponse(chunks(), response.status, headers=headers)

    async def _headers_due(self, request: Request, started: float, offset: float) -> bool:
        """Wait until the recorded headers are due; False if the client left meanwhile (its
        request then ends at once, rather than when the headers were due)."""
        wait = started + (offset / self.speed if self.speed else 0.0) - time.monotonic()
        if wait <= 0:
            return True
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                while (await request.receive())["type"] != "http.disconnect":
                    pass
                return False
        return True

    def _due(self, started: float, offset: float, delay: float = 0.0) -> float:
        """When a step recorded at `offset`, plus `delay` real seconds, is due."""
        return started + (offset / self.speed if self.speed else 0.0) + delay

    async def _sleep_until(self, started: float, offset: float, delay: float = 0.0) -> None:
        """Wait until a step is due. One already due still waits a turn of the event loop, so
        that no stream, however long or finely cut, holds up the others."""
        await asyncio.sleep(max(self._due(started, offset, delay) - time.monotonic(), 0.0))


def plan_for(response: RecordedResponse, faults: Sequence[Fault], request_number: int = 1) -> Plan:
    """What the server sends for `response` under `faults` on the Nth request: AWS
    event-stream frames for Bedrock, SSE for every other platform."""
    planner = plan_frames if _is_frames(response) else plan_response
    return planner(response.events, faults, request_number, cut=response.cut)


def _is_frames(response: RecordedResponse) -> bool:
    return response.headers.get("content-type", "").startswith(AWS_EVENT_STREAM)


def _http_error(fault: HttpError, request_id: str) -> Response:
    error_type = ERROR_TYPES.get(fault.status, "api_error")
    message = ERROR_MESSAGES.get(error_type, error_type.replace("_", " ").capitalize())
    response = api_error(fault.status, error_type, message, request_id)
    if fault.retry_after is not None:
        response.headers["retry-after"] = f"{fault.retry_after:g}"
    return response
