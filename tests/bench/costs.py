"""The replay tool's own costs, printed (never asserted): `python3 dev.py bench --only costs`.

- the time to answer a request that matches no recording, for bodies of 1 KB to 1 MB, and the
  longest pause another stream sees meanwhile;
- the time to load a recording of 8,000 and of 50,000 events.

The pass/fail tests prove the structural properties (linear cost, other streams keep flowing)
with generous bounds; this script measures the actual figures on the machine it runs on.
Each measurement gives up after LIMIT seconds and says so.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import threading
import time
from pathlib import Path

import httpx

from stream_replay import (
    RecordedRequest,
    Recording,
    ReplayServer,
    load_recording,
    parse_recording,
    recording_from_sse,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "recordings" / "first_stream" / "raw_events.toml"
LIMIT = 60.0
WORDS = [
    "stream",
    "events",
    "arrive",
    "one",
    "by",
    "one",
    "while",
    "the",
    "reply",
    "is",
    "being",
    "written",
]


def text_of(size: int) -> str:
    words, length, index = [], 0, 0
    while length < size:
        word = WORDS[index % len(WORDS)] + str(index % 97)
        words.append(word)
        length += len(word) + 1
        index += 1
    return " ".join(words)[:size]


def mismatch_latency(size: int) -> str:
    recording = load_recording(SAMPLE, name="recordings/first_stream/raw_events.toml")
    body = json.loads(json.dumps(recording.request.body))
    body["messages"][0]["content"] = text_of(size)
    headers = {"x-api-key": "benchmark", **recording.request.headers}
    # A slow stream beside it: one event every 10 ms; its longest gap shows any blocking.
    ticking = _ticking_recording(recording)
    gaps: list[float] = []
    with ReplayServer([recording, ticking], speed=1) as server:
        done = threading.Event()

        def watch() -> None:
            last = time.monotonic()
            with httpx.stream(
                "POST",
                f"{server.url}/v1/messages",
                json=ticking.request.body,
                headers=headers,
                timeout=LIMIT,
            ) as response:
                for _ in response.iter_raw():
                    now = time.monotonic()
                    gaps.append(now - last)
                    last = now
                    if done.is_set():
                        break

        watcher = threading.Thread(target=watch)
        watcher.start()
        time.sleep(0.2)
        start = time.monotonic()
        try:
            response = httpx.post(
                f"{server.url}/v1/messages", json=body, headers=headers, timeout=LIMIT
            )
            elapsed = time.monotonic() - start
            outcome = f"HTTP {response.status_code} in {elapsed * 1000:8.1f} ms"
        except httpx.TimeoutException:
            outcome = f"no answer within {LIMIT:.0f} s"
        done.set()
        watcher.join(timeout=LIMIT)
    longest = max(gaps) * 1000 if gaps else float("nan")
    return f"{outcome}; longest pause of another stream {longest:7.1f} ms"


def _ticking_recording(recording: Recording) -> Recording:
    """A stream of pings, one every 10 ms for a minute, answering another request."""
    pings = b'event: ping\ndata: {"type": "ping"}\n\n' * 6000
    request = RecordedRequest("POST", "/v1/messages", recording.request.headers, {"tick": True})
    ticking = recording_from_sse(pings, request, recording.provenance, "recordings/ticking.toml")
    events = tuple(
        dataclasses.replace(event, at=0.01 * number)
        for number, event in enumerate(ticking.response.events, start=1)
    )
    response = dataclasses.replace(ticking.response, events=events)
    return dataclasses.replace(ticking, response=response)


def recording_text(events: int) -> str:
    text = SAMPLE.read_text(encoding="utf-8")
    head = text[: text.index("[[events]]")]
    delta = (
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
        '"delta":{"type":"text_delta","text":"word "}}\n\n'
    )
    body = "".join(
        f"[[events]]\nat = {0.4 + n / 1000:.3f}\nsse = '''\n{delta}'''\n\n" for n in range(events)
    )
    return head + body


def load_time(events: int, runs: int) -> str:
    """Wall time and CPU time (the second is steadier on a busy machine); best of `runs`."""
    text = recording_text(events)
    result: list[tuple[float, float]] = []

    def load() -> None:
        for _ in range(runs):
            wall, cpu = time.monotonic(), time.process_time()
            parse_recording(text, "recordings/big.toml")
            result.append((time.monotonic() - wall, time.process_time() - cpu))

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(LIMIT)
    if not result:
        return f"not done within {LIMIT:.0f} s"
    wall, cpu = min(result)
    return f"{wall:7.2f} s ({cpu:.2f} s of CPU)"


def mismatch_work(size: int, recordings: list[Recording], runs: int) -> str:
    """In process, without HTTP: matching a request against every project recording, and
    (when none matches) finding the closest and its difference. Best of `runs`."""
    from stream_replay import IncomingRequest
    from stream_replay._matching import closest_recording, request_diff

    sample = load_recording(SAMPLE)
    body = json.loads(json.dumps(sample.request.body))
    body["messages"][0]["content"] = text_of(size)
    request = IncomingRequest("POST", "/v1/messages", dict(sample.request.headers), body)
    best = LIMIT
    for _ in range(runs):
        start = time.monotonic()
        assert not any(request.matches(r.request) for r in recordings)
        closest = closest_recording(recordings, request)
        assert closest is not None
        request_diff(closest, request)
        best = min(best, time.monotonic() - start)
    return f"{best * 1000:8.1f} ms against {len(recordings)} recordings"


def measure(runs: int = 3) -> dict[str, object]:
    """Each figure as a line of text, printed as it is measured; each the best of `runs`."""
    lines: list[str] = []

    def say(line: str) -> None:
        print(f"  {line}", flush=True)
        lines.append(line)

    sizes = [1_000, 16_000, 1_000_000]
    for size in sizes:
        # The server explains each mismatch on stderr: not a figure.
        with contextlib.redirect_stderr(io.StringIO()):
            latency = mismatch_latency(size)
        say(f"mismatch, body of {size:>9,} bytes: {latency}")
    recordings = [
        load_recording(path, name=path.relative_to(ROOT))
        for path in sorted((ROOT / "recordings").rglob("*.toml"))
    ]
    for size in sizes:
        work = mismatch_work(size, recordings, runs)
        say(f"mismatch work in process, {size:>9,} bytes: {work}")
    for events in (8_000, 50_000):
        say(f"load a recording of {events:>6,} events: {load_time(events, runs)}")
    return {"lines": lines}
