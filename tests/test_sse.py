"""Splitting a byte stream into events, whatever the chunk boundaries."""

from __future__ import annotations

import random

import pytest

from stream_replay import split_events
from stream_replay._sse import EventSplitter, parse_event

BODY = (
    'event: message_start\ndata: {"type":"message_start"}\n\n'
    "event: content_block_delta\r\n"
    'data: {"type":"content_block_delta","delta":{"text":"caf\u00e9 \u2028 \u2713"}}\r\n\r\n'
    ": a comment\r\rdata: last"
).encode()


@pytest.mark.parametrize("seed", range(20))
def test_any_chunking_gives_the_same_events(seed: int) -> None:
    chunks, rest, rng = [], BODY, random.Random(seed)
    while rest:  # cuts anywhere: inside CRLF, inside a multi-byte character
        size = rng.randint(1, 7)
        chunks.append(rest[:size])
        rest = rest[size:]
    splitter = EventSplitter()
    events = [event for chunk in chunks for event in splitter.feed(chunk)]
    events.append(splitter.close())
    assert events == split_events(BODY)
    assert b"".join(events) == BODY


def test_a_cr_at_the_end_of_a_chunk_waits_for_a_possible_lf() -> None:
    splitter = EventSplitter()
    assert splitter.feed(b"data: x\r\n\r") == []
    assert splitter.feed(b"\n") == [b"data: x\r\n\r\n"]


def test_fields_follow_the_sse_rules() -> None:
    fields = parse_event('event: ping\ndata:{"a": 1}\n: note\nretry\ndata:  two spaces\u2028kept\n')
    assert [(f.name, f.value) for f in fields] == [
        ("event", "ping"),
        ("data", '{"a": 1}'),
        ("", "note"),
        ("retry", ""),
        ("data", " two spaces\u2028kept"),
    ]
