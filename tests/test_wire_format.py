"""What wire-format.md says about reading server-sent events, checked against the SDK."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import anthropic
import pytest
from anthropic._constants import ANTHROPIC_API_VERSION  # what the SDK sends

from stream_replay import RecordedEvent, Recording, ReplayServer, load_recording, load_sse_body

from .project import DOCS_DIR, PLACEHOLDER_KEY, RECORDINGS_DIR, SNIPPETS_DIR, output_file
from .test_recording import real_streams

CURL_STREAM = load_recording(RECORDINGS_DIR / "wire_format" / "curl_stream.toml")
WIRE_LINES = load_recording(RECORDINGS_DIR / "wire_format" / "wire_lines.toml")
PAGE = (DOCS_DIR / "wire-format.md").read_text()
PROSE = " ".join(PAGE.split())  # lines joined, as a reader reads a sentence


def as_sent_by_the_sdk(recording: Recording, events: list[RecordedEvent]) -> Recording:
    """The recording with other events, answering the SDK's anthropic-version."""
    request = dataclasses.replace(
        recording.request, headers={"anthropic-version": ANTHROPIC_API_VERSION}
    )
    response = dataclasses.replace(recording.response, events=tuple(events))
    return dataclasses.replace(recording, request=request, response=response)


def sdk_events(recording: Recording, *, speed: float = 0) -> list[Any]:
    """What `create(stream=True)` yields for the recording's request, replayed over HTTP."""
    body = recording.request.body
    with ReplayServer([recording], speed=speed) as server:
        client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url)
        stream = client.messages.create(
            model=body["model"],
            max_tokens=body["max_tokens"],
            messages=body["messages"],
            stream=True,
        )
        events = list(stream)
    assert not server.mismatches
    return events


def types(events: list[Any]) -> list[str]:
    return [event.type for event in events]


# What the SDK yields for the curl stream: every event but the ping (first-stream.md).
EXPECTED = [e.name for e in CURL_STREAM.response.events if e.name != "ping"]


def test_the_sdk_version_is_the_one_the_page_names() -> None:
    assert f"SDK {anthropic.__version__}" in PAGE


def test_the_examples_send_the_version_the_page_names_which_the_sdk_sends() -> None:
    # wire-format.md: the curl example sends `anthropic-version: 2026-10-21`, SDK 2.17.0's.
    header = f"anthropic-version: {ANTHROPIC_API_VERSION}"
    assert f"`{header}` (the version SDK {anthropic.__version__} sends" in PROSE
    assert header in (SNIPPETS_DIR / "wire_format" / "curl_stream.sh").read_text()
    assert (
        f'"anthropic-version": "{ANTHROPIC_API_VERSION}"'
        in (SNIPPETS_DIR / "wire_format" / "wire_lines.py").read_text()
    )
    for recording in (CURL_STREAM, WIRE_LINES):
        assert recording.request.headers["anthropic-version"] == ANTHROPIC_API_VERSION


def test_the_curl_stream_has_the_deltas_the_page_counts() -> None:
    # wire-format.md: "one text block (content_block_start, three content_block_delta events,
    # content_block_stop) with a ping inside it".
    names = [e.name for e in CURL_STREAM.response.events]
    assert names.count("content_block_delta") == 3
    assert "three `content_block_delta` events" in PROSE
    start, stop = names.index("content_block_start"), names.index("content_block_stop")
    assert start < names.index("ping") < stop


def test_curl_prints_the_body_byte_for_byte() -> None:
    # wire-format.md: what curl prints is the response body as sent.
    printed = output_file(SNIPPETS_DIR / "wire_format" / "curl_stream.sh").read_bytes()
    assert printed == CURL_STREAM.sse_body


def test_the_sdk_skips_comment_lines() -> None:
    events = list(CURL_STREAM.response.events)
    comment = RecordedEvent(0, b": a comment, which a client ignores\n\n", None, None)
    events.insert(2, comment)
    # A comment line inside an event is skipped too; the event itself still counts.
    stop = events[-1]
    events[-1] = dataclasses.replace(stop, raw=b": the end\n" + stop.raw)
    assert types(sdk_events(as_sent_by_the_sdk(CURL_STREAM, events))) == EXPECTED


def test_the_sdk_drops_a_final_event_that_lacks_its_blank_line() -> None:
    events = list(CURL_STREAM.response.events)
    last = events[-1]
    assert last.raw.endswith(b"\n\n")
    events[-1] = dataclasses.replace(last, raw=last.raw[:-1])  # the blank line never came
    assert types(sdk_events(as_sent_by_the_sdk(CURL_STREAM, events))) == EXPECTED[:-1]


def test_the_sdk_joins_an_event_split_across_network_reads() -> None:
    # Split every event in two, the second half 20 ms later, and the "É" event inside the
    # two bytes of that character: the SDK still yields whole events and whole text.
    events: list[RecordedEvent] = []
    for event in WIRE_LINES.response.events:
        cut = event.raw.find("É".encode()) + 1 or len(event.raw) // 2
        events.append(dataclasses.replace(event, raw=event.raw[:cut]))
        events.append(dataclasses.replace(event, raw=event.raw[cut:], at=event.at + 0.02))
    assert sum(b"\xc3" in e.raw[-1:] for e in events) == 1  # one cut inside the character
    streamed = sdk_events(as_sent_by_the_sdk(WIRE_LINES, events), speed=4)
    assert types(streamed) == [e.name for e in WIRE_LINES.response.events if e.name != "ping"]
    text = "".join(
        e.delta.text
        for e in streamed
        if isinstance(e, anthropic.types.RawContentBlockDeltaEvent) and e.delta.type == "text_delta"
    )
    assert text == "CAFÉ"


@pytest.mark.parametrize("recording", [CURL_STREAM, WIRE_LINES], ids=lambda r: r.path.stem)
def test_the_pages_recordings_use_only_event_and_data_lines(recording: Recording) -> None:
    # wire-format.md: one `event:` line and one `data:` line per event, ended by a blank line.
    for event in recording.response.events:
        lines = event.raw.decode().split("\n")
        assert [line.split(":", 1)[0] for line in lines] == ["event", "data", "", ""]


@pytest.mark.parametrize("path", real_streams(), ids=lambda p: p.name)
def test_real_api_streams_use_only_event_and_data_lines(path: Path) -> None:
    # wire-format.md: in the real streams of the SDKs' and pydantic-ai's test suites, every
    # event has one `event:` line and one `data:` line; no id:, no retry:, no comment.
    for event in load_sse_body(path):
        lines = [line for line in event.raw.decode().splitlines() if line]
        assert [line.split(":", 1)[0] for line in lines] == ["event", "data"], event.raw


def test_real_api_streams_send_non_ascii_text_unescaped() -> None:
    # wire-format.md: the É is plain UTF-8 in the JSON, "as in the API's real streams".
    bodies = [path.read_bytes() for path in real_streams()]
    if not bodies:
        pytest.skip("no reference streams here (../shared/real-streams)")
    assert any(not body.isascii() for body in bodies)
    escaped = re.compile(rb"\\u(?!00[0-7])[0-9a-fA-F]{4}")  # a non-ASCII character, escaped
    assert not any(escaped.search(body) for body in bodies)
    assert "plain UTF-8 inside the JSON, not a `\\u00c9` escape, as in the API's real" in PROSE
