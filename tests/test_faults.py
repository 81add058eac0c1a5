"""Each fault mode on its own: what a client receives is exactly what the mode promises."""

from __future__ import annotations

import itertools
import json
import math
import socket
import time
from dataclasses import dataclass, field, replace

import anthropic
import h11
import httpx
import pytest

from stream_replay import (
    Buffer,
    CutAfter,
    Drip,
    ErrorEvent,
    Fault,
    HttpError,
    IdleCut,
    MalformedData,
    Rechunk,
    RecordedRequest,
    Recording,
    ReplayServer,
    StallBefore,
    UnknownEvent,
    load_recording,
    parse_fault,
    recording_from_sse,
)
from stream_replay._faults import FAULT_SPECS, plan_response

from .project import DOCS_DIR, PLACEHOLDER_KEY, RECORDINGS_DIR

RECORDING = load_recording(RECORDINGS_DIR / "first_stream" / "raw_events.toml")
EVENTS = [event.raw for event in RECORDING.response.events]
HEADERS = {"x-api-key": PLACEHOLDER_KEY, **RECORDING.request.headers}


@dataclass
class RawResponse:
    """A response read with h11, which keeps the server's chunk boundaries."""

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    chunks: list[tuple[float, bytes]] = field(default_factory=list)  # (arrival, bytes)
    complete: bool = False  # the body ended properly (the last, empty chunk arrived)

    @property
    def body(self) -> bytes:
        return b"".join(data for _, data in self.chunks)


def fetch(
    faults: list[Fault], body: object = None, speed: float = 0, recording: Recording = RECORDING
) -> RawResponse:
    """One POST to a replay server that injects `faults`, read at the HTTP framing level."""
    payload = json.dumps(body if body is not None else recording.request.body).encode()
    with ReplayServer([recording], speed=speed, faults=faults) as server:
        host, port = server.url.removeprefix("http://").split(":")
        connection = h11.Connection(h11.CLIENT)
        sent = {"x-api-key": PLACEHOLDER_KEY, **recording.request.headers}
        headers = [("host", host), ("content-length", str(len(payload))), *sent.items()]
        result = RawResponse()
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            start = time.monotonic()
            sock.sendall(
                connection.send(h11.Request(method="POST", target="/v1/messages", headers=headers))
            )
            sock.sendall(
                connection.send(h11.Data(data=payload)) + connection.send(h11.EndOfMessage())
            )
            partial = b""
            while True:
                event = connection.next_event()
                if event is h11.NEED_DATA:
                    received = sock.recv(65536)
                    connection.receive_data(received)
                    if not received:  # the server closed the connection
                        try:
                            event = connection.next_event()
                        except h11.RemoteProtocolError:
                            if partial:
                                result.chunks.append((time.monotonic() - start, partial))
                            return result
                    continue
                if isinstance(event, h11.Response):
                    result.status = event.status_code
                    result.headers = {k.decode(): v.decode() for k, v in event.headers}
                elif isinstance(event, h11.Data):
                    # A chunk split across two socket reads comes as two Data events.
                    partial += bytes(event.data)
                    if event.chunk_end:
                        result.chunks.append((time.monotonic() - start, partial))
                        partial = b""
                elif isinstance(event, h11.EndOfMessage):
                    if partial:  # a body without chunked framing (an HTTP error)
                        result.chunks.append((time.monotonic() - start, partial))
                    result.complete = True
                    return result


def test_without_faults_each_event_is_one_chunk_and_the_body_ends() -> None:
    response = fetch([])
    assert [data for _, data in response.chunks] == EVENTS
    assert response.complete


@pytest.mark.parametrize("count", [0, 3, len(EVENTS) - 1])
def test_cut_drops_the_connection_after_n_events(count: int) -> None:
    response = fetch([CutAfter(count)])
    assert response.body == b"".join(EVENTS[:count])
    assert not response.complete


