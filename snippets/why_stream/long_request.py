"""One whole Message from a request too long for a non-streaming call."""

import anthropic

client = anthropic.Anthropic()

# --8<-- [start:final]
# create() without stream=True would raise ValueError here, before sending
# anything: with max_tokens=64000 the SDK expects more than ten minutes.
with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=64000,
    messages=[
        {
            "role": "user",
            "content": "Write a release checklist for a small web service.",
        }
    ],
) as stream:
    message = stream.get_final_message()  # waits for the end of the stream
# --8<-- [end:final]

print(f"a Message: {isinstance(message, anthropic.types.Message)}")
print(f"stop_reason={message.stop_reason}")
print(f"output_tokens={message.usage.output_tokens}")
for block in message.content:
    if block.type == "text":
        print(block.text)
