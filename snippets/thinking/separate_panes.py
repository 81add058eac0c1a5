"""Show the model's thinking apart from its answer, while both stream."""

import anthropic

client = anthropic.Anthropic()

with client.messages.stream(
    model="claude-opus-5-5",
    max_tokens=16000,
    thinking={"type": "adaptive", "display": "summarized"},
    messages=[
        {"role": "user", "content": "How many trailing zeros does 100! have?"}
    ],
) as stream:
    for event in stream:
        # Route each kind of block to its own place: here, a heading each.
        if event.type == "content_block_start":
            if event.content_block.type == "thinking":
                print("--- thinking (a summary) ---")
            elif event.content_block.type == "text":
                print("\n--- answer ---")
        elif event.type == "thinking":  # the SDK's event for a thinking_delta
            print(event.thinking, end="", flush=True)
        elif event.type == "text":
            print(event.text, end="", flush=True)
    message = stream.get_final_message()

print()
thinking = message.content[0]
assert thinking.type == "thinking"
details = message.usage.output_tokens_details
print(f"summary shown: {len(thinking.thinking)} characters")
print(f"thinking billed: {details.thinking_tokens if details else '?'} tokens")
print(f"signature kept for later: {len(thinking.signature)} characters")
