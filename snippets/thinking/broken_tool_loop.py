"""Two ways to break a tool loop with thinking, and what the API answers."""

import anthropic
from anthropic.types import ContentBlock, MessageParam, ToolParam

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
QUESTION: MessageParam = {
    "role": "user",
    "content": "Can we ship 40 units of A-113 today?",
}


def ask(history: list[MessageParam]) -> anthropic.types.Message:
    with client.messages.stream(
        model="claude-opus-5-5",
        max_tokens=16000,
        thinking={"type": "adaptive", "display": "summarized"},
        tools=TOOLS,
        messages=history,
    ) as stream:
        return stream.get_final_message()


first = ask([QUESTION])
print(f"{first.stop_reason}: {[b.type for b in first.content]}")
tool_use = next(block for block in first.content if block.type == "tool_use")
result: MessageParam = {
    "role": "user",
    "content": [
        {
            "type": "tool_result",
            "tool_use_id": tool_use.id,
            "content": "37 units",
        }
    ],
}

# Mistake 1: keep only the types this code knows; redacted_thinking is lost.
kept = [b for b in first.content if b.type in ("thinking", "tool_use")]
# Mistake 2: store the signature in a column that holds 255 characters.
cut: list[ContentBlock] = [
    b.model_copy(update={"signature": b.signature[:255]})
    if b.type == "thinking"
    else b
    for b in first.content
]
for label, content in (("dropped block", kept), ("cut signature", cut)):
    try:
        ask([QUESTION, {"role": "assistant", "content": content}, result])
    except anthropic.BadRequestError as error:
        body = error.body if isinstance(error.body, dict) else {}
        print(f"{label}: HTTP {error.status_code}, {error.type}")
        print(f"  {body.get('error', {}).get('message')}")
