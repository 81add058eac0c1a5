"""Print every event of a stream, one line each, as the SDK hands them over."""

import anthropic

client = anthropic.Anthropic()

# --8<-- [start:events]
stream = client.messages.create(
    model="claude-sonnet-5-5",
    max_tokens=256,
    messages=[
        {"role": "user", "content": "Say hello in French, Spanish and German."}
    ],
    stream=True,  # an iterator of events instead of one finished message
)
for event in stream:
    if event.type == "message_start":
        usage = event.message.usage
        detail = f"id={event.message.id} input_tokens={usage.input_tokens}"
    elif event.type == "content_block_start":
        detail = f"index={event.index} block={event.content_block.type}"
    elif event.type == "content_block_delta":
        detail = f"index={event.index} {event.delta.type}"
        if event.delta.type == "text_delta":
            detail += f" {event.delta.text!r}"
    elif event.type == "content_block_stop":
        detail = f"index={event.index}"
    elif event.type == "message_delta":
        detail = f"stop_reason={event.delta.stop_reason}"
        detail += f" output_tokens={event.usage.output_tokens}"
    else:  # message_stop, and any event type added to the API later
        detail = ""
    print(f"{event.type:<20} {detail}".rstrip())
# --8<-- [end:events]
