"""Handle content blocks by type, and let the ones you don't know pass."""

import anthropic
from anthropic.types import ContentBlock

client = anthropic.Anthropic()


# --8<-- [start:describe]
def describe(block: ContentBlock) -> str:
    """One line per block. A type this code does not know is no error."""
    if block.type == "text":
        return f"text: {block.text!r}"
    elif block.type == "thinking":
        return f"thinking: {len(block.thinking)} characters, signed"
    elif block.type == "redacted_thinking":
        return "redacted_thinking: encrypted, goes back as it is"
    elif block.type == "tool_use":
        return f"tool_use {block.name}: yours to run"
    elif block.type == "server_tool_use":
        return f"server_tool_use {block.name}: {block.input}"
    elif block.type.endswith("_tool_result"):
        # web_search_, web_fetch_, bash_code_execution_, ... and newer ones
        return f"{block.type}: ran on the server"
    else:
        # fallback, compaction, or a type added after this code was written.
        # Its Python class may claim it is a text block: trust .type only.
        return f"{block.type}: not known here; kept in the history, not shown"


# --8<-- [end:describe]


def main() -> None:
    with client.messages.stream(
        model="claude-opus-5-5",
        max_tokens=2048,
        tools=[
            {"type": "web_fetch_20250910", "name": "web_fetch", "max_uses": 2},
            {"type": "code_execution_20250825", "name": "code_execution"},
        ],
        messages=[
            {
                "role": "user",
                "content": "Fetch https://www.example.com/reports/2026-q3.csv"
                " and add up its amount column.",
            }
        ],
    ) as stream:
        message = stream.get_final_message()
    for block in message.content:
        print(describe(block))
    usage = message.usage.server_tool_use
    if usage is not None:
        print(f"usage: {usage.web_fetch_requests} fetch(es)")
    if message.container is not None:
        container = message.container
        print(f"container {container.id}, expires {container.expires_at}")


if __name__ == "__main__":
    main()