def test_cut_mid_event_sends_half_of_the_next_event() -> None:
    response = fetch([CutAfter(3, mid_event=True)])
    half = EVENTS[3][: len(EVENTS[3]) // 2]
    assert response.body == b"".join(EVENTS[:3]) + half
    assert not response.body.endswith(b"\n\n")
    assert not response.complete


def test_a_stall_holds_back_event_n_for_t_seconds() -> None:
    response = fetch([StallBefore(4, 0.6)])
    arrivals = [at for at, _ in response.chunks]
    assert response.body == b"".join(EVENTS)
    # Event 4 is due 0.6 s after the request came in (the others at once, at speed 0).
    assert arrivals[3] >= 0.6
    assert response.complete


def test_drip_sends_the_body_a_few_bytes_at_a_time() -> None:
    response = fetch([Drip(size=50, interval=0.002)])
    sizes = [len(data) for _, data in response.chunks]
    assert response.body == b"".join(EVENTS)
    assert max(sizes) == 50
    assert len(sizes) >= sum(len(e) for e in EVENTS) // 50
    # The last piece is due one interval per piece after the request came in.
    assert response.chunks[-1][0] >= 0.002 * len(sizes)


def test_a_buffer_passes_n_bytes_on_as_soon_as_it_holds_them() -> None:
    response = fetch([Buffer(64)])
    sizes = [len(data) for _, data in response.chunks]
    assert response.body == b"".join(EVENTS)
    assert set(sizes[:-1]) == {64}
    assert 0 < sizes[-1] <= 64
    assert response.complete
    plan = plan_response(RECORDING.response.events, [Buffer(64)])
    # Each chunk is due when the last of its bytes came from upstream.
    ends = list(itertools.accumulate(len(e) for e in EVENTS))
    due = [
        next(e.at for e, end in zip(RECORDING.response.events, ends, strict=True) if end >= n)
        for n in itertools.accumulate(sizes)
    ]
    assert [step.at for step in plan.steps] == due


def test_a_buffer_without_a_size_passes_it_all_on_at_the_end() -> None:
    response = fetch([Buffer(), CutAfter(5)])  # a cut upstream: what it held, then the cut
    assert [data for _, data in response.chunks] == [b"".join(EVENTS[:5])]
    assert not response.complete
    (step,) = plan_response(RECORDING.response.events, [Buffer()]).steps
    assert step.at == RECORDING.response.events[-1].at


@pytest.mark.parametrize("client", ["sync", "async"])
@pytest.mark.parametrize(
    ("spec", "outcome"),
    [
        ("buffer", "text"),
        ("buffer:7", "text"),
        ("stall:3:forever", "APITimeoutError"),
        ("stall:3:forever idle:0.1", "APIConnectionError"),  # the proxy leaves first
    ],
)
def test_the_sdk_reads_a_buffered_stream_whole_and_gives_up_on_an_endless_stall(
    client: str, spec: str, outcome: str
) -> None:
    import asyncio

    import httpx2

    timeout = httpx2.Timeout(10.0, read=0.3)
    whole = "".join(
        e.data["delta"].get("text", "")
        for e in RECORDING.response.events
        if e.name == "content_block_delta"
    )
    body = dict(RECORDING.request.body)
    known = {name: body.pop(name) for name in ("model", "max_tokens", "messages")}
    del body["stream"]
    faults = [parse_fault(one) for one in spec.split()]
    with ReplayServer([RECORDING], speed=0, faults=faults) as server:

        def sync_read() -> str:
            with (
                anthropic.Anthropic(
                    base_url=server.url, api_key=PLACEHOLDER_KEY, max_retries=0, timeout=timeout
                ) as sdk,
                sdk.messages.stream(**known, extra_body=body) as stream,
            ):
                return "".join(stream.text_stream)

        async def async_read() -> str:
            async with (
                anthropic.AsyncAnthropic(
                    base_url=server.url, api_key=PLACEHOLDER_KEY, max_retries=0, timeout=timeout
                ) as sdk,
                sdk.messages.stream(**known, extra_body=body) as stream,
            ):
                return "".join([text async for text in stream.text_stream])

        try:
            got = sync_read() if client == "sync" else asyncio.run(async_read())
        except anthropic.APIError as error:
            got = type(error).__name__
        assert got == (whole if outcome == "text" else outcome)
        if outcome != "text":  # the server saw the client leave in the stall, or cut it
            deadline = time.monotonic() + 2
            while server.exchanges[0].outcome == "streaming" and time.monotonic() < deadline:
                time.sleep(0.01)
            left = "abandoned" if outcome == "APITimeoutError" else "cut"
            assert server.exchanges[0].outcome == left
            assert server.exchanges[0].stall == math.inf


def test_an_idle_cut_drops_the_connection_after_t_seconds_of_silence() -> None:
    started = time.monotonic()
    response = fetch([StallBefore(3, 30.0), IdleCut(0.2)])
    assert response.body == b"".join(EVENTS[:2])
    assert not response.complete
    assert time.monotonic() - started < 15  # long before the stall's 30 s
    # Silence shorter than the idle time passes untouched.
    assert fetch([StallBefore(3, 0.1), IdleCut(5.0)]).body == b"".join(EVENTS)


def test_an_error_event_after_n_events_ends_the_stream_cleanly() -> None:
    response = fetch([ErrorEvent(4)])
    # The shape of the official docs' example error event.
    error = (
        b'event: error\ndata: {"type": "error", '
        b'"error": {"type": "overloaded_error", "message": "Overloaded"}}\n\n'
    )
    assert response.body == b"".join(EVENTS[:4]) + error
    assert response.status == 200
    assert response.complete


def test_malformed_data_is_inserted_and_the_stream_goes_on() -> None:
    response = fetch([MalformedData(4)])
    chunks = [data for _, data in response.chunks]
    assert chunks[:4] == EVENTS[:4]
    assert chunks[5:] == EVENTS[4:]
    bad = chunks[4].decode().splitlines()[1].removeprefix("data: ")
    with pytest.raises(json.JSONDecodeError):
        json.loads(bad)


def test_an_unknown_event_type_is_inserted() -> None:
    response = fetch([UnknownEvent(2, name="future_event")])
    chunks = [data for _, data in response.chunks]
    assert chunks == [
        *EVENTS[:2],
        b'event: future_event\ndata: {"type": "future_event"}\n\n',
        *EVENTS[2:],
    ]


CRLF_EVENT = (
    'event: content_block_delta\r\ndata: {"type":"content_block_delta","index":0,'
    '"delta":{"type":"text_delta","text":"café ✓"}}\r\n\r\n'
).encode()


def test_rechunk_cuts_anywhere_even_inside_a_character_or_a_crlf() -> None:
    body = CRLF_EVENT * 6
    request = RecordedRequest("POST", "/v1/messages", {}, RECORDING.request.body)
    crlf = recording_from_sse(body, request, RECORDING.provenance, "crlf.toml")
    fault = Rechunk(seed=7, max_size=5)

    plan = plan_response(crlf.response.events, [fault])
    boundaries = list(itertools.accumulate(len(step.data) for step in plan.steps))
    assert all(1 <= len(step.data) <= 5 for step in plan.steps)
    assert any(body[end - 1 : end + 1] == b"\r\n" for end in boundaries)
    assert any(body[end - 1 : end + 1] == "é".encode() for end in boundaries)
    assert plan_response(crlf.response.events, [fault]) == plan  # the seed fixes the cuts

    with ReplayServer([crlf], speed=0, faults=[fault]) as server:
        client = httpx.Client(base_url=server.url, headers=HEADERS)
        assert client.post("/v1/messages", json=request.body).content == body


def test_rechunk_through_the_server_keeps_the_planned_boundaries() -> None:
    response = fetch([Rechunk(seed=3, max_size=6)])
    sizes = [len(data) for _, data in response.chunks]
    assert response.body == b"".join(EVENTS)
    assert max(sizes) <= 6
    assert len(sizes) > len(EVENTS) * 10


@pytest.mark.parametrize(
    ("fault", "error_type", "retry_after"),
    [
        (HttpError(429, retry_after=2), "rate_limit_error", "2"),
        (HttpError(500), "api_error", None),
        (HttpError(529), "overloaded_error", None),
    ],
)
def test_an_http_error_comes_before_any_event(
    fault: HttpError, error_type: str, retry_after: str | None
) -> None:
    response = fetch([fault])
    assert response.status == fault.status
    assert response.headers.get("retry-after") == retry_after
    assert response.headers["content-type"] == "application/json"
    assert json.loads(response.body)["error"]["type"] == error_type
    assert b"event:" not in response.body


def test_a_fault_can_hit_only_the_kth_request() -> None:
    with ReplayServer([RECORDING], speed=0, faults=[HttpError(529, on_request=1)]) as server:
        client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url, max_retries=0)
        body = RECORDING.request.body
        with pytest.raises(anthropic.APIStatusError) as first:
            client.messages.create(**body)
        second = client.messages.create(**body)
    assert first.value.status_code == 529
    assert first.value.type == "overloaded_error"
    assert [event.type for event in second][-1] == "message_stop"


