"""`text_stream`: only the text of the reply, one piece per text delta."""

import anthropic

client = anthropic.Anthropic()

with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=256,
    messages=[{"role": "user", "content": "Name three prime numbers."}],
) as stream:
    for text in stream.text_stream:
        print(repr(text))  # repr shows where each piece starts and ends
    # The stream has been read to the end: this returns at once.
    print(stream.get_final_text())
