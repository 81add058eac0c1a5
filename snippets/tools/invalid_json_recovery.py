"""Recover from invalid tool JSON: accumulate it yourself, answer is_error."""

import json

import anthropic
from anthropic.types import (
    ContentBlockParam,
    MessageParam,
    ToolResultBlockParam,
)

client = anthropic.Anthropic()

make_file: anthropic.types.ToolParam = {
    "name": "make_file",
    "description": "Write text to a file",
    "eager_input_streaming": True,
    "input_schema": {
        "type": "object",
        "properties": {
            "filename": {"type": "string"},
            "lines_of_text": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["filename", "lines_of_text"],
    },
}
messages: list[MessageParam] = [
    {"role": "user", "content": "Save a two-line dialogue to talk.txt."}
]
for turn in (1, 2):
    stream = client.messages.create(
        model="claude-sonnet-5-5",
        max_tokens=1024,
        tools=[make_file],
        messages=messages,
        stream=True,
    )
    texts: dict[int, str] = {}  # block index -> text
    calls: dict[int, tuple[str, str]] = {}  # block index -> (id, name)
    raw: dict[int, str] = {}  # block index -> the tool's JSON text
    for event in stream:
        if event.type == "content_block_start":
            block = event.content_block
            if block.type == "text":
                texts[event.index] = ""
            elif block.type == "tool_use":
                calls[event.index] = (block.id, block.name)
                raw[event.index] = ""
        elif event.type == "content_block_delta":
            if event.delta.type == "text_delta":
                texts[event.index] += event.delta.text
            elif event.delta.type == "input_json_delta":
                raw[event.index] += event.delta.partial_json
    print(f"turn {turn}: {' '.join(texts.values())}")
    reply: list[ContentBlockParam] = []  # the assistant turn, to send back
    errors: list[ToolResultBlockParam] = []
    for index in sorted(texts | calls):
        if index in texts:
            reply.append({"type": "text", "text": texts[index]})
            continue
        tool_id, name = calls[index]
        try:
            tool_input = json.loads(raw[index] or "{}")
        except json.JSONDecodeError as error:
            print(f"  invalid input ({error.msg}): {raw[index]}")
            tool_input = {}  # the API needs an object here
            errors.append(
                {
                    "type": "tool_result",
                    "tool_use_id": tool_id,
                    "is_error": True,  # the wrapper the docs suggest:
                    "content": json.dumps({"INVALID_JSON": raw[index]}),
                }
            )
        else:
            print(f"  valid input: {tool_input}")
        reply.append(
            {
                "type": "tool_use",
                "id": tool_id,
                "name": name,
                "input": tool_input,
            }
        )
    if not errors:
        break  # valid: run the tool now, as on the tool loop page
    messages += [
        {"role": "assistant", "content": reply},
        {"role": "user", "content": errors},
    ]
