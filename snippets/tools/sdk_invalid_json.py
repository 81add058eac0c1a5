"""Fine-grained tool streaming: messages.stream() meets invalid JSON."""

import json

import anthropic

client = anthropic.Anthropic()

make_file: anthropic.types.ToolParam = {
    "name": "make_file",
    "description": "Write text to a file",
    "eager_input_streaming": True,  # stream the input unbuffered, unvalidated
    "input_schema": {
        "type": "object",
        "properties": {
            "filename": {"type": "string"},
            "lines_of_text": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["filename", "lines_of_text"],
    },
}


def save(prompt: str) -> None:
    print(f"> {prompt}")
    pieces: list[str] = []
    try:
        with client.messages.stream(
            model="claude-sonnet-5-5",
            max_tokens=1024,
            tools=[make_file],
            messages=[{"role": "user", "content": prompt}],
        ) as stream:
            for event in stream:
                if event.type == "input_json":  # after each input_json_delta
                    pieces.append(event.partial_json)
                    print(f"piece {len(pieces)}: {pieces[-1]!r}")
            message = stream.get_final_message()
    except ValueError as error:  # raised by the SDK, inside the loop
        text, _, rest = str(error).partition(" JSON: ")
        print(f"ValueError after piece {len(pieces)}: {text}")
        print(f"  JSON: {rest}")
        return
    tool_use = next(b for b in message.content if b.type == "tool_use")
    print(f"SDK input:  {tool_use.input}")
    try:
        print(f"json.loads: {json.loads(''.join(pieces))}")
    except json.JSONDecodeError as error:
        print(f"json.loads: {error}")


save("Save a two-line dialogue to talk.txt.")
save("Save a line of dialogue with a quotation to quote.txt.")
