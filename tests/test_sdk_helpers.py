"""What docs/sdk-helpers.md and docs/sdk-events.md say about the SDK's stream helpers and
events, checked against the SDK."""

from __future__ import annotations

import dataclasses
import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager

import anthropic
import httpx2
import pytest

from stream_replay import (
    Fault,
    Provenance,
    RecordedEvent,
    Recording,
    ReplayServer,
    StallBefore,
    load_recording,
    recording_from_sse,
)

from .project import DOCS_DIR, PLACEHOLDER_KEY, RECORDINGS_DIR

TEXT_PIECES = load_recording(RECORDINGS_DIR / "sdk_helpers" / "text_pieces.toml")
HELPERS_PAGE = (DOCS_DIR / "sdk-helpers.md").read_text()
BODY = TEXT_PIECES.request.body


@pytest.fixture
def client() -> Iterator[tuple[anthropic.Anthropic, ReplayServer]]:
    # The same exchange, served as many times as a test asks for it.
    with ReplayServer([TEXT_PIECES] * 4, speed=0) as server:
        yield anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url), server


def stream_of(client: anthropic.Anthropic) -> anthropic.MessageStreamManager[None]:
    return client.messages.stream(
        model=BODY["model"], max_tokens=BODY["max_tokens"], messages=BODY["messages"]
    )


def test_text_stream_and_the_event_loop_read_the_same_single_pass(
    client: tuple[anthropic.Anthropic, ReplayServer],
) -> None:
    # sdk-helpers.md: "text_stream, a loop over the events, until_done() and the get_final_
    # helpers all read one single pass over the events".
    with stream_of(client[0]) as stream:
        pieces = list(stream.text_stream)
        assert pieces == ["Three prime", " numbers: 2,", " 3 and 5."]
        assert list(stream) == []  # nothing left for a second reader
        assert stream.get_final_text() == "".join(pieces)  # accumulated all the same

    with stream_of(client[0]) as stream:
        first = next(iter(stream))
        assert first.type == "message_start"
        assert [event.type for event in stream][:2] == [
            "content_block_start",
            "content_block_delta",
        ]
        assert list(stream.text_stream) == []


def test_stream_sends_its_request_when_the_with_block_starts(
    client: tuple[anthropic.Anthropic, ReplayServer],
) -> None:
    # sdk-helpers.md: stream() sends nothing until the with block starts; create(stream=True)
    # sends the request at once.
    sdk, server = client
    manager = stream_of(sdk)
    assert server.served == []
    with manager as stream:
        assert len(server.served) == 1
        stream.until_done()

    raw = sdk.messages.create(
        model=BODY["model"], max_tokens=BODY["max_tokens"], messages=BODY["messages"], stream=True
    )
    assert len(server.served) == 2
    raw.close()


def test_text_events_follow_their_delta_and_stops_carry_the_whole_block(
    client: tuple[anthropic.Anthropic, ReplayServer],
) -> None:
    # sdk-events.md: the raw content_block_delta comes first, then the SDK's text event;
    # content_block_stop and message_stop come only in the SDK's form, with the whole block or
    # message; ping is not passed on.
    with stream_of(client[0]) as stream:
        events = list(stream)
    types = [event.type for event in events]
    assert types == [
        "message_start",
        "content_block_start",
        *["content_block_delta", "text"] * 3,
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    block_stop, message_stop = events[-3], events[-1]
    assert block_stop.type == "content_block_stop"
    assert block_stop.content_block.type == "text"
    assert block_stop.content_block.text == "Three prime numbers: 2, 3 and 5."
    assert message_stop.type == "message_stop"
    assert message_stop.message.stop_reason == "end_turn"


@pytest.mark.parametrize("page", ["sdk-helpers.md", "sdk-events.md"])
def test_the_page_names_the_sdk_version_the_tests_run(page: str) -> None:
    assert f"SDK {anthropic.__version__}" in (DOCS_DIR / page).read_text()


def test_stream_passes_an_unknown_event_type_on_and_accumulates_around_it(
    client: tuple[anthropic.Anthropic, ReplayServer],
) -> None:
    # sdk-events.md: an event type the SDK does not know reaches the loop as it is, the
    # accumulated message is unaffected, and its class is no guide (match on .type).
    unknown = RecordedEvent(
        0, b'event: future_event\ndata: {"type":"future_event"}\n\n', None, None
    )
    events = list(TEXT_PIECES.response.events)
    events.insert(-3, unknown)  # before content_block_stop
    response = dataclasses.replace(TEXT_PIECES.response, events=tuple(events))
    recording = dataclasses.replace(TEXT_PIECES, response=response)
    with ReplayServer([recording], speed=0) as server:
        sdk = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url)
        with stream_of(sdk) as stream:
            seen = list(stream)
            message = stream.get_final_message()
    # The types say this cannot happen: an unknown type is not in their Literal.
    [future] = [e for e in seen if e.type == "future_event"]  # type: ignore[comparison-overlap]
    assert isinstance(future, anthropic.types.RawMessageStartEvent)
    assert message.stop_reason == "end_turn"
    assert [block.type for block in message.content] == ["text"]


def test_there_is_no_snapshot_before_message_start(
    client: tuple[anthropic.Anthropic, ReplayServer],
) -> None:
    # sdk-events.md: before message_start is read, current_message_snapshot raises
    # AssertionError.
    with stream_of(client[0]) as stream:
        with pytest.raises(AssertionError):
            _ = stream.current_message_snapshot
        stream.until_done()
        assert stream.current_message_snapshot.stop_reason == "end_turn"


