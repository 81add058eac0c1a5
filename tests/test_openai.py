"""A recording of the OpenAI-compatible endpoint: its chunks are checked as it loads."""

from __future__ import annotations

import pytest

from stream_replay import RecordingError, parse_recording
from stream_replay._openai import check_chunk

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
