"""Stream a reply from Claude on Amazon Bedrock, with the same helpers."""

from anthropic import AnthropicBedrock

# AWS credentials and region come from the usual places (environment,
# ~/.aws, an instance role); the SDK signs each request with SigV4.
client = AnthropicBedrock()

# --8<-- [start:stream]
with client.messages.stream(
    model="anthropic.claude-sonnet-4-6",  # Bedrock's model id, in the URL
    max_tokens=1024,
    messages=[
        {
            "role": "user",
            "content": "In two sentences: why do chat apps stream replies?",
        }
    ],
    # ARN-versioned models on Bedrock take this API version, not the
    # SDK's own default; it travels in the body.
    extra_body={"anthropic_version": "bedrock-2023-05-31"},
) as stream:
    for text in stream.text_stream:
        print(text, end="", flush=True)
    message = stream.get_final_message()
# --8<-- [end:stream]

print()
print(f"stop_reason={message.stop_reason}")
print(f"output_tokens={message.usage.output_tokens}")
