"""A complete tool loop: stream, run the tools, send the results, repeat."""

import json
from typing import Any

import anthropic
from anthropic.types import MessageParam, ToolParam, ToolResultBlockParam

client = anthropic.Anthropic()

# --8<-- [start:tools]
TOOLS: list[ToolParam] = [
    {
        "name": "get_weather",
        "description": "The current weather in a city",
        "input_schema": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
    {
        "name": "get_forecast",
        "description": "Tomorrow's forecast for a city",
        "input_schema": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
]


def run_tool(name: str, tool_input: Any) -> str:
    """Stands in for real lookups."""
    weather = {"Lisbon": "19 °C, sunny", "Porto": "15 °C, cloudy"}
    if name == "get_weather":
        return weather[tool_input["city"]]
    if name == "get_forecast":
        return "12 °C, rain from 10:00, wind 30 km/h"
    raise ValueError(f"no tool named {name!r}")


# --8<-- [end:tools]

messages: list[MessageParam] = [
    {
        "role": "user",
        "content": "Is Lisbon or Porto warmer right now? "
        "And what should I pack for Porto tomorrow?",
    }
]
# --8<-- [start:loop]
for request in range(1, 6):  # a cap, so that a loop cannot run forever
    print(f"--- request {request}")
    with client.messages.stream(
        model="claude-sonnet-5-5",
        max_tokens=1024,
        tools=TOOLS,
        messages=messages,
    ) as stream:
        for event in stream:
            if event.type == "text":
                print(event.text, end="", flush=True)
            elif event.type == "content_block_stop":
                block = event.content_block
                if block.type == "text":
                    print()
                elif block.type == "tool_use":  # its input is complete now
                    print(f"[{block.name} {json.dumps(block.input)}]")
        message = stream.get_final_message()
    if message.stop_reason != "tool_use":
        print(f"[{message.stop_reason}]")
        break
    results: list[ToolResultBlockParam] = []
    for block in message.content:  # every tool_use block gets a result
        if block.type == "tool_use":
            try:
                output = run_tool(block.name, block.input)
            except Exception as error:  # tell the model, do not crash
                results.append(
                    {
                        "type": "tool_result",
                        "tool_use_id": block.id,
                        "content": str(error),
                        "is_error": True,
                    }
                )
            else:
                print(f"[{block.name} -> {output}]")
                results.append(
                    {
                        "type": "tool_result",
                        "tool_use_id": block.id,
                        "content": output,
                    }
                )
    messages += [
        {"role": "assistant", "content": message.content},  # unchanged
        {"role": "user", "content": results},  # all results, in one message
    ]
# --8<-- [end:loop]
