"""Stream a reply with thinking: a thinking block, then the text."""

import anthropic

client = anthropic.Anthropic()

stream = client.messages.create(
    model="claude-sonnet-5-5",
    max_tokens=16000,
    thinking={"type": "adaptive", "display": "summarized"},
    messages=[{"role": "user", "content": "Is 221 a prime number?"}],
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
            # Opaque: keep it whole to send the block back, never parse it.
            size = len(delta.signature)
            print(f"[{event.index}] signature_delta ({size} characters)")
        elif delta.type == "text_delta":
            print(f"[{event.index}] text_delta {delta.text!r}")
    elif event.type == "content_block_stop":
        print(f"[{event.index}] stop")
