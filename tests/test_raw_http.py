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
import importlib.metadata
import importlib.util
import json
import re
import runpy
from pathlib import Path
from types import ModuleType
from typing import Any

import anthropic
import httpx
import pytest
from httpx_sse import EventSource

from stream_replay import (
    CutAfter,
    Provenance,
    RecordedRequest,
    Recording,
    ReplayServer,
    build_recording,
    load_recording,
    load_recordings_for,
    recording_from_sse,
    text_events,
)

from .project import (
    PLACEHOLDER_KEY,
    RECORDINGS_DIR,
    ROOT,
    SNIPPETS,
    SNIPPETS_DIR,
    relative,
    run_shell_snippet,
)
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
# The API version the installed SDK sends; the raw-HTTP snippets must send the same.
API_VERSION = anthropic._constants.ANTHROPIC_API_VERSION
RAW_HEADERS = {
    "x-api-key": PLACEHOLDER_KEY,
    "anthropic-version": API_VERSION,
    "content-type": "application/json",
}
PAGE = " ".join((ROOT / "docs" / "raw-http.md").read_text().split())  # one line, one space

# What the SDK (2.17.0, `accumulate_event` in lib/streaming/_messages.py) copies from a
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


NOT_JSON = "a tool's input is not JSON"


def tool_inputs_parse(recording: Recording) -> bool:
    """Whether every tool input the stream completes is JSON (fine-grained tool streaming can
    send one that is not)."""
    pieces: dict[int, str] = {}
    for event in recording.response.events:
        data = event.data if isinstance(event.data, dict) else {}
        delta = data.get("delta")
        if isinstance(delta, dict) and delta.get("type") == "input_json_delta":
            pieces[data["index"]] = pieces.get(data["index"], "") + delta["partial_json"]
        elif data.get("type") == "content_block_stop" and data.get("index") in pieces:
            try:
                json.loads(pieces.pop(data["index"]) or "{}")
            except json.JSONDecodeError:
                return False
    return True


def sdk_outcome(url: str) -> Outcome:
    client = anthropic.Anthropic(base_url=url, api_key=PLACEHOLDER_KEY, max_retries=0)
    try:
        with client.messages.stream(model=MODEL, max_tokens=1024, messages=MESSAGES) as stream:
            message = stream.get_final_message()
    except anthropic.APIStatusError as failure:  # an `error` event in the stream
        error = failure.body["error"]  # type: ignore[index]
        return "error", f"{error['type']}: {error['message']}"
    except ValueError as failure:  # SDK 2.17.0: "Unable to parse tool parameter JSON ..."
        if not str(failure).startswith("Unable to parse tool parameter JSON"):
            raise
        return "error", NOT_JSON
    # by_alias: field names as on the wire (the SDK renames some, e.g. `from`).
    # warnings=False: blocks of types the SDK does not know (compaction, fallback, ...) are kept
    # as another block type plus extra fields, which pydantic warns about when it writes them.
    dump = message.model_dump(mode="json", by_alias=True, exclude_none=True, warnings=False)
    return "message", dump


def hand_built_outcome(url: str) -> Outcome:
    with httpx.stream("POST", f"{url}/v1/messages", headers=RAW_HEADERS, json=BODY) as response:
        assert response.status_code == 200
        events = SNIPPET.sse_events(response.iter_lines())
        try:
            return "message", SNIPPET.accumulate(events)
        except SNIPPET.IncompleteStream as incomplete:
            # What arrived, as the SDK's get_final_message() returns it (raw-http.md).
            return "message", incomplete.partial
        except SNIPPET.StreamError as error:
            return "error", str(error)
        except json.JSONDecodeError:  # a tool's input, complete, is not JSON
            return "error", NOT_JSON


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


BOM = "\ufeff".encode()


def without_bom(recording: Recording) -> Recording:
    """The recording with the byte-order mark its body may start with taken out."""
    events = recording.response.events
    if not events or not events[0].raw.startswith(BOM):
        return recording
    first = dataclasses.replace(events[0], raw=events[0].raw.removeprefix(BOM))
    response = dataclasses.replace(recording.response, events=(first, *events[1:]))
    return dataclasses.replace(recording, response=response)


def assert_same_message(recording: Recording) -> None:
    # SDK 2.17.0 crashes on a leading byte-order mark (test_the_sdk_crashes_on_a_leading_bom):
    # it reads the stream without one, the hand-built side with it.
    replayed = dataclasses.replace(recording, request=REQUEST)
    with ReplayServer([without_bom(replayed), replayed], speed=0) as server:
        sdk = sdk_outcome(server.url)
        hand_built = hand_built_outcome(server.url)
    assert not server.mismatches
    if hand_built == ("error", NOT_JSON):
        # accumulate() refuses a tool input that is not JSON at its content_block_stop, as
        # json.loads does; SDK 2.17.0 raises ValueError inside the loop, or keeps what its
        # partial parse made of it. Only the refusal is the accumulator's to check.
        assert not tool_inputs_parse(recording)
        return
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
        STOP,
    )
    assert message["content"] == [tool]


