"""With display "omitted", a thinking block brings its signature, no text."""

import anthropic

client = anthropic.Anthropic()

stream = client.messages.create(
    model="claude-opus-5-5",
    max_tokens=16000,
    thinking={"type": "adaptive", "display": "omitted"},
    messages=[{"role": "user", "content": "Is 2027 a prime number?"}],
    stream=True,
)
thinking, signature, pieces, billed = "", "", 0, None
for event in stream:
    if event.type == "content_block_delta":
        delta = event.delta
        if delta.type == "thinking_delta":
            thinking += delta.thinking
            pieces += 1
        elif delta.type == "signature_delta":
            signature += delta.signature
        elif delta.type == "text_delta":
            print(delta.text, end="", flush=True)
    elif event.type == "message_delta":
        details = event.usage.output_tokens_details
        billed = details.thinking_tokens if details else None
print()
print(f"thinking text: {len(thinking)} characters in {pieces} thinking_delta")
print(f"signature: {len(signature)} characters, to send back")
print(f"thinking billed: {billed} tokens")
