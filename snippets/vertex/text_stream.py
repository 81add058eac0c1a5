"""Stream a reply from Claude on Google Vertex AI, with the same helpers."""

import os

from anthropic import AnthropicVertex

# The region and project come from CLOUD_ML_REGION and
# ANTHROPIC_VERTEX_PROJECT_ID. A token from `gcloud auth print-access-token`
# is used as it is; without one the client asks google-auth for credentials.
client = AnthropicVertex(
    access_token=os.environ.get("CLOUDSDK_AUTH_ACCESS_TOKEN")
)

# --8<-- [start:stream]
with client.messages.stream(
    model="claude-sonnet-5-5",  # goes into the URL, not the body
    max_tokens=1024,
    messages=[
        {
            "role": "user",
            "content": "In two sentences: why do chat apps stream replies?",
        }
    ],
) as stream:
    for text in stream.text_stream:
        print(text, end="", flush=True)
    message = stream.get_final_message()
# --8<-- [end:stream]

print()
print(f"stop_reason={message.stop_reason}")
print(f"output_tokens={message.usage.output_tokens}")
