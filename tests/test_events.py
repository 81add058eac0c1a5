"""What events.md says about the SDK's handling of each event and delta type, checked."""

from __future__ import annotations

import json
import typing
from collections.abc import Iterator
from contextlib import contextmanager

import anthropic
from anthropic.types import ContentBlock, RawContentBlockDelta, RawMessageStreamEvent

from stream_replay import Recording, ReplayServer, load_recording

from .project import DOCS_DIR, PLACEHOLDER_KEY, RECORDINGS_DIR

EVENTS = RECORDINGS_DIR / "events"
PAGE = (DOCS_DIR / "events.md").read_text()


def known_classes(union: object) -> tuple[type, ...]:
    """The classes of an SDK union type (`Annotated[Union[...], discriminator]`)."""
    return typing.get_args(typing.get_args(union)[0])


@contextmanager
def client_for(recording: Recording) -> Iterator[anthropic.Anthropic]:
    with ReplayServer([recording], speed=0) as server:
        yield anthropic.Anthropic(api_key=PLACEHOLDER_KEY, base_url=server.url)
    assert not server.mismatches


def request_of(recording: Recording) -> dict[str, typing.Any]:
    return {k: v for k, v in recording.request.body.items() if k != "stream"}


def test_the_sdk_version_is_the_one_the_page_names() -> None:
    assert f"SDK {anthropic.__version__}" in PAGE


def test_an_unknown_event_or_block_arrives_as_an_object_of_a_known_class() -> None:
    # events.md: compare .type, never isinstance(): the SDK builds an event or a block of a
    # type it does not know as an object of one of its own classes.
    recording = load_recording(EVENTS / "unknown_events.toml")
    with client_for(recording) as client:
        events = list(client.messages.create(**request_of(recording), stream=True))
    [event] = [e for e in events if e.type == "future_event"]
    assert type(event) in known_classes(RawMessageStreamEvent)
    assert isinstance(event, anthropic.types.RawMessageStartEvent)  # the page names the class
    message: object = event.message  # typed as a Message; here there is none
    assert message is None
    [block] = [
        e.content_block
        for e in events
        if e.type == "content_block_start" and e.content_block.type == "future_block"
    ]
    assert type(block) in known_classes(ContentBlock)
    assert isinstance(block, anthropic.types.TextBlock)  # though it holds no text
    text: object = block.text  # typed as a str; here there is none
    assert text is None


def test_messages_stream_passes_unknown_events_on_and_keeps_unknown_blocks() -> None:
    # events.md: messages.stream() hands the unknown event to the loop as well, and the
    # final message keeps the unknown block in `content`, in its place.
    recording = load_recording(EVENTS / "unknown_events.toml")
    with client_for(recording) as client, client.messages.stream(**request_of(recording)) as s:
        seen = [event.type for event in s]
        message = s.get_final_message()
    assert "future_event" in seen
    assert [block.type for block in message.content] == ["text", "future_block", "text"]


def test_the_sdk_adds_each_citation_to_its_text_block() -> None:
    recording = load_recording(EVENTS / "citations_events.toml")
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
    recording = load_recording(EVENTS / "thinking_events.toml")
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
    # events.md: accumulate the partial_json strings, parse them at content_block_stop.
    recording = load_recording(EVENTS / "tool_use_events.toml")
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


def test_the_short_answers_delta_types_are_the_sdks() -> None:
    # events.md: five delta types, those of SDK 2.12.0's RawContentBlockDelta.
    sdk: set[str] = set()
    for cls in known_classes(RawContentBlockDelta):
        assert issubclass(cls, anthropic.BaseModel)
        sdk.add(typing.get_args(cls.model_fields["type"].annotation)[0])
    table = {line.split("`")[1] for line in PAGE.splitlines() if line.strip().startswith("| `")}
    assert table == sdk
    assert len(sdk) == 5
