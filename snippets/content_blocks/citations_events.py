"""Stream a reply that cites a document: citations arrive as deltas."""

import anthropic

client = anthropic.Anthropic()

handbook = (
    "The office opens at 8:00 on weekdays. "
    "Visitors must sign in at the front desk. "
    "The office is closed on public holidays."
)
stream = client.messages.create(
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
                        "data": handbook,
                    },
                    "title": "Office handbook",
                    "citations": {"enabled": True},
                },
                {
                    "type": "text",
                    "text": "When does the office open? Do visitors sign in?",
                },
            ],
        }
    ],
    stream=True,
)
for event in stream:
    if event.type == "content_block_start":
        print(f"[{event.index}] start {event.content_block.type}")
    elif event.type == "content_block_delta":
        delta = event.delta
        if delta.type == "text_delta":
            print(f"[{event.index}] text_delta {delta.text!r}")
        elif delta.type == "citations_delta":
            # One citation for the text block at this index.
            cited = delta.citation
            print(f"[{event.index}] citations_delta {cited.type}")
            if cited.type == "char_location":
                where = f"[{cited.start_char_index}:{cited.end_char_index}]"
                print(f"    document {cited.document_index} {where}")
            print(f"    cited_text {cited.cited_text!r}")
    elif event.type == "content_block_stop":
        print(f"[{event.index}] stop")
