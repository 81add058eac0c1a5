"""Stream a reply and print its text as it arrives."""

import anthropic

# Reads ANTHROPIC_API_KEY, and ANTHROPIC_BASE_URL when it is set.
client = anthropic.Anthropic()

# --8<-- [start:stream]
with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=1024,
    messages=[
        {
            "role": "user",
            "content": "In two sentences: why do chat apps stream replies?",
        }
    ],
) as stream:
    for text in stream.text_stream:  # each piece of text as it arrives
        print(text, end="", flush=True)
    message = stream.get_final_message()  # the whole message, assembled
# --8<-- [end:stream]

print()
print(f"stop_reason={message.stop_reason}")
print(f"output_tokens={message.usage.output_tokens}")
