"""A recording of the OpenAI-compatible endpoint: its chunks are checked as it loads."""

from __future__ import annotations

import pytest

from stream_replay import RecordingError, parse_recording, timeline, timeline_svg
from stream_replay._openai import Chunk, check_chunk, read_chunk

from .project import RECORDINGS_DIR

RECORDING = RECORDINGS_DIR / "openai_compat" / "text_stream.toml"


def test_the_recording_loads_with_its_chunks_and_done() -> None:
    recording = parse_recording(RECORDING.read_text(), RECORDING)
    *chunks, done = recording.response.events
    assert done.data == "[DONE]"
    assert {chunk.data["object"] for chunk in chunks} == {"chat.completion.chunk"}
    assert chunks[-1].data["choices"] == []
    assert chunks[-1].data["usage"]["completion_tokens"]


@pytest.mark.parametrize(
    ("lines", "name", "reason"),
    [
        (['{"object":"chat.completion.chunk"}'], None, None),
        (["[DONE]"], None, None),
        (['{"type":"message_stop"}'], None, 'data must be a JSON object with "object"'),
        (['{"object":"chat.completion.chunk"'], None, "data is not valid JSON"),
        (['{"object":"chat.completion.chunk"}'], "chunk", "a chunk has no event: line"),
    ],
)
def test_a_chunk_is_checked(lines: list[str], name: str | None, reason: str | None) -> None:
    _, found = check_chunk(lines, name)
    assert (found is None) if reason is None else (found or "").startswith(reason)


def test_a_broken_chunk_names_its_file_and_line() -> None:
    text = RECORDING.read_text()
    broken = text.replace('"content":"Streaming"}', '"content":"Streaming"', 1)
    line = text[: text.index('"content":"Streaming"}')].count("\n") + 1
    with pytest.raises(RecordingError) as error:
        parse_recording(broken, RECORDING)
    assert str(error.value).startswith(f"{RECORDING}:{line}: data is not valid JSON")


@pytest.mark.parametrize(
    ("data", "chunk"),
    [
        ("[DONE]", Chunk("[DONE]")),
        (
            {"object": "chat.completion.chunk", "choices": [{"delta": {"role": "assistant"}}]},
            Chunk("chunk: role"),
        ),
        (
            {"object": "chat.completion.chunk", "choices": [{"delta": {"content": "Hi"}}]},
            Chunk("chunk: content", text="Hi"),
        ),
        (
            {
                "object": "chat.completion.chunk",
                "choices": [{"delta": {"tool_calls": [{"index": 0}]}, "finish_reason": "stop"}],
            },
            Chunk("chunk: tool_calls finish_reason", finish_reason="stop"),
        ),
        (
            {"object": "chat.completion.chunk", "choices": [], "usage": {"total_tokens": 3}},
            Chunk("chunk: usage"),
        ),
        ({"type": "message_stop"}, None),  # the Messages API's own event
        (None, None),  # a comment
    ],
)
def test_a_chunk_is_read_by_what_it_carries(data: object, chunk: Chunk | None) -> None:
    assert read_chunk(data) == chunk


def test_the_timelines_show_the_chunks_by_kind_and_end_at_done() -> None:
    recording = parse_recording(RECORDING.read_text(), "recordings/openai_compat/text_stream.toml")
    text = timeline(recording)
    assert '  0.712 s  chunk: content       "Streaming"  <- first text\n' in text
    assert text.count("chunk: content") == 14
    assert "  1.448 s  [DONE]\n" in text
    svg = timeline_svg(recording)
    # Lanes of what the chunks carry, none for the API's events, which this stream lacks.
    assert "chunk: content \u00d714" in svg
    assert "[DONE] 1.448 s" in svg  # the stream is complete at [DONE]
    assert "message_start" not in svg
    assert "The stream ends with [DONE] at 1.448 s." in svg
