"""Every event a MessageStream yields: the API's and the SDK's own."""

import anthropic

client = anthropic.Anthropic()

with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=256,
    messages=[{"role": "user", "content": "Say hi in five words."}],
) as stream:
    for event in stream:
        if event.type == "text":  # the SDK's: added after each text delta
            print(f"  text     {event.text!r} -> snapshot {event.snapshot!r}")
        elif event.type == "content_block_delta":  # the API's own event
            print(f"{event.type}  {event.delta.type}")
        elif event.type == "content_block_stop":  # carries the whole block
            block = event.content_block
            text = block.text if block.type == "text" else ""
            print(f"{event.type}  {block.type} block: {text!r}")
        elif event.type == "message_stop":  # carries the whole message
            message = event.message
            print(f"{event.type}  stop_reason={message.stop_reason}")
        else:  # message_start, content_block_start, message_delta, ...
            print(event.type)
