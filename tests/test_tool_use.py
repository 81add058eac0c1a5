"""What tool-use.md says about streamed tool input, checked against the SDK and real streams."""

from __future__ import annotations

import itertools
import json
import re
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import anthropic
import jiter
import pytest
from anthropic.lib.streaming import ParsedMessageStreamEvent
from anthropic.types import RawMessageStreamEvent

from stream_replay import Provenance, RecordedRequest, Recording, ReplayServer, load_recording
from stream_replay._recording import recording_from_sse

from .project import (
    DOCS_DIR,
    PLACEHOLDER_KEY,
    RECORDINGS_DIR,
    SHARED_STREAMS,
    SNIPPETS_DIR,
    output_file,
)

PAGE = (DOCS_DIR / "tool-use.md").read_text()
PROSE = " ".join(PAGE.split())  # lines joined, as a reader reads a sentence
TOOLS = SNIPPETS_DIR / "tools"


def section(snippet: Path, name: str) -> str:
    text = snippet.read_text()
    start = text.index(f"# --8<-- [start:{name}]")
    return text[start : text.index(f"# --8<-- [end:{name}]")]


def tool_inputs_class() -> typing.Any:
    """The page's hand accumulator, run from the snippet's own text."""
    namespace: dict[str, typing.Any] = {
        "json": json,
        "RawMessageStreamEvent": RawMessageStreamEvent,
        "ParsedMessageStreamEvent": ParsedMessageStreamEvent,
    }
    exec(section(TOOLS / "tool_input.py", "accumulator"), namespace)
    return namespace["ToolInputs"]


@contextmanager
def client_for(*recordings: Recording) -> Iterator[anthropic.Anthropic]:
    with ReplayServer(list(recordings), speed=0) as server:
        yield anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url)
    assert not server.mismatches


def by_hand_and_by_sdk(recording: Recording) -> tuple[typing.Any, typing.Any]:
    """(the hand accumulator after a create(stream=True) loop, the SDK's final message).

    Either is the exception it raised instead, if it raised one.
    """
    body = {k: v for k, v in recording.request.body.items() if k != "stream"}
    mine: typing.Any = tool_inputs_class()()
    message: typing.Any = None
    with client_for(recording, recording) as client:
        try:
            for event in client.messages.create(**body, stream=True):
                mine.feed(event)
        except json.JSONDecodeError as error:
            mine = error
        try:
            with client.messages.stream(**body) as stream:
                message = stream.get_final_message()
        except ValueError as error:
            message = error
    return mine, message


def tool_blocks(message: typing.Any) -> dict[int, typing.Any]:
    return {
        i: b.input
        for i, b in enumerate(message.content)
        if b.type in ("tool_use", "server_tool_use")
    }


def recordings_with_tool_calls() -> list[Path]:
    return sorted(
        path
        for path in RECORDINGS_DIR.rglob("*.toml")
        if '"type":"input_json_delta"' in path.read_text()
    )


@pytest.mark.parametrize(
    "path", recordings_with_tool_calls(), ids=lambda p: str(p.relative_to(RECORDINGS_DIR))
)
def test_the_hand_accumulator_agrees_with_the_sdk_on_every_recording(path: Path) -> None:
    mine, message = by_hand_and_by_sdk(load_recording(path))
    if path.parent.name in {"sdk_invalid_json", "invalid_json_recovery"} and path.name != "2.toml":
        # fine-grained-tools.md: invalid JSON. json.loads refuses it at content_block_stop;
        # the SDK refuses a trailing comma at the bad piece, but not an unescaped quote.
        assert isinstance(mine, json.JSONDecodeError)
        if "unescaped-quote" in path.name:
            cut = {"filename": "quote.txt", "lines_of_text": ["Ana: He said "]}
            assert tool_blocks(message)[1] == cut
        else:
            assert isinstance(message, ValueError)
            assert "Unable to parse tool parameter JSON" in str(message)
        return
    sdk = tool_blocks(message)
    if message.stop_reason == "max_tokens" and mine.pending:
        # Cut inside a tool call: no content_block_stop, so no input by hand.
        assert mine.done == {}
        assert set(mine.pending) == set(sdk)
        return
    assert mine.done == sdk
    assert mine.pending == {}


