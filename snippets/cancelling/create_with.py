"""Stop a create(stream=True) stream early: use it in a with block."""

import textwrap

import anthropic

client = anthropic.Anthropic()

preview = ""
with client.messages.create(
    model="claude-sonnet-5-5",
    max_tokens=1024,
    messages=[
        {"role": "user", "content": "How does a sourdough starter work?"}
    ],
    stream=True,
) as stream:  # a Stream is a context manager too
    for event in stream:
        if (
            event.type == "content_block_delta"
            and event.delta.type == "text_delta"
        ):
            preview += event.delta.text
            if len(preview) >= 60:  # a notification shows 60 characters
                break
    print(f"[after break: closed={stream.response.is_closed}]")
print(f"[after with: closed={stream.response.is_closed}]")
print(textwrap.shorten(preview, 60, placeholder="..."))
