"""What messages.stream() parses to build a large tool input as it streams."""

import anthropic

client = anthropic.Anthropic()

make_file: anthropic.types.ToolParam = {
    "name": "make_file",
    "description": "Write text to a file",
    "input_schema": {
        "type": "object",
        "properties": {
            "filename": {"type": "string"},
            "lines_of_text": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["filename", "lines_of_text"],
    },
}
size = 0  # bytes of tool input so far
parsed = 0  # bytes the SDK has parsed so far: the whole input, at every piece
sizes: list[tuple[int, int]] = []
with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=4096,
    tools=[make_file],
    messages=[{"role": "user", "content": "Write a long poem to poem.txt."}],
) as stream:
    for event in stream:
        if event.type == "input_json" and event.partial_json:
            size += len(event.partial_json.encode())
            parsed += size  # jiter parses all of it again
            sizes.append((size, parsed))
    message = stream.get_final_message()

pieces = len(sizes)
print(f"tool input: {size:,} bytes in {pieces} pieces")
for quarter in (1, 2, 3, 4):
    at_size, at_parsed = sizes[pieces * quarter // 4 - 1]
    ratio = at_parsed / at_size
    print(f"  at {at_size:>5,} bytes: parsed {at_parsed:>7,} ({ratio:.0f} x)")
print(f"by hand, at content_block_stop: {size:,} bytes, parsed once")
