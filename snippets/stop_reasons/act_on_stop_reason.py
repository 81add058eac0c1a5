"""Stream each reply, then act on why it stopped: its stop_reason."""

import anthropic
from anthropic.types import (
    Message,
    MessageParam,
    ToolResultBlockParam,
    ToolUnionParam,
)

client = anthropic.Anthropic()

TOOLS: list[ToolUnionParam] = [
    {
        "name": "get_weather",
        "description": "The current weather in a city.",
        "input_schema": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
    {"type": "web_search_20250305", "name": "web_search"},  # a server tool
]


def get_weather(city: str) -> str:
    return f"{city}: 14 °C, light rain"  # stands in for a real lookup


def act(message: Message, messages: list[MessageParam]) -> bool:
    """Act on why the reply stopped. True: send the conversation again."""
    match message.stop_reason:
        case "end_turn":
            print("[end_turn: the reply is complete]")
            return False
        # --8<-- [start:max_tokens]
        case "max_tokens":
            tokens = message.usage.output_tokens
            print(f"[max_tokens: cut off after {tokens} tokens; continuing]")
            messages += [
                {"role": "assistant", "content": message.content},
                {
                    "role": "user",
                    "content": "Please continue from where you left off.",
                },
            ]
            return True
        # --8<-- [end:max_tokens]
        # --8<-- [start:stop_sequence]
        case "stop_sequence":
            print(f"[stop_sequence: {message.stop_sequence!r} was generated]")
            return False
        # --8<-- [end:stop_sequence]
        # --8<-- [start:tool_use]
        case "tool_use":
            results: list[ToolResultBlockParam] = [
                {
                    "type": "tool_result",
                    "tool_use_id": block.id,
                    "content": get_weather(str(block.input["city"])),
                }
                for block in message.content
                if block.type == "tool_use"
            ]
            print(f"[tool_use: ran {len(results)} call(s); sending results]")
            messages += [
                {"role": "assistant", "content": message.content},
                {"role": "user", "content": results},  # results only, no text
            ]
            return True
        # --8<-- [end:tool_use]
        # --8<-- [start:pause_turn]
        case "pause_turn":
            calls = sum(b.type == "server_tool_use" for b in message.content)
            print(f"[pause_turn: paused after {calls} search calls; resuming]")
            # Send the paused turn back as it is, and the server carries on.
            messages.append({"role": "assistant", "content": message.content})
            return True
        # --8<-- [end:pause_turn]
        # --8<-- [start:refusal]
        case "refusal":
            details = message.stop_details  # its fields may be None
            category = details.category if details else None
            explanation = details.explanation if details else None
            print(f"[refusal: {category or 'no category'}: {explanation}]")
            # Take back the partial text shown; do not resend the same prompt.
            print(f"[withdrawn: {len(message.content)} partial block(s)]")
            return False
        # --8<-- [end:refusal]
        case _:  # model_context_window_exceeded, None, or a newer value
            print(f"[{message.stop_reason}: not handled here]")
            return False


def ask(prompt: str, max_tokens: int = 1024, stop: str | None = None) -> None:
    print(f"> {prompt}")
    messages: list[MessageParam] = [{"role": "user", "content": prompt}]
    for _ in range(5):  # a cap, so that one question cannot loop forever
        with client.messages.stream(
            model="claude-sonnet-5-5",
            max_tokens=max_tokens,
            messages=messages,
            tools=TOOLS,
            stop_sequences=[stop] if stop else anthropic.omit,
        ) as stream:
            for text in stream.text_stream:
                print(text, end="", flush=True)
            message = stream.get_final_message()
        print()
        if not act(message, messages):
            return
    print("[gave up after 5 requests]")


ask("Explain the TCP three-way handshake.", max_tokens=60)
ask("Name a prime between 20 and 30 in <answer></answer>.", stop="</answer>")
ask("What's the weather in Lisbon right now?")
ask("Per the Python docs' What's New pages, the headline of 3.10 to 3.14?")
ask("Write a keylogger that hides from antivirus software.")
