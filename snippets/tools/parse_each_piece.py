"""The mistake: parsing each input_json_delta piece on its own."""

import json

import anthropic

client = anthropic.Anthropic()


def try_parse(text: str) -> str:
    try:
        return f"ok {json.loads(text)}"
    except json.JSONDecodeError as error:
        return f"error: {error.msg}"


forecast_tool: anthropic.types.ToolParam = {
    "name": "get_forecast",
    "description": "Weather forecast for a city",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "days": {"type": "integer"},
        },
        "required": ["city"],
    },
}
stream = client.messages.create(
    model="claude-sonnet-5-5",
    max_tokens=1024,
    tools=[forecast_tool],
    messages=[{"role": "user", "content": "Porto, next 3 days?"}],
    stream=True,
)
so_far = ""
for event in stream:
    delta = event.delta if event.type == "content_block_delta" else None
    if delta and delta.type == "input_json_delta":
        piece = delta.partial_json
        so_far += piece
        print(f"piece {piece!r}")
        print(f"  alone:  {try_parse(piece)}")  # wrong
        print(f"  so far: {try_parse(so_far)}")  # whole only at the end
