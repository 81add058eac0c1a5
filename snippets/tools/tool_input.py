"""Tool input by hand and by the SDK: the same JSON, parsed at two times."""

from __future__ import annotations

import json

import anthropic
from anthropic.lib.streaming import ParsedMessageStreamEvent
from anthropic.types import RawMessageStreamEvent

client = anthropic.Anthropic()


# --8<-- [start:accumulator]
class ToolInputs:
    """Each tool call's input JSON, appended piece by piece, parsed last."""

    def __init__(self) -> None:
        self.pending: dict[int, str] = {}  # open blocks: index -> JSON so far
        self.done: dict[int, object] = {}  # closed blocks: index -> input

    def feed(
        self, event: RawMessageStreamEvent | ParsedMessageStreamEvent[None]
    ) -> None:
        if event.type == "content_block_start":
            if event.content_block.type in ("tool_use", "server_tool_use"):
                self.pending[event.index] = ""
        elif event.type == "content_block_delta":
            if event.delta.type == "input_json_delta":
                self.pending[event.index] += event.delta.partial_json
        elif (
            event.type == "content_block_stop" and event.index in self.pending
        ):
            text = self.pending.pop(event.index)
            # Only now is the JSON whole. No pieces at all means no input.
            self.done[event.index] = json.loads(text) if text else {}


# --8<-- [end:accumulator]

book_table: anthropic.types.ToolParam = {
    "name": "book_table",
    "description": "Book a table at a restaurant",
    "input_schema": {
        "type": "object",
        "properties": {
            "restaurant": {"type": "string"},
            "party_size": {"type": "integer"},
            "time": {"type": "string", "description": "ISO 8601"},
        },
        "required": ["restaurant", "party_size", "time"],
    },
}
mine = ToolInputs()
# --8<-- [start:stream]
with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=1024,
    tools=[book_table],
    messages=[
        {
            "role": "user",
            "content": "Book Tasca do Chico for 12 people, "
            "3 December 2026 at 20:00.",
        }
    ],
) as stream:
    for event in stream:
        mine.feed(event)  # the raw events pass through messages.stream()
        if event.type == "input_json":  # the SDK's own event, after each delta
            print(f"{event.partial_json!r:<28} snapshot={event.snapshot}")
    message = stream.get_final_message()
# --8<-- [end:stream]

for index, block in enumerate(message.content):
    if block.type == "tool_use":
        print(f"by hand:  {mine.done[index]}")
        print(f"SDK:      {block.input}")
        print(f"the same: {mine.done[index] == block.input}")
