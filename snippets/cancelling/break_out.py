"""Stop reading early: break out of the loop; the with block closes."""

import anthropic

client = anthropic.Anthropic()

with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=2048,
    messages=[
        {"role": "user", "content": "Give me twelve tips for touch typing."}
    ],
) as stream:
    shown = ""
    for text in stream.text_stream:
        print(text, end="", flush=True)
        shown += text
        if "\n\n" in shown:  # the reader has seen the first tip: stop
            break
    # break only leaves the loop: the response is still open here
    print(f"[after break: closed={stream.response.is_closed}]")
# leaving the with block closed it; the other tips were never read
print(f"[after with: closed={stream.response.is_closed}]")