def real_streams_with_tool_calls() -> list[Path]:
    if not SHARED_STREAMS.is_dir():
        return []
    return sorted(p for p in SHARED_STREAMS.glob("*.sse") if b"input_json_delta" in p.read_bytes())


def replayable(path: Path) -> Recording:
    body = {
        "model": "claude-sonnet-5-5",
        "max_tokens": 1024,
        "messages": [{"role": "user", "content": "Hi"}],
        "stream": True,
    }
    request = RecordedRequest("POST", "/v1/messages", {}, body)
    return recording_from_sse(
        path.read_bytes(), request, Provenance(source="constructed", basis=path.name), path
    )


def test_the_real_streams_are_here_or_the_skip_says_why() -> None:
    if not SHARED_STREAMS.is_dir():
        pytest.skip(f"the real streams are not at {SHARED_STREAMS}: their tests are skipped")
    streams = real_streams_with_tool_calls()
    cut = [p for p in streams if b'"stop_reason":"max_tokens"' in p.read_bytes()]
    assert (len(streams), len(streams) - len(cut), len(cut)) == (7, 5, 2)
    assert "seven real streams with a tool call" in PROSE
    assert "agree on the five that complete; on the two that are cut" in PROSE
    assert all("incomplete_partial_json" in p.name for p in cut)


@pytest.mark.parametrize("path", real_streams_with_tool_calls(), ids=lambda p: p.name)
def test_the_hand_accumulator_agrees_with_the_sdk_on_every_real_stream(path: Path) -> None:
    mine, message = by_hand_and_by_sdk(replayable(path))
    sdk = tool_blocks(message)
    first_pieces = [
        e.data["delta"]["partial_json"]
        for e in replayable(path).response.events
        if e.name == "content_block_delta" and e.data["delta"]["type"] == "input_json_delta"
    ][:1]
    assert first_pieces == [""]  # "the first piece is empty in every one of them"
    if "incomplete_partial_json" in path.name:
        # tool-use.md: the stream ends at max_tokens inside the tool call, with no
        # content_block_stop; by hand there is no input, the SDK returns what parsed so far.
        assert message.stop_reason == "max_tokens"
        assert mine.done == {}
        assert set(mine.pending) == {1}
        assert mine.pending[1].endswith('\n"Filing taxes')
        assert sdk[1] == {
            "filename": "taxes.txt",
            "lines_of_text": [
                "# COMPREHENSIVE TAX GUIDE FOR INDIVIDUALS WITH MULTIPLE W-2s",
                "",
                "## INTRODUCTION",
                "",
            ],
        }
        return
    assert mine.pending == {}
    assert mine.done == sdk


def test_the_example_output_shows_the_snapshot_growing_and_agreeing() -> None:
    shown = output_file(TOOLS / "tool_input.py").read_text()
    # A string appears in the snapshot only once closed; a number as soon as a digit arrives.
    assert '\'{"restaurant": "Tasca\'      snapshot={}' in shown
    assert "'party_size': 1}" in shown
    assert "'party_size': 12}" in shown
    assert "the same: True" in shown


def test_a_piece_alone_can_parse_as_json() -> None:
    shown = output_file(TOOLS / "parse_each_piece.py").read_text()
    assert "piece '3'\n  alone:  ok 3\n" in shown


def count_parsed_bytes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sizes: list[int] = []
    real = jiter.from_json

    def counting(data: bytes, **kwargs: typing.Any) -> typing.Any:
        sizes.append(len(data))
        return real(data, **kwargs)

    monkeypatch.setattr(jiter, "from_json", counting)
    return sizes