def test_a_raw_stream_left_by_a_break_stays_open_until_closed_or_freed(
    client: tuple[anthropic.Anthropic, ReplayServer],
) -> None:
    # sdk-helpers.md: a `break` alone leaves a create(stream=True) stream's connection open
    # until close() or until Python frees the stream object.
    sdk = client[0]
    args = {"model": BODY["model"], "max_tokens": BODY["max_tokens"], "messages": BODY["messages"]}
    closed = sdk.messages.create(**args, stream=True)
    for _ in closed:
        break
    assert not closed.response.is_closed
    closed.close()
    assert closed.response.is_closed

    freed = sdk.messages.create(**args, stream=True)
    for _ in freed:
        break
    response = freed.response
    assert not response.is_closed
    del freed
    gc.collect()
    assert response.is_closed


# --- What get_final_text() and get_final_message() do at the edges ------------------------

CLOSE_EARLY = load_recording(RECORDINGS_DIR / "sdk_helpers" / "close_early.toml")


@contextmanager
def served_stream(recording: Recording, *faults: Fault) -> Iterator[anthropic.MessageStream[None]]:
    """`client.messages.stream(...)` of the recording's request, served with `faults`."""
    body = recording.request.body
    with ReplayServer([recording], speed=0, faults=list(faults)) as server:
        sdk = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url, max_retries=0)
        with sdk.messages.stream(
            model=body["model"],
            max_tokens=body["max_tokens"],
            messages=body["messages"],
        ) as stream:
            yield stream


TOOL_ONLY = (
    'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_01",'
    '"type":"message","role":"assistant","model":"claude-sonnet-5-5","content":[],'
    '"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}\n\n'
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,'
    '"content_block":{"type":"tool_use","id":"toolu_01","name":"now","input":{}}}\n\n'
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
    '"delta":{"type":"input_json_delta","partial_json":""}}\n\n'
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n'
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use",'
    '"stop_sequence":null},"usage":{"output_tokens":7}}\n\n'
    'event: message_stop\ndata: {"type":"message_stop"}\n\n'
)


def test_get_final_text_raises_when_the_reply_has_no_text_block() -> None:
    # sdk-helpers.md: get_final_text() raises RuntimeError on a reply without a text block
    # (here only a tool call); get_final_message() has the reply.
    recording = recording_from_sse(
        TOOL_ONLY.encode(),
        TEXT_PIECES.request,
        Provenance("constructed", basis="tests"),
        RECORDINGS_DIR / "tool_only.sse",
    )
    assert "`get_final_text()` raises `RuntimeError`" in HELPERS_PAGE
    with served_stream(recording) as stream:
        with pytest.raises(RuntimeError, match="tool_use"):
            stream.get_final_text()
        message = stream.get_final_message()
    assert [block.type for block in message.content] == ["tool_use"]
    assert message.stop_reason == "tool_use"


def test_get_final_message_after_close_with_no_event_read_raises_stream_closed() -> None:
    # sdk-helpers.md: closed before any event was read, get_final_message() raises
    # anthropic.APIConnectionError caused by httpx2.StreamClosed (SDK 2.17.0; before it, the
    # httpx2 error itself: docs/sdk-versions.md, row final-after-close).
    assert (
        "| before reading any event | raises `anthropic.APIConnectionError`, caused by "
        "`httpx2.StreamClosed` |" in HELPERS_PAGE
    )
    with served_stream(CLOSE_EARLY) as stream:
        stream.close()
        with pytest.raises(anthropic.APIConnectionError) as raised:
            stream.get_final_message()
    assert isinstance(raised.value.__cause__, httpx2.StreamClosed)


def test_get_final_message_after_close_raises_read_error_when_the_rest_had_not_arrived() -> None:
    # sdk-helpers.md: closed after some events, before the rest of the stream had arrived,
    # get_final_message() raises anthropic.APIConnectionError caused by httpx2.ReadError; the
    # snapshot keeps what was read. The rest of the stream comes 2 s late, long after the close.
    assert "then raises `anthropic.APIConnectionError`, caused by `httpx2.ReadError` |" in (
        HELPERS_PAGE
    )
    with served_stream(CLOSE_EARLY, StallBefore(event=4, seconds=2)) as stream:
        assert [next(stream).type for _ in range(2)] == ["message_start", "content_block_start"]
        stream.close()
        with pytest.raises(anthropic.APIConnectionError) as raised:
            stream.get_final_message()
        assert stream.current_message_snapshot.stop_reason is None
    assert isinstance(raised.value.__cause__, httpx2.ReadError)


def test_get_final_message_after_close_returns_the_whole_message_if_it_had_arrived() -> None:
    # sdk-helpers.md: closed after some events, when the whole stream had already arrived,
    # get_final_message() returns the complete message from what the SDK had received.
    # The body starts 0.2 s after the headers and is all in long before the first read.
    assert "| returns the complete message, as if you had not closed |" in HELPERS_PAGE
    with served_stream(CLOSE_EARLY, StallBefore(event=1, seconds=0.2)) as stream:
        time.sleep(1.0)
        assert next(stream).type == "message_start"
        stream.close()
        message = stream.get_final_message()
    assert message.stop_reason == "end_turn"
    assert message.content[0].type == "text"
    assert message.content[0].text.count("\n") > 3  # more than close_early.py printed
