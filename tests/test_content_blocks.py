"""What content-blocks.md says about tool input, thinking and citation deltas, checked."""

from __future__ import annotations

import itertools
import json

import anthropic
from anthropic.types.citations_delta import Citation

from stream_replay import load_recording

from .project import DOCS_DIR, RECORDINGS_DIR
from .test_events import client_for, known_classes, request_of, type_name

BLOCKS = RECORDINGS_DIR / "content_blocks"
PAGE = (DOCS_DIR / "content-blocks.md").read_text()
PROSE = " ".join(PAGE.split())  # lines joined, as a reader reads a sentence


def test_the_sdk_version_is_the_one_the_page_names() -> None:
    assert f"SDK {anthropic.__version__}" in PAGE


def test_the_sdk_adds_each_citation_to_its_text_block() -> None:
    recording = load_recording(BLOCKS / "citations_events.toml")
    with client_for(recording) as client, client.messages.stream(**request_of(recording)) as s:
        message = s.get_final_message()
    cited = {
        index: [c.cited_text for c in block.citations]
        for index, block in enumerate(message.content)
        if block.type == "text" and block.citations
    }
    assert cited == {
        1: ["The office opens at 8:00 on weekdays."],
        3: ["Visitors must sign in at the front desk."],
    }


def test_the_signature_delta_completes_the_thinking_block() -> None:
    recording = load_recording(BLOCKS / "thinking_events.toml")
    sent = [e.data["delta"] for e in recording.response.events if e.name == "content_block_delta"]
    signature = next(d["signature"] for d in sent if d["type"] == "signature_delta")
    with client_for(recording) as client, client.messages.stream(**request_of(recording)) as s:
        message = s.get_final_message()
    thinking = message.content[0]
    assert thinking.type == "thinking"
    assert thinking.signature == signature
    assert thinking.thinking == "".join(
        d["thinking"] for d in sent if d["type"] == "thinking_delta"
    )


def test_the_accumulated_tool_json_is_the_input_the_sdk_builds() -> None:
    # content-blocks.md: accumulate the partial_json strings, parse them at content_block_stop.
    recording = load_recording(BLOCKS / "tool_use_events.toml")
    pieces = [
        e.data["delta"]["partial_json"]
        for e in recording.response.events
        if e.name == "content_block_delta" and e.data["delta"]["type"] == "input_json_delta"
    ]
    assert pieces[0] == ""  # the first piece is empty, as in the documented example
    with client_for(recording) as client, client.messages.stream(**request_of(recording)) as s:
        message = s.get_final_message()
    tool_use = message.content[1]
    assert tool_use.type == "tool_use"
    assert json.loads("".join(pieces)) == tool_use.input


def test_the_citation_types_the_page_names_are_the_sdks() -> None:
    # content-blocks.md: char_location, page_location, content_block_location, and in
    # SDK 2.17.0 search_result_location and web_search_result_location; each has cited_text.
    classes = known_classes(Citation)
    names = {type_name(cls) for cls in classes}
    assert names == {
        "char_location",
        "page_location",
        "content_block_location",
        "search_result_location",
        "web_search_result_location",
    }
    assert all(
        issubclass(c, anthropic.BaseModel) and "cited_text" in c.model_fields for c in classes
    )
    for name in names:
        assert f"`{name}`" in PAGE


def test_the_tool_input_pauses_between_keys_not_within_them() -> None:
    # content-blocks.md: one complete key and value at a time, so "this recording pauses
    # before the `unit` pieces", while the pieces of one key come together.
    recording = load_recording(BLOCKS / "tool_use_events.toml")
    pieces = [
        (e.at, e.data["delta"]["partial_json"])
        for e in recording.response.events
        if e.name == "content_block_delta" and e.data["delta"]["type"] == "input_json_delta"
    ]
    unit = next(i for i, (_, text) in enumerate(pieces) if '"unit"' in text)
    gaps = [later[0] - earlier[0] for earlier, later in itertools.pairwise(pieces)]
    within_keys = [gaps[i] for i in (1, unit)]  # location's two pieces; unit's two pieces
    assert gaps[unit - 1] > 10 * max(within_keys)
    assert "This recording pauses before the `unit` pieces." in PROSE