@pytest.mark.parametrize(
    ("spec", "fault"),
    [
        ("cut:3", CutAfter(3)),
        ("cut-mid:3", CutAfter(3, mid_event=True)),
        ("stall:2:1.5", StallBefore(2, 1.5)),
        ("drip:4:0.05", Drip(4, 0.05)),
        ("error:5", ErrorEvent(5)),
        ("error:5:api_error", ErrorEvent(5, "api_error", "Internal server error")),
        ("malformed:1", MalformedData(1)),
        ("unknown:2", UnknownEvent(2)),
        ("rechunk:9", Rechunk(9)),
        ("rechunk:9:3", Rechunk(9, 3)),
        ("http:429:10", HttpError(429, 10.0)),
        ("http:529@1", HttpError(529, on_request=1)),
        ("stall:2:forever", StallBefore(2, math.inf)),
        ("buffer", Buffer()),
        ("buffer:64@2", Buffer(64, on_request=2)),
        ("idle:60", IdleCut(60.0)),
    ],
)
def test_fault_specs_from_the_command_line(spec: str, fault: Fault) -> None:
    assert parse_fault(spec) == fault


@pytest.mark.parametrize("spec", ["cut", "cut:x", "stall:2", "explode:1", "http:529@first"])
def test_a_bad_fault_spec_lists_the_faults(spec: str) -> None:
    with pytest.raises(ValueError, match=r"not a fault: .*\n.*cut:N"):
        parse_fault(spec)


