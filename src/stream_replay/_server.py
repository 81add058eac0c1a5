"""A real HTTP server on 127.0.0.1 that answers API requests from recordings.

Starlette handles the request and streams the body; uvicorn speaks HTTP/1.1 and sends each
event as its own chunk (chunked transfer encoding), so a client sees events arrive one by
one, at the recorded offsets divided by `speed`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import sys
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ._faults import ERROR_MESSAGES, ERROR_TYPES, Fault, HttpError, Plan, plan_response
from ._http import METHODS, ThreadedServer, request_path
from ._matching import IncomingRequest, Mismatch, closest_recording, request_diff
from ._recording import RecordedResponse, Recording

__all__ = ["ConnectionCut", "ReplayServer", "api_error"]


def api_error(status: int, error_type: str, message: str, request_id: str) -> JSONResponse:
    """An error in the API's own shape, so SDKs raise what they would raise for the real one."""
    body = {
        "type": "error",
        "error": {"type": error_type, "message": message},
        "request_id": request_id,
    }
    return JSONResponse(body, status_code=status, headers={"request-id": request_id})


class ReplayServer(ThreadedServer):
    """Serve recordings over HTTP on 127.0.0.1, in a background thread.

    Use it as a context manager; `url` is what `ANTHROPIC_BASE_URL` should be. Each request is
    answered by a recording whose request matches it (method, path, JSON body, and the recorded
    `anthropic-*` headers). Of several that match, the least-served comes first, so a snippet
    that sends the same request twice gets its recordings in order. `speed` divides the
    recorded delays; 0 sends everything at once.
    """

    def __init__(
        self,
        recordings: Sequence[Recording],
        *,
        speed: float = 1.0,
        port: int = 0,
        faults: Sequence[Fault] = (),
    ) -> None:
        if speed < 0:
            raise ValueError("speed must be 0 or more")
        self.recordings = list(recordings)
        self.speed = speed
        self.faults = list(faults)
        self.served: list[Recording] = []
        self.mismatches: list[Mismatch] = []
        self.abandoned = 0  # streams whose client closed the connection before the last event
        self._times_served: Counter[int] = Counter()
        self._lock = threading.Lock()
        self._request_ids = itertools.count(1)
        app = Starlette(routes=[Route("/{path:path}", self._handle, methods=METHODS)])
        super().__init__(app, port=port, lifespan="off")

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
        request_id = f"req_replay_{next(self._request_ids):04d}"
        headers = {name.lower(): value for name, value in request.headers.items()}
        # The same checks, in the same order and words, as the real API. A key may come as
        # x-api-key (curl, the docs) or as a bearer token (the Python SDK 2.x sends that).
        if not headers.get("x-api-key") and not headers.get("authorization", "").startswith(
            "Bearer "
        ):
            return api_error(
                401, "authentication_error", "x-api-key header is required", request_id
            )
        if not headers.get("anthropic-version"):
            return api_error(
                400, "invalid_request_error", "anthropic-version: header is required", request_id
            )
        raw = await request.body()
        body: Any
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        incoming = IncomingRequest(request.method, request_path(request), headers, body)

        taken = self._take(incoming)
        if taken is None:
            return self._mismatch(incoming, request_id)
        recording, number = taken
        await self._sleep_until(started, recording.response.at)
        plan = plan_response(recording.response.events, self.faults, number)
        if plan.http_error is not None:
            return _http_error(plan.http_error, request_id)
        return self._respond(recording.response, plan, started)

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
            self.mismatches.append(mismatch)
        print(f"replay server: {mismatch.message()}", file=sys.stderr, flush=True)
        if not same_route:
            return api_error(404, "not_found_error", mismatch.message(), request_id)
        return api_error(400, "invalid_request_error", mismatch.message(), request_id)

    def _respond(self, response: RecordedResponse, plan: Plan, started: float) -> Response:
        if response.body is not None:
            return Response(response.body, response.status, headers=dict(response.headers))

        async def chunks() -> AsyncIterator[bytes]:
            sent = 0
            try:
                for step in plan.steps:
                    await self._sleep_until(started, step.at, step.delay)
                    yield step.data  # one chunk per step: uvicorn writes it out at once
                    sent += 1
            finally:
                if sent < len(plan.steps):  # the client went away before the end
                    with self._lock:
                        self.abandoned += 1
            if plan.cut:
                raise ConnectionCut  # uvicorn closes the connection mid-body

        return StreamingResponse(chunks(), response.status, headers=dict(response.headers))

    async def _sleep_until(self, started: float, offset: float, delay: float = 0.0) -> None:
        due = started + (offset / self.speed if self.speed else 0.0) + delay
        wait = due - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)


class ConnectionCut(Exception):
    """Raised inside a response body to drop the connection, as a network failure would."""


class _QuietCuts(logging.Filter):
    """uvicorn logs an exception that ends a response; a cut on purpose is not an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        while error is not None:
            if isinstance(error, ConnectionCut):
                return False
            error = error.__cause__ or error.__context__
        return True


logging.getLogger("uvicorn.error").addFilter(_QuietCuts())


def _http_error(fault: HttpError, request_id: str) -> Response:
    error_type = ERROR_TYPES.get(fault.status, "api_error")
    message = ERROR_MESSAGES.get(error_type, error_type.replace("_", " ").capitalize())
    response = api_error(fault.status, error_type, message, request_id)
    if fault.retry_after is not None:
        response.headers["retry-after"] = f"{fault.retry_after:g}"
    return response