STOP = ("message_stop", {"type": "message_stop"})
ACCUMULATE_RECORDING = load_recordings_for(SNIPPETS_DIR / "raw_http" / "accumulate.py", ROOT)[0]
BOM_RECORDINGS = load_recordings_for(SNIPPETS_DIR / "raw_http" / "byte_order_mark.py", ROOT)


def accumulate_from(url: str) -> dict[str, Any]:
    """What accumulate.py's program does with the response, as it does it."""
    with httpx.stream("POST", f"{url}/v1/messages", headers=RAW_HEADERS, json=BODY) as response:
        lines = SNIPPET.sse_lines(response.iter_text())
        result: dict[str, Any] = SNIPPET.accumulate(SNIPPET.sse_events(lines))
        return result


def replayed(recording: Recording, **changes: Any) -> Recording:
    response = dataclasses.replace(recording.response, **changes)
    return dataclasses.replace(recording, request=REQUEST, response=response)


def test_a_stream_is_complete_only_with_message_stop() -> None:
    # raw-http.md: a body that ends cleanly after any event before message_stop raises
    # IncompleteStream, which keeps what arrived; only the whole stream is a message.
    events = ACCUMULATE_RECORDING.response.events
    shortened = [replayed(ACCUMULATE_RECORDING, events=events[:n]) for n in range(len(events))]
    with ReplayServer([*shortened, replayed(ACCUMULATE_RECORDING)], speed=0) as server:
        for count in range(len(events)):
            with pytest.raises(SNIPPET.IncompleteStream) as raised:
                accumulate_from(server.url)
            assert str(raised.value) == "the stream ended before message_stop"
            assert (raised.value.partial == {}) == (count == 0)
        assert accumulate_from(server.url)["stop_reason"] == "tool_use"
    assert not server.mismatches


