"""The replay server: matching, API-shaped errors, timing, chunked streaming, concurrency."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from stream_replay import (
    Provenance,
    RecordedRequest,
    Recording,
    ReplayServer,
    load_recording,
    parse_fault,
    parse_recording,
    recording_from_sse,
)
from stream_replay._faults import plan_response
from stream_replay._server import MAX_REQUEST_BYTES
from stream_replay._sse import EventSplitter

from .project import RECORDINGS_DIR
from .test_relay import wait_for

HEADERS = {"x-api-key": "test", "anthropic-version": "2026-10-21"}
BODY = {"model": "claude-sonnet-5-5", "max_tokens": 16, "stream": True, "messages": []}
CONSTRUCTED = Provenance(source="constructed", basis="tests")
SAMPLE = load_recording(RECORDINGS_DIR / "first_stream" / "raw_events.toml")


def stream_of(
    *events: tuple[float, str], body: dict[str, Any] = BODY, name: str = "t.toml"
) -> Recording:
    """A recording whose events are (offset, data type) pairs."""
    sse = "".join(f'event: {kind}\ndata: {{"type":"{kind}"}}\n\n' for _, kind in events)
    recording = recording_from_sse(
        sse.encode(), RecordedRequest("POST", "/v1/messages", {}, body), CONSTRUCTED, name
    )
    timed = tuple(
        type(event)(at, event.raw, event.name, event.data)
        for (at, _), event in zip(events, recording.response.events, strict=True)
    )
    response = type(recording.response)(200, recording.response.headers, 0.0, events=timed)
    return type(recording)(recording.path, recording.provenance, recording.request, response)


def post(
    server: ReplayServer, body: Any = BODY, headers: dict[str, str] = HEADERS
) -> httpx.Response:
    return httpx.post(f"{server.url}/v1/messages", json=body, headers=headers)


def test_a_matching_request_gets_the_recorded_stream() -> None:
    with ReplayServer([SAMPLE], speed=0) as server:
        request_body = SAMPLE.request.body
        headers = {"x-api-key": "k", **SAMPLE.request.headers}
        with httpx.stream(
            "POST", f"{server.url}/v1/messages", json=request_body, headers=headers
        ) as response:
            body = response.read()
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["transfer-encoding"] == "chunked"
    assert body == SAMPLE.sse_body
    assert server.served == [SAMPLE]


def test_every_response_carries_a_request_id_the_recorded_one_first() -> None:
    # recordings.md: "Every API response includes a unique request-id header" (the API's
    # Errors page): a recording without one is answered with one of the server's own.
    kept = dataclasses.replace(
        SAMPLE,
        response=dataclasses.replace(
            SAMPLE.response, headers={**SAMPLE.response.headers, "request-id": "req_01Kept"}
        ),
    )
    headers = {"x-api-key": "k", **SAMPLE.request.headers}
    ids = []
    for recording in (SAMPLE, kept):
        assert "request-id" not in SAMPLE.response.headers
        with ReplayServer([recording], speed=0) as server:
            response = httpx.post(
                f"{server.url}/v1/messages", json=SAMPLE.request.body, headers=headers
            )
        ids.append(response.headers["request-id"])
    assert ids == ["req_replay_0001", "req_01Kept"]


def test_key_order_and_spacing_of_the_body_do_not_matter() -> None:
    with ReplayServer([stream_of((0, "message_stop"))], speed=0) as server:
        text = json.dumps(dict(reversed(list(BODY.items()))), indent=4)
        response = httpx.post(f"{server.url}/v1/messages", content=text, headers=HEADERS)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("headers", "status", "error_type", "message"),
    [
        (
            {"anthropic-version": "2026-10-21"},
            401,
            "authentication_error",
            "x-api-key header is required",
        ),
        ({"x-api-key": "k"}, 400, "invalid_request_error", "anthropic-version: header is required"),
    ],
)
def test_missing_headers_get_the_apis_errors(
    headers: dict[str, str], status: int, error_type: str, message: str
) -> None:
    with ReplayServer([stream_of((0, "message_stop"))], speed=0) as server:
        response = post(server, headers=headers)
    assert response.status_code == status
    body = response.json()
    assert body["type"] == "error"
    assert body["error"] == {"type": error_type, "message": message}
    assert body["request_id"] == response.headers["request-id"]
    assert server.served == []


def test_a_bearer_token_is_accepted_as_the_sdk_sends_it() -> None:
    with ReplayServer([stream_of((0, "message_stop"))], speed=0) as server:
        response = post(server, headers={"authorization": "Bearer k", "anthropic-version": "1"})
    assert response.status_code == 200


def test_a_mismatch_names_the_closest_recording_and_shows_the_difference() -> None:
    near = stream_of((0, "message_stop"), name="recordings/near.toml")
    far = stream_of(
        (0, "message_stop"),
        body={"model": "other", "messages": [1, 2, 3]},
        name="recordings/far.toml",
    )
    with ReplayServer([far, near], speed=0) as server:
        response = post(server, body={**BODY, "max_tokens": 32})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert "The closest is recordings/near.toml" in error["message"]
    assert '-  "max_tokens": 16,\n+  "max_tokens": 32,' in error["message"]
    [mismatch] = server.mismatches
    assert mismatch.closest is near


@pytest.mark.parametrize(
    ("change", "shown"),
    [({"stream": 1}, '+  "stream": 1'), ({"max_tokens": 16.0}, '+  "max_tokens": 16.0')],
    ids=["1 for true", "16.0 for 16"],
)
def test_json_values_match_only_as_the_same_json(change: dict[str, Any], shown: str) -> None:
    # Python's == takes 1 for True and 16.0 for 16; JSON, and the API's validation, do not.
    with ReplayServer([stream_of((0, "message_stop"))], speed=0) as server:
        response = post(server, body={**BODY, **change})
        assert post(server).status_code == 200
    assert response.status_code == 400
    assert shown in response.json()["error"]["message"]


def test_a_mismatch_never_repeats_a_key(capfd: pytest.CaptureFixture[str]) -> None:
    # The message goes to stderr, to the 400's body and to pytest's report.
    key = "sk-ant-api03-" + "S3c" * 10
    own = "tok-own-credential-1234"  # the request's own key, whatever its shape
    asking = {**BODY, "messages": [{"role": "user", "content": f"my key is {key}"}]}
    echoing = {**BODY, "metadata": {"user_id": own}}
    with ReplayServer([stream_of((0, "message_stop"))], speed=0) as server:
        answers = [
            post(server, body=asking),
            post(server, body=echoing, headers={**HEADERS, "x-api-key": own}),
            httpx.post(f"{server.url}/v1/messages?key={key}", json=BODY, headers=HEADERS),
        ]
    printed = capfd.readouterr().err
    for answer in answers:
        assert answer.status_code in (400, 404)
        assert key[7:] not in answer.text
        assert own not in answer.text
    assert "not shown" in answers[0].json()["error"]["message"]
    assert "not shown" in answers[1].json()["error"]["message"]
    assert key[7:] not in printed
    assert own not in printed


def test_a_recorded_header_must_match() -> None:
    recording = parse_recording(
        (RECORDINGS_DIR / "first_stream" / "raw_events.toml").read_text(), "recordings/r.toml"
    )
    with ReplayServer([recording], speed=0) as server:
        response = post(
            server,
            body=recording.request.body,
            headers={**HEADERS, "anthropic-version": "2023-06-01"},
        )
    assert response.status_code == 400
    assert (
        "-anthropic-version: 2026-10-21\n+anthropic-version: 2023-06-01"
        in response.json()["error"]["message"]
    )


def test_an_unknown_path_is_not_found() -> None:
    with ReplayServer([stream_of((0, "message_stop"))], speed=0) as server:
        response = httpx.post(f"{server.url}/v1/complete", json=BODY, headers=HEADERS)
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found_error"


def test_identical_requests_get_their_recordings_in_order() -> None:
    first = stream_of((0, "message_start"), name="1.toml")
    second = stream_of((0, "message_stop"), name="2.toml")
    with ReplayServer([first, second], speed=0) as server:
        bodies = [post(server).content for _ in range(3)]
    assert bodies == [first.sse_body, second.sse_body, first.sse_body]


def arrival_times(server: ReplayServer) -> list[float]:
    """When each event had arrived, in seconds after the request was sent."""
    splitter, times = EventSplitter(), []
    start = time.monotonic()
    with httpx.stream("POST", f"{server.url}/v1/messages", json=BODY, headers=HEADERS) as response:
        for chunk in response.iter_raw():
            times += [time.monotonic() - start] * len(splitter.feed(chunk))
    return times


def test_events_are_sent_at_their_recorded_offsets_one_by_one() -> None:
    recording = stream_of((0.0, "message_start"), (0.3, "ping"), (0.6, "message_stop"))
    with ReplayServer([recording], speed=1) as server:
        times = arrival_times(server)
    assert len(times) == 3
    # Never early (a lower bound holds on any machine) ...
    assert times[1] >= 0.3
    assert times[2] >= 0.6
    # ... and the first event was flushed on its own, long before the last one was due.
    assert times[0] < 0.5


def test_speed_divides_the_delays() -> None:
    # 4 s recorded, played 20 times as fast: 0.2 s. The upper bound is far from both (the
    # undivided delay is 4 s), so that a busy machine's scheduling cannot fail the test.
    recording = stream_of((0.0, "message_start"), (4.0, "message_stop"))
    with ReplayServer([recording], speed=20) as server:
        times = arrival_times(server)
    assert 0.2 <= times[1] < 2.0


def test_concurrent_clients_are_served_at_once() -> None:
    # Served one after another, a stream would start only after the one before it ended; served
    # at once, every stream has started before any has ended. Overlap, not a duration, so a busy
    # machine's scheduling cannot decide the test.
    recording = stream_of((0.0, "message_start"), (1.5, "message_stop"))
    spans: list[tuple[float, float]] = []
    with ReplayServer([recording], speed=1) as server:

        def stream() -> None:
            sent = time.monotonic()
            first, *_, last = arrival_times(server)
            spans.append((sent + first, sent + last))

        threads = [threading.Thread(target=stream) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(spans) == 4
    assert max(first for first, _ in spans) < min(last for _, last in spans)


def test_a_client_that_goes_away_is_counted() -> None:
    recording = stream_of((0.0, "message_start"), (0.2, "ping"), (1.0, "message_stop"))
    with ReplayServer([recording], speed=1) as server:
        with httpx.stream("POST", f"{server.url}/v1/messages", json=BODY, headers=HEADERS) as r:
            next(r.iter_raw())  # the first event, then close the connection
        deadline = time.monotonic() + 3
        while server.abandoned == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        finished = post(server).content  # a client that reads to the end is not counted
    assert server.abandoned == 1
    assert finished == recording.sse_body


def test_a_client_that_leaves_before_the_recorded_headers_is_counted_at_once() -> None:
    late = stream_of((3.0, "message_start"), (3.0, "message_stop"))
    late = dataclasses.replace(late, response=dataclasses.replace(late.response, at=3.0))
    with ReplayServer([late], speed=1) as server:
        with pytest.raises(httpx.ReadTimeout):  # the client gives up waiting for the headers
            httpx.post(f"{server.url}/v1/messages", json=BODY, headers=HEADERS, timeout=0.3)
        left = time.monotonic()
        assert wait_for(lambda: server.abandoned == 1)
        # Its task ended with the client, not when the headers were due 3 s on.
        assert wait_for(lambda: not server._server.server_state.tasks)
        assert time.monotonic() - left < 2.0


def test_a_client_that_leaves_while_the_server_waits_to_write_is_counted() -> None:
    # At speed 0 the server writes until the socket is full, then waits for the client to
    # read; a client that leaves then, unread bytes and all, abandoned the stream too.
    long_text = "x" * 400
    sse = "".join(
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
        f'"delta":{{"type":"text_delta","text":"{long_text}"}}}}\n\n'
        for _ in range(20_000)
    )
    request = RecordedRequest("POST", "/v1/messages", {}, BODY)
    huge = recording_from_sse(sse.encode(), request, CONSTRUCTED, "huge.toml")  # 8 MB
    with ReplayServer([huge], speed=0) as server:
        host, port = server.url.removeprefix("http://").split(":")
        payload = json.dumps(BODY).encode()
        head = f"POST /v1/messages HTTP/1.1\r\nhost: {host}\r\ncontent-length: {len(payload)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in HEADERS.items()) + "\r\n"
        with socket.socket() as client:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # fills at once
            client.connect((host, int(port)))
            client.sendall(head.encode() + payload)
            assert client.recv(1024).startswith(b"HTTP/1.1 200")
            time.sleep(0.5)  # reading nothing more: the server's writes pause
        assert wait_for(lambda: server.abandoned == 1)


# --------------------------------------------------------------------------- fairness


def deltas(count: int, body: dict[str, Any]) -> Recording:
    """A recording of `count` text deltas, all due at once, answering `body`."""
    sse = "".join(
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
        f'"delta":{{"type":"text_delta","text":"word {n}"}}}}\n\n'
        for n in range(count)
    )
    request = RecordedRequest("POST", "/v1/messages", {}, body)
    return recording_from_sse(sse.encode(), request, CONSTRUCTED, "huge.toml")


async def asgi_request(app: Any, body: dict[str, Any], sent: list[str], name: str) -> None:
    """One request to a server's ASGI app, with a client that takes every chunk at once (as
    uvicorn's send does while the socket keeps up): `sent` gets `name` for each chunk."""
    payload = json.dumps(body).encode()
    headers = [(k.encode(), v.encode()) for k, v in HEADERS.items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/messages",
        "raw_path": b"/v1/messages",
        "query_string": b"",
        "root_path": "",
        "headers": [*headers, (b"content-length", str(len(payload)).encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8765),
    }
    pending = [{"type": "http.request", "body": payload, "more_body": False}]
    finished = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if pending:
            return pending.pop()
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            sent.append(name)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            finished.set()

    await app(scope, receive, send)


@pytest.mark.parametrize(
    "spec", ["", "rechunk:1:64", "drip:64:0"], ids=["speed 0", "rechunk", "drip"]
)
def test_a_small_stream_is_not_held_up_by_a_huge_one(
    spec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At speed 0 every step of a long stream is due at once: the server must still give the
    # other streams their turn, whatever the faults cut the huge one into. The work the
    # server hands to threads (parsing, matching) is done in place here: what is tested is
    # the event loop's turns, not how soon a loaded machine runs a thread (the huge stream
    # rightly goes on while the small one waits for one: 1,084 chunks once in a CI run).
    async def in_place(function: Callable[..., Any], /, *args: Any) -> Any:
        return function(*args)

    monkeypatch.setattr(asyncio, "to_thread", in_place)
    huge_body = {**BODY, "max_tokens": 1}
    huge = deltas(4_000, huge_body)
    small = stream_of((0.0, "message_start"), (0.0, "message_stop"))
    faults = [parse_fault(spec)] if spec else []
    server = ReplayServer([huge, small], speed=0, faults=faults)  # its app, without a socket
    sent: list[str] = []

    async def huge_then_small() -> None:
        streaming = asyncio.create_task(asgi_request(server.app, huge_body, sent, "huge"))
        while "huge" not in sent and not streaming.done():
            await asyncio.sleep(0)
        await asgi_request(server.app, BODY, sent, "small")
        await streaming

    asyncio.run(huge_then_small())
    assert sent[-1] == "huge"  # the huge stream went on to its end ...
    # ... after the small one had its turn, early
    ahead = sent.index("small")  # chunks of the huge stream sent before the small one's first
    assert ahead < sent.count("huge") / 100, f"{ahead} of {sent.count('huge')} chunks went first"


def test_a_plan_is_made_as_it_is_sent_not_up_front() -> None:
    # rechunk and drip make a step per few bytes: 100,000 events (15 MB) made a list of a
    # step per byte (756 MB, 101 s in the probe) before the first byte went out.
    events = deltas(1, BODY).response.events * 100_000
    for spec in ("rechunk:3", "drip:1:0", "cut-mid:99999", "stall:5:1", "error:99000"):
        tracemalloc.start()
        try:
            plan = plan_response(events, [parse_fault(spec)])
            first = next(iter(plan.steps))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert first.data, spec
        assert peak < 1_000_000, f"{spec}: {peak:,} bytes to plan the first step"


# --------------------------------------------------------------------------- hostile input


def ticking(seconds: float, body: dict[str, Any]) -> Recording:
    """A stream of pings, one every 20 ms for `seconds`, answering `body`."""
    return stream_of(*[(0.02 * n, "ping") for n in range(int(seconds / 0.02))], body=body)


def test_a_mismatch_on_a_large_body_does_not_hold_up_other_streams() -> None:
    tick_body = {**BODY, "max_tokens": 1}
    big = {**BODY, "messages": [{"role": "user", "content": "many words " * 200_000}]}
    gaps: list[float] = []
    answered = threading.Event()

    def watch(server: ReplayServer) -> None:
        with httpx.stream(
            "POST", f"{server.url}/v1/messages", json=tick_body, headers=HEADERS, timeout=60
        ) as response:
            last = time.monotonic()
            for _ in response.iter_raw():
                now = time.monotonic()
                gaps.append(now - last)
                last = now
                if answered.is_set():
                    break

    with ReplayServer([SAMPLE, ticking(60, tick_body)], speed=1) as server:
        watcher = threading.Thread(target=watch, args=(server,))
        watcher.start()
        time.sleep(0.3)
        start = time.monotonic()
        response = post(server, body=big, headers={**HEADERS, **SAMPLE.request.headers})
        took = time.monotonic() - start
        time.sleep(0.2)
        answered.set()
        watcher.join(timeout=30)
    assert response.status_code == 400
    assert "The closest is" in response.json()["error"]["message"]
    # Generous bounds (a loaded machine passes them); the old server held every stream for
    # the whole time it took to compare 2 MB character by character (15 s and more).
    assert took < 10, f"the mismatch took {took:.1f} s"
    assert len(gaps) > 10
    assert max(gaps) < 3, f"another stream paused {max(gaps):.1f} s"


def test_a_mismatch_message_stays_short_however_large_the_body() -> None:
    big = {**BODY, "messages": [{"role": "user", "content": "x" * 1_000_000}], "extra": 1}
    with ReplayServer([stream_of((0, "message_stop"))], speed=0) as server:
        response = post(server, body=big)
    message = response.json()["error"]["message"]
    assert len(message) < 5_000
    assert "more characters)" in message
    assert '+  "extra": 1,' in message


def test_a_body_over_the_apis_limit_gets_its_413_unread() -> None:
    head = b"POST /v1/messages HTTP/1.1\r\nhost: x\r\nx-api-key: k\r\n"
    head += b"anthropic-version: 2026-10-21\r\ncontent-length: %d\r\n\r\n" % (40 * 1024 * 1024)
    with ReplayServer([stream_of((0, "message_stop"))], speed=0) as server:
        declared = raw_exchange(server, head + b"{}")  # answered, and closed, unread
        streamed = httpx.post(
            f"{server.url}/v1/messages",
            content=iter([b" " * (1024 * 1024)] * 33),  # chunked: no length said up front
            headers=HEADERS,
        )
        after = post(server)
    assert declared.startswith(b"HTTP/1.1 413 ")
    assert b'"request_too_large"' in declared
    assert streamed.status_code == 413
    assert streamed.json()["error"]["type"] == "request_too_large"
    assert after.status_code == 200


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_client_still_sending_a_body_over_the_limit_reads_its_413(framing: str) -> None:
    # Closed with the body still arriving, the connection was reset (TCP RST): the client's
    # send failed, and what it had not read of the 413 was lost.
    size = MAX_REQUEST_BYTES + 1024 * 1024
    head = b"POST /v1/messages HTTP/1.1\r\nhost: x\r\nx-api-key: k\r\n"
    head += b"anthropic-version: 2026-10-21\r\n"
    if framing == "chunked":
        piece = b" " * (1024 * 1024)
        chunk = b"%x\r\n%s\r\n" % (len(piece), piece)
        request = head + b"transfer-encoding: chunked\r\n\r\n" + chunk * 33 + b"0\r\n\r\n"
    else:
        request = head + b"content-length: %d\r\n\r\n" % size + b" " * size
    with ReplayServer([stream_of((0, "message_stop"))], speed=0) as server:
        received = raw_exchange(server, request)  # sends it all, then reads
    assert received.startswith(b"HTTP/1.1 413 ")
    assert b'"request_too_large"' in received


def test_deeply_nested_json_is_an_api_error_not_a_crash() -> None:
    with ReplayServer([stream_of((0, "message_stop"))], speed=0) as server:
        response = httpx.post(
            f"{server.url}/v1/messages", content=b"[" * 100_000 + b"]" * 100_000, headers=HEADERS
        )
        after = post(server)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert after.status_code == 200


def with_beta(beta: str | None) -> Recording:
    recording = stream_of((0, "message_stop"))
    headers = {"anthropic-version": "2026-10-21"} | ({"anthropic-beta": beta} if beta else {})
    request = RecordedRequest("POST", "/v1/messages", headers, BODY)
    return Recording(recording.path, recording.provenance, request, recording.response)


@pytest.mark.parametrize(
    ("recorded", "sent", "status"),
    [
        (None, None, 200),
        (None, "fine-grained-tool-streaming-2025-05-14", 400),
        ("a-2026-01-01", None, 400),
        ("a-2026-01-01", "a-2026-01-01", 200),
        ("a-2026-01-01,b-2026-02-02", "b-2026-02-02, a-2026-01-01", 200),
        ("a-2026-01-01", "a-2026-01-01,b-2026-02-02", 400),
    ],
)
def test_a_beta_header_must_match_even_when_the_recording_names_none(
    recorded: str | None, sent: str | None, status: int
) -> None:
    headers = HEADERS | ({"anthropic-beta": sent} if sent else {})
    with ReplayServer([with_beta(recorded)], speed=0) as server:
        response = post(server, headers=headers)
    assert response.status_code == status
    if status == 400 and sent and not recorded:
        assert f"+anthropic-beta: {sent}" in response.json()["error"]["message"]


def raw_exchange(server: ReplayServer, data: bytes, *, close_early: bool = False) -> bytes:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        sock.sendall(data)
        if close_early:
            return b""
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def test_a_connection_that_never_sends_its_headers_is_closed() -> None:
    with ReplayServer([SAMPLE], speed=0, header_timeout=0.5) as server:
        start = time.monotonic()
        received = raw_exchange(server, b"POST /v1/mess")  # then nothing more
        waited = time.monotonic() - start
    assert received == b""  # closed by the server, not held open (the socket waits 15 s)
    assert waited >= 0.5


def test_a_body_that_stops_coming_gets_a_408() -> None:
    head = b"POST /v1/messages HTTP/1.1\r\nhost: x\r\nx-api-key: k\r\n"
    head += b"anthropic-version: 2026-10-21\r\ncontent-length: 100\r\n\r\n"
    with ReplayServer([SAMPLE], speed=0, body_timeout=0.5) as server:
        received = raw_exchange(server, head + b'{"model": ')
    assert received.startswith(b"HTTP/1.1 408 ")
    assert b'"invalid_request_error"' in received


def test_a_body_that_drips_in_slower_than_the_timeout_allows_gets_a_408() -> None:
    # Every byte in time, the whole never: the timeout bounds the whole body, not a pause.
    head = b"POST /v1/messages HTTP/1.1\r\nhost: x\r\nx-api-key: k\r\n"
    head += b"anthropic-version: 2026-10-21\r\ncontent-length: 100\r\n\r\n"
    received = b""
    with ReplayServer([SAMPLE], speed=0, body_timeout=1.0) as server:
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=0.25) as sock:
            sock.sendall(head)
            for _ in range(40):  # one byte every 0.25 s: 10 s for the whole 40 bytes
                with contextlib.suppress(TimeoutError, ConnectionError):
                    sock.sendall(b" ")
                    received += sock.recv(65536)
                if received:
                    break
    assert received.startswith(b"HTTP/1.1 408 ")


def test_a_client_gone_mid_upload_is_one_line_not_a_traceback(
    capfd: pytest.CaptureFixture[str],
) -> None:
    head = b"POST /v1/messages HTTP/1.1\r\nhost: x\r\nx-api-key: k\r\n"
    head += b"anthropic-version: 2026-10-21\r\ncontent-length: 1000\r\n\r\n"
    with ReplayServer([SAMPLE], speed=0) as server:
        capfd.readouterr()
        raw_exchange(server, head + b'{"model": ', close_early=True)
        time.sleep(0.5)
        assert post(server, body=SAMPLE.request.body).status_code == 200
    err = capfd.readouterr().err
    assert "Traceback" not in err
    assert "went away" in err
    assert len(err.strip().splitlines()) == 1


def test_a_request_body_nested_too_deeply_is_answered_as_a_mismatch() -> None:
    # JSON deeper than Python can parse is kept as text: it matches no recording, and the
    # client gets the API-shaped 400 that says so, not a 500 from a RecursionError.
    recording = load_recording(RECORDINGS_DIR / "first_stream" / "text_stream.toml")
    body = b"[" * 100_000 + b"]" * 100_000
    with ReplayServer([recording], speed=0) as server:
        response = httpx.post(
            f"{server.url}/v1/messages",
            content=body,
            headers={**HEADERS, "content-type": "application/json"},
        )
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert len(server.mismatches) == 1
