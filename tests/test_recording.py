"""The recording format: what loads, what is refused (with file and line), what round-trips."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from stream_replay import (
    Provenance,
    RecordedRequest,
    RecordingError,
    dump_recording,
    load_recording,
    load_sse_body,
    parse_recording,
    split_events,
)

from .project import DOCS_DIR, RECORDINGS_DIR, SHARED_STREAMS

SAMPLE = RECORDINGS_DIR / "first_stream" / "raw_events.toml"
NAME = "recordings/sample.toml"


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def refusal(text: str) -> RecordingError:
    with pytest.raises(RecordingError) as caught:
        parse_recording(text, NAME)
    return caught.value


@pytest.mark.parametrize("path", sorted(RECORDINGS_DIR.rglob("*.toml")), ids=lambda p: p.name)
def test_project_recordings_load_and_round_trip(path: Path) -> None:
    recording = load_recording(path)
    again = parse_recording(dump_recording(recording), path)
    assert again == recording
    assert recording.sse_body == b"".join(split_events(recording.sse_body))


def test_the_event_bytes_are_kept_exactly() -> None:
    text = SAMPLE.read_text()
    padded = text.replace('{"type":"message_stop"}', '{"type":"message_stop"      }')
    recording = parse_recording(padded, NAME)
    assert (
        recording.response.events[-1].raw
        == b'event: message_stop\ndata: {"type":"message_stop"      }\n\n'
    )


def test_provenance_is_read() -> None:
    recording = load_recording(SAMPLE)
    assert recording.provenance.source == "constructed"
    assert "constructed to the documented wire format" in recording.provenance.describe()


@pytest.mark.parametrize(
    ("old", "new", "line_at", "reason"),
    [
        ("[request]", "[request", "[request", "not valid TOML"),
        ('"max_tokens": 256,', '"max_tokens": 256', '"messages": [', "body is not valid JSON"),
        (
            '"text":"Bonjour"}}',
            '"text":"Bonjour"}',
            '"text":"Bonjour"}',
            "data is not valid JSON",
        ),
        (
            "event: content_block_stop",
            "event: content_block_end",
            'data: {"type":"content_block_stop"',
            "event: content_block_end but its data has type 'content_block_stop'",
        ),
        ("at = 0.671", "at = 0.500", "at = 0.500", "earlier than the one before it"),
        ('source = "constructed"', 'source = "guessed"', "source =", "source must be one of"),
        (
            '"anthropic-version" = "2026-10-21"',
            '"anthropic-version" = "2026-10-21", "x-api-key" = "abc"',
            "headers = {",
            "the x-api-key header must not be recorded",
        ),
        ('"Bonjour"', '"sk-ant-api03-abcdefghijklmnop"', "sk-ant-api03", "looks like an API key"),
        (
            'data: {"type":"ping"',
            'daat: {"type":"ping"',
            "daat:",
            "unknown SSE field 'daat'",
        ),
        (
            '"text":"Bonjour"}}\n\n',
            '"text":"Bonjour"}}\n',
            'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
            '"delta":{"type":"text_delta","text":"Bonjour"',
            "an event must end with a blank line",
        ),
    ],
    ids=[
        "toml-syntax",
        "request-json",
        "data-json",
        "name-vs-type",
        "time-goes-back",
        "source",
        "secret-header",
        "secret-value",
        "sse-field",
        "unterminated-event",
    ],
)
def test_a_malformed_recording_names_file_line_and_fault(
    old: str, new: str, line_at: str, reason: str
) -> None:
    text = SAMPLE.read_text().replace(
        'event: ping\ndata: {"type": "ping"}', 'event: ping\ndata: {"type":"ping"}'
    )
    assert old in text
    broken = text.replace(old, new, 1)
    error = refusal(broken)
    assert reason in error.reason
    assert str(error).startswith(f"{NAME}:{line_of(broken, line_at)}: ")


def test_two_events_in_one_table_are_refused() -> None:
    text = SAMPLE.read_text()
    broken = text.replace(
        '{"type":"message_stop"}\n\n',
        '{"type":"message_stop"}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n',
    )
    assert "holds 2 events" in refusal(broken).reason


def test_a_live_recording_must_say_when_and_what() -> None:
    text = SAMPLE.read_text().replace('source = "constructed"', 'source = "live-api"')
    assert refusal(text).reason == "a live-api recording must give recorded_at, client"


def test_a_missing_table_is_named() -> None:
    text = SAMPLE.read_text()
    broken = text[: text.index("[response]")]
    assert "missing the [response] table" in str(refusal(broken))


def test_a_written_recording_reads_back() -> None:
    recording = load_recording(SAMPLE)
    live = Provenance(
        source="live-api",
        recorded_at=dt.date(2026, 11, 23),
        model="claude-sonnet-5-5",
        client="Anthropic/Python 2.12.0",
    )
    request = RecordedRequest("POST", "/v1/messages", {}, {"text": "it's '''quoted''' \u2028"})
    changed = type(recording)(recording.path, live, request, recording.response)
    assert parse_recording(dump_recording(changed), recording.path) == changed


def test_split_events_keeps_every_byte() -> None:
    body = b"event: a\ndata: {}\n\n: comment\r\n\r\nevent: b\rdata: {}\r\rdata: tail"
    events = split_events(body)
    assert events == [
        b"event: a\ndata: {}\n\n",
        b": comment\r\n\r\n",
        b"event: b\rdata: {}\r\r",
        b"data: tail",
    ]
    assert b"".join(events) == body


def real_streams() -> list[Path]:
    """The real API streams in ../shared/real-streams/: required on CI, skipped where absent."""
    if not SHARED_STREAMS.is_dir():
        if os.environ.get("CI") and not os.environ.get("SKIP_SHARED_STREAMS"):
            raise RuntimeError(f"CI must have the reference streams at {SHARED_STREAMS}")
        return []
    return sorted(SHARED_STREAMS.glob("*.sse"))


@pytest.mark.parametrize("path", real_streams(), ids=lambda p: p.name)
def test_real_api_streams_load_as_bodies(path: Path) -> None:
    events = load_sse_body(path)
    assert b"".join(event.raw for event in events) == path.read_bytes()
    assert all(event.data["type"] == event.name for event in events if event.name)


def test_a_malformed_body_names_its_line(tmp_path: Path) -> None:
    body = tmp_path / "broken.sse"
    body.write_bytes(
        b'event: ping\ndata: {"type": "ping"}\n\nevent: message_stop\ndata: {"type":\n\n'
    )
    with pytest.raises(RecordingError, match=r"broken\.sse:5: data is not valid JSON"):
        load_sse_body(body)


def test_the_error_shown_on_the_format_page_is_what_loading_says() -> None:
    broken = SAMPLE.read_text().replace('"text":"Bonjour"}}', '"text":"Bonjour"}', 1)
    with pytest.raises(RecordingError) as caught:
        parse_recording(broken, "recordings/first_stream/raw_events.toml")
    assert f"\n{caught.value}\n" in (DOCS_DIR / "recordings.md").read_text()
