"""The raw-HTTP page's hand-built accumulator assembles the message the SDK assembles.

Every event stream the project has (all recordings, found when the tests are collected, so
recordings added later are covered too) and, where they are present, the real API streams in
../shared/real-streams/ are replayed twice over HTTP: once to `client.messages.stream()` of the
SDK, whose `get_final_message()` is the reference, and once to httpx + httpx-sse feeding
`accumulate()` from snippets/raw_http/accumulate.py, exactly as that snippet does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import anthropic
import httpx
import pytest
from httpx_sse import EventSource

from stream_replay import (
    Provenance,
    RecordedRequest,
    Recording,
    ReplayServer,
    load_recording,
    recording_from_sse,
)

from .project import PLACEHOLDER_KEY, RECORDINGS_DIR, ROOT, SNIPPETS_DIR, relative
from .test_recording import real_streams


def load_snippet(path: Path) -> ModuleType:
    """A snippet as a module (its `__main__` part does not run)."""
    spec = importlib.util.spec_from_file_location(f"snippet_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SNIPPET = load_snippet(SNIPPETS_DIR / "raw_http" / "accumulate.py")

# Every replayed stream answers this one request: only the response matters here.
MODEL = "claude-sonnet-5-5"
MESSAGES: list[anthropic.types.MessageParam] = [{"role": "user", "content": "Hello"}]
BODY = {"model": MODEL, "max_tokens": 1024, "messages": MESSAGES, "stream": True}
REQUEST = RecordedRequest("POST", "/v1/messages", {}, BODY)
RAW_HEADERS = {
    "x-api-key": PLACEHOLDER_KEY,
    "anthropic-version": "2026-10-21",
    "content-type": "application/json",
}

# What the SDK (2.12.0, `accumulate_event` in lib/streaming/_messages.py) copies from a
# message_delta into its message. Anything else a message_delta carries never reaches its final
# message (real streams carry `usage.iterations` and `usage.fallback_credit` there), while the
# hand-built accumulator keeps everything; such fields are left out of the comparison.
SDK_DELTA_FIELDS = {"stop_reason", "stop_sequence", "stop_details", "container"}
SDK_USAGE_FIELDS = {
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
    "server_tool_use",
    "output_tokens_details",
}

Outcome = tuple[str, Any]  # ("message", the message as JSON) or ("error", "type: message")


def stream_recordings() -> list[Path]:
    return sorted(RECORDINGS_DIR.rglob("*.toml"))


def sdk_outcome(url: str) -> Outcome:
    client = anthropic.Anthropic(base_url=url, api_key=PLACEHOLDER_KEY, max_retries=0)
    try:
        with client.messages.stream(model=MODEL, max_tokens=1024, messages=MESSAGES) as stream:
            message = stream.get_final_message()
    except anthropic.APIStatusError as failure:  # an `error` event in the stream
        error = failure.body["error"]  # type: ignore[index]
        return "error", f"{error['type']}: {error['message']}"
    # by_alias: field names as on the wire (the SDK renames some, e.g. `from`).
    # warnings=False: blocks of types the SDK does not know (compaction, fallback, ...) are kept
    # as another block type plus extra fields, which pydantic warns about when it writes them.
    dump = message.model_dump(mode="json", by_alias=True, exclude_none=True, warnings=False)
    return "message", dump


def hand_built_outcome(url: str) -> Outcome:
    with httpx.stream("POST", f"{url}/v1/messages", headers=RAW_HEADERS, json=BODY) as response:
        assert response.status_code == 200
        events = ((sse.event, sse.data) for sse in EventSource(response).iter_sse())
        try:
            return "message", SNIPPET.accumulate(events)
        except SNIPPET.StreamError as error:
            return "error", str(error)


def without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_none(v) for v in value]
    return value


def comparable(outcome: Outcome, recording: Recording) -> Outcome:
    """An outcome with the differences that are not the accumulator's removed, each explained."""
    kind, message = outcome
    if kind != "message":
        return outcome
    # 1. A null field and an absent one are the same to the SDK's models, which default
    # optional fields to None; `exclude_none` drops those, but not nulls inside the fields it
    # keeps unparsed (blocks of types it does not know), so nulls go on both sides, everywhere.
    message = without_none(message)
    data = [e.data for e in recording.response.events if isinstance(e.data, dict)]
    deltas = [d for d in data if d["type"] == "message_delta"]
    # 2. Fields of a message_delta that the SDK does not copy (see SDK_DELTA_FIELDS).
    for field in {k for d in deltas for k in d.get("delta", {})} - SDK_DELTA_FIELDS:
        message.pop(field, None)
    for field in {k for d in deltas for k in d.get("usage", {})} - SDK_USAGE_FIELDS:
        message.get("usage", {}).pop(field, None)
    # 3. A tool block that never got its content_block_stop (a cut stream): the SDK shows a
    # best-effort parse of the partial JSON, the accumulator parses only complete input.
    stopped = {d["index"] for d in data if d["type"] == "content_block_stop"}
    for index, block in enumerate(message.get("content", [])):
        if index not in stopped:
            block.pop("input", None)
    # 4. The SDK parses `container.expires_at` into a datetime, which it writes back in
    # another (equal) form: compare the instants.
    container = message.get("container")
    if isinstance(container, dict) and "expires_at" in container:
        stamp = container["expires_at"].replace("Z", "+00:00")
        container["expires_at"] = dt.datetime.fromisoformat(stamp)
    return kind, message


