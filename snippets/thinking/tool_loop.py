"""A tool loop with thinking: every thinking block goes back, unchanged."""

import anthropic
from anthropic.types import MessageParam, ToolParam, ToolResultBlockParam

client = anthropic.Anthropic()

TOOLS: list[ToolParam] = [
    {
        "name": "get_stock",
        "description": "The number of units in stock for a product SKU.",
        "input_schema": {
            "type": "object",
            "properties": {"sku": {"type": "string"}},
            "required": ["sku"],
        },
    }
]
STOCK = {"A-113": 37}

messages: list[MessageParam] = [
    {"role": "user", "content": "Can we ship 40 units of A-113 today?"}
]
for _ in range(5):  # a cap, so that a loop cannot run forever
    with client.messages.stream(
        model="claude-opus-5-5",
        max_tokens=16000,
        thinking={"type": "adaptive", "display": "summarized"},
        tools=TOOLS,
        messages=messages,
    ) as stream:
        message = stream.get_final_message()
    print(f"{message.stop_reason}: {[b.type for b in message.content]}")
    # The whole content, as it came: the thinking, redacted_thinking and
    # tool_use blocks, in their order, each thinking block with its signature.
    messages.append({"role": "assistant", "content": message.content})
    if message.stop_reason != "tool_use":
        break
    results: list[ToolResultBlockParam] = [
        {
            "type": "tool_result",
            "tool_use_id": block.id,
            "content": f"{STOCK.get(str(block.input.get('sku')), 0)} units",
        }
        for block in message.content
        if block.type == "tool_use"
    ]
    messages.append({"role": "user", "content": results})

for block in message.content:
    if block.type == "text":
        print(block.text)
