"""Wait for the whole reply: no loop, the helpers read the stream."""

import anthropic

client = anthropic.Anthropic()

with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=1024,
    messages=[
        {"role": "user", "content": "Give one tip for naming variables."}
    ],
) as stream:
    text = stream.get_final_text()  # reads every event, joins the text

# The stream was read to the end inside the block, so this still works.
message = stream.get_final_message()
print(text)
print(f"stop_reason={message.stop_reason}")
print(f"output_tokens={message.usage.output_tokens}")
