"""Usage details that only the final message_delta carries."""

import anthropic

client = anthropic.Anthropic()

with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=4096,
    thinking={"type": "adaptive", "display": "omitted"},  # think, show none
    tools=[
        {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}
    ],
    messages=[
        {
            "role": "user",
            "content": "When can I next see a total solar eclipse in Spain?",
        }
    ],
) as stream:
    for event in stream:
        if event.type == "message_start":
            start = event.message.usage
        elif event.type == "message_delta":
            end = event.usage  # the last one holds the totals

print("at message_start")
print(f"  input_tokens           {start.input_tokens:>5}")
print(f"  output_tokens          {start.output_tokens:>5}")
print(f"  server_tool_use        {start.server_tool_use}")
print(f"  output_tokens_details  {start.output_tokens_details}")
print("at the final message_delta")
print(f"  input_tokens           {end.input_tokens:>5}  (with search results)")
print(f"  output_tokens          {end.output_tokens:>5}")
if end.server_tool_use is not None:
    searches = end.server_tool_use.web_search_requests
    print(f"  web_search_requests    {searches:>5}  (billed per search)")
if end.output_tokens_details is not None:
    thinking = end.output_tokens_details.thinking_tokens
    print(f"  thinking_tokens        {thinking:>5}  (part of output_tokens)")
