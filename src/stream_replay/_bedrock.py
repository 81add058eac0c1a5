"""Amazon Bedrock's streaming response: AWS event-stream frames, one API event in each.

`InvokeModelWithResponseStream` answers `200 OK` with content type
`application/vnd.amazon.eventstream`: binary frames, not server-sent events. Each frame is

    total length (4 bytes, big-endian) | headers length (4) | CRC32 of those 8 bytes (4)
    headers | payload | CRC32 of everything before it (4)

and each header is name length (1 byte), name, value type (1 byte; 7 is a string), value
length (2 bytes, big-endian), value. An API event travels in a `chunk` frame (headers
`:event-type: chunk`, `:content-type: application/json`, `:message-type: event`) whose payload
is `{"bytes": "<the event's JSON, base64>"}`. A failure after `200 OK` travels as an
`exception` frame (`:message-type: exception`, `:exception-type: <a ResponseStream member>`)
whose payload is `{"message": ...}`.

Sources: the AWS event-stream encoding (Amazon Lex V2 and Transcribe developer guides,
"Event stream encoding"); botocore 1.44's `eventstream.py`, which decodes it, and its
`bedrock-runtime` service model (the `ResponseStream` union: `chunk` and six exceptions); the
`anthropic` SDK's `lib/bedrock/_stream_decoder.py`, which reads the `bytes` of each chunk as
one event. Read 2026-12-07.
"""

from __future__ import annotations

import base64
import binascii
import json
import struct
from collections.abc import Sequence

from ._faults import ErrorEvent, Fault, MalformedData, Plan, UnknownEvent, plan_response
from ._recording import RecordedEvent
from ._sse import parse_event

__all__ = [
    "chunk_frame",
    "event_data",
    "exception_frame",
    "frame",
    "plan_frames",
]

_STRING = 7  # the header value type of a UTF-8 string
# The ResponseStream exception for each API error type an `error` event can carry.
EXCEPTION_TYPES = {
    "overloaded_error": "serviceUnavailableException",
    "api_error": "internalServerException",
    "rate_limit_error": "throttlingException",
    "timeout_error": "modelTimeoutException",
    "invalid_request_error": "validationException",
}
DEFAULT_EXCEPTION = "modelStreamErrorException"


def frame(headers: Sequence[tuple[str, str]], payload: bytes) -> bytes:
    """One event-stream message: prelude, its CRC, string headers, payload, message CRC."""
    encoded = b"".join(
        struct.pack(">B", len(name_bytes))
        + name_bytes
        + struct.pack(">BH", _STRING, len(value_bytes))
        + value_bytes
        for name, value in headers
        for name_bytes, value_bytes in [(name.encode(), value.encode())]
    )
    total = 4 + 4 + 4 + len(encoded) + len(payload) + 4
    prelude = struct.pack(">II", total, len(encoded))
    message = prelude + struct.pack(">I", binascii.crc32(prelude)) + encoded + payload
    return message + struct.pack(">I", binascii.crc32(message))


def chunk_frame(event_json: bytes) -> bytes:
    """The frame that carries one API event: its JSON text, base64, in `bytes`."""
    payload = json.dumps({"bytes": base64.b64encode(event_json).decode("ascii")})
    headers = [
        (":event-type", "chunk"),
        (":content-type", "application/json"),
        (":message-type", "event"),
    ]
    return frame(headers, payload.encode())


def exception_frame(exception_type: str, message: str) -> bytes:
    headers = [
        (":exception-type", exception_type),
        (":content-type", "application/json"),
        (":message-type", "exception"),
    ]
    return frame(headers, json.dumps({"message": message}).encode())


def event_data(raw: bytes) -> bytes:
    """The text of an SSE event's `data:` lines (joined by newlines), as bytes: the JSON a
    Bedrock chunk carries for that event."""
    fields = parse_event(raw.decode("utf-8").removeprefix("\ufeff"))
    return "\n".join(f.value for f in fields if f.name == "data").encode()


def _frame_of(raw: bytes) -> bytes:
    data = event_data(raw)
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and parsed.get("type") == "error":
        error = parsed.get("error") or {}
        exception = EXCEPTION_TYPES.get(error.get("type", ""), DEFAULT_EXCEPTION)
        return exception_frame(exception, str(error.get("message", "")))
    return chunk_frame(data)


def plan_frames(
    events: Sequence[RecordedEvent],
    faults: Sequence[Fault],
    request_number: int = 1,
    *,
    cut: bool = False,
) -> Plan:
    """What to send for a recording's events on Bedrock: each event (with any the faults add:
    an `error` becomes an exception frame) framed, then the faults on bytes (cuts, stalls,
    re-chunking) applied to the frames, so a cut in mid-event falls inside a frame."""
    adding = [f for f in faults if isinstance(f, ErrorEvent | MalformedData | UnknownEvent)]
    on_bytes = [f for f in faults if f not in adding]
    added = plan_response(events, adding, request_number)
    framed = [RecordedEvent(step.at, _frame_of(step.data), None, None) for step in added.steps]
    return plan_response(framed, on_bytes, request_number, cut=cut or added.cut)
