"""`current_message_snapshot` while the stream runs; `until_done()` after."""

import anthropic

client = anthropic.Anthropic()

with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=1024,
    messages=[{"role": "user", "content": "Describe a lighthouse at dusk."}],
) as stream:
    for event in stream:
        if event.type == "text":
            snapshot = stream.current_message_snapshot  # the message so far
            print(f"{len(event.snapshot):>3} chars so far,", end=" ")
            print(f"stop_reason={snapshot.stop_reason}")
            if len(event.snapshot) > 60:
                break  # enough for a preview: stop handling events
    stream.until_done()  # read the rest of the stream, handling nothing
    message = stream.get_final_message()

print(f"{len(stream.get_final_text())} chars in all,", end=" ")
print(f"stop_reason={message.stop_reason}")
# The snapshot is one object, updated in place as events arrive.
print(f"snapshot is the final message: {snapshot is message}")
