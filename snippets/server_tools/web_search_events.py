"""Stream a web search: the query streams, the results arrive whole."""

import json

import anthropic

client = anthropic.Anthropic()

stream = client.messages.create(
    model="claude-opus-5-5",
    max_tokens=1024,
    tools=[
        {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}
    ],
    messages=[
        {
            "role": "user",
            "content": "When is the Example City library open on Saturdays?",
        }
    ],
    stream=True,
)
queries: dict[int, str] = {}  # the input of each server_tool_use, by index
for event in stream:
    if event.type == "content_block_start":
        block = event.content_block
        print(f"[{event.index}] start {block.type}")
        if block.type == "server_tool_use":
            queries[event.index] = ""
        elif block.type == "web_search_tool_result":
            # Whole in its start event: no deltas follow, then its stop.
            if isinstance(block.content, list):
                for result in block.content:
                    print(f"      result {result.url}")
            else:  # one error object instead of a list of results
                print(f"      error {block.content.error_code}")
    elif event.type == "content_block_delta":
        delta = event.delta
        if delta.type == "input_json_delta":
            queries[event.index] += delta.partial_json
            print(f"[{event.index}] input_json_delta {delta.partial_json!r}")
        elif delta.type == "citations_delta":
            cited = delta.citation.cited_text
            print(f"[{event.index}] citations_delta {cited!r}")
        elif delta.type == "text_delta":
            print(f"[{event.index}] text_delta {delta.text!r}")
    elif event.type == "content_block_stop":
        if event.index in queries:
            query = json.loads(queries[event.index] or "{}")
            print(f"[{event.index}] stop: searching for {query['query']!r}")
    elif event.type == "message_delta":
        usage = event.usage
        print(f"stop_reason={event.delta.stop_reason}")
        if usage.server_tool_use is not None:
            searches = usage.server_tool_use.web_search_requests
            print(
                f"usage: {searches} search, {usage.input_tokens} input tokens"
            )
