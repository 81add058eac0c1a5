"""A stream that fails after it has started: an `error` event after 200 OK."""

import anthropic

client = anthropic.Anthropic()

# --8<-- [start:catch]
try:
    with client.messages.stream(
        model="claude-sonnet-5-5",
        max_tokens=1024,
        messages=[
            {
                "role": "user",
                "content": "Explain TCP slow start in one paragraph.",
            }
        ],
    ) as stream:
        for text in stream.text_stream:
            print(text, end="", flush=True)
except anthropic.APIStatusError as error:
    # The status is the response's 200: the failure came inside the stream.
    print(f"\n[stream failed: HTTP {error.status_code}, {error.type}]")
# --8<-- [end:catch]
