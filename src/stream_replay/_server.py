"""A real HTTP server on 127.0.0.1 that answers API requests from recordings.

Starlette handles the request and streams the body; uvicorn speaks HTTP/1.1 and sends each
event as its own chunk (chunked transfer encoding), so a client sees events arrive one by
one, at the recorded offsets divided by `speed`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
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

from ._http import METHODS, ThreadedServer, request_path
from ._matching import IncomingRequest, Mismatch, closest_recording, request_diff
from ._recording import RecordedResponse, Recording

__all__ = ["ReplayServer", "api_error"]


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
        self, recordings: Sequence[Recording], *, speed: float = 1.0, port: int = 0
    ) -> None:
        if speed < 0:
            raise ValueError("speed must be 0 or more")
        self.recordings = list(recordings)
        self.speed = speed
        self.served: list[Recording] = []
        self.mismatches: list[Mismatch] = []
        self._times_served: Counter[int] = Counter()
        self._lock = threading.Lock()
        self._request_ids = itertools.count(1)
        app = Starlette(routes=[Route("/{path:path}", self._handle, methods=METHODS)])
        super().__init__(app, port=port, lifespan="off")

    # -- requests

    def _take(self, request: IncomingRequest) -> Recording | None:
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
            return self.recordings[index]

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

        recording = self._take(incoming)
        if recording is None:
            return self._mismatch(incoming, request_id)
        await self._sleep_until(started, recording.response.at)
        return self._respond(recording.response, started)

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

    def _respond(self, response: RecordedResponse, started: float) -> Response:
        if response.body is not None:
            return Response(response.body, response.status, headers=dict(response.headers))

        async def events() -> AsyncIterator[bytes]:
            for event in response.events:
                await self._sleep_until(started, event.at)
                yield event.raw  # one chunk per event: uvicorn writes it out at once

        return StreamingResponse(events(), response.status, headers=dict(response.headers))

    async def _sleep_until(self, started: float, offset: float) -> None:
        if self.speed:
            delay = started + offset / self.speed - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
