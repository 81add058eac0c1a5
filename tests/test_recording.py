"""The recording format: what loads, what is refused (with file and line), what round-trips."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import os
import time
from pathlib import Path
from urllib.parse import quote

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
from stream_replay._recording import find_secret
from stream_replay._secrets import SecretFinder

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


# --------------------------------------------------------------------------- hostile input


def many_events(count: int, broken_at: int | None = None) -> str:
    """The sample recording with `count` text deltas; the `broken_at`th has invalid JSON."""
    text = SAMPLE.read_text()
    head = text[: text.index("[[events]]")]
    tables = []
    for number in range(count):
        data = '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"w"}}'
        if number == broken_at:
            data = data[:-1]
        tables.append(
            f"[[events]]\nat = {1 + number / 1000:.3f}\nsse = '''\n"
            f"event: content_block_delta\ndata: {data}\n\n'''\n\n"
        )
    return head + "".join(tables)


def fastest_load(text: str) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        parse_recording(text, NAME)
        times.append(time.perf_counter() - start)
    return min(times)


def test_loading_is_linear_in_the_number_of_events() -> None:
    # Eight times the events: about eight times the work (a quadratic loader: sixty-four).
    small, large = fastest_load(many_events(1_000)), fastest_load(many_events(8_000))
    assert large / small < 24, f"1,000 events: {small:.3f} s; 8,000 events: {large:.3f} s"


def test_an_error_deep_in_a_large_recording_names_its_exact_line() -> None:
    broken = many_events(5_000, broken_at=4_321)
    error = refusal(broken)
    data_lines = [n for n, line in enumerate(broken.split("\n"), 1) if line.startswith("data:")]
    assert error.line == data_lines[4_321]
    assert "data is not valid JSON" in error.reason


BOM = "\ufeff"
PING = 'event: ping\ndata: {"type": "ping"}\n\n'
STOP = 'event: message_stop\ndata: {"type":"message_stop"}\n\n'


def test_a_leading_byte_order_mark_is_allowed_as_the_sse_standard_strips_it(
    tmp_path: Path,
) -> None:
    body = (BOM + PING + STOP).encode()
    sse = tmp_path / "bom.sse"
    sse.write_bytes(body)
    events = load_sse_body(sse)
    assert [event.name for event in events] == ["ping", "message_stop"]
    assert b"".join(event.raw for event in events) == body  # kept, byte for byte
    recording = tmp_path / "bom.toml"
    recording.write_text(BOM + SAMPLE.read_text(), encoding="utf-8")
    assert load_recording(recording).request == load_recording(SAMPLE).request


def test_a_byte_order_mark_after_the_start_is_still_refused(tmp_path: Path) -> None:
    sse = tmp_path / "late-bom.sse"
    sse.write_bytes((PING + BOM + STOP).encode())
    with pytest.raises(RecordingError, match=r"late-bom\.sse:4: unknown SSE field"):
        load_sse_body(sse)


@pytest.mark.parametrize("ending", ["\n\r\n", "\r\r\n", "\r\n\n", "\n\r", "\r\n\r"])
def test_an_event_ending_in_mixed_line_breaks_is_accepted(ending: str, tmp_path: Path) -> None:
    first = 'event: ping\ndata: {"type": "ping"}' + ending
    body = (first + STOP).encode()
    sse = tmp_path / "mixed.sse"
    sse.write_bytes(body)
    events = load_sse_body(sse)
    assert [event.raw for event in events] == [first.encode(), STOP.encode()]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_line_numbers_count_only_line_feeds(separator: str) -> None:
    text = SAMPLE.read_text().replace(
        "Say hello in French", f"Say{separator}hello{separator}in French"
    )
    broken = text.replace('"text":"Bonjour"}}', '"text":"Bonjour"}', 1)
    assert str(refusal(broken)).startswith(f"{NAME}:59: data is not valid JSON")


@pytest.mark.parametrize("value", ["nan", "inf", "+inf", "-0.5"])
def test_an_offset_must_be_a_finite_number(value: str) -> None:
    broken = SAMPLE.read_text().replace("at = 0.671", f"at = {value}")
    error = refusal(broken)
    assert "at must be a finite number of seconds" in error.reason
    assert error.line == line_of(broken, f"at = {value}")


DEEP = 100_000


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (
            '{"type":"message_stop"}',
            '{"type":"message_stop","x":' + "[" * DEEP + "]" * DEEP + "}",
            "data is JSON nested too deeply",
        ),
        (
            '"stream": true',
            '"stream": ' + "[" * DEEP + "]" * DEEP,
            "body is JSON nested too deeply",
        ),
        (
            'source = "constructed"',
            'source = "constructed"\nx = ' + "[" * DEEP + "]" * DEEP,
            "nested too deeply",
        ),
    ],
    ids=["event-data", "request-body", "toml"],
)
def test_deeply_nested_input_is_refused_not_a_crash(old: str, new: str, reason: str) -> None:
    broken = SAMPLE.read_text().replace(old, new, 1)
    assert reason in refusal(broken).reason


FAKE_KEY = "sk-ant-api03-" + "Zq7" * 12
DELTA = (
    "[[events]]\nat = 0.4\nsse = '''\nevent: content_block_delta\n"
    'data: {{"type":"content_block_delta","index":0,'
    '"delta":{{"type":"text_delta","text":"{}"}}}}\n\n'
    "'''\n\n"
)


def with_deltas(*texts: str) -> str:
    text = SAMPLE.read_text()
    return text[: text.index("[[events]]")] + "".join(DELTA.format(piece) for piece in texts)


@pytest.mark.parametrize(
    "pieces",
    [
        ("Your key: " + FAKE_KEY[:10], FAKE_KEY[10:] + "."),
        ("a", "b", "The key is " + FAKE_KEY),
        ("encoded: " + base64.b64encode(FAKE_KEY.encode()).decode(),),
        ("encoded: x" + base64.urlsafe_b64encode(b"!" + FAKE_KEY.encode()).decode(),),
        ("quoted: " + "".join(f"%{b:02X}" for b in FAKE_KEY.encode()),),
        ("quoted: " + quote("sk-ant-api03-", safe="") + FAKE_KEY[13:],),
        ("hex: " + FAKE_KEY.encode().hex(),),
        ("escaped: \\u0073k-ant-api03-" + FAKE_KEY[13:],),
    ],
    ids=[
        "split-in-two",
        "whole",
        "base64",
        "urlsafe-base64-shifted",
        "percent-encoded",
        "half-percent-encoded",
        "hex",
        "json-escaped",
    ],
)
def test_a_key_in_pieces_or_in_an_encoding_is_refused(pieces: tuple[str, ...]) -> None:
    text = with_deltas(*pieces)
    error = refusal(text)
    assert "looks like" in error.reason
    assert "API key" in error.reason
    assert error.line is not None
    assert line_of(text, "[[events]]") <= error.line <= text.count("\n")


def test_text_about_keys_is_not_a_key() -> None:
    text = with_deltas("Keys start with sk-ant-", " and are secret; base64 is c2st.")
    assert len(parse_recording(text, NAME).response.events) == 2


def test_a_recorded_cut_reads_back() -> None:
    text = SAMPLE.read_text().replace("[response]\n", "[response]\ncut = true\n")
    recording = parse_recording(text, NAME)
    assert recording.response.cut
    assert parse_recording(dump_recording(recording), NAME) == recording
    assert "cut = true" in dump_recording(recording)
    assert not load_recording(SAMPLE).response.cut


def test_a_key_percent_encoded_twice_is_refused_and_deep_encoding_is_no_traceback() -> None:
    twice = quote(quote(FAKE_KEY, safe=""), safe="")
    assert "API key" in refusal(with_deltas("quoted twice: " + twice)).reason
    # Thousands of layers of "%25" once made the search recurse until Python gave up.
    deep = SAMPLE.read_text().replace("[request]", "# %" + "25" * 5000 + "\n[request]", 1)
    assert parse_recording(deep, NAME).response.events


def test_the_line_of_bad_json_right_after_the_opening_quotes() -> None:
    # The error names the line of the bad data, not the line after it.
    text = SAMPLE.read_text()
    start = text.index("[[events]]")
    bad = "[[events]]\nat = 0.5\nsse = '''event: ping\ndata: {not json\n\n'''\n\n"
    broken = text[:start] + bad
    error = refusal(broken)
    assert error.line == line_of(broken, "data: {not json")


def test_an_empty_sse_body_is_refused_as_a_recording_made_from_it_would_be(
    tmp_path: Path,
) -> None:
    # `check` passed an empty .sse body, but the recording made from it could not be loaded.
    for body in (b"", BOM.encode()):
        empty = tmp_path / "empty.sse"
        empty.write_bytes(body)
        with pytest.raises(RecordingError, match="holds no events") as refused:
            load_sse_body(empty)
        assert refused.value.path == empty


def test_line_numbers_stay_right_after_an_event_that_holds_three_quotes() -> None:
    # An event holding ''' is written as a one-line basic string; the line finder took that
    # ''' for the start of a multi-line string and lost every line after it.
    recording = load_recording(SAMPLE)
    events = list(recording.response.events)
    quoted = 'event: ping\ndata: {"type":"ping","note":"\'\'\' here"}\n\n'
    events[1] = dataclasses.replace(events[1], raw=quoted.encode())
    response = dataclasses.replace(recording.response, events=tuple(events))
    text = dump_recording(dataclasses.replace(recording, response=response))
    assert text.splitlines()[line_of(text, "''' here") - 1].startswith('sse = "event: ping')
    last_at = text.rindex("at = ")
    broken = text[:last_at] + "at = 0.0" + text[text.index("\n", last_at) :]
    error = refusal(broken)
    assert "earlier than the one before it" in error.reason
    assert error.line == broken[:last_at].count("\n") + 1


@pytest.mark.parametrize("value", ["86400.001", "1e15", "1e308"])
def test_an_offset_beyond_a_day_is_refused(value: str) -> None:
    # timeline --svg ran for ever on at = 1e15, which check accepted.
    text = SAMPLE.read_text()
    broken = text[: text.rindex("at = ")] + f"at = {value}\n" + text[text.rindex("sse = ") :]
    error = refusal(broken)
    assert "at most 86400" in error.reason
    assert error.line == line_of(broken, f"at = {value}")


def with_blocks(*blocks: str, kind: str = "text_delta", field: str = "text") -> str:
    """The sample with one delta per block, block i carrying `blocks[i]`."""
    text = SAMPLE.read_text()
    delta = (
        "[[events]]\nat = 0.4\nsse = '''\nevent: content_block_delta\n"
        'data: {{"type":"content_block_delta","index":{},'
        '"delta":{{"type":"{}","{}":{}}}}}\n\n'
        "'''\n\n"
    )
    events = "".join(
        delta.format(index, kind, field, json.dumps(piece)) for index, piece in enumerate(blocks)
    )
    return text[: text.index("[[events]]")] + events


def test_a_key_split_across_two_content_blocks_is_refused() -> None:
    text = with_blocks("Here it is: sk-ant-", FAKE_KEY.removeprefix("sk-ant-"))
    assert "API key (split across deltas)" in refusal(text).reason


def test_a_key_json_escaped_inside_a_tools_partial_json_is_refused() -> None:
    # input_json_delta carries JSON text: a key may be escaped in it (\u002d for "-"), and
    # the pieces are JSON only once joined.
    escaped = json.dumps({"token": FAKE_KEY}).replace("-", "\\u002d")
    assert "sk-ant" not in escaped
    pieces = (escaped[:9], escaped[9:24], escaped[24:])
    text = with_blocks(*pieces, kind="input_json_delta", field="partial_json")
    text = text.replace('"index":1', '"index":0').replace('"index":2', '"index":0')
    assert "API key" in refusal(text).reason


def test_a_key_split_across_two_text_blocks_of_the_request_is_refused() -> None:
    recording = load_recording(SAMPLE)
    content = [
        {"type": "text", "text": "My key is sk-ant-"},
        {"type": "text", "text": FAKE_KEY.removeprefix("sk-ant-")},
    ]
    body = {**recording.request.body, "messages": [{"role": "user", "content": content}]}
    request = dataclasses.replace(recording.request, body=body)
    text = dump_recording(dataclasses.replace(recording, request=request))
    assert "API key" in refusal(text).reason
    # A known key (the one the recorder forwarded) is found split anywhere.
    known = "gw-" + "k3y" * 8
    content = [{"type": "text", "text": "a " + known[:5]}, {"type": "text", "text": known[5:]}]
    body = {**recording.request.body, "messages": [{"role": "user", "content": content}]}
    split = dataclasses.replace(recording, request=dataclasses.replace(request, body=body))
    assert find_secret(split, SecretFinder([known])) is not None
    assert find_secret(split, SecretFinder()) is None
