"""A stream whose body ends early but cleanly: nothing is raised."""

import anthropic

client = anthropic.Anthropic()

with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=1024,
    messages=[
        {"role": "user", "content": "Name the planets in order from the Sun."}
    ],
) as stream:
    for text in stream.text_stream:
        print(text, end="", flush=True)
    message = stream.get_final_message()  # returns; does not raise

print()
print(f"stop_reason={message.stop_reason}")  # None: no message_delta came
