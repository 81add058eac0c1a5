"""A tool call cut by max_tokens, buffered and with eager_input_streaming."""

import anthropic

client = anthropic.Anthropic()


def make_file(eager: bool) -> anthropic.types.ToolParam:
    return {
        "name": "make_file",
        "description": "Write text to a file",
        "eager_input_streaming": eager,
        "input_schema": {
            "type": "object",
            "properties": {
                "filename": {"type": "string"},
                "lines_of_text": {
                    "type": "array",
                    "items": {"type": "string"},
                },
            },
            "required": ["filename", "lines_of_text"],
        },
    }


for eager in (False, True):
    print(f"eager_input_streaming={eager}:")
    raw = ""  # the tool's JSON text, as it arrived
    closed = False  # did the tool block get its content_block_stop?
    with client.messages.stream(
        model="claude-sonnet-5-5",
        max_tokens=200,
        tools=[make_file(eager)],
        messages=[
            {"role": "user", "content": "Write a tax guide to taxes.txt."}
        ],
    ) as stream:
        for event in stream:
            if event.type == "input_json":
                raw += event.partial_json
            elif event.type == "content_block_stop":
                closed = closed or event.content_block.type == "tool_use"
        message = stream.get_final_message()
    tool_use = next(b for b in message.content if b.type == "tool_use")
    print(f"  stop_reason={message.stop_reason}, tool block closed: {closed}")
    print(f"  JSON received: {raw}")
    print(f"  SDK's input:   {tool_use.input}")
