"""`thinking` and `signature` events, from a reply with a thinking block."""

import anthropic

client = anthropic.Anthropic()

with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=4096,
    # "summarized" asks for the thinking text; the default depends on the model
    thinking={"type": "adaptive", "display": "summarized"},
    messages=[{"role": "user", "content": "Is 391 a prime number?"}],
) as stream:
    for event in stream:
        if event.type == "thinking":
            print(f"thinking   +{len(event.thinking):>2} chars,", end=" ")
            print(f"snapshot {len(event.snapshot)} chars")
        elif event.type == "signature":
            print(f"signature  {event.signature[:12]}...")
        elif event.type == "text":
            print(f"text       {event.text!r}")
    message = stream.get_final_message()

print([block.type for block in message.content])
