"""What tool-loop.md says about the loop's requests, checked against its recordings."""

from __future__ import annotations

import itertools
import json
import re
import runpy

import anthropic
import pytest

from stream_replay import ReplayServer, load_recording, load_recordings_for, parse_fault

from .project import DOCS_DIR, PLACEHOLDER_KEY, RECORDINGS_DIR, ROOT, SNIPPETS_DIR

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


RUNNER = SNIPPETS_DIR / "tools" / "tool_runner.py"


def test_the_tool_runner_raises_a_cut_from_the_loop_and_sends_nothing_more(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # tool-loop.md: a failure in one of the runner's streams is raised from your loop, and the
    # runner does not retry it: here the first reply is cut in its tool call.
    recordings = load_recordings_for(RUNNER, ROOT)
    with ReplayServer(recordings, speed=0, faults=[parse_fault("cut-mid:8@1")]) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", PLACEHOLDER_KEY)
        with pytest.raises(anthropic.APIConnectionError):
            runpy.run_path(str(RUNNER), run_name="__main__")
    assert not server.mismatches
    assert len(server.served) == 1
    assert capsys.readouterr().out == "--- request 1\nLet me check the weather in Lisbon."


def test_the_tool_runner_sends_a_plain_messages_request_with_the_tools_schema() -> None:
    # tool-loop.md: with thread=False each request is the whole history, a plain Messages API
    # request with no beta header; the second carries the call and its result.
    first, second = (
        load_recording(RECORDINGS_DIR / "tools" / "tool_runner" / f"{n}.toml") for n in (1, 2)
    )
    assert "anthropic-beta" not in first.request.headers
    assert [m["role"] for m in second.request.body["messages"]] == ["user", "assistant", "user"]
    [result] = second.request.body["messages"][2]["content"]
    assert result["type"] == "tool_result"
    assert first.request.body["tools"] == second.request.body["tools"]
    assert "`thread=False`** makes it send the whole history every time" in PROSE
