"""What server-tools.md says about server tool blocks, citations and unknown blocks, checked."""

from __future__ import annotations

import re
import runpy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anthropic
import pytest
from anthropic.types import ContentBlock

from stream_replay import (
    Provenance,
    RecordedRequest,
    ReplayServer,
    load_recording,
    recording_from_sse,
)

from .project import DOCS_DIR, PLACEHOLDER_KEY, RECORDINGS_DIR, SNIPPETS_DIR
from .test_events import known_classes, type_name
from .test_recording import real_streams
from .test_thinking import blocks, events_of

SERVER_TOOLS = RECORDINGS_DIR / "server_tools"
PAGE = (DOCS_DIR / "server-tools.md").read_text()
PROSE = " ".join(PAGE.split())  # lines joined, as a reader reads a sentence
STREAMS = sorted(SERVER_TOOLS.glob("*.toml"))
BODY: dict[str, Any] = {
    "model": "claude-opus-5-5",
    "max_tokens": 1024,
    "messages": [{"role": "user", "content": "Hello"}],
    "stream": True,
}
REQUEST = RecordedRequest("POST", "/v1/messages", {}, BODY)
CONSTRUCTED = Provenance(source="constructed", basis="a real API stream, body only")
KNOWN = {type_name(cls) for cls in known_classes(ContentBlock)}
describe: Callable[[Any], str] = runpy.run_path(
    str(SNIPPETS_DIR / "server_tools" / "any_block.py"), run_name="any_block"
)["describe"]


def final_message(path: Path, *, beta: bool = False) -> Any:
    """The message the SDK's messages.stream() assembles from a real stream."""
    recording = recording_from_sse(path.read_bytes(), REQUEST, CONSTRUCTED, path)
    with ReplayServer([recording], speed=0) as server:
        client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url)
        messages: Any = client.beta.messages if beta else client.messages
        with messages.stream(
            model=BODY["model"], max_tokens=BODY["max_tokens"], messages=BODY["messages"]
        ) as stream:
            return stream.get_final_message()


def test_the_sdk_version_is_the_one_the_page_names() -> None:
    assert f"SDK {anthropic.__version__}" in PAGE


@pytest.mark.parametrize("path", STREAMS + real_streams(), ids=lambda p: p.name)
def test_server_tool_calls_stream_and_their_results_come_whole(path: Path) -> None:
    for block, after in blocks(events_of(path)).values():
        kinds = [d["delta"]["type"] if "delta" in d else d["type"] for d in after]
        if block["type"] == "server_tool_use":
            assert block["id"].startswith("srvtoolu_")
            assert block["input"] == {}
            assert set(kinds[:-1]) <= {"input_json_delta"}
            assert after[0]["delta"]["partial_json"] == ""  # the first piece is empty
        elif block["type"].endswith("_tool_result"):
            assert kinds == ["content_block_stop"]  # no delta: whole in its start event


def test_the_web_search_stream_is_as_the_page_describes() -> None:
    events = events_of(SERVER_TOOLS / "web_search_events.toml")
    found = blocks(events)
    assert [b["type"] for b, _ in found.values()] == [
        "text",
        "server_tool_use",
        "web_search_tool_result",
        "text",
        "text",
        "text",
    ]
    # Only pings arrive between the query's stop and the results.
    names = [e.name for e in events]
    query_stop = next(
        i for i, e in enumerate(events) if e.name == "content_block_stop" and e.data["index"] == 1
    )
    assert set(names[query_stop + 1 : names.index("content_block_start", query_stop)]) == {"ping"}
    citation = found[4][1][0]["delta"]
    assert citation["type"] == "citations_delta"
    assert citation["citation"]["type"] == "web_search_result_location"
    assert len(citation["citation"]["cited_text"]) <= 150
    first = next(e for e in events if e.name == "message_start").data["message"]["usage"]
    last = next(e for e in events if e.name == "message_delta").data["usage"]
    assert last["server_tool_use"]["web_search_requests"] == 1
    assert f"({first['input_tokens']} there, {last['input_tokens']} here)" in PROSE


def test_code_execution_brings_a_container_on_the_final_message_delta() -> None:
    events = events_of(SERVER_TOOLS / "any_block.toml")
    delta = next(e for e in events if e.name == "message_delta").data["delta"]
    assert set(delta["container"]) == {"id", "expires_at"}
    names = [b["name"] for b, _ in blocks(events).values() if b["type"] == "server_tool_use"]
    assert names == ["web_fetch", "bash_code_execution"]
    tools = load_recording(SERVER_TOOLS / "any_block.toml").request.body["tools"]
    assert [t["name"] for t in tools] == ["web_fetch", "code_execution"]


def real_block_types() -> set[str]:
    return {
        block["type"]
        for path in real_streams()
        for block, _ in blocks(events_of(path)).values()
        if block["type"] not in {"text", "tool_use"}
    }


def test_the_table_lists_the_block_types_of_the_real_streams() -> None:
    if not real_streams():
        pytest.skip("the real streams are not here")
    table = PAGE.split("| Block type |", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    cells = [(row.split("|")[1].split("(")[0], row.rstrip(" |").endswith("yes")) for row in rows]
    listed = {name for cell, _ in cells for name in re.findall(r"`([a-z_]+)`", cell)}
    assert listed == real_block_types()
    for cell, known in cells:
        for name in re.findall(r"`([a-z_]+)`", cell):
            assert (name in KNOWN) == known, name


@pytest.mark.parametrize("path", real_streams(), ids=lambda p: p.name)
def test_the_handler_takes_every_block_of_every_real_stream(path: Path) -> None:
    message = final_message(path)
    for block in message.content:
        line = describe(block)
        assert line.startswith(block.type)
        if block.type not in KNOWN:
            # The SDK builds it as a TextBlock: the class lies, the type does not.
            assert isinstance(block, anthropic.types.TextBlock)
            assert block.text is None
        last_branch = block.type not in KNOWN and not block.type.endswith("_tool_result")
        assert ("not known here" in line) == last_branch


def test_the_unknown_types_are_the_three_the_page_names() -> None:
    if not real_streams():
        pytest.skip("the real streams are not here")
    unknown = real_block_types() - KNOWN
    assert unknown == {"advisor_tool_result", "compaction", "fallback"}
    # server-tools.md: advisor_tool_result falls in the `_tool_result` branch, the two others
    # in the last one.
    assert "its last branch takes `fallback` and `compaction`" in PROSE
    assert "`advisor_tool_result` takes the `_tool_result` branch" in PROSE


def compaction_stream() -> Path:
    [path] = [p for p in real_streams() if p.name == "py-sdk-compaction_response.sse"]
    return path


def test_a_fallback_block_keeps_its_fields_when_sent_back() -> None:
    if not real_streams():
        pytest.skip("the real streams are not here")
    [path] = [p for p in real_streams() if p.name == "py-sdk-fallback_response.sse"]
    fallback = final_message(path).content[0].to_dict()
    assert fallback["type"] == "fallback"
    assert {"from", "to", "trigger"} <= set(fallback)


def test_only_the_beta_client_keeps_a_compaction_blocks_content() -> None:
    if not real_streams():
        pytest.skip("the real streams are not here")
    plain = final_message(compaction_stream()).content[0]
    assert plain.type == "compaction"
    assert plain.to_dict().get("content") is None
    beta = final_message(compaction_stream(), beta=True).content[0]
    assert type(beta).__name__ == "BetaCompactionBlock"
    assert beta.content
    assert beta.encrypted_content
