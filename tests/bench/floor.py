"""The floor: the least a server can do to replay the recordings, for the bench to compare with.

`python -m tests.bench.floor`: plain asyncio on a raw socket, every recording loaded and its
response encoded before the first request. For each request it reads the head and the body,
finds the recording by the request's method, path and JSON body, and writes the status line,
the headers and each event (one HTTP chunk each) at its recorded offset, counted from the
moment the request was read, as the replay server does. No parsing of headers beyond
Content-Length, no checks, no faults: whatever the replay server spends beyond this is its own.
"""

from __future__ import annotations

import asyncio
import http
import json
import socket
import sys
import time
from collections import deque
from pathlib import Path

from stream_replay import RecordedResponse, Recording, load_recording
from stream_replay._server import plan_for

ROOT = Path(__file__).resolve().parents[2]
Steps = list[tuple[float, bytes]]  # (offset in seconds, bytes to write then)


def key(method: str, path: str, body: object) -> str:
    return json.dumps([method, path, body], sort_keys=True)


def encoded(recording: Recording) -> tuple[Steps, bool]:
    """The response as timed writes, and whether the connection is cut after them."""
    response = recording.response
    headers = {k.lower(): v for k, v in response.headers.items()}
    for name in ("content-length", "transfer-encoding", "connection"):
        headers.pop(name, None)
    if response.body is not None:  # an HTTP error, answered whole
        headers["content-length"] = str(len(response.body))
    else:
        headers["transfer-encoding"] = "chunked"
    reason = http.HTTPStatus(response.status).phrase
    head = f"HTTP/1.1 {response.status} {reason}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()
    )
    steps: Steps = [(response.at, (head + "\r\n").encode())]
    if response.body is not None:
        steps[0] = (response.at, steps[0][1] + response.body)
        return steps, False
    steps += [(at, b"%x\r\n%s\r\n" % (len(data), data)) for at, data in wire_events(response)]
    if not response.cut:
        steps[-1] = (steps[-1][0], steps[-1][1] + b"0\r\n\r\n")
    return steps, response.cut


def wire_events(response: RecordedResponse) -> list[tuple[float, bytes]]:
    """Each event as the replay server writes it, and when: its SSE text, or on Bedrock its
    AWS event-stream frame."""
    return [(step.at, step.data) for step in plan_for(response, []).steps]


def load() -> dict[str, deque[tuple[Steps, bool]]]:
    """Each request's responses, served in turn (as the replay server serves them)."""
    answers: dict[str, deque[tuple[Steps, bool]]] = {}
    for path in sorted((ROOT / "recordings").rglob("*.toml")):
        recording = load_recording(path, name=path.relative_to(ROOT))
        request = recording.request
        answer = encoded(recording)
        answers.setdefault(key(request.method, request.path, request.body), deque()).append(answer)
    return answers


async def serve(answers: dict[str, deque[tuple[Steps, bool]]]) -> None:
    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                line, *fields = head.decode("latin-1").split("\r\n")
                method, target, _ = line.split(" ", 2)
                sizes = [f for f in fields if f.lower().startswith("content-length:")]
                length = int(sizes[0].split(":", 1)[1]) if sizes else 0
                body = json.loads(await reader.readexactly(length)) if length else None
                started = time.monotonic()
                queue = answers[key(method, target.split("?", 1)[0], body)]
                steps, cut = queue[0]
                queue.rotate(-1)
                for at, data in steps:
                    wait = started + at - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    writer.write(data)
                if cut:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    # asyncio sets TCP_NODELAY on an accepted socket whose listener says IPPROTO_TCP.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.bind(("127.0.0.1", 0))
    server = await asyncio.start_server(connection, sock=listener)
    print(f"floor on http://127.0.0.1:{listener.getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(serve(load()))
    except KeyboardInterrupt:
        sys.exit(0)
