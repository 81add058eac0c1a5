"""Stop reading early: close() releases the connection at once."""

import anthropic

client = anthropic.Anthropic()

with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=2048,
    messages=[{"role": "user", "content": "List ten uses for a paperclip."}],
) as stream:
    for event in stream:
        if event.type == "text":
            print(event.text, end="", flush=True)
            if event.snapshot.count("\n") == 3:  # three uses are enough
                break
    stream.close()  # the rest of the reply is never read
    snapshot = stream.current_message_snapshot

print(f"[closed: {stream.response.is_closed}]")
print(f"[stop_reason: {snapshot.stop_reason}]")  # never arrived
