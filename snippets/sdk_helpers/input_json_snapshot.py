"""`input_json` events: a tool call's input, parsed as far as it has come."""

import anthropic

client = anthropic.Anthropic()

with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=1024,
    tools=[
        {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "input_schema": {
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "unit": {
                        "type": "string",
                        "enum": ["celsius", "fahrenheit"],
                    },
                },
                "required": ["city"],
            },
        }
    ],
    messages=[{"role": "user", "content": "How warm is it in Lisbon, in C?"}],
) as stream:
    for event in stream:
        if event.type == "input_json":
            print(f"{event.partial_json!r:<22} snapshot={event.snapshot!r}")
        elif event.type == "content_block_stop":
            block = event.content_block
            if block.type == "tool_use":
                print(f"complete: {block.name}({block.input!r})")
    message = stream.get_final_message()

print(f"stop_reason={message.stop_reason}")