def assert_same_message(recording: Recording) -> None:
    replayed = dataclasses.replace(recording, request=REQUEST)
    with ReplayServer([replayed], speed=0) as server:
        sdk = sdk_outcome(server.url)
        hand_built = hand_built_outcome(server.url)
    assert not server.mismatches
    assert comparable(hand_built, recording) == comparable(sdk, recording)


@pytest.mark.parametrize("path", stream_recordings(), ids=relative)
def test_the_hand_built_message_is_the_sdks_final_message(path: Path) -> None:
    recording = load_recording(path)
    if recording.response.body is not None:
        pytest.skip("not an event stream")
    assert_same_message(recording)


@pytest.mark.parametrize("path", real_streams(), ids=lambda p: p.name)
def test_the_hand_built_message_is_the_sdks_on_real_api_streams(path: Path) -> None:
    constructed = Provenance(source="constructed", basis="a real API stream, body only")
    assert_same_message(recording_from_sse(path.read_bytes(), REQUEST, constructed, path))


def test_the_comparison_covers_the_page_recordings() -> None:
    # Guards the parametrized test against silently collecting nothing of its own.
    covered = {relative(p) for p in stream_recordings()}
    assert {
        "recordings/raw_http/accumulate.toml",
        "recordings/first_stream/error_event.toml",
        "recordings/usage/final_details.toml",  # thinking, server tool, citations
    } <= covered


def feed(*events: tuple[str, Any]) -> dict[str, Any]:
    """accumulate() over (event name, JSON-able data) pairs."""
    result: dict[str, Any] = SNIPPET.accumulate((name, json.dumps(d)) for name, d in events)
    return result


START = (
    "message_start",
    {
        "type": "message_start",
        "message": {
            "id": "msg_01",
            "type": "message",
            "role": "assistant",
            "model": MODEL,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 10, "cache_read_input_tokens": 0, "output_tokens": 1},
        },
    },
)


def test_usage_on_message_delta_replaces_and_absent_fields_stand() -> None:
    # raw-http.md and usage.md: message_delta counts are cumulative; they replace, never add,
    # and a count the message_delta leaves out keeps its message_start value.
    delta = {"stop_reason": "end_turn", "stop_sequence": None}
    message = feed(
        START,
        ("message_delta", {"type": "message_delta", "delta": delta, "usage": {"output_tokens": 9}}),
        ("message_stop", {"type": "message_stop"}),
    )
    assert message["usage"] == {
        "input_tokens": 10,
        "cache_read_input_tokens": 0,
        "output_tokens": 9,
    }
    assert message["stop_reason"] == "end_turn"


def test_ping_and_unknown_event_types_are_skipped_and_empty_tool_input_is_an_object() -> None:
    # raw-http.md: "" as the whole tool input means no arguments; unknown events are skipped.
    tool = {"type": "tool_use", "id": "toolu_01", "name": "now", "input": {}}
    empty = {"type": "input_json_delta", "partial_json": ""}
    message = feed(
        START,
        ("ping", {"type": "ping"}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": tool}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": empty}),
        ("future_event", {"type": "future_event", "index": 0}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
    )
    assert message["content"] == [tool]


def test_the_sdk_keeps_only_some_usage_fields_of_message_delta() -> None:
    # raw-http.md: SDK 2.12.0 copies only SDK_USAGE_FIELDS from message_delta's usage; a field
    # such as `iterations`, which real streams carry there, never reaches get_final_message().
    body = (
        'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_01",'
        '"type":"message","role":"assistant","model":"claude-sonnet-5-5","content":[],'
        '"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}\n\n'
        'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn",'
        '"stop_sequence":null},"usage":{"input_tokens":5,"output_tokens":3,'
        '"iterations":[{"type":"message","input_tokens":5,"output_tokens":3}]}}\n\n'
        'event: message_stop\ndata: {"type":"message_stop"}\n\n'
    )
    recording = recording_from_sse(
        body.encode(), REQUEST, Provenance("constructed", basis="tests"), ROOT / "t.sse"
    )
    with ReplayServer([recording], speed=0) as server:
        (_, sdk), (_, hand_built) = sdk_outcome(server.url), hand_built_outcome(server.url)
    assert "iterations" not in sdk["usage"]
    assert hand_built["usage"]["iterations"] == [
        {"type": "message", "input_tokens": 5, "output_tokens": 3}
    ]
    assert sdk["usage"]["output_tokens"] == hand_built["usage"]["output_tokens"] == 3
