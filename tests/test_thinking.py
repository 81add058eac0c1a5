"""What thinking.md says about thinking blocks, display, and sending them back, checked."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import anthropic
import pytest

from stream_replay import RecordedEvent, ReplayServer, load_recording, load_sse_body

from .project import DOCS_DIR, PLACEHOLDER_KEY, RECORDINGS_DIR, SNIPPETS_DIR, output_file
from .test_events import client_for, request_of
from .test_recording import real_streams

THINKING = RECORDINGS_DIR / "thinking"
PAGE = (DOCS_DIR / "thinking.md").read_text()
PROSE = " ".join(PAGE.split())  # lines joined, as a reader reads a sentence
STREAMS = sorted(THINKING.rglob("*.toml"))


def events_of(path: Path) -> tuple[RecordedEvent, ...]:
    if path.suffix == ".sse":
        return load_sse_body(path)
    return load_recording(path).response.events


def blocks(events: tuple[RecordedEvent, ...]) -> dict[int, tuple[dict[str, Any], list[Any]]]:
    """Each content block's start, and the events between its start and stop, by index."""
    found: dict[int, tuple[dict[str, Any], list[Any]]] = {}
    for event in events:
        data = event.data
        if event.name == "content_block_start":
            found[data["index"]] = (data["content_block"], [])
        elif event.name in {"content_block_delta", "content_block_stop"}:
            found[data["index"]][1].append(data)
    return found


def test_the_sdk_version_is_the_one_the_page_names() -> None:
    assert f"SDK {anthropic.__version__}" in PAGE


@pytest.mark.parametrize("path", STREAMS + real_streams(), ids=lambda p: p.name)
def test_one_signature_delta_closes_every_thinking_block(path: Path) -> None:
    for block, after in blocks(events_of(path)).values():
        if block["type"] == "thinking":
            kinds = [d["delta"]["type"] if "delta" in d else d["type"] for d in after]
            assert kinds.count("signature_delta") == 1
            assert kinds[-2:] == ["signature_delta", "content_block_stop"]
            assert set(kinds[:-2]) <= {"thinking_delta"}
        elif block["type"] == "redacted_thinking":
            # thinking.md: its data comes whole in content_block_start, with no delta.
            assert block["data"]
            assert [d["type"] for d in after] == ["content_block_stop"]


def test_the_pages_recordings_hold_a_redacted_thinking_block() -> None:
    first = blocks(events_of(THINKING / "tool_loop" / "1-tool-call.toml"))
    assert [block["type"] for block, _ in first.values()] == [
        "thinking",
        "redacted_thinking",
        "tool_use",
    ]


def test_omitted_display_streams_an_empty_thinking_delta_and_the_signature() -> None:
    recording = load_recording(THINKING / "omitted_stream.toml")
    assert recording.request.body["thinking"]["display"] == "omitted"
    sent = [e.data["delta"] for e in recording.response.events if e.name == "content_block_delta"]
    thinking = [d for d in sent if d["type"] == "thinking_delta"]
    assert [d["thinking"] for d in thinking] == [""]
    summarized = load_recording(THINKING / "separate_panes.toml")
    assert summarized.request.body["thinking"]["display"] == "summarized"


def test_the_summary_is_billed_as_the_full_thinking() -> None:
    # separate_panes: the summary shown, and the thinking tokens billed, as printed.
    shown = output_file(SNIPPETS_DIR / "thinking" / "separate_panes.py").read_text()
    recording = load_recording(THINKING / "separate_panes.toml")
    with client_for(recording) as client, client.messages.stream(**request_of(recording)) as s:
        message = s.get_final_message()
    details = message.usage.output_tokens_details
    assert details is not None
    assert f"thinking billed: {details.thinking_tokens} tokens" in shown
    assert message.content[0].type == "thinking"
    assert f"summary shown: {len(message.content[0].thinking)} characters" in shown


def assistant_content(path: Path) -> list[dict[str, Any]]:
    body = load_recording(path).request.body
    [assistant] = [m for m in body["messages"] if m["role"] == "assistant"]
    content: list[dict[str, Any]] = assistant["content"]
    return content


