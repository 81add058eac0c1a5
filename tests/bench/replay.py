"""Replay fidelity and replay under load, against the replay server a reader starts.

The server is `python -m stream_replay serve` (what `python3 dev.py serve-recordings` runs),
in its own process, loaded with every recording; the clients are this process's, on
127.0.0.1, with asyncio and httpx, each stream on a new connection. The clock of a stream
starts before its connection is opened, as a reader's does: connecting, sending the request
and the server's work before the first byte all count.

Fidelity is measured against the floor too (tests/bench/floor.py: plain asyncio writing the
same bytes on the same schedule), with the same clients in the same run, and through one
`anthropic.Anthropic()` client that keeps its connections alive from stream to stream, as the
SDK, the snippets and readers' own tests talk to the server.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from stream_replay import Recording, ReplayServer, load_recording

from .floor import wire_events

ROOT = Path(__file__).resolve().parents[2]
KEY = "replay-no-key-needed"
SERVING = re.compile(r"on (http://127\.0\.0\.1:\d+)")
SDK_AT_ONCE = 4  # threads sharing the one SDK client, each streaming recordings in turn


def all_recordings() -> list[Recording]:
    return [
        load_recording(path, name=path.relative_to(ROOT))
        for path in sorted((ROOT / "recordings").rglob("*.toml"))
    ]


def sent_bytes(recording: Recording) -> bytes:
    """The response body a client gets: the events, or a whole body (an HTTP error)."""
    body = recording.response.body
    return body if body is not None else b"".join(d for _, d in wire_events(recording.response))


def request_key(recording: Recording) -> str:
    """Recordings that answer the same request (the server serves them in turn)."""
    request = recording.request
    return json.dumps(
        [request.method, request.path, dict(request.headers), request.body], sort_keys=True
    )


class ServerProcess:
    """`python -m stream_replay serve --port 0 --speed S`, every recording; a context manager.
    With `floor`, the floor (tests/bench/floor.py, speed 1) instead.

    `peak_rss` is the server's peak resident memory in bytes, known once it has stopped.
    """

    def __init__(self, speed: float, *, floor: bool = False) -> None:
        self.speed = speed
        self.url = ""
        self.peak_rss: int | None = None
        self._process: subprocess.Popen[str] | None = None
        serve = [sys.executable, "-m", "stream_replay", "serve", "--port", "0"]
        self._command = (
            [sys.executable, "-m", "tests.bench.floor"]
            if floor
            else [*serve, "--speed", f"{speed:g}"]
        )

    def __enter__(self) -> ServerProcess:
        self._process = subprocess.Popen(
            self._command,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            # Ctrl-C stops it, even when the bench was started in the background (which
            # leaves SIGINT ignored, and the child would inherit that).
            preexec_fn=_default_sigint if os.name == "posix" else None,
        )
        assert self._process.stdout is not None
        first = self._process.stdout.readline()
        match = SERVING.search(first)
        if not match:
            self._process.kill()
            raise RuntimeError(f"the replay server did not start: {first!r}")
        self.url = match[1]
        return self

    def __exit__(self, *_: object) -> None:
        process = self._process
        assert process is not None
        process.send_signal(signal.SIGINT)  # Ctrl-C, as a reader stops it
        if hasattr(os, "wait4"):
            _pid, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            # ru_maxrss: kilobytes on Linux, bytes on macOS
            self.peak_rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
        else:
            process.wait(timeout=30)
        if process.stdout:
            process.stdout.close()


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class Stream:
    """One stream as a client saw it."""

    sent: Recording
    started: float = 0.0
    ended: float = 0.0
    body: bytes = b""
    arrivals: list[float] = field(default_factory=list)  # seconds after `started`, per chunk
    sizes: list[int] = field(default_factory=list)  # bytes received so far, per chunk
    error: str | None = None

    def served(self, group: Sequence[Recording]) -> Recording | None:
        """The recording whose bytes arrived, of those that answer the same request."""
        return next((r for r in group if sent_bytes(r) == self.body), None)

    def lateness(self, recording: Recording) -> list[float]:
        """Per event: observed minus recorded arrival offset, in seconds."""
        late, ends, chunk = [], 0, 0
        for at, data in wire_events(recording.response):
            ends += len(data)
            while self.sizes[chunk] < ends:
                chunk += 1
            late.append(self.arrivals[chunk] - at)
        return late


async def fetch(client: httpx.AsyncClient, url: str, stream: Stream) -> None:
    request = stream.sent.request
    headers = {"x-api-key": KEY, **request.headers}
    stream.started = time.perf_counter()
    received = bytearray()
    try:
        async with client.stream(
            request.method, url + request.path, json=request.body, headers=headers
        ) as response:
            async for chunk in response.aiter_raw():
                received += chunk
                stream.arrivals.append(time.perf_counter() - stream.started)
                stream.sizes.append(len(received))
    except httpx.HTTPError as error:  # a recording that ends in a cut connection
        stream.error = type(error).__name__
    stream.ended = time.perf_counter()
    stream.body = bytes(received)


def client() -> httpx.AsyncClient:
    # No connection is reused: every stream pays its connection, as a reader's first does.
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
    return httpx.AsyncClient(limits=limits, timeout=120)


async def replay(url: str, recordings: Sequence[Recording], at_once: int) -> list[Stream]:
    gate = asyncio.Semaphore(at_once)
    streams = [Stream(r) for r in recordings]

    async def one(stream: Stream) -> None:
        async with gate:
            await fetch(http, url, stream)

    async with client() as http:
        await asyncio.gather(*(one(s) for s in streams))
    return streams


def check(streams: Sequence[Stream], recordings: Sequence[Recording]) -> tuple[int, int]:
    """(identical, lost): streams whose bytes are exactly a recording of their request (cut
    where it is recorded cut), and streams that got nothing."""
    groups: dict[str, list[Recording]] = {}
    for recording in recordings:
        groups.setdefault(request_key(recording), []).append(recording)
    identical = lost = 0
    for stream in streams:
        served = stream.served(groups[request_key(stream.sent)])
        if served is not None and (stream.error is not None) == served.response.cut:
            identical += 1
        if not stream.body:
            lost += 1
    return identical, lost


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


def fidelity_run(at_once: int, *, floor: bool = False) -> dict[str, float]:
    recordings = all_recordings()
    groups: dict[str, list[Recording]] = {}
    for recording in recordings:
        groups.setdefault(request_key(recording), []).append(recording)
    with ServerProcess(speed=1, floor=floor) as server:
        streams = asyncio.run(replay(server.url, recordings, at_once))
    late: list[float] = []
    first_late: list[float] = []
    first_at: list[float] = []
    for stream in streams:
        served = stream.served(groups[request_key(stream.sent)])
        if served is None:
            raise RuntimeError(f"{stream.sent.name}: the bytes received are not its recording")
        if not served.response.events:
            continue  # an HTTP error, answered whole: no events to time
        each = stream.lateness(served)
        late += each
        first_late.append(each[0])
        first_at.append(stream.arrivals[0])
    ms = [x * 1000 for x in late]
    return {
        "streams": float(len(first_at)),
        "events": len(ms),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "max_ms": max(ms),
        "min_ms": min(ms),
        "first_event_p50_ms": percentile([x * 1000 for x in first_late], 50),
        "first_event_max_ms": max(x * 1000 for x in first_late),
        "first_event_at_p50_s": percentile(first_at, 50),
    }


def sdk_run(*, floor: bool = False) -> dict[str, float]:
    """One `anthropic.Anthropic()` client, every streamed recording in turn (SDK_AT_ONCE
    threads share it, each reading its streams to the end so that the connection is kept
    alive for its next one): how late each stream's first event reaches the loop."""
    import anthropic

    # Recordings that answer the same request go to one thread, one after the other, so that
    # each stream is timed against the recording served to it (they are served in turn).
    groups: dict[str, list[Recording]] = {}
    for recording in all_recordings():
        # The Messages API's own streams: not Bedrock's, Vertex's or the compatible endpoint's,
        # which this client does not speak.
        if recording.response.events and recording.request.path == "/v1/messages":
            groups.setdefault(request_key(recording), []).append(recording)
    todo = list(reversed(groups.values()))
    late: list[float] = []
    lock = threading.Lock()
    warm(anthropic, todo[-1][0])
    with ServerProcess(speed=1, floor=floor) as server:
        client = anthropic.Anthropic(base_url=server.url, api_key=KEY, max_retries=0)

        def streams() -> None:
            while True:
                with lock:
                    if not todo:
                        return
                    group = todo.pop()
                for recording in group:
                    stream_one(recording)

        def stream_one(recording: Recording) -> None:
            first = next(e for e in recording.response.events if e.name != "ping")
            started = time.perf_counter()
            arrived = None
            try:
                with create(client, recording) as stream:
                    for _ in stream:
                        if arrived is None:
                            arrived = time.perf_counter() - started
            except anthropic.APIError:  # a recording that ends in a cut connection
                pass
            with lock:
                if arrived is None:
                    failed.append(f"{recording.name}: the SDK saw no event")
                else:
                    late.append(arrived - first.at)

        failed: list[str] = []
        workers = [threading.Thread(target=streams) for _ in range(SDK_AT_ONCE)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        client.close()
    if failed or len(late) != sum(map(len, groups.values())):
        raise RuntimeError("; ".join(failed) or "a stream was not timed")
    ms = [x * 1000 for x in late]
    return {
        "streams": float(len(ms)),
        "first_event_p50_ms": percentile(ms, 50),
        "first_event_p95_ms": percentile(ms, 95),
        "first_event_max_ms": max(ms),
    }


def warm(anthropic: Any, recording: Recording) -> None:
    """The SDK's own first-request work (its lazy imports, its models), done before any
    clock runs: one stream from an in-process server at speed 0."""
    with ReplayServer([recording], speed=0) as server:
        client = anthropic.Anthropic(base_url=server.url, api_key=KEY, max_retries=0)
        with create(client, recording) as stream:
            for _ in stream:
                pass
        client.close()


def create(client: Any, recording: Recording) -> Any:
    """`client.messages.create(..., stream=True)` sending the recording's request."""
    body = dict(recording.request.body)
    known = {name: body.pop(name) for name in ("model", "max_tokens", "messages")}
    body.pop("stream", None)
    return client.messages.create(
        **known, stream=True, extra_body=body, extra_headers=dict(recording.request.headers)
    )


def fidelity(runs: int, at_once: int) -> dict[str, object]:
    """Per run: new connections (httpx) to the floor and to the server; then one SDK client
    to the floor and to the server. The client's own first-use work (httpx's lazy imports,
    its first connection) is done before any clock runs, so that whichever server is
    measured first does not pay it."""
    with ReplayServer(all_recordings()[:1], speed=0) as warming:
        asyncio.run(replay(warming.url, all_recordings()[:1], at_once=1))
    results, floors, sdk, sdk_floor = [], [], [], []
    for number in range(1, runs + 1):
        floors.append(fidelity_run(at_once, floor=True))
        results.append(fidelity_run(at_once))
        for name, result in (("floor", floors[-1]), ("server", results[-1])):
            print(
                f"  run {number}, {name}: {result['events']:.0f} events of"
                f" {result['streams']:.0f} streams, late by p50 {result['p50_ms']:.2f} ms,"
                f" p95 {result['p95_ms']:.2f}, p99 {result['p99_ms']:.2f},"
                f" max {result['max_ms']:.2f}; first event late by"
                f" {result['first_event_p50_ms']:.2f} ms (max {result['first_event_max_ms']:.2f})",
                flush=True,
            )
        over = {k: results[-1][k] - floors[-1][k] for k in ("p95_ms", "max_ms")}
        print(
            f"  run {number}, server minus floor: p95 {over['p95_ms']:+.2f} ms,"
            f" max {over['max_ms']:+.2f} ms",
            flush=True,
        )
        sdk_floor.append(sdk_run(floor=True))
        sdk.append(sdk_run())
        for name, result in (("floor", sdk_floor[-1]), ("server", sdk[-1])):
            print(
                f"  run {number}, one SDK client, {name}: first event of"
                f" {result['streams']:.0f} streams late by p50"
                f" {result['first_event_p50_ms']:.2f} ms, p95 {result['first_event_p95_ms']:.2f},"
                f" max {result['first_event_max_ms']:.2f}",
                flush=True,
            )
    return {
        "runs": results,
        "median": medians(results),
        "floor_runs": floors,
        "floor_median": medians(floors),
        "sdk_runs": sdk,
        "sdk_median": medians(sdk),
        "sdk_floor_runs": sdk_floor,
        "sdk_floor_median": medians(sdk_floor),
        "sdk_at_once": SDK_AT_ONCE,
        "at_once": at_once,
    }


def load_run(clients: int, speed: float) -> dict[str, float]:
    recordings = all_recordings()
    chosen = [recordings[n % len(recordings)] for n in range(clients)]
    with ServerProcess(speed=speed) as server:
        start = time.perf_counter()
        streams = asyncio.run(replay(server.url, chosen, at_once=clients))
        wall = time.perf_counter() - start
    identical, lost = check(streams, recordings)
    groups: dict[str, list[Recording]] = {}
    for recording in recordings:
        groups.setdefault(request_key(recording), []).append(recording)
    events = sum(len(s.sent.response.events) for s in streams if s.body)
    result = {
        "clients": clients,
        "speed": speed,
        "identical": identical,
        "lost": lost,
        "events": events,
        "wall_s": wall,
        "events_per_s": events / wall,
        "peak_rss_mb": (server.peak_rss or 0) / 2**20,
    }
    if speed:
        # Lateness counted from each stream's first event: whether the server keeps the
        # recorded pace with this many streams. The first events themselves wait for this
        # process to open every connection, which is the client's cost more than the server's.
        first, paced = [], []
        for stream in streams:
            served = stream.served(groups[request_key(stream.sent)])
            if served is None or not served.response.events:
                continue
            late = stream.lateness(served)
            first.append(late[0] * 1000)
            paced += [(x - late[0]) * 1000 for x in late[1:]]
        result |= {
            "first_p50_ms": percentile(first, 50),
            "first_max_ms": max(first),
            "paced_p95_ms": percentile(paced, 95),
            "paced_max_ms": max(paced),
        }
    return result


def load(runs: int, clients: Sequence[int] = (100, 300), speeds: Sequence[float] = (0, 1)):
    rows = []
    for speed in speeds:
        for count in clients:
            results = []
            for _ in range(runs):
                results.append(load_run(count, speed))
            row = medians(results) | {
                "identical_all_runs": min(r["identical"] for r in results),
                "lost_all_runs": max(r["lost"] for r in results),
            }
            rows.append(row)
            extra = (
                f"; first event late by {row['first_p50_ms']:.1f} ms (max"
                f" {row['first_max_ms']:.1f}), each later event by p95 {row['paced_p95_ms']:.1f}"
                f" ms (max {row['paced_max_ms']:.1f}) more"
                if speed
                else ""
            )
            print(
                f"  {count} clients at speed {speed:g}: {row['identical_all_runs']:.0f}"
                f" byte-identical, {row['lost_all_runs']:.0f} lost,"
                f" {row['events_per_s']:,.0f} events/s, peak RSS {row['peak_rss_mb']:.0f} MB"
                f"{extra}",
                flush=True,
            )
    return {"rows": rows, "runs": runs}


def medians(results: Sequence[dict[str, float]]) -> dict[str, float]:
    from statistics import median

    return {key: median(r[key] for r in results) for key in results[0]}