@pytest.mark.parametrize("count", [0, 1, 5, 9])
def test_a_connection_dropped_mid_stream_raises_from_httpx(count: int) -> None:
    # raw-http.md: a dropped connection raises httpx.RemoteProtocolError out of the loop,
    # before accumulate() could mistake the events so far for a whole stream.
    cut = [CutAfter(count)]
    with (
        ReplayServer([replayed(ACCUMULATE_RECORDING)], speed=0, faults=cut) as up,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        accumulate_from(up.url)


def test_an_event_before_message_start_raises() -> None:
    block = {"type": "text", "text": ""}
    start = {"type": "content_block_start", "index": 0, "content_block": block}
    with pytest.raises(SNIPPET.StreamError, match=r"^content_block_start before message_start$"):
        feed(("content_block_start", start), START, STOP)
    # An error event is reported as such, even first.
    error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    with pytest.raises(SNIPPET.StreamError, match=r"^overloaded_error: Overloaded$"):
        feed(("error", error))


def test_an_unknown_event_is_skipped_by_name_whatever_its_data() -> None:
    # raw-http.md: by name first, not json.loads first: data that is no JSON, under a name
    # accumulate() does not know, is skipped; ping is never parsed either.
    pairs = [(name, json.dumps(data)) for name, data in (START,)]
    pairs += [
        ("future_event", "<not json>"),
        ("ping", ""),
        ("message_stop", '{"type":"message_stop"}'),
    ]
    assert SNIPPET.accumulate(pairs)["id"] == "msg_01"


def test_what_the_api_never_sends_is_a_stream_error_not_a_key_error() -> None:
    # accumulate.py: StreamError for "an `error` event, or events the API does not send in
    # that order". An error without its message still names its type, for retry code.
    with pytest.raises(SNIPPET.StreamError, match=r"^overloaded_error: None$"):
        feed(("error", {"type": "error", "error": {"type": "overloaded_error"}}))
    with pytest.raises(SNIPPET.StreamError, match=r"^None: None$"):
        feed(("error", {"type": "error"}))
    # A name that is not its data's type: a proxy mixed events up.
    with pytest.raises(SNIPPET.StreamError, match=r"^event message_start carries data of type m"):
        feed(("message_start", {"type": "message_stop"}))
    with pytest.raises(SNIPPET.StreamError, match=r"^event message_stop carries data of type None"):
        feed(START, ("message_stop", {}))
    # A delta for a block that never started.
    delta = {"type": "text_delta", "text": "Hi"}
    with pytest.raises(SNIPPET.StreamError, match=r"^a delta for block 3, never started$"):
        feed(
            START,
            ("content_block_delta", {"type": "content_block_delta", "index": 3, "delta": delta}),
        )


@pytest.mark.parametrize(
    "character", ["\u2028", "\u2029", "\u0085"], ids=["U+2028", "U+2029", "U+0085"]
)
def test_a_line_break_of_unicode_inside_a_json_string_is_only_text(character: str) -> None:
    # raw-http.md: SSE lines end at CR, LF and CRLF only. These three may come raw inside a
    # JSON string; sse_lines() keeps them, httpx's iter_lines() splits the data line there
    # (str.splitlines), and the SDK, which splits bytes, keeps them too.
    text = f"one{character}two"
    recording = replayed(build_recording(text_events(text)))
    assert character.encode() in recording.sse_body  # raw, not escaped as \u2028
    with ReplayServer([recording] * 3, speed=0) as server:
        assert accumulate_from(server.url)["content"][0]["text"] == text
        with (
            httpx.stream("POST", f"{server.url}/v1/messages", headers=RAW_HEADERS, json=BODY) as r,
            pytest.raises(json.JSONDecodeError),
        ):
            SNIPPET.accumulate(SNIPPET.sse_events(r.iter_lines()))
        client = anthropic.Anthropic(base_url=server.url, api_key=PLACEHOLDER_KEY, max_retries=0)
        with client.messages.stream(model=MODEL, max_tokens=1024, messages=MESSAGES) as stream:
            assert stream.get_final_text() == text


def test_sse_lines_end_at_cr_lf_and_crlf_wherever_the_chunks_split() -> None:
    body = "a\r\nb\rc\r\r\nd\u2028e\n\nf\r"
    expected = ["a", "b", "c", "", "d\u2028e", "", "f"]
    assert list(SNIPPET.sse_lines([body])) == expected
    for cut in range(len(body) + 1):  # a CRLF split between two chunks is one line end
        assert list(SNIPPET.sse_lines([body[:cut], body[cut:]])) == expected, cut
    assert list(SNIPPET.sse_lines(iter(body))) == expected  # one character at a time


def test_sse_events_parses_as_the_standard_says() -> None:
    lines = [
        "\ufeffevent: a",
        "data: 1",
        "data: 2",
        "",
        ": a comment",
        "",
        "data:x",
        "",
        "event: b",
    ]
    assert list(SNIPPET.sse_events(lines)) == [("a", "1\n2"), ("message", "x")]
    # Only one byte-order mark, and only at the very start, is dropped.
    assert list(
        SNIPPET.sse_events(["event: a", "data: 1", "", "\ufeffevent: b", "data: 2", ""])
    ) == [
        ("a", "1"),
        ("message", "2"),
    ]


def test_a_leading_bom_is_stripped_by_sse_events_and_not_by_httpx_sse() -> None:
    # raw-http.md and byte_order_mark.py: the SSE standard ignores one leading U+FEFF;
    # httpx-sse 0.4.3 keeps it, so the first event loses its name, and accumulate() refuses
    # the stream, clearly; sse_events() strips it, and the stream adds up.
    [recording, _] = BOM_RECORDINGS
    assert recording.response.events[0].raw.startswith(BOM)
    with ReplayServer([replayed(recording)] * 2, speed=0) as server:
        message = accumulate_from(server.url)
        with httpx.stream(
            "POST", f"{server.url}/v1/messages", headers=RAW_HEADERS, json=BODY
        ) as response:
            pairs = ((sse.event, sse.data) for sse in EventSource(response).iter_sse())
            with pytest.raises(SNIPPET.StreamError, match="before message_start"):
                SNIPPET.accumulate(pairs)
    assert message["stop_reason"] == "end_turn"
    assert message["content"][0]["text"].startswith("A byte-order mark is")


def test_the_sdk_crashes_on_a_leading_bom() -> None:
    # raw-http.md: SDK 2.17.0's get_final_message() fails with a bare AssertionError on a body
    # that starts with a byte-order mark, and reads the same body without one.
    [recording, _] = BOM_RECORDINGS
    with ReplayServer([replayed(recording), without_bom(replayed(recording))], speed=0) as up:
        client = anthropic.Anthropic(base_url=up.url, api_key=PLACEHOLDER_KEY, max_retries=0)
        with (
            pytest.raises(AssertionError),
            client.messages.stream(model=MODEL, max_tokens=1024, messages=MESSAGES) as stream,
        ):
            stream.get_final_message()
        with client.messages.stream(model=MODEL, max_tokens=1024, messages=MESSAGES) as stream:
            assert stream.get_final_message().stop_reason == "end_turn"
    assert anthropic.__version__ == "2.17.0"


def test_the_sdk_drops_the_first_event_of_a_body_with_a_leading_bom() -> None:
    # raw-http.md: the SDK's parser gives the first event no name (httpx-sse: `message`), and
    # the SDK drops every event without a name: the loop starts at content_block_start.
    [recording, _] = BOM_RECORDINGS
    with ReplayServer([replayed(recording)] * 2, speed=0) as up:
        client = anthropic.Anthropic(base_url=up.url, api_key=PLACEHOLDER_KEY, max_retries=0)
        with client.messages.create(
            model=MODEL, max_tokens=1024, messages=MESSAGES, stream=True
        ) as events:
            first = next(anthropic.Stream.raw_events(events.response))
        # Without a message, the SDK's own events built from it (`text`) are not made.
        with client.messages.stream(model=MODEL, max_tokens=1024, messages=MESSAGES) as stream:
            types = {event.type for event in stream}
    assert "content_block_delta" in types
    assert "text" not in types
    assert first.event is None
    assert first.data.startswith('{"type":"message_start"')
    assert recording.response.events[1].name == "content_block_start"
    shown = (SNIPPETS_DIR / "raw_http" / "byte_order_mark.output.txt").read_text()
    assert "SDK, first event: 'content_block_start'" in shown


def test_the_sdk_keeps_only_some_usage_fields_of_message_delta() -> None:
    # raw-http.md: SDK 2.17.0 copies only SDK_USAGE_FIELDS from message_delta's usage; a field
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


# Snippets that write the anthropic-version header themselves (raw HTTP, curl).
HAND_SET_VERSION = [p for p in SNIPPETS if "anthropic-version" in p.read_text()]


def test_the_hand_set_version_snippets_are_found() -> None:
    assert {
        "snippets/raw_http/stream_text.py",
        "snippets/raw_http/accumulate.py",
        "snippets/wire_format/curl_stream.sh",
    } <= {relative(p) for p in HAND_SET_VERSION}


@pytest.mark.parametrize("snippet", HAND_SET_VERSION, ids=relative)
def test_a_snippet_sends_the_api_version_of_the_installed_sdk(
    snippet: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # raw-http.md: the snippets that set anthropic-version by hand send the SDK's version, so
    # an SDK that moves to a newer version fails here until the snippets and pages follow.
    # The recordings are served requiring that version, whatever they recorded.
    recordings = [
        dataclasses.replace(
            r,
            request=dataclasses.replace(
                r.request, headers={**r.request.headers, "anthropic-version": API_VERSION}
            ),
        )
        for r in load_recordings_for(snippet, ROOT)
    ]
    with ReplayServer(recordings, speed=0) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", PLACEHOLDER_KEY)
        if snippet.suffix == ".sh":
            run_shell_snippet(snippet)
        else:
            runpy.run_path(str(snippet), run_name="__main__")
    capsys.readouterr()
    assert [m.message() for m in server.mismatches] == []
    assert len(server.served) == len(recordings)


def test_the_page_teaches_the_version_the_sdk_sends() -> None:
    assert f"`anthropic-version: {API_VERSION}`" in PAGE  # the short answer
    assert f"Send `anthropic-version: {API_VERSION}`." in PAGE  # the section on versions


def test_the_timeouts_on_the_page_and_in_the_snippets_are_the_libraries() -> None:
    # raw-http.md: httpx's default is 5 seconds for every step; the snippets use the SDK's
    # defaults, 600 s to read and 5 s to connect.
    default = httpx.Client().timeout
    assert default.read == default.connect == default.write == default.pool
    assert f"httpx's default is {default.read:g} seconds for every step" in PAGE
    sdk = anthropic._constants.DEFAULT_TIMEOUT
    assert f"the SDK's defaults: {sdk.read:g} s, and {sdk.connect:g} s to connect" in PAGE
    for name in ("stream_text.py", "accumulate.py"):
        code = (SNIPPETS_DIR / "raw_http" / name).read_text()
        assert f"timeout=httpx.Timeout({sdk.read:g}, connect={sdk.connect:g})" in code


def test_the_library_versions_the_page_names_are_installed() -> None:
    for package in ("httpx", "httpx-sse"):
        assert f"{package} {importlib.metadata.version(package)}" in PAGE
    # The SDK the tests run, and 2.0.0, the first to send 2026-10-21 (the migration guide).
    assert set(re.findall(r"SDK (\d+\.\d+\.\d+)", PAGE)) == {anthropic.__version__, "2.0.0"}
