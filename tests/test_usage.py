"""What the usage page says about usage in a stream, checked on the SDK and on the streams."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import anthropic
import pytest

from stream_replay import ReplayServer, load_recording, load_sse_body
from stream_replay._platforms import streams_api_events

from .project import DOCS_DIR, PLACEHOLDER_KEY, RECORDINGS_DIR, ROOT, relative
from .test_recording import real_streams

RAW_EVENTS = load_recording(RECORDINGS_DIR / "first_stream" / "raw_events.toml")


def stream_data(path: Path) -> list[dict[str, Any]]:
    """The JSON data of each event of a recording or of a bare `.sse` body: none for an HTTP
    error, nor for the OpenAI-compatible endpoint's chunks, whose usage is OpenAI's."""
    if path.suffix == ".sse":
        events = load_sse_body(path)
    else:
        recording = load_recording(path)
        api = streams_api_events(recording.request.path) and recording.response.body is None
        events = recording.response.events if api else ()
    return [event.data for event in events if isinstance(event.data, dict)]


STREAMS = sorted(RECORDINGS_DIR.rglob("*.toml")) + real_streams()


def name(path: Path) -> str:
    return relative(path) if path.is_relative_to(ROOT) else path.name


def usages(data: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for event in data:
        if event["type"] == "message_start" and "usage" in event["message"]:
            found.append(("message_start", event["message"]["usage"]))
        elif event["type"] == "message_delta" and "usage" in event:
            found.append(("message_delta", event["usage"]))
    return found


def test_the_sdk_keeps_message_starts_input_when_message_delta_omits_it() -> None:
    # usage.md: "A count it leaves out keeps its earlier value ... the SDK does the same."
    [(_, start), (_, delta)] = usages(stream_data(RECORDINGS_DIR / "first_stream/raw_events.toml"))
    assert "input_tokens" not in delta
    with ReplayServer([RAW_EVENTS], speed=0) as server:
        client = anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url)
        body = RAW_EVENTS.request.body
        with client.messages.stream(
            model=body["model"], max_tokens=body["max_tokens"], messages=body["messages"]
        ) as stream:
            usage = stream.get_final_message().usage
    assert usage.input_tokens == start["input_tokens"]
    assert usage.output_tokens == delta["output_tokens"]


def streams_with(field: str) -> list[Path]:
    return [p for p in STREAMS if any(field in u for _, u in usages(stream_data(p)))]


@pytest.mark.parametrize("path", streams_with("output_tokens_details"), ids=name)
def test_thinking_tokens_come_only_on_the_final_message_delta_and_within_output(
    path: Path,
) -> None:
    # usage.md: thinking_tokens is "on the final message_delta only" and "a part of
    # output_tokens, never more" (release notes of 2026-05-27; the SDK's field description).
    found = usages(stream_data(path))
    carrying = [i for i, (_, usage) in enumerate(found) if "output_tokens_details" in usage]
    assert carrying == [len(found) - 1]
    event, usage = found[-1]
    assert event == "message_delta"
    assert 0 <= usage["output_tokens_details"]["thinking_tokens"] <= usage["output_tokens"]


@pytest.mark.parametrize("path", streams_with("cache_creation"), ids=name)
def test_cache_creation_adds_up_to_cache_creation_input_tokens(path: Path) -> None:
    # usage.md: the cache_creation breakdown adds up to cache_creation_input_tokens.
    for _, usage in usages(stream_data(path)):
        if "cache_creation" in usage:
            split = usage["cache_creation"]
            assert sum(split.values()) == usage["cache_creation_input_tokens"]


def test_the_usage_streams_show_what_the_page_says() -> None:
    # usage.md: input grows with a server tool; the cache is written, then read.
    [(_, start), (_, end)] = usages(stream_data(RECORDINGS_DIR / "usage/final_details.toml"))
    assert end["input_tokens"] > start["input_tokens"]
    assert end["server_tool_use"]["web_search_requests"] == 1
    assert "server_tool_use" not in start
    # "yet most of the output tokens were thinking"
    assert end["output_tokens_details"]["thinking_tokens"] > end["output_tokens"] / 2
    first, second = (
        usages(stream_data(RECORDINGS_DIR / f"usage/cache_fields/{n}.toml"))[-1][1] for n in (1, 2)
    )
    assert first["cache_creation_input_tokens"] == second["cache_read_input_tokens"] > 0
    assert first["cache_read_input_tokens"] == second["cache_creation_input_tokens"] == 0


def test_every_sdk_version_the_page_names_is_the_one_the_tests_run() -> None:
    page = " ".join((DOCS_DIR / "usage.md").read_text().split())
    assert set(re.findall(r"SDK (\d+\.\d+\.\d+)", page)) == {anthropic.__version__}
