"""A connection that drops mid-stream: httpx2's error, not anthropic's."""

import anthropic
import httpx2

client = anthropic.Anthropic()

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
        for text in stream.text_stream:
            print(text, end="", flush=True)
except anthropic.APIError as error:  # an `error` event would land here
    print(f"\n[API error: {error}]")
except httpx2.TransportError as error:
    # The SDK lets a network error raised while reading the body through
    # as it is: it is not an anthropic.APIError.
    print(f"\n[connection lost: httpx2.{type(error).__name__}]")
    print(f"[{error}]")
