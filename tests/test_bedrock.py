"""The Bedrock frames the replay server sends, checked with botocore's own decoder."""

from __future__ import annotations

import base64
import binascii
import json
import struct

import pytest
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer

from stream_replay import CutAfter, ErrorEvent, parse_fault
from stream_replay._bedrock import chunk_frame, event_data, frame, plan_frames

from .platform_recordings import FIRST_PARTY, on_bedrock, replayed


def decoded(body: bytes) -> list[tuple[dict[str, object], bytes]]:
    buffer = EventStreamBuffer()
    buffer.add_data(body)
    return [(dict(message.headers), message.payload) for message in buffer]


def test_a_frame_is_what_the_encoding_documents() -> None:
    data = frame([(":event-type", "chunk")], b"{}")
    total, headers_length, prelude_crc = struct.unpack(">III", data[:12])
    assert total == len(data) == 12 + headers_length + 2 + 4
    assert prelude_crc == binascii.crc32(data[:8])
    assert data[12 : headers_length + 12] == b"\x0b:event-type\x07\x00\x05chunk"
    assert struct.unpack(">I", data[-4:])[0] == binascii.crc32(data[:-4])


def test_a_chunk_frame_decodes_with_botocore_to_the_event_bytes() -> None:
    event = b'{"type":"message_stop"      }'
    [(headers, payload)] = decoded(chunk_frame(event))
    assert headers == {
        ":event-type": "chunk",
        ":content-type": "application/json",
        ":message-type": "event",
    }
    assert base64.b64decode(json.loads(payload)["bytes"]) == event


def test_botocore_refuses_a_frame_with_one_bit_changed() -> None:
    data = bytearray(chunk_frame(b'{"type":"ping"}'))
    data[20] ^= 1
    with pytest.raises(ChecksumMismatch):
        decoded(bytes(data))


def test_the_server_sends_every_recorded_event_byte_for_byte_in_its_own_frame() -> None:
    response = replayed(on_bedrock(), "AWS4-HMAC-SHA256 Credential=placeholder")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.amazon.eventstream"
    frames = decoded(response.content)
    assert len(frames) == len(FIRST_PARTY.response.events)
    for (headers, payload), event in zip(frames, FIRST_PARTY.response.events, strict=True):
        assert headers[":event-type"] == "chunk"
        assert base64.b64decode(json.loads(payload)["bytes"]) == event_data(event.raw)
        assert json.loads(event_data(event.raw)) == event.data


def test_an_error_event_becomes_an_exception_frame() -> None:
    plan = plan_frames(FIRST_PARTY.response.events, [ErrorEvent(4)])
    frames = decoded(b"".join(step.data for step in plan.steps))
    headers, payload = frames[-1]
    assert headers[":message-type"] == "exception"
    assert headers[":exception-type"] == "serviceUnavailableException"
    assert json.loads(payload) == {"message": "Overloaded"}
    assert len(frames) == 5
    assert not plan.cut


def test_a_cut_in_mid_event_falls_inside_a_frame() -> None:
    plan = plan_frames(FIRST_PARTY.response.events, [CutAfter(3, mid_event=True)])
    body = b"".join(step.data for step in plan.steps)
    assert plan.cut
    whole = b"".join(chunk_frame(event_data(e.raw)) for e in FIRST_PARTY.response.events[:3])
    assert body.startswith(whole)
    assert len(whole) < len(body)
    assert len(decoded(body)) == 3  # the fourth frame is incomplete


def test_faults_on_bytes_apply_to_the_frames() -> None:
    plain = plan_frames(FIRST_PARTY.response.events, [])
    rechunked = plan_frames(FIRST_PARTY.response.events, [parse_fault("rechunk:7:5")])
    joined = b"".join(step.data for step in rechunked.steps)
    assert joined == b"".join(step.data for step in plain.steps)
    assert max(len(step.data) for step in rechunked.steps) <= 5
