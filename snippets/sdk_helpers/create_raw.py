"""The same reply with create(stream=True): no helpers, you accumulate."""

import anthropic

client = anthropic.Anthropic()

with client.messages.create(
    model="claude-sonnet-5-5",
    max_tokens=1024,
    messages=[
        {"role": "user", "content": "Give one tip for naming variables."}
    ],
    stream=True,
) as stream:  # the raw stream is a context manager too: it closes on exit
    pieces: list[str] = []
    stop_reason: str | None = None
    output_tokens = 0
    for event in stream:
        if event.type == "content_block_delta":
            if event.delta.type == "text_delta":  # skip other deltas
                pieces.append(event.delta.text)
        elif event.type == "message_delta":
            stop_reason = event.delta.stop_reason
            output_tokens = event.usage.output_tokens  # cumulative: replace

print("".join(pieces))
print(f"stop_reason={stop_reason}")
print(f"output_tokens={output_tokens}")
