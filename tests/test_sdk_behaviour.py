"""What the pages say about the SDK's handling of a stream, checked against the installed SDK."""

from __future__ import annotations

import dataclasses

import anthropic
import pytest

from stream_replay import RecordedEvent, ReplayServer, load_recording

from .project import PLACEHOLDER_KEY, RECORDINGS_DIR, SNIPPETS_DIR, output_file

RAW_EVENTS = load_recording(RECORDINGS_DIR / "first_stream" / "raw_events.toml")


def test_the_sdk_drops_ping_events() -> None:
    # first-stream.md: "The SDK drops ping events before your loop sees them".
    assert any(event.name == "ping" for event in RAW_EVENTS.response.events)
    printed = output_file(SNIPPETS_DIR / "first_stream" / "raw_events.py").read_text()
    assert "ping" not in printed


def test_create_stream_passes_an_unknown_event_type_on_to_the_loop() -> None:
    # first-stream.md: "create(stream=True) passes an event it does not know on to your loop".
    unknown = RecordedEvent(
        0, b'event: future_event\ndata: {"type":"future_event"}\n\n', None, None
    )
    events = list(RAW_EVENTS.response.events)
    events.insert(-1, unknown)
    response = dataclasses.replace(RAW_EVENTS.response, events=tuple(events))
    recording = dataclasses.replace(RAW_EVENTS, response=response)
    with ReplayServer([recording], speed=0) as server:
        client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url)
        body = RAW_EVENTS.request.body
        stream = client.messages.create(
            model=body["model"],
            max_tokens=body["max_tokens"],
            messages=body["messages"],
            stream=True,
        )
        types = [event.type for event in stream]
    assert types[-2:] == ["future_event", "message_stop"]


@pytest.mark.parametrize("version", [anthropic.__version__])
def test_the_pages_name_the_sdk_version_the_tests_run(version: str) -> None:
    page = (SNIPPETS_DIR.parent / "docs" / "first-stream.md").read_text()
    assert f"SDK {version}" in page


def test_the_sdk_refuses_a_long_non_streaming_request() -> None:
    # first-stream.md: the SDK "refuses non-streaming requests it expects to take more than
    # ten minutes". It decides before sending anything, from max_tokens.
    client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url="http://127.0.0.1:9")
    with pytest.raises(ValueError, match="Streaming is required for operations that may take"):
        client.messages.create(
            model="claude-sonnet-5-5",
            max_tokens=64_000,
            messages=[{"role": "user", "content": "Write a long story."}],
        )
