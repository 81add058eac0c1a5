"""What docs/sdk-helpers.md says about the SDK's stream helpers, checked against the SDK."""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterator

import anthropic
import pytest

from stream_replay import RecordedEvent, ReplayServer, load_recording

from .project import DOCS_DIR, PLACEHOLDER_KEY, RECORDINGS_DIR

TEXT_PIECES = load_recording(RECORDINGS_DIR / "sdk_helpers" / "text_pieces.toml")
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
    # sdk-helpers.md: the raw content_block_delta comes first, then the SDK's text event;
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


@pytest.mark.parametrize("version", [anthropic.__version__])
def test_the_page_names_the_sdk_version_the_tests_run(version: str) -> None:
    assert f"SDK {version}" in (DOCS_DIR / "sdk-helpers.md").read_text()


def test_stream_passes_an_unknown_event_type_on_and_accumulates_around_it(
    client: tuple[anthropic.Anthropic, ReplayServer],
) -> None:
    # sdk-helpers.md: an event type the SDK does not know reaches the loop as it is, the
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
    # sdk-helpers.md: before message_start is read, current_message_snapshot raises
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
