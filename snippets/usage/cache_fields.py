"""Prompt caching in usage: a long prefix written to the cache, then read."""

import anthropic
from anthropic.types import TextBlockParam

client = anthropic.Anthropic()

# A long prefix that every request repeats unchanged: the part worth caching.
# (Shorter prefixes are not cached at all; the minimum depends on the model.)
sizes = ["M4", "M5", "M6", "M8", "M10"]
catalogue = "\n".join(
    f"part {n:03d}: bolt {sizes[n % 5]} x {10 + n % 16 * 5} mm, zinc plated"
    for n in range(1, 161)
)
system: list[TextBlockParam] = [
    {"type": "text", "text": "Answer questions about this parts catalogue."},
    {
        "type": "text",
        "text": catalogue,
        "cache_control": {"type": "ephemeral"},  # cache everything up to here
    },
]

for question in ["How many parts are M8?", "What is part 042?"]:
    with client.messages.stream(
        model="claude-sonnet-5-5",
        max_tokens=256,
        system=system,
        messages=[{"role": "user", "content": question}],
    ) as stream:
        usage = stream.get_final_message().usage
    written = usage.cache_creation_input_tokens or 0
    read = usage.cache_read_input_tokens or 0
    total = usage.input_tokens + written + read
    print(question)
    print(f"  input_tokens                {usage.input_tokens:>6}")
    print(f"  cache_creation_input_tokens {written:>6}")
    print(f"  cache_read_input_tokens     {read:>6}")
    print(f"  total input tokens          {total:>6}")
