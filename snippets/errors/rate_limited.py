"""HTTP 429 before the stream: retried after retry-after, then raised."""

import anthropic

# One retry instead of the default two keeps this example short.
client = anthropic.Anthropic(max_retries=1)

try:
    with client.messages.stream(
        model="claude-sonnet-5-5",
        max_tokens=256,
        messages=[
            {"role": "user", "content": "Write a haiku about waiting in line."}
        ],
    ) as stream:
        for text in stream.text_stream:
            print(text, end="", flush=True)
except anthropic.RateLimitError as error:
    # Raised by `with`, before any text, once the retries are used up.
    print(f"{type(error).__name__}: HTTP {error.status_code}, {error.type}")
    print(f"message: {error.api_message}")
    # How long the API asks you to wait before you try again yourself.
    print(f"retry-after: {error.response.headers.get('retry-after')} s")
