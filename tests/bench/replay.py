"""Replay fidelity and replay under load, against the replay server a reader starts.

The server is `python -m stream_replay serve` (what `python3 dev.py serve-recordings` runs),
in its own process, loaded with every recording; the clients are this process's, on
127.0.0.1, with asyncio and httpx, each stream on a new connection. The clock of a stream
starts before its connection is opened, as a reader's does: connecting, sending the request
and the server's work before the first byte all count.
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
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from stream_replay import Recording, load_recording

ROOT = Path(__file__).resolve().parents[2]
KEY = "replay-no-key-needed"
SERVING = re.compile(r"on (http://127\.0\.0\.1:\d+) at speed")


def all_recordings() -> list[Recording]:
    return [
        load_recording(path, name=path.relative_to(ROOT))
        for path in sorted((ROOT / "recordings").rglob("*.toml"))
    ]


def sent_bytes(recording: Recording) -> bytes:
    """The response body a client gets: the events, or a whole body (an HTTP error)."""
    body = recording.response.body
    return body if body is not None else recording.sse_body


def request_key(recording: Recording) -> str:
    """Recordings that answer the same request (the server serves them in turn)."""
    request = recording.request
    return json.dumps(
        [request.method, request.path, dict(request.headers), request.body], sort_keys=True
    )


class ServerProcess:
    """`python -m stream_replay serve --port 0 --speed S`, every recording; a context manager.

    `peak_rss` is the server's peak resident memory in bytes, known once it has stopped.
    """

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self.url = ""
        self.peak_rss: int | None = None
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> ServerProcess:
        command = [sys.executable, "-m", "stream_replay", "serve", "--port", "0"]
        self._process = subprocess.Popen(
            [*command, "--speed", f"{self.speed:g}"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
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
        for event in recording.response.events:
            ends += len(event.raw)
            while self.sizes[chunk] < ends:
                chunk += 1
            late.append(self.arrivals[chunk] - event.at)
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


def fidelity_run(at_once: int) -> dict[str, float]:
    recordings = all_recordings()
    groups: dict[str, list[Recording]] = {}
    for recording in recordings:
        groups.setdefault(request_key(recording), []).append(recording)
    with ServerProcess(speed=1) as server:
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


def fidelity(runs: int, at_once: int) -> dict[str, object]:
    results = []
    for number in range(1, runs + 1):
        result = fidelity_run(at_once)
        results.append(result)
        print(
            f"  run {number}: {result['events']:.0f} events of {result['streams']:.0f} streams,"
            f" late by p50 {result['p50_ms']:.2f} ms, p95 {result['p95_ms']:.2f},"
            f" p99 {result['p99_ms']:.2f}, max {result['max_ms']:.2f};"
            f" first event late by {result['first_event_p50_ms']:.2f} ms"
            f" (max {result['first_event_max_ms']:.2f})",
            flush=True,
        )
    return {"runs": results, "median": medians(results), "at_once": at_once}


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
