"""The behaviours of the SDK versions table: what each row is, and what its replay servers send.

Each behaviour is a check in `checks.py` (run in any release's environment) plus the servers
it talks to, set up here, in this project's environment: the site's own recordings (those of
the pages that make the claim), with a `--fault` or a small edit where the claim is about
something the recording itself does not do. `pages` are the pages whose claim the row checks;
each links to the row.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass

from stream_replay import Fault, RecordedEvent, Recording, load_recording, parse_fault

from ..project import RECORDINGS_DIR

__all__ = ["BEHAVIOURS", "Behaviour", "Server"]


def _gateway_event(recording: Recording) -> Recording:
    """An event a gateway adds, whose data is not JSON, after `message_start`."""
    extra = RecordedEvent(0.0, b"event: gateway_status\ndata: warming up\n\n", None, None)
    events = list(recording.response.events)
    events.insert(1, extra)
    return _with_events(recording, events)


def _no_final_blank_line(recording: Recording) -> Recording:
    *events, last = recording.response.events
    events.append(dataclasses.replace(last, raw=last.raw.rstrip(b"\r\n") + b"\n"))
    return _with_events(recording, events)


def _second_citation(recording: Recording) -> Recording:
    """A second citation in the block of the first, so that the block has two."""
    events = list(recording.response.events)
    index = next(i for i, e in enumerate(events) if b'"citations_delta"' in e.raw)
    first = events[index]
    citation = {
        "type": "char_location",
        "cited_text": "The library opens at 9:00.",
        "document_index": 0,
        "document_title": "Opening hours",
        "start_char_index": 0,
        "end_char_index": 26,
    }
    data = {
        "type": "content_block_delta",
        "index": first.data["index"],
        "delta": {"type": "citations_delta", "citation": citation},
    }
    raw = f"event: content_block_delta\ndata: {json.dumps(data)}\n\n".encode()
    events.insert(index + 1, RecordedEvent(first.at, raw, "content_block_delta", data))
    return _with_events(recording, events)


def _with_events(recording: Recording, events: list[RecordedEvent]) -> Recording:
    response = dataclasses.replace(recording.response, events=tuple(events))
    return dataclasses.replace(recording, response=response)


@dataclass(frozen=True)
class Server:
    """One replay server: a recording of the site's, with faults or an edit."""

    recording: str  # under recordings/
    faults: tuple[str, ...] = ()  # --fault specs
    edit: Callable[[Recording], Recording] | None = None

    def load(self) -> Recording:
        recording = load_recording(RECORDINGS_DIR / self.recording, name=self.recording)
        # Served whatever anthropic-version a release sends: the header is a row of its own.
        headers = {k: v for k, v in recording.request.headers.items() if k != "anthropic-version"}
        request = dataclasses.replace(recording.request, headers=headers)
        recording = dataclasses.replace(recording, request=request)
        return self.edit(recording) if self.edit else recording

    def fault_list(self) -> list[Fault]:
        return [parse_fault(spec) for spec in self.faults]


@dataclass(frozen=True)
class Behaviour:
    key: str  # the check's name in checks.CHECKS, and the row's anchor on the page
    title: str  # the row's label (Markdown)
    servers: tuple[Server, ...]
    pages: tuple[str, ...]  # the pages whose claim it checks, each linking to the row
    count_requests: bool = False  # add how many requests the servers answered


CUT = Server("truncated/cut_connection.toml", ("cut-mid:6",))
ERROR_EVENT = Server("errors/error_in_stream.toml", ("error:5",))
HTTP_529 = Server("errors/overloaded_retry.toml", ("http:529",))
RAW_EVENTS = Server("first_stream/raw_events.toml")

BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour(
        "cut",
        "The connection drops mid-stream",
        (CUT,),
        ("errors.md", "truncated.md", "retrying.md", "async.md", "relay.md", "testing.md"),
        count_requests=True,
    ),
    Behaviour(
        "stall",
        "Silence mid-stream past the read timeout",
        (Server("timeouts/idle_timeout.toml", ("stall:12:2.5",)),),
        ("errors.md", "timeouts.md", "deadlines.md", "testing.md"),
        count_requests=True,
    ),
    Behaviour(
        "error-event",
        "An `error` event after `200 OK`",
        (ERROR_EVENT,),
        ("errors.md", "events.md"),
        count_requests=True,
    ),
    Behaviour(
        "http-529",
        "HTTP 529 before the stream, `max_retries=0`",
        (HTTP_529,),
        ("errors.md",),
    ),
    Behaviour(
        "http-529-retried",
        "HTTP 529 on the first attempt, default retries",
        (Server("errors/overloaded_retry.toml", ("http:529@1",)),),
        ("errors.md",),
        count_requests=True,
    ),
    Behaviour(
        "error-message",
        "`str(error)` of an HTTP 529; of an `error` event",
        (HTTP_529, ERROR_EVENT),
        ("errors.md",),
    ),
    Behaviour("ping", "`ping` events", (RAW_EVENTS,), ("events.md", "first-stream.md")),
    Behaviour(
        "unknown-event",
        "An event and a block of unknown types (JSON data)",
        (Server("events/unknown_events.toml"),),
        ("events.md",),
    ),
    Behaviour(
        "non-json-event",
        "An unknown event whose data is not JSON (a gateway's own)",
        (Server("first_stream/raw_events.toml", edit=_gateway_event),),
        ("events.md",),
    ),
    Behaviour(
        "byte-order-mark",
        "A body that starts with a byte-order mark",
        (Server("raw_http/byte_order_mark/1_sdk.toml"),),
        ("raw-http.md",),
    ),
    Behaviour(
        "no-final-blank-line",
        "A last event without its closing blank line",
        (Server("first_stream/raw_events.toml", edit=_no_final_blank_line),),
        ("raw-http.md", "truncated.md"),
    ),
    Behaviour(
        "ended-early",
        "A body that ends cleanly before `message_stop`",
        (Server("truncated/ended_early.toml"),),
        ("truncated.md",),
    ),
    Behaviour(
        "invalid-tool-json",
        "Invalid JSON in a tool's input, with `stream()`",
        (
            Server("tools/sdk_invalid_json/1-trailing-comma.toml"),
            Server("tools/sdk_invalid_json/2-unescaped-quote.toml"),
        ),
        ("fine-grained-tools.md",),
    ),
    Behaviour(
        "request-id",
        "Where the `request-id` is",
        (Server("first_stream/text_stream.toml"), ERROR_EVENT),
        ("relay.md",),
    ),
    Behaviour(
        "final-after-close",
        "`get_final_message()` after `close()`",
        (
            Server("sdk_helpers/close_early.toml"),
            Server("sdk_helpers/close_early.toml", ("stall:5:2",)),
        ),
        ("sdk-helpers.md",),
    ),
    Behaviour(
        "final-text-without-text",
        "`get_final_text()` when thinking used up `max_tokens`",
        (Server("thinking/thinking_only.toml"),),
        ("thinking.md", "sdk-helpers.md"),
    ),
    Behaviour(
        "usage-after-cut",
        "`current_message_snapshot.usage` after a cut",
        (CUT,),
        ("usage.md",),
    ),
    Behaviour(
        "citation-snapshot",
        "A `citation` event's `snapshot`, kept past the event",
        (Server("sdk_helpers/citation_snapshot.toml", edit=_second_citation),),
        ("sdk-events.md",),
    ),
    Behaviour(
        "raw-events",
        "`Stream.raw_events(response)`",
        (RAW_EVENTS,),
        ("events.md",),
    ),
    Behaviour(
        "api-version",
        "The `anthropic-version` header sent",
        (RAW_EVENTS,),
        ("raw-http.md",),
    ),
)