def first_reply(folder: str) -> list[dict[str, Any]]:
    """The content of the first reply of a tool loop, as the SDK assembles it."""
    recording = load_recording(THINKING / folder / "1-tool-call.toml")
    with client_for(recording) as client, client.messages.stream(**request_of(recording)) as s:
        message = s.get_final_message()
    return [block.to_dict() for block in message.content]


def test_the_second_request_carries_every_block_back_unchanged_and_in_order() -> None:
    reply = first_reply("tool_loop")
    assert assistant_content(THINKING / "tool_loop" / "2-tool-result.toml") == reply
    # Every thinking block with its signature, exactly as the deltas sent it.
    events = events_of(THINKING / "tool_loop" / "1-tool-call.toml")
    signature = next(
        e.data["delta"]["signature"]
        for e in events
        if e.name == "content_block_delta" and e.data["delta"]["type"] == "signature_delta"
    )
    assert reply[0]["signature"] == signature


def test_each_broken_request_differs_from_the_right_one_as_the_page_says() -> None:
    right = first_reply("broken_tool_loop")
    assert right == first_reply("tool_loop")
    dropped = assistant_content(THINKING / "broken_tool_loop" / "2-dropped-block.toml")
    assert dropped == [b for b in right if b["type"] != "redacted_thinking"]
    cut = assistant_content(THINKING / "broken_tool_loop" / "3-cut-signature.toml")
    assert cut[1:] == right[1:]
    assert cut[0]["signature"] == right[0]["signature"][:255] != right[0]["signature"]
    assert "holds 255 characters" in (SNIPPETS_DIR / "thinking" / "broken_tool_loop.py").read_text()


@pytest.mark.parametrize("name", ["2-dropped-block", "3-cut-signature"])
def test_the_api_answers_a_changed_block_with_a_400_invalid_request_error(name: str) -> None:
    response = load_recording(THINKING / "broken_tool_loop" / f"{name}.toml").response
    assert response.status == 400
    assert not response.events
    assert response.body is not None
    body = json.loads(response.body)
    assert body["type"] == "error"
    assert body["request_id"] == response.headers["request-id"]
    assert body["error"]["type"] == "invalid_request_error"
    # The documented wording, in the form the docs give it.
    assert re.fullmatch(
        r"messages\.\d+\.content\.\d+: (Invalid `signature` in `thinking` block|`thinking` or "
        r"`redacted_thinking` blocks in the latest assistant message cannot be modified\. .*)",
        body["error"]["message"],
    )


def test_the_error_body_on_the_page_is_the_recorded_one() -> None:
    response = load_recording(THINKING / "broken_tool_loop" / "2-dropped-block.toml").response
    assert response.body is not None
    shown = re.search(r"```json\n(.*?)\n```", PAGE, re.S)
    assert shown is not None
    assert json.loads(shown[1]) == json.loads(response.body)


def test_the_block_the_page_names_is_the_one_the_output_shows() -> None:
    shown = output_file(SNIPPETS_DIR / "thinking" / "broken_tool_loop.py").read_text()
    assert "`messages.1.content.1`" in PROSE
    assert "messages.1.content.1: `thinking` or `redacted_thinking` blocks" in shown


def test_a_reply_that_is_only_thinking_has_no_text_for_get_final_text() -> None:
    # thinking.md, "When thinking uses up max_tokens": one thinking block, stop_reason
    # max_tokens, output_tokens the whole max_tokens; get_final_text() raises RuntimeError.
    recording = load_recording(RECORDINGS_DIR / "thinking" / "thinking_only.toml")
    starts = [
        e.data["content_block"]["type"]
        for e in recording.response.events
        if e.name == "content_block_start"
    ]
    assert starts == ["thinking"]
    [delta] = [e.data for e in recording.response.events if e.name == "message_delta"]
    assert delta["delta"]["stop_reason"] == "max_tokens"
    assert delta["usage"]["output_tokens"] == recording.request.body["max_tokens"]
    with ReplayServer([recording], speed=0) as server:
        client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url)
        body = recording.request.body
        with client.messages.stream(
            model=body["model"],
            max_tokens=body["max_tokens"],
            thinking=body["thinking"],
            messages=body["messages"],
        ) as stream:
            assert list(stream.text_stream) == []
            with pytest.raises(RuntimeError):
                stream.get_final_text()
