"""What fine-grained-tools.md says about eager_input_streaming and invalid JSON, checked."""

from __future__ import annotations

import json
import typing

import anthropic
import jiter
import pytest
from anthropic.types import ToolParam

from stream_replay import load_recording

from .project import DOCS_DIR, RECORDINGS_DIR, SNIPPETS_DIR, output_file

PAGE = (DOCS_DIR / "fine-grained-tools.md").read_text()
PROSE = " ".join(PAGE.split())
TOOLS = RECORDINGS_DIR / "tools"


def tool_json(path: str) -> tuple[str, bool]:
    """The tool's JSON text in a recording, and whether its block got a content_block_stop."""
    recording = load_recording(TOOLS / path)
    events = recording.response.events
    starts = [e for e in events if e.name == "content_block_start"]
    index = next(e.data["index"] for e in starts if e.data["content_block"]["type"] == "tool_use")
    text = "".join(
        e.data["delta"]["partial_json"]
        for e in events
        if e.name == "content_block_delta" and e.data["delta"]["type"] == "input_json_delta"
    )
    stopped = any(e.name == "content_block_stop" and e.data["index"] == index for e in events)
    return text, stopped


def test_the_sdk_version_is_the_one_the_page_names() -> None:
    assert f"SDK {anthropic.__version__}" in PAGE


def test_eager_input_streaming_is_a_field_of_each_tool_and_needs_no_header() -> None:
    assert "eager_input_streaming" in typing.get_type_hints(ToolParam)
    for path in ["sdk_invalid_json/1-trailing-comma.toml", "max_tokens_cut/2-eager.toml"]:
        request = load_recording(TOOLS / path).request
        assert request.body["tools"][0]["eager_input_streaming"] is True
        assert "anthropic-beta" not in request.headers


def test_partial_mode_raises_on_a_trailing_comma_and_truncates_an_unescaped_quote() -> None:
    comma, _ = tool_json("sdk_invalid_json/1-trailing-comma.toml")
    quote, _ = tool_json("sdk_invalid_json/2-unescaped-quote.toml")
    for text in (comma, quote):
        try:
            json.loads(text)
        except json.JSONDecodeError:
            pass
        else:
            raise AssertionError(f"valid JSON: {text}")
    with pytest.raises(ValueError, match="trailing comma"):
        jiter.from_json(comma.encode(), partial_mode=True)
    assert jiter.from_json(quote.encode(), partial_mode=True)["lines_of_text"] == ["Ana: He said "]


def test_the_sdk_raises_at_the_fourth_piece_before_the_loop_sees_it() -> None:
    shown = output_file(SNIPPETS_DIR / "tools" / "sdk_invalid_json.py").read_text()
    recording = load_recording(TOOLS / "sdk_invalid_json" / "1-trailing-comma.toml")
    pieces = [
        e.data["delta"]["partial_json"]
        for e in recording.response.events
        if e.name == "content_block_delta" and e.data["delta"]["type"] == "input_json_delta"
    ]
    assert pieces[3] == "]}"
    assert len(pieces) == 4
    assert "ValueError after piece 3:" in shown
    assert "piece 4" not in shown.split("quote.txt")[0]
    assert "at the piece that makes it invalid (`]}`, the fourth)" in PROSE


def test_the_error_result_wraps_the_text_with_a_json_library() -> None:
    recording = load_recording(TOOLS / "invalid_json_recovery" / "2.toml")
    invalid, _ = tool_json("invalid_json_recovery/1.toml")
    result = recording.request.body["messages"][2]["content"][0]
    assert result["is_error"] is True
    assert json.loads(result["content"]) == {"INVALID_JSON": invalid}
    call = recording.request.body["messages"][1]["content"][1]
    assert call["type"] == "tool_use"
    assert call["input"] == {}


def test_a_cut_buffered_value_never_arrives_and_a_cut_eager_one_stops_mid_string() -> None:
    buffered, buffered_stopped = tool_json("max_tokens_cut/1-buffered.toml")
    eager, eager_stopped = tool_json("max_tokens_cut/2-eager.toml")
    assert not buffered_stopped
    assert not eager_stopped
    assert buffered.endswith('"taxes.txt"')
    assert json.loads(buffered + "}")
    assert json.loads(eager + '"]}')["lines_of_text"][-1].endswith("your only job")
    assert (
        load_recording(TOOLS / "max_tokens_cut/1-buffered.toml").request.body["tools"][0][
            "eager_input_streaming"
        ]
        is False
    )
