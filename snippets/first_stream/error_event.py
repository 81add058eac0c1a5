"""A stream that fails after it started: the error arrives as an event, after HTTP 200."""

import anthropic

client = anthropic.Anthropic()

# --8<-- [start:catch]
try:
    with client.messages.stream(
        model="claude-sonnet-5-5",
        max_tokens=1024,
        messages=[{"role": "user", "content": "Explain TCP slow start in one paragraph."}],
    ) as stream:
        for text in stream.text_stream:
            print(text, end="", flush=True)
except anthropic.APIStatusError as error:
    # The HTTP status was 200: the failure came inside the stream, as an `error` event.
    print(f"\n[stream failed: HTTP {error.status_code}, {error.type}]")
# --8<-- [end:catch]
