"""Measure when the first text of a reply arrives, and when the reply ends."""

import time

import anthropic

client = anthropic.Anthropic()

started = time.perf_counter()
first_text: float | None = None
with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=1024,
    messages=[
        {
            "role": "user",
            "content": "In one paragraph: how does a CDN make a site faster?",
        }
    ],
) as stream:
    for text in stream.text_stream:
        if first_text is None:  # what a user waits for before seeing anything
            first_text = time.perf_counter() - started
        print(text, end="", flush=True)
whole_reply = time.perf_counter() - started  # the wait without streaming

print()
if first_text is not None:
    print(f"first text after {first_text:.2f} s")
print(f"whole reply after {whole_reply:.2f} s")
