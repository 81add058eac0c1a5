"""Stream from Claude through the OpenAI-compatible endpoint (openai SDK)."""

from openai import OpenAI

# Reads OPENAI_API_KEY (set it to a Claude API key) and OPENAI_BASE_URL
# (https://api.anthropic.com/v1/).
client = OpenAI()

# --8<-- [start:stream]
stream = client.chat.completions.create(
    model="claude-sonnet-5-5",
    max_tokens=1024,
    messages=[
        {
            "role": "user",
            "content": "In two sentences: why do chat apps stream replies?",
        }
    ],
    stream=True,
    stream_options={"include_usage": True},  # else no usage at all
)
finish_reason = usage = None
for chunk in stream:
    if chunk.choices:  # the usage chunk at the end has none
        choice = chunk.choices[0]
        print(choice.delta.content or "", end="", flush=True)
        finish_reason = choice.finish_reason or finish_reason
    if chunk.usage:
        usage = chunk.usage
# --8<-- [end:stream]

print()
print(f"finish_reason={finish_reason}")
if usage:
    print(f"completion_tokens={usage.completion_tokens}")
