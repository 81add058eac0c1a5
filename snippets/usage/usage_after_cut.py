"""What usage to record for a stream that ended before its message_delta."""

import json

import anthropic
from anthropic.types import Usage

client = anthropic.Anthropic()

text, usage, counted, complete = "", None, False, False
try:
    with client.messages.stream(
        model="claude-sonnet-5-5",
        max_tokens=1024,
        messages=[
            {
                "role": "user",
                "content": "Describe a sunrise at sea in three sentences.",
            }
        ],
    ) as stream:
        for event in stream:
            if event.type == "message_start":
                # One object, which the SDK updates in place as counts arrive.
                usage = stream.current_message_snapshot.usage
            elif event.type == "text":
                text += event.text
            elif event.type == "message_delta":
                counted = True  # cumulative output counts from here on
            elif event.type == "message_stop":
                complete = True
except anthropic.APIConnectionError as error:
    print(f"[stream cut: {type(error).__name__}]")


# --8<-- [start:record]
def usage_record(usage: Usage | None) -> dict[str, object]:
    if usage is None:  # no message_start: nothing is known
        return {"complete": False}
    return {
        "complete": complete,
        # Known from message_start, and final: the input was read whole.
        "input_tokens": usage.input_tokens,
        "cache_read_input_tokens": usage.cache_read_input_tokens,
        "cache_creation_input_tokens": usage.cache_creation_input_tokens,
        # message_start's output_tokens is a starting count, not the bill:
        # without a message_delta the output is unknown. Say so.
        "output_tokens": usage.output_tokens if counted else None,
        "characters_received": len(text),
    }


# --8<-- [end:record]
print(json.dumps(usage_record(usage), indent=2))
