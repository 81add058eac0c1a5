"""Stream a tool call: its input arrives as pieces of one JSON string."""

import json

import anthropic

client = anthropic.Anthropic()

weather_tool: anthropic.types.ToolParam = {
    "name": "get_weather",
    "description": "Get the current weather in a given location",
    "input_schema": {
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "City and country"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["location"],
    },
}
stream = client.messages.create(
    model="claude-sonnet-5-5",
    max_tokens=1024,
    tools=[weather_tool],
    messages=[{"role": "user", "content": "What is the weather in Lisbon?"}],
    stream=True,
)
tool_json: dict[int, str] = {}  # block index -> the input JSON so far
for event in stream:
    if event.type == "content_block_start":
        block = event.content_block
        print(f"[{event.index}] start {block.type}", end="")
        if block.type == "tool_use":
            tool_json[event.index] = ""
            print(f" {block.name} input={block.input}", end="")
        print()
    elif event.type == "content_block_delta":
        delta = event.delta
        if delta.type == "text_delta":
            print(f"[{event.index}] text_delta {delta.text!r}")
        elif delta.type == "input_json_delta":
            tool_json[event.index] += delta.partial_json
            print(f"[{event.index}] input_json_delta {delta.partial_json!r}")
    elif event.type == "content_block_stop":
        print(f"[{event.index}] stop", end="")
        if event.index in tool_json:
            # Only now is the JSON complete. "" would mean an empty input.
            tool_input = json.loads(tool_json.pop(event.index) or "{}")
            print(f", input complete: {tool_input}", end="")
        print()
    elif event.type == "message_delta":
        print(f"message_delta stop_reason={event.delta.stop_reason}")
