"""aimock beside the replay server: the same recorded streams, one `anthropic.Anthropic()`
client, each event's arrival against the offset its recording gives it.

    npm install --prefix /tmp/aimock @copilotkit/aimock@1.43.0
    python3 -m tests.bench.aimock /tmp/aimock [--runs 5]

Not part of `python3 dev.py test` or `bench` (aimock is not in the lock files; `npm install`
needs the registry). aimock rebuilds a stream from a fixture's text and replays recorded
timing as a first-event delay and the gaps between events (`recordedTimings`): the fixture is
made from each recording (its text, its offsets, a chunk size that gives as many text deltas
as the recording has), so that both servers mean to send the same events at the same times.
The replay server sends the recorded bytes themselves. Printed per server: how late the first
event and the last reach the client (median and worst over the runs), whether the events and
the text are the recording's, and whether the body is its bytes.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from stream_replay import Recording, load_recording

from .replay import KEY, ROOT, ServerProcess, create, percentile, sent_bytes, warm

__all__ = ["RECORDINGS", "fixture_of", "main"]

# Streams of one text block, short and long, none with pings (aimock sends none).
RECORDINGS = [
    "first_stream/text_stream",
    "raw_http/stream_text",
    "cancelling/create_with",
    "sdk_helpers/close_early",
    "cancelling/break_out",
]
SERVER = Path(__file__).with_name("aimock_server.cjs")


def events_of(recording: Recording) -> list[Any]:
    return [event for event in recording.response.events if event.name != "ping"]


def text_of(recording: Recording) -> str:
    return "".join(
        event.data["delta"]["text"]
        for event in events_of(recording)
        if event.name == "content_block_delta"
    )


def fixture_of(recording: Recording) -> dict[str, Any]:
    """An aimock fixture meant to send what `recording` holds, when it holds it."""
    events = events_of(recording)
    deltas = sum(event.name == "content_block_delta" for event in events)
    text = text_of(recording)
    messages = recording.request.body["messages"]
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(events)]
    return {
        "match": {"userMessage": messages[-1]["content"]},
        "response": {"content": text},
        # aimock cuts the text every chunkSize JavaScript characters (UTF-16 units).
        "chunkSize": math.ceil(len(text.encode("utf-16-le")) // 2 / deltas),
        "recordedTimings": {
            "ttftMs": events[0].at * 1000,
            "interChunkDelaysMs": [gap * 1000 for gap in gaps],
            "totalDurationMs": events[-1].at * 1000,
        },
    }


def one_stream(client: Any, recording: Recording) -> tuple[list[str], str, list[float]]:
    """Event types, text and each event's arrival (seconds from the request) via the SDK."""
    names, pieces, arrived = [], [], []
    started = time.perf_counter()
    with create(client, recording) as stream:
        for event in stream:
            arrived.append(time.perf_counter() - started)
            names.append(event.type)
            if event.type == "content_block_delta" and event.delta.type == "text_delta":
                pieces.append(event.delta.text)
    return names, "".join(pieces), arrived


def measure(url: str, recordings: list[Recording], runs: int) -> dict[str, Any]:
    import anthropic

    client = anthropic.Anthropic(base_url=url, api_key=KEY, max_retries=0)
    first, last, same_events, same_text, same_bytes = [], [], True, True, True
    for recording in recordings:
        events = events_of(recording)
        wanted, offsets = [event.name for event in events], [event.at for event in events]
        body = httpx.post(
            f"{url}/v1/messages",
            json=recording.request.body,
            headers={**dict(recording.request.headers), "x-api-key": KEY},
            timeout=60,
        ).content
        same_bytes &= body == sent_bytes(recording)
        for _ in range(runs):
            names, text, arrived = one_stream(client, recording)
            same_events &= names == wanted
            same_text &= text == text_of(recording)
            first.append((arrived[0] - offsets[0]) * 1000)
            last.append((arrived[-1] - offsets[-1]) * 1000)
    client.close()
    return {
        "first_p50_ms": percentile(first, 50),
        "first_max_ms": max(first),
        "last_p50_ms": percentile(last, 50),
        "last_max_ms": max(last),
        "same_events": same_events,
        "same_text": same_text,
        "same_bytes": same_bytes,
    }


class Aimock:
    """aimock in Node, serving the fixtures made from `recordings`; a context manager."""

    def __init__(self, folder: Path, recordings: list[Recording]) -> None:
        self.folder = folder
        self.fixtures = [fixture_of(recording) for recording in recordings]
        self.url = ""

    def __enter__(self) -> Aimock:
        self._file = tempfile.NamedTemporaryFile("w", suffix=".json")
        json.dump(self.fixtures, self._file)
        self._file.flush()
        self._process = subprocess.Popen(
            ["node", str(SERVER), self._file.name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={"AIMOCK_DIR": str(self.folder), "PATH": "/usr/bin:/bin:/usr/local/bin"},
        )
        assert self._process.stdout is not None
        self.url = self._process.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self._process.kill()
            raise RuntimeError(f"aimock did not start: {self.url!r}")
        return self

    def __exit__(self, *_: object) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=30)
        self._file.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m tests.bench.aimock")
    parser.add_argument("folder", type=Path, help="where @copilotkit/aimock is installed")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    recordings = [
        load_recording(ROOT / "recordings" / f"{name}.toml", name=name) for name in RECORDINGS
    ]
    import anthropic

    warm(anthropic, recordings[0])
    with Aimock(args.folder.resolve(), recordings) as aimock:
        version = json.loads(
            (args.folder / "node_modules/@copilotkit/aimock/package.json").read_text()
        )["version"]
        results = {f"aimock {version}": measure(aimock.url, recordings, args.runs)}
    with ServerProcess(speed=1) as server:
        results["stream_replay"] = measure(server.url, recordings, args.runs)
    print(f"{len(recordings)} recordings x {args.runs} runs, one anthropic.Anthropic() client")
    print(f"{'':16} first event late (p50 / max)  last event late (p50 / max)  events text bytes")
    for name, r in results.items():
        print(
            f"{name:16} {r['first_p50_ms']:7.1f} / {r['first_max_ms']:6.1f} ms"
            f"          {r['last_p50_ms']:7.1f} / {r['last_max_ms']:6.1f} ms"
            f"      {'yes' if r['same_events'] else 'no':6} {'yes' if r['same_text'] else 'no':4}"
            f" {'yes' if r['same_bytes'] else 'no'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
