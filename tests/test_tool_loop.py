"""What tool-loop.md says about the loop's requests, checked against its recordings."""

from __future__ import annotations

import itertools
import json
import re

from stream_replay import load_recording

from .project import DOCS_DIR, RECORDINGS_DIR

PAGE = (DOCS_DIR / "tool-loop.md").read_text()
PROSE = " ".join(PAGE.split())
LOOP = RECORDINGS_DIR / "tools" / "tool_loop"


def test_the_json_shown_is_what_the_second_request_sent() -> None:
    shown = re.search(r"```json\n(.*?)\n```", PAGE, re.S)
    assert shown
    body = load_recording(LOOP / "2.toml").request.body
    assert json.loads(shown[1]) == body["messages"][1:]


def test_the_first_reply_has_text_then_two_calls() -> None:
    events = load_recording(LOOP / "1.toml").response.events
    blocks = [
        (e.data["index"], e.data["content_block"]["type"])
        for e in events
        if e.name == "content_block_start"
    ]
    assert blocks == [(0, "text"), (1, "tool_use"), (2, "tool_use")]
    assert "a `tool_use` block at each of the indexes 1 and 2" in PROSE


def test_each_request_resends_the_conversation_with_the_same_tools() -> None:
    bodies = [load_recording(LOOP / f"{n}.toml").request.body for n in (1, 2, 3)]
    assert [len(b["messages"]) for b in bodies] == [1, 3, 5]
    assert "the third request here has five messages" in PROSE
    assert all(b["tools"] == bodies[0]["tools"] for b in bodies)
    for earlier, later in itertools.pairwise(bodies):
        assert later["messages"][: len(earlier["messages"])] == earlier["messages"]


def test_the_results_come_first_one_per_call_in_one_message() -> None:
    for n in (2, 3):
        messages = load_recording(LOOP / f"{n}.toml").request.body["messages"]
        calls = [b["id"] for b in messages[-2]["content"] if b["type"] == "tool_use"]
        results = messages[-1]["content"]
        assert [r["type"] for r in results] == ["tool_result"] * len(calls)
        assert [r["tool_use_id"] for r in results] == calls


def test_the_last_reply_ends_the_turn() -> None:
    stops = [
        e.data["delta"]["stop_reason"]
        for n in (1, 2, 3)
        for e in load_recording(LOOP / f"{n}.toml").response.events
        if e.name == "message_delta"
    ]
    assert stops == ["tool_use", "tool_use", "end_turn"]


def test_the_loop_is_three_requests() -> None:
    assert sorted(p.name for p in LOOP.glob("*.toml")) == ["1.toml", "2.toml", "3.toml"]
    assert "## The loop, three requests" in PAGE