def test_every_fault_is_documented_for_readers() -> None:
    page = (DOCS_DIR / "running.md").read_text()
    specs = [line.split()[0] for line in FAULT_SPECS.splitlines() if not line.startswith("Add")]
    assert len(specs) == 11
    assert [spec for spec in specs if f"| `{spec}` |" not in page] == []


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("drip:0:1", "B (bytes a time) must be a whole number, 1 or more"),
        ("drip:4:nan", "T (the interval) must be a finite number"),
        ("rechunk:5:0", "MAX (the largest chunk) must be a whole number, 1 or more"),
        ("rechunk:-5", "SEED must be a whole number, 0 or more"),
        ("http:999", "STATUS must be an HTTP error status, 400 to 599"),
        ("http:0", "STATUS must be an HTTP error status, 400 to 599"),
        ("http:200", "STATUS must be an HTTP error status, 400 to 599"),
        ("http:429:-1", "RETRY_AFTER must be a finite number"),
        ("http:429:inf", "RETRY_AFTER must be a finite number"),
        ("cut:-1", "N (events before the cut) must be a whole number, 0 or more"),
        ("cut-mid:-2", "N (events before the cut) must be a whole number, 0 or more"),
        ("stall:0:1", "N (the event it stalls, counted from 1)"),
        ("stall:2:inf", "T (the stall) must be a finite number"),
        ("buffer:0", "N (bytes a chunk) must be a whole number, 1 or more"),
        ("idle:-1", "T (the idle time) must be a finite number"),
        ("error:-1", "N (events before the error)"),
        ("error:2:Not A Type", "TYPE must be an error type"),
        ("malformed:-1", "N (events before it)"),
        ("cut:3@0", "@K (the request it applies to, counted from 1)"),
        ("cut:3@-1", "@K (the request it applies to, counted from 1)"),
    ],
)
def test_a_fault_out_of_range_is_refused_with_the_reason_and_the_grammar(
    spec: str, reason: str
) -> None:
    with pytest.raises(ValueError, match=r"not a fault: .*\n.*cut:N") as refused:
        parse_fault(spec)
    assert reason in str(refused.value).splitlines()[0]


def test_every_spec_the_parser_accepts_gives_a_working_plan() -> None:
    # The smallest values each fault accepts still plan a response without an error.
    specs = [
        "cut:0",
        "cut-mid:0",
        "stall:1:0",
        "drip:1:0",
        "error:0",
        "malformed:0",
        "unknown:0",
        "rechunk:0:1",
        "buffer",
        "buffer:1",
        "stall:1:forever",
        "idle:0",
        "http:400:0",
        "cut:1@1",
    ]
    for spec in specs:
        plan = plan_response(RECORDING.response.events, [parse_fault(spec)])
        assert plan.steps or plan.http_error or plan.cut, spec


def test_a_recorded_cut_is_replayed_as_a_cut() -> None:
    cut = replace(RECORDING, response=replace(RECORDING.response, cut=True))
    with ReplayServer([cut], speed=0) as server:
        host, port = server.url.removeprefix("http://").split(":")
        payload = json.dumps(RECORDING.request.body).encode()
        request = (
            f"POST /v1/messages HTTP/1.1\r\nhost: {host}\r\ncontent-length: {len(payload)}\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in HEADERS.items())
            + "\r\n"
        ).encode() + payload
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(request)
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
    assert all(event in received for event in EVENTS)
    assert not received.endswith(b"0\r\n\r\n"), "the body ended properly: not a cut"
