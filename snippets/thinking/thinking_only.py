"""A reply that is only thinking: max_tokens ran out before the answer."""

import anthropic

client = anthropic.Anthropic()

with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=1024,  # counts the thinking too: too few for both here
    thinking={"type": "adaptive", "display": "summarized"},
    messages=[
        {
            "role": "user",
            "content": "Prove that there are infinitely many primes"
            " of the form 4k + 3.",
        }
    ],
) as stream:
    message = stream.get_final_message()

kinds = [block.type for block in message.content]
usage = message.usage
print(f"stop_reason: {message.stop_reason}, blocks: {kinds}")
print(f"output_tokens: {usage.output_tokens}", end=", ")
details = usage.output_tokens_details
print(f"thinking_tokens: {details.thinking_tokens if details else None}")
# --8<-- [start:check]
# No text block at all: get_final_text() would raise RuntimeError.
if "text" not in kinds and message.stop_reason == "max_tokens":
    print("no answer: thinking used up max_tokens; ask again with more")
# --8<-- [end:check]
