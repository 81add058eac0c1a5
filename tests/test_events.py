"""What events.md says about the SDK's handling of each event type, checked."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from contextlib import contextmanager

import anthropic
from anthropic.types import ContentBlock, RawContentBlockDelta, RawMessageStreamEvent

from stream_replay import Recording, ReplayServer, load_recording

from .project import DOCS_DIR, PLACEHOLDER_KEY, RECORDINGS_DIR

EVENTS = RECORDINGS_DIR / "events"
PAGE = (DOCS_DIR / "events.md").read_text()
PROSE = " ".join(PAGE.split())  # lines joined, as a reader reads a sentence


def known_classes(union: object) -> tuple[type, ...]:
    """The classes of an SDK union type (`Annotated[Union[...], discriminator]`)."""
    return typing.get_args(typing.get_args(union)[0])


def type_name(cls: type) -> str:
    """The `type` an SDK model class stands for: `Literal["text_delta"]` -> "text_delta"."""
    assert issubclass(cls, anthropic.BaseModel)
    name: str = typing.get_args(cls.model_fields["type"].annotation)[0]
    return name


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


def test_the_short_answers_delta_types_are_the_sdks() -> None:
    # events.md: five delta types, those of SDK 2.17.0's RawContentBlockDelta.
    sdk: set[str] = set()
    for cls in known_classes(RawContentBlockDelta):
        assert issubclass(cls, anthropic.BaseModel)
        sdk.add(typing.get_args(cls.model_fields["type"].annotation)[0])
    table = {line.split("`")[1] for line in PAGE.splitlines() if line.strip().startswith("| `")}
    assert table == sdk
    assert len(sdk) == 5
    assert "carries one of five delta types" in PROSE


def test_the_eight_event_types_are_the_sdks_six_and_ping_and_error() -> None:
    # events.md: "A stream carries eight event types": the six of SDK 2.17.0's
    # RawMessageStreamEvent, and ping and error, which the SDK drops and raises.
    sdk = {type_name(cls) for cls in known_classes(RawMessageStreamEvent)}
    headings = {line.removeprefix("## ") for line in PAGE.splitlines() if line.startswith("## ")}
    named = {name for heading in headings for name in heading.split(" and ")}
    assert sdk | {"ping", "error"} <= named
    assert len(sdk | {"ping", "error"}) == 8
    assert "A stream carries eight event types." in PROSE


def test_the_sdk_drops_ping_with_create_and_with_stream() -> None:
    # events.md (the home of this fact): the SDK drops ping before your loop sees it,
    # with create(stream=True) and with messages.stream() alike.
    recording = load_recording(EVENTS / "unknown_events.toml")
    assert "ping" in [event.name for event in recording.response.events]
    with client_for(recording) as client:
        raw = [event.type for event in client.messages.create(**request_of(recording), stream=True)]
    with client_for(recording) as client, client.messages.stream(**request_of(recording)) as s:
        helped = [event.type for event in s]
    assert "ping" not in raw
    assert "ping" not in helped
    assert (
        "**The Python SDK drops `ping` events before your loop sees them** (SDK 2.17.0, and "
        "[every release measured](sdk-versions.md#ping))" in PROSE
    )
