"""Usage in a stream: counts on message_start, cumulative counts at the end."""

import anthropic

client = anthropic.Anthropic()


def row(label: str, inputs: object, outputs: object, note: str = "") -> None:
    shown = "-" if inputs is None else inputs  # None: the field was absent
    print(f"{label:<16}{shown:>13}{outputs:>14}  {note}".rstrip())


row("", "input_tokens", "output_tokens")
added_in = added_out = 0  # the classic mistake: adding up every count seen
last_in = last_out = 0  # the right way: the latest count replaces the last
with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=1024,
    messages=[
        {"role": "user", "content": "Name three uses for a paper clip."}
    ],
) as stream:
    for event in stream:
        if event.type == "message_start":
            usage = event.message.usage
            row("message_start", usage.input_tokens, usage.output_tokens)
            added_in += usage.input_tokens
            added_out += usage.output_tokens
            last_in, last_out = usage.input_tokens, usage.output_tokens
        elif event.type == "message_delta":
            delta = event.usage
            row("message_delta", delta.input_tokens, delta.output_tokens)
            # Absent input_tokens means message_start's count still holds.
            if delta.input_tokens is not None:
                added_in += delta.input_tokens
                last_in = delta.input_tokens
            added_out += delta.output_tokens
            last_out = delta.output_tokens
    final = stream.get_final_message().usage

row("added up", added_in, added_out, "<- wrong")
row("latest values", last_in, last_out, "<- right")
row("SDK final usage", final.input_tokens, final.output_tokens)
