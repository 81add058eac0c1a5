"""A connection that drops mid-stream: anthropic.APIConnectionError."""

import anthropic

client = anthropic.Anthropic()

try:
    with client.messages.stream(
        model="claude-sonnet-5-5",
        max_tokens=1024,
        messages=[
            {
                "role": "user",
                "content": "Describe a sunrise at sea in three sentences.",
            }
        ],
    ) as stream:
        for text in stream.text_stream:
            print(text, end="", flush=True)
except anthropic.APIConnectionError as error:
    # SDK 2.17.0 and later: the body stopped arriving. The HTTP library's
    # error is the cause. The SDK does not send the request again.
    cause = error.__cause__
    print(f"\n[connection lost: {type(error).__name__}]")
    print(f"[cause: {type(cause).__name__}: {cause}]")
except anthropic.APIStatusError as error:  # an `error` event lands here
    print(f"\n[API error: {error.type}]")
