"""With display "omitted", a thinking block streams its signature, no text."""

import anthropic

client = anthropic.Anthropic()

stream = client.messages.create(
    model="claude-opus-5-5",
    max_tokens=16000,
    thinking={"type": "adaptive", "display": "omitted"},
    messages=[{"role": "user", "content": "Is 2027 a prime number?"}],
    stream=True,
)
for event in stream:
    if event.type == "content_block_start":
        print(f"[{event.index}] start {event.content_block.type}")
    elif event.type == "content_block_delta":
        delta = event.delta
        if delta.type == "thinking_delta":
            print(f"[{event.index}] thinking_delta {delta.thinking!r}")
        elif delta.type == "signature_delta":
            size = len(delta.signature)
            print(f"[{event.index}] signature_delta ({size} characters)")
        elif delta.type == "text_delta":
            print(f"[{event.index}] text_delta {delta.text!r}")
    elif event.type == "content_block_stop":
        print(f"[{event.index}] stop")
    elif event.type == "message_delta":
        details = event.usage.output_tokens_details
        if details is not None:
            print(f"thinking billed: {details.thinking_tokens} tokens")
