"""`citation` events: each citation, and all of the block's so far."""

import anthropic

client = anthropic.Anthropic()

with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=1024,
    messages=[
        {
            "role": "user",
            "content": [
                {
                    "type": "document",
                    "source": {
                        "type": "text",
                        "media_type": "text/plain",
                        "data": "The library opens at 9:00. It closes at 18:00"
                        " on weekdays and at 13:00 on Saturdays.",
                    },
                    "title": "Opening hours",
                    "citations": {"enabled": True},
                },
                {"type": "text", "text": "When does it close on Saturday?"},
            ],
        }
    ],
) as stream:
    for event in stream:
        if event.type == "text":
            print(f"text      {event.text!r}")
        elif event.type == "citation":
            print(f"citation  {event.citation.cited_text!r}", end=" ")
            print(f"({len(event.snapshot)} in this block)")
