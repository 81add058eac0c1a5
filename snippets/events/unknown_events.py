"""Keep a stream's text even when it holds types this code does not know."""

import anthropic

client = anthropic.Anthropic()

stream = client.messages.create(
    model="claude-sonnet-5-5",
    max_tokens=256,
    messages=[
        {"role": "user", "content": "Name the three primary colours of light."}
    ],
    stream=True,
)
# Known types that this loop has no use for.
NOTHING_TO_DO = ("message_start", "content_block_stop", "message_stop")
text: list[str] = []
stop_reason: str | None = None
for event in stream:
    # Compare .type, never isinstance(): an event or block of a type the SDK
    # does not know arrives as an object of one of its known classes.
    if event.type == "content_block_delta":
        if event.delta.type == "text_delta":
            text.append(event.delta.text)
    elif event.type == "message_delta":
        stop_reason = event.delta.stop_reason
    elif event.type == "content_block_start":
        if event.content_block.type != "text":
            print(f"(skipped a block of type {event.content_block.type!r})")
    elif event.type not in NOTHING_TO_DO:
        # A type added to the API after this code was written: skip it.
        print(f"(skipped an event of type {event.type!r})")
print("".join(text))
print(f"stop_reason={stop_reason}")