def test_the_sdk_parses_the_whole_buffer_at_every_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    # tool-use.md, from the reparse_cost output: what the snippet adds up is what jiter parses.
    recording = load_recording(RECORDINGS_DIR / "tools" / "reparse_cost.toml")
    sizes = count_parsed_bytes(monkeypatch)
    body = {k: v for k, v in recording.request.body.items() if k != "stream"}
    with client_for(recording) as client, client.messages.stream(**body) as stream:
        message = stream.get_final_message()
    assert message.content[1].type == "tool_use"
    shown = output_file(TOOLS / "reparse_cost.py").read_text()
    size = re.search(r"tool input: ([\d,]+) bytes in (\d+) pieces", shown)
    total = re.search(r"parsed +([\d,]+) \(\d+ x\)\nby hand", shown)
    assert size
    assert total
    assert sum(sizes) == int(total[1].replace(",", ""))
    # One parse per non-empty piece, each of the whole input so far.
    assert len(sizes) == int(size[2])
    assert sizes == sorted(sizes)
    assert sizes[-1] == int(size[1].replace(",", ""))


def parsed_bytes_for(size: int, piece: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """Bytes the SDK parses for a tool input of `size` bytes in `piece`-byte pieces."""
    from anthropic._models import construct_type
    from anthropic.lib.streaming._messages import accumulate_event

    lines = [f"Line {i} of the poem, in a steady voice" for i in range(size // 42)]
    text = json.dumps({"filename": "poem.txt", "lines_of_text": lines})
    raw = [
        {"type": "message_start", "message": {"id": "m", "type": "message", "role": "assistant",
         "model": "m", "content": [], "stop_reason": None, "stop_sequence": None,
         "usage": {"input_tokens": 1, "output_tokens": 1}}},
        {"type": "content_block_start", "index": 0,
         "content_block": {"type": "tool_use", "id": "t", "name": "make_file", "input": {}}},
    ] + [
        {"type": "content_block_delta", "index": 0,
         "delta": {"type": "input_json_delta", "partial_json": text[i : i + piece]}}
        for i in range(0, len(text), piece)
    ]  # fmt: skip
    sizes = count_parsed_bytes(monkeypatch)
    snapshot: typing.Any = None
    buffers: dict[int, bytes] = {}
    for data in raw:
        event: typing.Any = construct_type(type_=RawMessageStreamEvent, value=data)
        snapshot = accumulate_event(event=event, current_snapshot=snapshot, json_bufs=buffers)
    assert snapshot is not None
    assert snapshot.content[0].input == json.loads(text)
    monkeypatch.undo()
    return sum(sizes)


def test_twice_the_input_is_four_times_the_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    # tool-use.md: "twice the input, four times the bytes parsed".
    small = parsed_bytes_for(100_000, 20, monkeypatch)
    large = parsed_bytes_for(200_000, 20, monkeypatch)
    assert 3.9 < large / small < 4.1
    # The dated measurement: "a 200 KB tool input in 20-byte pieces (about 1 GB parsed in all)".
    assert 1.0e9 < large < 1.1e9
    assert "a 200 KB tool input in 20-byte pieces (about 1 GB parsed in all)" in PROSE
    assert "twice the input, four times the bytes parsed" in PROSE


def test_the_sdk_version_is_the_one_the_page_names() -> None:
    assert f"SDK {anthropic.__version__}" in PAGE


def test_the_pauses_come_before_each_key() -> None:
    # tool-use.md: "Pauses come between keys ... as in this recording".
    events = load_recording(RECORDINGS_DIR / "tools" / "tool_input.toml").response.events
    pieces = [
        (e.at, e.data["delta"]["partial_json"])
        for e in events
        if e.name == "content_block_delta" and e.data["delta"]["type"] == "input_json_delta"
    ]
    gaps = [(b[0] - a[0], b[1]) for a, b in itertools.pairwise(pieces)]
    before_keys = [gap for gap, piece in gaps if piece.startswith(("{", ", "))]
    within_keys = [gap for gap, piece in gaps if not piece.startswith(("{", ", "))]
    assert len(before_keys) == 3
    assert min(before_keys) > 10 * max(within_keys)
    assert "the stream may go quiet between keys while the model works, as in this recording" in (
        PROSE
    )
